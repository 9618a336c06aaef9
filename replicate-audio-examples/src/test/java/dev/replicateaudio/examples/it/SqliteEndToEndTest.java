package dev.replicateaudio.examples.it;

/** {@link EndToEndSuite} on SQLite, in a file of its own. */
class SqliteEndToEndTest extends EndToEndSuite {
  @Override
  ItDatabase newDatabase() {
    return ItDatabase.sqlite();
  }
}
