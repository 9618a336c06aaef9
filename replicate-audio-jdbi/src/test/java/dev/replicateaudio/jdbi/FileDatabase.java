package dev.replicateaudio.jdbi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/** An embedded database whose files live in a directory of its own under {@code java.io.tmpdir}; closing deletes it. */
abstract class FileDatabase implements TestDatabase {
  final Path dir;

  FileDatabase(String prefix) {
    try {
      this.dir = Files.createTempDirectory(TestTmp.dir(), prefix);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Deletes the directory and its files; call after every pool on it is closed. */
  @Override
  public void close() {
    deleteTree(dir);
  }

  static void deleteTree(Path dir) {
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
