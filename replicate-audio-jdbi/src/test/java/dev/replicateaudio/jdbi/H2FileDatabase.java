package dev.replicateaudio.jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A file-based H2 database in a directory of its own under {@code java.io.tmpdir}. File, not
 * {@code mem:}: an in-memory H2 keeps stored BLOBs on the Java heap, which would hide whether
 * storing streams; a file database is also what the default URL gives.
 */
final class H2FileDatabase implements TestDatabase {
  private final Path dir;

  private H2FileDatabase(Path dir) {
    this.dir = dir;
  }

  static H2FileDatabase create() {
    try {
      return new H2FileDatabase(Files.createTempDirectory(TestTmp.dir(), "h2-test-"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public DatabaseSettings.Builder settings(String poolName) {
    return DatabaseSettings.builder().url("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath()).poolName(poolName);
  }

  @Override
  public String textType() {
    return "CLOB";
  }

  @Override
  public String binaryType() {
    return "BLOB";
  }

  /** Call after every pool on it is closed (H2 then closes the database file). */
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
    return "H2 " + dir;
  }
}
