package dev.replicateaudio.jdbi;

/** Schema versions on SQLite, in a database file of its own per test. */
class SqliteSchemaMigrationTest extends SchemaMigrationTest {
  @Override
  TestDatabase openDatabase() {
    return SqliteFileDatabase.create();
  }
}
