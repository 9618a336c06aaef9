package dev.replicateaudio.jdbi;

import org.junit.jupiter.api.Test;

/** Schema versions on H2, in a database file of its own per test. */
class H2SchemaMigrationTest extends SchemaMigrationTest {
  @Override
  TestDatabase openDatabase() {
    return H2FileDatabase.create();
  }

  /** A step that fails; DDL commits: the step before the failed one stays. */
  @Test
  void aFailingStepLeavesAVersionToResumeFrom() throws Exception {
    checkAFailingStep(false);
  }
}
