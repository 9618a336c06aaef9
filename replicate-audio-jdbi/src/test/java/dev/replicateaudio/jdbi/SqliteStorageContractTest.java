package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The storage contract on SQLite (xerial sqlite-jdbc), in a database file of its own. */
class SqliteStorageContractTest extends StorageContractTest {
  @Override
  TestDatabase openDatabase() {
    return SqliteFileDatabase.create();
  }

  /** A database file whose directory disappears: new connections then can't open it. */
  @Override
  DisposableServer startDisposableServer() {
    SqliteFileDatabase db = SqliteFileDatabase.create();
    return new DisposableServer() {
      @Override
      public DatabaseSettings.Builder settings(String poolName) {
        return db.settings(poolName);
      }

      @Override
      public void close() {
        db.close();
      }
    };
  }

  @Test
  void theConnectionSettingsForOneWriterAreApplied() {
    assertThat(queryOne("PRAGMA journal_mode", String.class)).isEqualTo("wal");
    assertThat(queryOne("PRAGMA busy_timeout", Integer.class)).isEqualTo(30_000);
    assertThat(queryOne("PRAGMA synchronous", Integer.class)).as("NORMAL").isEqualTo(1);
  }
}
