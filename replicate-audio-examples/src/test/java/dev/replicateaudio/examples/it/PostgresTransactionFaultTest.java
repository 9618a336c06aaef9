package dev.replicateaudio.examples.it;

import org.junit.jupiter.api.BeforeAll;

/**
 * {@link SessionEndedFaultSuite} on PostgreSQL: the pipeline's own database session is ended with
 * {@code pg_terminate_backend}. HikariCP evicts the broken connection (SQLState 08006), so the
 * release and the redelivery get fresh ones.
 */
class PostgresTransactionFaultTest extends SessionEndedFaultSuite {
  @BeforeAll
  static void startServer() {
    ItDatabase.startPostgres();
  }

  @Override
  ItDatabase newDatabase() {
    return ItDatabase.postgres();
  }
}
