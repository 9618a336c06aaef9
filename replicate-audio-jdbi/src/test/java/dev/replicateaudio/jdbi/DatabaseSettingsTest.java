package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.port.StorageException;
import java.net.ServerSocket;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DatabaseSettingsTest {
  @Test
  void defaultsAreTheSeedsPoolingOnAnH2FileInTheWorkingDirectory() {
    DatabaseSettings s = DatabaseSettings.defaults();
    assertThat(s.url()).isEqualTo("jdbc:h2:file:./replicate-audio");
    assertThat(s.user()).isNull();
    assertThat(s.password()).isNull();
    assertThat(s.poolName()).isEqualTo("replicate-audio");
    assertThat(s.poolSize()).isEqualTo(5);
    assertThat(s.maxOverflow()).isEqualTo(10);
    assertThat(s.poolTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.poolRecycle()).isEqualTo(Duration.ofMinutes(30));
    assertThat(s.idleTimeout()).isEqualTo(Duration.ofMinutes(10));
    assertThat(s.statementTimeout()).isEqualTo(Duration.ofSeconds(30));
    assertThat(s.leakDetectionThreshold()).isEqualTo(Duration.ofSeconds(60));
    assertThat(DatabaseSettings.fromEnvironment(Map.of())).isEqualTo(s);
  }

  @Test
  void everyVariableIsRead() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", "jdbc:postgresql://db.internal:5432/app");
    env.put("DB_USER", "app");
    env.put("DB_PASSWORD", " s3cret with spaces ");
    env.put("DB_POOL_NAME", "audio-pool");
    env.put("DB_POOL_SIZE", "8");
    env.put("DB_MAX_OVERFLOW", "0");
    env.put("DB_POOL_TIMEOUT", "2.5");
    env.put("DB_POOL_RECYCLE", "PT1H");
    env.put("DB_POOL_IDLE_TIMEOUT", "120");
    env.put("DB_STATEMENT_TIMEOUT", "PT0.75S");
    env.put("DB_LEAK_DETECTION_THRESHOLD", "0");
    env.put("UNRELATED", "ignored");
    DatabaseSettings s = DatabaseSettings.fromEnvironment(env);
    assertThat(s).isEqualTo(DatabaseSettings.builder()
        .url("jdbc:postgresql://db.internal:5432/app").user("app").password(" s3cret with spaces ")
        .poolName("audio-pool").poolSize(8).maxOverflow(0).poolTimeout(Duration.ofMillis(2500))
        .poolRecycle(Duration.ofHours(1)).idleTimeout(Duration.ofMinutes(2)).statementTimeout(Duration.ofMillis(750))
        .leakDetectionThreshold(Duration.ZERO).build());
  }

  @Test
  void blankVariablesTakeTheDefaults() {
    assertThat(DatabaseSettings.fromEnvironment(Map.of("DB_POOL_SIZE", "  ", "DATABASE_URL", "", "DB_PASSWORD", " ")))
        .isEqualTo(DatabaseSettings.defaults());
  }

  @Test
  void everyBadVariableIsReportedAtOnceWithItsValueAndTheRule() {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", "jdbc:oracle:thin:@db:1521/app");
    env.put("DB_POOL_SIZE", "0");
    env.put("DB_MAX_OVERFLOW", "many");
    env.put("DB_POOL_TIMEOUT", "0.1");
    env.put("DB_POOL_RECYCLE", "10");
    env.put("DB_STATEMENT_TIMEOUT", "-5");
    env.put("DB_POOL_IDLE_TIMEOUT", "soon");
    env.put("DB_LEAK_DETECTION_THRESHOLD", "1");
    env.put("DB_POOL_NAME", "has space");
    assertThatThrownBy(() -> DatabaseSettings.fromEnvironment(env))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid configuration (9 problems):")
        .hasMessageContaining("DATABASE_URL='jdbc:oracle:thin:@db:1521/app' is not supported: accepted jdbc:h2:..."
            + " (H2), jdbc:postgresql:... (PostgreSQL), jdbc:mysql:... (MySQL or MariaDB, MySQL Connector/J),"
            + " jdbc:mariadb:... (MariaDB or MySQL, MariaDB Connector/J) or jdbc:sqlite:<file> (SQLite)")
        .hasMessageContaining("DB_POOL_SIZE='0' is out of range; accepted: 1 to 1000")
        .hasMessageContaining("DB_MAX_OVERFLOW='many' is not a whole number; accepted: 0 to 1000")
        .hasMessageContaining("DB_POOL_TIMEOUT='0.1' is below the minimum of 0.25 s")
        .hasMessageContaining("DB_POOL_RECYCLE='10' is below the minimum of 30 s")
        .hasMessageContaining("DB_STATEMENT_TIMEOUT='-5' must be positive")
        .hasMessageContaining("DB_POOL_IDLE_TIMEOUT='soon' is not a duration; accepted: seconds (e.g. 300 or 2.5) or"
            + " ISO-8601 (e.g. PT5M)")
        .hasMessageContaining("DB_LEAK_DETECTION_THRESHOLD='1' is below the minimum of 2 s")
        .hasMessageContaining("DB_POOL_NAME='has space' is not accepted: 1 to 64 characters of [A-Za-z0-9_.-]");
  }

  @Test
  void settingsThatHikariCpWouldSilentlyChangeAreRefused() {
    assertThatThrownBy(() -> DatabaseSettings.builder().poolRecycle(Duration.ofMinutes(5))
        .idleTimeout(Duration.ofMinutes(5)).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("idleTimeout (DB_POOL_IDLE_TIMEOUT)=300 s must be at least 1 s below poolRecycle"
            + " (DB_POOL_RECYCLE)=300 s");
    assertThatThrownBy(() -> DatabaseSettings.fromEnvironment(Map.of("DB_POOL_RECYCLE", "60",
        "DB_LEAK_DETECTION_THRESHOLD", "61", "DB_POOL_IDLE_TIMEOUT", "30")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("leakDetectionThreshold (DB_LEAK_DETECTION_THRESHOLD)=61 s must not be above"
            + " poolRecycle (DB_POOL_RECYCLE)=60 s");
  }

  @Test
  void theBuilderValidatesEverySettingByName() {
    assertThatThrownBy(() -> DatabaseSettings.builder().url(null).poolName(null).poolSize(1001).maxOverflow(-1)
        .poolTimeout(null).statementTimeout(Duration.ofHours(25)).leakDetectionThreshold(null).build())
        .isInstanceOf(ConfigurationException.class)
        .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
            "url is required: a JDBC URL starting with jdbc:h2:, jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or"
                + " jdbc:sqlite:",
            "poolName is required: 1 to 64 characters of [A-Za-z0-9_.-]",
            "poolSize=1001 is out of range: accepted 1 to 1000",
            "maxOverflow=-1 is out of range: accepted 0 to 1000",
            "poolTimeout is required (seconds (e.g. 300 or 2.5) or ISO-8601 (e.g. PT5M))",
            "statementTimeout=PT25H is above the maximum of PT24H",
            "leakDetectionThreshold is required: 0 (off) or seconds (e.g. 300 or 2.5) or ISO-8601 (e.g. PT5M)"));
  }

  @Test
  void thePasswordIsMaskedEverywhere() {
    DatabaseSettings s = DatabaseSettings.builder()
        .url("jdbc:postgresql://db/app?user=app&password=hunter2&ssl=true").password("hunter2").build();
    assertThat(s.toString()).doesNotContain("hunter2")
        .contains("url=jdbc:postgresql://db/app?user=app&password=<masked>&ssl=true")
        .contains("password=<masked>");
    assertThat(DatabaseSettings.defaults().toString()).contains("password=<none>");
    assertThat(DatabaseSettings.maskUrl("jdbc:h2:tcp://h/db;USER=sa;PASSWORD=hunter2;LOCK_TIMEOUT=5"))
        .isEqualTo("jdbc:h2:tcp://h/db;USER=sa;PASSWORD=<masked>;LOCK_TIMEOUT=5");
    assertThat(DatabaseSettings.maskUrl("jdbc:postgresql://app:hunter2@db/app"))
        .isEqualTo("jdbc:postgresql://app:<masked>@db/app");
    assertThatThrownBy(() -> DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL",
        "jdbc:db2://app:hunter2@db/app?password=hunter2")))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageNotContaining("hunter2")
        .hasMessageContaining("DATABASE_URL='jdbc:db2://app:<masked>@db/app?password=<masked>' is not supported");
    assertThat(DatabaseSettings.builder().url("jdbc:mariadb://app:hunter2@db/app?password=hunter2").build().toString())
        .doesNotContain("hunter2");
  }

  @Test
  void theHikariConfigSizesThePoolFromSizeAndOverflow() {
    HikariConfig c = DatabaseSettings.builder().poolSize(3).maxOverflow(7).poolTimeout(Duration.ofSeconds(4))
        .poolRecycle(Duration.ofMinutes(20)).idleTimeout(Duration.ofMinutes(2))
        .leakDetectionThreshold(Duration.ofSeconds(45)).build().toHikariConfig();
    assertThat(c.getPoolName()).isEqualTo("replicate-audio");
    assertThat(c.getMinimumIdle()).isEqualTo(3);
    assertThat(c.getMaximumPoolSize()).isEqualTo(10);
    assertThat(c.getConnectionTimeout()).isEqualTo(4_000);
    assertThat(c.getValidationTimeout()).isEqualTo(4_000);
    assertThat(c.getMaxLifetime()).isEqualTo(1_200_000);
    assertThat(c.getIdleTimeout()).isEqualTo(120_000);
    assertThat(c.getKeepaliveTime()).isEqualTo(120_000);
    assertThat(c.getLeakDetectionThreshold()).isEqualTo(45_000);
    assertThat(DatabaseSettings.builder().maxOverflow(0).build().toHikariConfig().getIdleTimeout())
        .as("a fixed-size pool never closes idle connections").isZero();
  }

  @Test
  void postgresqlGetsItsStatementTimeoutServerSideAndItsPoolNameAsApplicationName() {
    HikariConfig c = DatabaseSettings.builder().url("jdbc:postgresql://db/app").poolName("audio")
        .statementTimeout(Duration.ofMillis(1500)).build().toHikariConfig();
    assertThat(c.getJdbcUrl()).isEqualTo("jdbc:postgresql://db/app");
    assertThat(c.getConnectionInitSql()).isEqualTo("SET statement_timeout = 1500");
    assertThat(c.getDataSourceProperties()).containsEntry("ApplicationName", "audio");
  }

  @Test
  void mysqlAndMariadbUrlsAreAcceptedAndTunedForEitherServer() {
    for (String url : List.of("jdbc:mysql://db:3306/app", "jdbc:mariadb://db/app")) {
      HikariConfig c = DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL", url, "DB_STATEMENT_TIMEOUT", "2.5",
          "DB_POOL_TIMEOUT", "4")).toHikariConfig();
      assertThat(c.getJdbcUrl()).isEqualTo(url);
      assertThat(c.getTransactionIsolation()).isEqualTo("TRANSACTION_READ_COMMITTED");
      assertThat(c.getConnectionInitSql()).isEqualTo("SET SESSION innodb_lock_wait_timeout = 3"
          + " /*!80000 , max_execution_time = 2500 */ /*M!100108 , max_statement_time = 2.500 */");
      assertThat(c.getDataSourceProperties()).containsEntry("connectTimeout", "4000").containsEntry("tcpKeepAlive",
          "true");
      assertThat(c.getExceptionOverride()).isNotNull();
    }
    assertThat(DatabaseSettings.builder().url("jdbc:mysql://db/app").build().toHikariConfig().getDataSourceProperties())
        .containsEntry("characterEncoding", "UTF-8");
    assertThat(DatabaseSettings.builder().url("jdbc:mysql://db/app?connectTimeout=1&characterEncoding=latin1").build()
        .toHikariConfig().getDataSourceProperties()).as("what the URL sets stays")
        .doesNotContainKeys("connectTimeout", "characterEncoding");
    assertThat(DatabaseSettings.mysqlSessionSql(400)).as("the lock wait is whole seconds, at least 1")
        .startsWith("SET SESSION innodb_lock_wait_timeout = 1 ").endsWith("max_statement_time = 0.400 */");
  }

  @Test
  void sqliteGetsWalABusyTimeoutAndImmediateTransactionsUnlessItsUrlSetsThem() {
    assertThat(DatabaseSettings.builder().url("jdbc:sqlite:/var/lib/app/jobs.db").statementTimeout(Duration.ofSeconds(5))
        .build().toHikariConfig().getJdbcUrl())
        .isEqualTo("jdbc:sqlite:/var/lib/app/jobs.db?journal_mode=WAL&synchronous=NORMAL&busy_timeout=5000"
            + "&transaction_mode=IMMEDIATE");
    assertThat(DatabaseSettings.builder().url("jdbc:sqlite:jobs.db?busy_timeout=100&journal_mode=DELETE").build()
        .toHikariConfig().getJdbcUrl())
        .isEqualTo("jdbc:sqlite:jobs.db?busy_timeout=100&journal_mode=DELETE&synchronous=NORMAL"
            + "&transaction_mode=IMMEDIATE");
  }

  @Test
  void anInMemorySqliteDatabaseIsRefusedBecauseEachPooledConnectionWouldGetItsOwn() {
    for (String url : List.of("jdbc:sqlite::memory:", "jdbc:sqlite:", "jdbc:sqlite:file::memory:?cache=shared",
        "jdbc:sqlite:file:x.db?mode=memory")) {
      assertThatThrownBy(() -> DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL", url)))
          .as(url)
          .isInstanceOf(ConfigurationException.class)
          .hasMessageContaining("DATABASE_URL='" + url + "' is not supported: SQLite needs a database file,"
              + " jdbc:sqlite:/path/to/file.db (an in-memory database would be a different, empty one on every"
              + " pooled connection)");
    }
  }

  @Test
  void aMissingDriverIsNamedByItsArtifact() {
    assertThat(DatabaseSettings.driverArtifact(SqlDialect.MYSQL)).isEqualTo("com.mysql:mysql-connector-j");
    assertThat(DatabaseSettings.driverArtifact(SqlDialect.MARIADB)).isEqualTo("org.mariadb.jdbc:mariadb-java-client");
    assertThat(DatabaseSettings.driverArtifact(SqlDialect.SQLITE)).isEqualTo("org.xerial:sqlite-jdbc");
  }

  @Test
  void h2GetsLockAndQueryTimeoutsUnlessItsUrlSetsThem() {
    assertThat(DatabaseSettings.builder().url("jdbc:h2:mem:a").statementTimeout(Duration.ofSeconds(5)).build()
        .toHikariConfig().getJdbcUrl())
        .isEqualTo("jdbc:h2:mem:a;LOCK_TIMEOUT=5000;QUERY_TIMEOUT=5000;DB_CLOSE_DELAY=-1");
    assertThat(DatabaseSettings.builder().url("jdbc:h2:file:./x;lock_timeout=100;DB_CLOSE_DELAY=0").build()
        .toHikariConfig().getJdbcUrl())
        .isEqualTo("jdbc:h2:file:./x;lock_timeout=100;DB_CLOSE_DELAY=0;QUERY_TIMEOUT=30000");
    assertThat(DatabaseSettings.builder().url("jdbc:h2:mem:b").statementTimeout(Duration.ofNanos(1_500_001)).build()
        .toHikariConfig().getJdbcUrl()).as("rounded up to whole ms").contains("LOCK_TIMEOUT=2;");
    assertThat(DatabaseSettings.builder().url("jdbc:h2:mem:a").build().toHikariConfig().getConnectionInitSql())
        .isNull();
  }

  @Test
  void createDataSourceStartsANamedPoolWithTheTunedSession() throws Exception {
    DatabaseSettings s = DatabaseSettings.builder().url(DatabaseConnectionMonitorTest.memUrl("settings"))
        .poolName("settings-test").poolSize(2).maxOverflow(1).statementTimeout(Duration.ofSeconds(7)).build();
    try (HikariDataSource ds = s.createDataSource(); Connection c = ds.getConnection();
        ResultSet rs = c.createStatement().executeQuery("SELECT LOCK_TIMEOUT()")) {
      assertThat(ds.getPoolName()).isEqualTo("settings-test");
      assertThat(ds.getMaximumPoolSize()).isEqualTo(3);
      assertThat(rs.next()).isTrue();
      assertThat(rs.getInt(1)).isEqualTo(7_000);
    }
  }

  @Test
  void anUnreachableDatabaseFailsCreateDataSourceWithoutShowingThePassword() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    DatabaseSettings s = DatabaseSettings.builder()
        .url("jdbc:postgresql://127.0.0.1:" + closedPort + "/app?password=hunter2&connectTimeout=2")
        .poolName("unreachable").poolTimeout(Duration.ofSeconds(2)).build();
    assertThatThrownBy(s::createDataSource)
        .isInstanceOf(StorageException.class)
        .hasMessageStartingWith("Could not start connection pool 'unreachable' for jdbc:postgresql://127.0.0.1:"
            + closedPort + "/app?password=<masked>&connectTimeout=2: ")
        .hasMessageNotContaining("hunter2")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
  }

  @Test
  void aWrongPasswordFailsCreateDataSourceAsPermanentWithoutShowingIt() {
    String url = "jdbc:h2:mem:wrong-password-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (HikariDataSource owner = DatabaseSettings.builder().url(url).user("app").password("right-one").poolSize(1)
        .maxOverflow(0).build().createDataSource()) {
      DatabaseSettings wrong = DatabaseSettings.builder().url(url).user("app").password("wrong-one")
          .poolName("refused").poolTimeout(Duration.ofSeconds(2)).build();
      assertThatThrownBy(wrong::createDataSource)
          .isInstanceOf(StorageException.class)
          .hasMessageStartingWith("Could not start connection pool 'refused' for " + url + ": ")
          .hasMessageEndingWith("(the database refused the credentials: check DB_USER and DB_PASSWORD)")
          .hasMessageNotContaining("wrong-one").hasMessageNotContaining("right-one")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).as("a wrong password stays wrong").isFalse());
      assertThat(owner.isRunning()).isTrue();
    }
  }

  // found by the soak (#13): a dead H2 or SQLite connection was lent again and again while the pool was busy
  @ParameterizedTest
  @ValueSource(strings = {"h2", "sqlite"})
  void aConnectionClosedUnderThePoolIsDroppedOnItsFirstErrorAndNeverLentAgain(String database,
      @TempDir Path dir) throws Exception {
    String url = database.equals("h2") ? "jdbc:h2:mem:evict-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1"
        : "jdbc:sqlite:" + dir.resolve("evict.db");
    DatabaseSettings settings = DatabaseSettings.builder().url(url).poolName("evict").poolSize(1).maxOverflow(0)
        .build();
    try (HikariDataSource ds = settings.createDataSource()) {
      Object dead;
      try (Connection c = ds.getConnection()) {
        Connection raw = c.unwrap(Connection.class);
        dead = raw;
        raw.close(); // the driver's connection ends under the pool (a broken link, an administrator)
        assertThatThrownBy(() -> c.createStatement().execute("SELECT 1")).isInstanceOf(java.sql.SQLException.class);
      }
      // at once (well inside HikariCP's 500 ms without validation), the one slot holds a new connection
      try (Connection c = ds.getConnection(); ResultSet rs = c.createStatement().executeQuery("SELECT 1")) {
        assertThat(rs.next()).isTrue();
        assertThat(c.unwrap(Connection.class)).isNotSameAs(dead);
      }
    }
  }

  // found by SecretsNeverLoggedTest (#13): the PostgreSQL driver logs the URL it is given at FINE
  @Test
  void aPasswordInTheUrlReachesTheDriverAsAPropertyNeverInTheUrl() throws Exception {
    HikariConfig pg = DatabaseSettings.builder().url("jdbc:postgresql://db/app?password=s3cret&sslmode=require")
        .password("s3cret").build().toHikariConfig();
    assertThat(pg.getJdbcUrl()).isEqualTo("jdbc:postgresql://db/app?sslmode=require");
    assertThat(pg.getPassword()).isEqualTo("s3cret");
    assertThatThrownBy(() -> DatabaseSettings.builder().url("jdbc:postgresql://db/app?password=s3cret&sslmode=require")
        .password("other").build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("url (DATABASE_URL) carries a password (password=) and password (DB_PASSWORD) gives a"
            + " different one: set only one of them")
        .hasMessageNotContaining("s3cret").hasMessageNotContaining("other");
    assertThat(DatabaseSettings.builder().url("jdbc:postgresql://db/app?password=a%26b").password("a&b").build()
        .toHikariConfig().getJdbcUrl()).as("the same password, %-encoded in the URL").contains("password=a%26b");
    HikariConfig maria = DatabaseSettings.builder().url("jdbc:mariadb://db/app?user=u&password=s3cret").build()
        .toHikariConfig();
    assertThat(maria.getJdbcUrl()).isEqualTo("jdbc:mariadb://db/app?user=u");
    assertThat(maria.getPassword()).isEqualTo("s3cret");
    HikariConfig encoded = DatabaseSettings.builder().url("jdbc:postgresql://db/app?password=a%26b").build()
        .toHikariConfig();
    assertThat(encoded.getJdbcUrl()).as("a %-encoded value stays for the driver to decode")
        .isEqualTo("jdbc:postgresql://db/app?password=a%26b");
    HikariConfig none = DatabaseSettings.builder().url("jdbc:postgresql://db/app").password("p").build().toHikariConfig();
    assertThat(none.getJdbcUrl()).isEqualTo("jdbc:postgresql://db/app");
    assertThat(none.getPassword()).isEqualTo("p");

    String h2 = "jdbc:h2:mem:url-secret-" + System.nanoTime() + ";DB_CLOSE_DELAY=-1";
    try (HikariDataSource created = DatabaseSettings.builder().url(h2).user("app").password("pw1").poolSize(1)
        .maxOverflow(0).build().createDataSource();
        HikariDataSource viaUrl = DatabaseSettings.builder().url(h2 + ";PASSWORD=pw1").user("app").poolSize(1)
            .maxOverflow(0).build().createDataSource();
        Connection c = viaUrl.getConnection()) {
      assertThat(viaUrl.getJdbcUrl()).doesNotContainIgnoringCase("password");
      assertThat(c.isValid(1)).isTrue();
      assertThat(created.isRunning()).isTrue();
    }
  }
}
