package dev.replicateaudio.jdbi;

/** Schema versions on H2, in a database file of its own per test. */
class H2SchemaMigrationTest extends SchemaMigrationTest {
  @Override
  TestDatabase openDatabase() {
    return H2FileDatabase.create();
  }
}
