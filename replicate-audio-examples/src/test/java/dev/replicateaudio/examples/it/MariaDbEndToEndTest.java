package dev.replicateaudio.examples.it;

import org.junit.jupiter.api.BeforeAll;

/** {@link EndToEndSuite} on MariaDB (a local mariadbd the test run starts). */
class MariaDbEndToEndTest extends EndToEndSuite {
  @BeforeAll
  static void startServer() {
    ItDatabase.startMariaDb();
  }

  @Override
  ItDatabase newDatabase() {
    return ItDatabase.mariaDb();
  }
}
