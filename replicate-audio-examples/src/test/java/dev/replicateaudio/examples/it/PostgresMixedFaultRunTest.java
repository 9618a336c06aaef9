package dev.replicateaudio.examples.it;

import org.junit.jupiter.api.BeforeAll;

/** {@link MixedFaultRunSuite} on PostgreSQL. */
class PostgresMixedFaultRunTest extends MixedFaultRunSuite {
  @BeforeAll
  static void startServer() {
    ItDatabase.startPostgres();
  }

  @Override
  ItDatabase newDatabase() {
    return ItDatabase.postgres();
  }
}
