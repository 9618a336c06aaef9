package dev.replicateaudio.jdbi;

/** Schema versions on a real MariaDB (the local mariadbd of the test run), a database of its own per test. */
class MariaDbSchemaMigrationTest extends SchemaMigrationTest {
  @Override
  TestDatabase openDatabase() {
    return MariaDbServer.newDatabase("mariadb");
  }
}
