package dev.replicateaudio.jdbi;

import dev.replicateaudio.jdbi.testing.LocalMariaDb;
import dev.replicateaudio.testing.Ci;
import java.io.IOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;

/**
 * The MariaDB server of the module's test run: one {@link LocalMariaDb} started on first use and
 * stopped when the JVM exits. Each test class gets a database of its own, dropped when it ends,
 * reached through MariaDB Connector/J ({@code jdbc:mariadb:}) or MySQL Connector/J ({@code jdbc:mysql:}).
 */
final class MariaDbServer {
  private static LocalMariaDb instance;

  private MariaDbServer() {
  }

  /** The shared server; skips the test (fails it in CI) when mariadbd is not installed or does not start. */
  static synchronized LocalMariaDb get() {
    if (instance == null) {
      instance = startNew();
    }
    return instance;
  }

  /** A server of its own, for a test that stops it; skips or fails like {@link #get()}. */
  static LocalMariaDb startNew() {
    try {
      return LocalMariaDb.start(TestTmp.dir());
    } catch (IOException e) {
      throw Ci.unavailable("can't start a local MariaDB server", e);
    }
  }

  /** A fresh database on the shared server, reached with the JDBC URL scheme {@code mariadb} or {@code mysql}. */
  static TestDatabase newDatabase(String scheme) {
    LocalMariaDb server = get();
    String name = "ra_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12).toLowerCase(Locale.ROOT);
    execute(server, "CREATE DATABASE " + name);
    String url = server.jdbcUrl(scheme, name);
    return new TestDatabase() {
      @Override
      public DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(url).user(LocalMariaDb.USER).password(LocalMariaDb.PASSWORD)
            .poolName(poolName);
      }

      @Override
      public String textType() {
        return "LONGTEXT";
      }

      @Override
      public String binaryType() {
        return "LONGBLOB";
      }

      @Override
      public void close() {
        execute(server, "DROP DATABASE " + name);
      }

      @Override
      public String toString() {
        return "MariaDB " + server.version() + " database " + name + " (" + scheme + ")";
      }
    };
  }

  static void execute(LocalMariaDb server, String sql) {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl("mariadb", ""), LocalMariaDb.USER,
        LocalMariaDb.PASSWORD); Statement st = c.createStatement()) {
      st.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException(sql + " failed", e);
    }
  }
}
