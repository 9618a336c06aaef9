package dev.replicateaudio.examples.it;

import org.junit.jupiter.api.BeforeAll;

/** {@link EndToEndSuite} on PostgreSQL (embedded, or {@code REPLICATE_AUDIO_TEST_PG_URL}). */
class PostgresEndToEndTest extends EndToEndSuite {
  @BeforeAll
  static void startServer() {
    ItDatabase.startPostgres();
  }

  @Override
  ItDatabase newDatabase() {
    return ItDatabase.postgres();
  }
}
