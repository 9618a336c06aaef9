package dev.replicateaudio.examples.it;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SessionEndedFaultSuite} on MariaDB: the pipeline's own session is ended with
 * {@code KILL CONNECTION} (MariaDB Connector/J then reports 1927 "Connection was killed", SQLState
 * 70100, which HikariCP alone would not treat as fatal; the pool settings evict it).
 */
class MariaDbTransactionFaultTest extends SessionEndedFaultSuite {
  @BeforeAll
  static void startServer() {
    ItDatabase.startMariaDb();
  }

  @Override
  ItDatabase newDatabase() {
    return ItDatabase.mariaDb();
  }
}
