package dev.replicateaudio.jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** A SQLite database file in a directory of its own under {@code java.io.tmpdir}; closing deletes it. */
final class SqliteFileDatabase implements TestDatabase {
  private final Path dir;

  private SqliteFileDatabase(Path dir) {
    this.dir = dir;
  }

  static SqliteFileDatabase create() {
    try {
      return new SqliteFileDatabase(Files.createTempDirectory(TestTmp.dir(), "sqlite-test-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
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

  /** Deletes the file and its directory (call after every pool on it is closed). */
  @Override
  public void close() {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public String toString() {
    return "SQLite " + file();
  }
}
