package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * The storage contract through MySQL Connector/J ({@code jdbc:mysql:}) against the same local
 * MariaDB server: the driver a host on MySQL uses. Connector/J reports MariaDB as product
 * {@code MySQL}, version {@code 5.5.5-10...-MariaDB}; the dialect is still MariaDB.
 */
class MySqlDriverStorageContractTest extends MariaDbStorageContractTest {
  @Override
  String scheme() {
    return "mysql";
  }

  @Test
  void connectorJReportsMariaDbAsMySqlAndTheDialectStillKnowsIt() throws Exception {
    String product = jdbi.withHandle(h -> h.getConnection().getMetaData().getDatabaseProductName());
    String version = jdbi.withHandle(h -> h.getConnection().getMetaData().getDatabaseProductVersion());
    assertThat(product).isEqualTo("MySQL");
    assertThat(version).startsWith("5.5.5-").contains("MariaDB");
  }
}
