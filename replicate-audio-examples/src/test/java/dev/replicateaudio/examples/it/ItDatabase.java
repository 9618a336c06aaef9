package dev.replicateaudio.examples.it;

import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.testing.LocalMariaDb;
import dev.replicateaudio.testing.Ci;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * A fresh, empty database for one test class, on H2 (in memory), PostgreSQL (a schema of its own
 * on one embedded server per JVM, or on the server named by {@code REPLICATE_AUDIO_TEST_PG_URL},
 * {@code _USER} and {@code _PASSWORD}), MariaDB (a database of its own on one {@link LocalMariaDb}
 * per JVM) or SQLite (a file of its own). Closing it drops it.
 */
abstract class ItDatabase implements AutoCloseable {
  static final String PG_URL_ENV = "REPLICATE_AUDIO_TEST_PG_URL";
  static final String PG_USER_ENV = "REPLICATE_AUDIO_TEST_PG_USER";
  static final String PG_PASSWORD_ENV = "REPLICATE_AUDIO_TEST_PG_PASSWORD";

  private static LocalMariaDb mariaDb;
  private static String pgUrl;
  private static String pgUser;
  private static String pgPassword;

  /** Settings that reach this database, with a pool name of its own. */
  abstract DatabaseSettings.Builder settings(String poolName);

  /** {@code H2}, {@code PostgreSQL}, {@code MariaDB} or {@code SQLite}. */
  abstract String kind();

  /** SQL answering the current session's id (one row, one integer column). */
  abstract String sessionIdSql();

  /** Ends session {@code id} from outside, as a database administrator (or an outage) would. */
  abstract void killSession(long id);

  @Override
  public abstract void close();

  @Override
  public String toString() {
    return kind();
  }

  /** A new in-memory H2 database, kept until {@link #close()}. */
  static ItDatabase h2() {
    String url = "jdbc:h2:mem:it-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    return new ItDatabase() {
      @Override
      DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(url).poolName(poolName);
      }

      @Override
      String kind() {
        return "H2";
      }

      @Override
      String sessionIdSql() {
        return "SELECT SESSION_ID()";
      }

      @Override
      void killSession(long id) {
        query(url, null, null, "SELECT ABORT_SESSION(?)", id);
      }

      @Override
      public void close() {
        execute(url, null, null, "SHUTDOWN");
      }
    };
  }

  /**
   * A new schema on the test run's PostgreSQL server; skips the calling test when no server can be
   * had, or fails it in CI. Call it from {@code @BeforeAll}: the embedded server's processes must
   * exist before the leak check records the JVM's child processes.
   */
  static ItDatabase postgres() {
    startPostgres();
    String schema = "ra_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    execute(pgUrl, pgUser, pgPassword, "CREATE SCHEMA " + schema);
    String schemaUrl = pgUrl + (pgUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    return new ItDatabase() {
      @Override
      DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(schemaUrl).user(pgUser).password(pgPassword).poolName(poolName);
      }

      @Override
      String kind() {
        return "PostgreSQL";
      }

      @Override
      String sessionIdSql() {
        return "SELECT pg_backend_pid()";
      }

      @Override
      void killSession(long id) {
        query(pgUrl, pgUser, pgPassword, "SELECT pg_terminate_backend(?)", (int) id);
      }

      @Override
      public void close() {
        execute(pgUrl, pgUser, pgPassword, "DROP SCHEMA " + schema + " CASCADE");
      }
    };
  }

  /**
   * A new database on the test run's MariaDB server, through MariaDB Connector/J; skips the calling
   * test when mariadbd is not installed, or fails it in CI. Call it from {@code @BeforeAll} (see
   * {@link #postgres()}).
   */
  static ItDatabase mariaDb() {
    startMariaDb();
    String name = "ra_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    String root = mariaDb.jdbcUrl("mariadb", "");
    execute(root, LocalMariaDb.USER, LocalMariaDb.PASSWORD, "CREATE DATABASE " + name);
    String url = mariaDb.jdbcUrl("mariadb", name);
    return new ItDatabase() {
      @Override
      DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(url).user(LocalMariaDb.USER).password(LocalMariaDb.PASSWORD)
            .poolName(poolName);
      }

      @Override
      String kind() {
        return "MariaDB";
      }

      @Override
      String sessionIdSql() {
        return "SELECT CONNECTION_ID()";
      }

      @Override
      void killSession(long id) {
        execute(root, LocalMariaDb.USER, LocalMariaDb.PASSWORD, "KILL CONNECTION " + id);
      }

      @Override
      public void close() {
        execute(root, LocalMariaDb.USER, LocalMariaDb.PASSWORD, "DROP DATABASE " + name);
      }
    };
  }

  /** Starts the MariaDB server of the test run, once; call it from {@code @BeforeAll}. */
  static synchronized void startMariaDb() {
    if (mariaDb != null) {
      return;
    }
    try {
      mariaDb = LocalMariaDb.start(Path.of(System.getProperty("java.io.tmpdir")));
    } catch (IOException e) {
      throw Ci.unavailable("can't start a local MariaDB server", e);
    }
  }

  /** A new SQLite database file in a directory of its own, deleted on {@link #close()}. */
  static ItDatabase sqlite() {
    Path dir;
    try {
      dir = Files.createTempDirectory(Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir"))),
          "it-sqlite-");
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    String url = "jdbc:sqlite:" + dir.resolve("it.db").toAbsolutePath();
    return new ItDatabase() {
      @Override
      DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(url).poolName(poolName);
      }

      @Override
      String kind() {
        return "SQLite";
      }

      @Override
      String sessionIdSql() {
        throw new UnsupportedOperationException("SQLite has no sessions to end from outside");
      }

      @Override
      void killSession(long id) {
        throw new UnsupportedOperationException("SQLite has no sessions to end from outside");
      }

      @Override
      public void close() {
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
          files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    };
  }

  /** Starts the PostgreSQL server of the test run, once; call it from {@code @BeforeAll}. */
  static synchronized void startPostgres() {
    if (pgUrl != null) {
      return;
    }
    String external = System.getenv(PG_URL_ENV);
    if (external != null && !external.isBlank()) {
      pgUrl = external;
      pgUser = System.getenv(PG_USER_ENV);
      pgPassword = System.getenv(PG_PASSWORD_ENV);
      return;
    }
    try {
      Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
      EmbeddedPostgres pg = EmbeddedPostgres.builder().setRegisterShutdownHook(true).start();
      pgUrl = pg.getJdbcUrl("postgres", "postgres");
    } catch (IOException | RuntimeException e) {
      throw Ci.unavailable("can't start an embedded PostgreSQL server (set " + PG_URL_ENV + " to use an external one)",
          e);
    }
  }

  private static void execute(String url, String user, String password, String sql) {
    try (Connection c = DriverManager.getConnection(url, user, password); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }

  private static void query(String url, String user, String password, String sql, Object arg) {
    try (Connection c = DriverManager.getConnection(url, user, password);
        PreparedStatement ps = c.prepareStatement(sql)) {
      ps.setObject(1, arg);
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next() || !rs.getBoolean(1)) {
          throw new IllegalStateException(sql + " with " + arg + " ended no session");
        }
      }
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " with " + arg + " failed", e);
    }
  }
}
