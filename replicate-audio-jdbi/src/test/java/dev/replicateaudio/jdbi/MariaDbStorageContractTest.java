package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.jdbi.testing.LocalMariaDb;
import org.junit.jupiter.api.Test;

/** The storage contract on a real MariaDB (a local mariadbd the test run starts) through MariaDB Connector/J. */
class MariaDbStorageContractTest extends StorageContractTest {
  @Override
  TestDatabase openDatabase() {
    return MariaDbServer.newDatabase(scheme());
  }

  /** The JDBC URL scheme, and so the driver. */
  String scheme() {
    return "mariadb";
  }

  @Override
  DisposableServer startDisposableServer() {
    LocalMariaDb server = MariaDbServer.startNew();
    return new DisposableServer() {
      @Override
      public DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(server.jdbcUrl(scheme(), "mysql")).user(LocalMariaDb.USER)
            .password(LocalMariaDb.PASSWORD).poolName(poolName);
      }

      @Override
      public void close() {
        server.close();
      }
    };
  }

  @Test
  void theSessionSettingsFromTheStatementTimeoutAreApplied() throws Exception {
    // DB_STATEMENT_TIMEOUT defaults to 30 s; READ COMMITTED avoids the gap locks that deadlock concurrent claims
    assertThat(queryOne("SELECT @@SESSION.innodb_lock_wait_timeout", Integer.class)).isEqualTo(30);
    assertThat(queryOne("SELECT @@SESSION.max_statement_time", Double.class)).isEqualTo(30.0);
    assertThat(queryOne("SELECT @@SESSION.tx_isolation", String.class)).isEqualTo("READ-COMMITTED");
    SqlDialect dialect = jdbi.withHandle(h -> SqlDialect.detect(h.getConnection()));
    assertThat(dialect).isEqualTo(SqlDialect.MARIADB);
  }
}
