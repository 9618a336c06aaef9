package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariConfig;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.testing.Bounded;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link DatabaseSettings#fromEnvironment(Map)} on any environment: settings or one
 * {@link ConfigurationException} naming the variables, never another exception or a hang; and
 * whatever it gives, no password shows in a message or in {@code toString()}, and a
 * {@code password=} parameter is not in the URL the pool and the driver are given.
 */
class DatabaseSettingsPropertiesTest {
  static final String PASSWORD = "pw-SECRET-q8Zr";
  static final String URL_PASSWORD = "url-SECRET-7kLm";
  static final List<String> VARIABLES = List.of(DatabaseSettings.ENV_URL, DatabaseSettings.ENV_USER,
      DatabaseSettings.ENV_POOL_NAME, DatabaseSettings.ENV_POOL_SIZE, DatabaseSettings.ENV_MAX_OVERFLOW,
      DatabaseSettings.ENV_POOL_TIMEOUT, DatabaseSettings.ENV_POOL_RECYCLE, DatabaseSettings.ENV_IDLE_TIMEOUT,
      DatabaseSettings.ENV_STATEMENT_TIMEOUT, DatabaseSettings.ENV_LEAK_DETECTION_THRESHOLD);

  @Property(tries = 2000)
  void anyEnvironmentGivesSettingsOrOneConfigurationExceptionAndNeverShowsAPassword(
      @ForAll("environments") Map<String, String> env) throws Exception {
    try {
      DatabaseSettings s = Bounded.call(() -> DatabaseSettings.fromEnvironment(env));
      assertThat(s.poolSize()).isPositive();
      HikariConfig c = s.toHikariConfig();
      for (String shown : List.of(s.toString(), s.maskedUrl())) {
        assertThat(shown).doesNotContain(PASSWORD, URL_PASSWORD);
      }
      // a password parameter is taken out of the driver's URL (user:password@ and sslpassword are passed on)
      if (!s.url().contains("@") && !s.url().contains("sslpassword")) {
        assertThat(c.getJdbcUrl()).doesNotContain(PASSWORD, URL_PASSWORD);
      }
    } catch (ConfigurationException e) {
      assertThat(e.problems()).isNotEmpty();
      assertThat(e.getMessage()).doesNotContain(PASSWORD, URL_PASSWORD);
    }
  }

  @Provide
  Arbitrary<Map<String, String>> environments() {
    Arbitrary<String> urls = Arbitraries.oneOf(
        Arbitraries.of("jdbc:h2:mem:x", "jdbc:postgresql://db:5432/app", "jdbc:mariadb://db/app",
            "jdbc:mysql://db/app?useSSL=false", "jdbc:sqlite:/tmp/x.db", "jdbc:sqlite::memory:", "jdbc:oracle:thin:@x",
            "postgres://db/app", "", " "),
        Arbitraries.of("jdbc:postgresql://db/app?password=" + URL_PASSWORD,
            "jdbc:postgresql://db/app?user=u&password=" + URL_PASSWORD + "&ssl=true",
            "jdbc:mariadb://u:" + URL_PASSWORD + "@db/app", "jdbc:h2:mem:x;PASSWORD=" + URL_PASSWORD,
            "jdbc:mysql://db/app?PWD=" + URL_PASSWORD, "jdbc:postgresql://db/app?sslpassword=" + URL_PASSWORD),
        Arbitraries.strings().ofMaxLength(60).map(s -> "jdbc:postgresql://" + s + "?password=" + URL_PASSWORD));
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.of("5", "0", "-1", "1024", "99999999999", "30",
        "2.5", "PT5M", "P1D", "x", "", " ", "1e3", "0.0001"), Arbitraries.strings().ofMaxLength(20));
    Arbitrary<Map.Entry<String, String>> entry = Combinators.combine(Arbitraries.of(VARIABLES), values)
        .as(Map::entry);
    return Combinators.combine(urls, entry.list().ofMaxSize(6), Arbitraries.of(true, false)).as((url, list, pw) -> {
      Map<String, String> env = new LinkedHashMap<>();
      list.forEach(e -> env.put(e.getKey(), e.getValue()));
      env.put(DatabaseSettings.ENV_URL, url);
      if (pw) {
        env.put(DatabaseSettings.ENV_PASSWORD, PASSWORD);
      }
      return env;
    });
  }
}
