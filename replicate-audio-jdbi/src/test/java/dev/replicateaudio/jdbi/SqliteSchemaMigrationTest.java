package dev.replicateaudio.jdbi;

import org.junit.jupiter.api.Test;

/** Schema versions on SQLite, in a database file of its own per test. */
class SqliteSchemaMigrationTest extends SchemaMigrationTest {
  @Override
  TestDatabase openDatabase() {
    return SqliteFileDatabase.create();
  }

  /** A step that fails; DDL is transactional: the failed run leaves nothing. */
  @Test
  void aFailingStepLeavesAVersionToResumeFrom() throws Exception {
    checkAFailingStep(true);
  }
}
