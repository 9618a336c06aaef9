package dev.replicateaudio.jdbi;

import java.nio.file.Path;

/** A SQLite database file in a directory of its own under {@code java.io.tmpdir}; closing deletes it. */
final class SqliteFileDatabase extends FileDatabase {
  private SqliteFileDatabase() {
    super("sqlite-test-");
  }

  static SqliteFileDatabase create() {
    return new SqliteFileDatabase();
  }

  Path file() {
    return dir.resolve("jobs.db");
  }

  @Override
  public DatabaseSettings.Builder settings(String poolName) {
    return DatabaseSettings.builder().url("jdbc:sqlite:" + file().toAbsolutePath()).poolName(poolName);
  }

  @Override
  public String textType() {
    return "TEXT";
  }

  @Override
  public String binaryType() {
    return "BLOB";
  }

  @Override
  public String toString() {
    return "SQLite " + file();
  }
}
