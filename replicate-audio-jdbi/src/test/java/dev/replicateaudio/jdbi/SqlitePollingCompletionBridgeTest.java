package dev.replicateaudio.jdbi;

/** {@link PollingCompletionBridgeTest} on a SQLite file shared by the instances' pools. */
class SqlitePollingCompletionBridgeTest extends PollingCompletionBridgeTest {
  @Override
  TestDatabase openDatabase() {
    return SqliteFileDatabase.create();
  }
}
