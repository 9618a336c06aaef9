package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The limits of {@link ManagedTempFiles} and what its clean-up does when others touch its files too. */
@ExtendWith(LeakCheckExtension.class)
class ManagedTempFilesEdgeCasesTest {
  @TempDir
  Path base;

  @Test
  void refusesMoreSuffixesThanTheLimitBeforeCreatingAnything() {
    String[] suffixes = new String[ManagedTempFiles.MAX_SUFFIXES + 1];
    Arrays.fill(suffixes, ".wav");

    assertThatThrownBy(() -> ManagedTempFiles.create(base, suffixes)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("too many suffixes: 65, at most 64");
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void aBaseDirectoryThatCannotBeCreatedIsNamedInTheFailure() {
    Path tooLong = base.resolve("x".repeat(300));

    assertThatThrownBy(() -> ManagedTempFiles.create(tooLong, ".wav")).isInstanceOf(ReplicateAudioException.class)
        .hasMessageStartingWith("Could not create a temporary directory in " + tooLong)
        .hasCauseInstanceOf(FileSystemException.class);
  }

  @Test
  void toStringShowsTheDirectoryAndWhetherItIsClosed() {
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav");
    assertThat(temp).hasToString("ManagedTempFiles[" + temp.directory() + "]");
    temp.close();
    assertThat(temp).hasToString("ManagedTempFiles[" + temp.directory() + ", closed]");
  }

  @Test
  void filesRemovedByOthersWhileCloseRunsAreNotFailures() throws IOException {
    // a deleter that, on its first call, also removes every other entry (a host's cleanup job running at
    // the same moment): close() then meets entries it listed but that are gone
    AtomicReference<Path> root = new AtomicReference<>();
    List<Path> deleted = new ArrayList<>();
    ManagedTempFiles temp = ManagedTempFiles.create(base, path -> {
      if (deleted.isEmpty()) {
        try (Stream<Path> all = Files.walk(root.get())) {
          for (Path other : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
            if (!path.startsWith(other)) {
              Files.delete(other);
            }
          }
        }
      }
      deleted.add(path);
      Files.deleteIfExists(path);
    }, ".a", ".b", ".c");
    root.set(temp.directory());
    for (Path p : temp.paths()) {
      Files.writeString(p, "audio");
    }
    Files.createDirectories(temp.directory().resolve("sub/dir"));

    temp.close();

    assertThat(temp.directory()).doesNotExist();
    assertThat(deleted).hasSizeLessThan(6); // the others were gone before close() reached them
  }

  @Test
  void anEntryThatVanishesJustBeforeItsDeletionIsNotAFailure() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(base, path -> {
      Files.delete(path);
      throw new NoSuchFileException(path.toString()); // as if another process had been faster
    }, ".wav");
    Files.writeString(temp.path(0), "audio");

    temp.close();

    assertThat(temp.directory()).doesNotExist();
  }

  @Test
  void closeStopsAtSixtyFourLevelsOfDirectoriesAndReportsIt() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav");
    Path deep = temp.directory();
    for (int i = 0; i < 70; i++) {
      deep = deep.resolve("d");
    }
    Files.createDirectories(deep);

    try {
      assertThatThrownBy(temp::close).isInstanceOf(ReplicateAudioException.class)
          .hasMessageContaining("Could not delete temporary directory " + temp.directory())
          .satisfies(e -> assertThat(e.getSuppressed()).anySatisfy(s -> assertThat(s)
              .isInstanceOf(IOException.class).hasMessageStartingWith("Directory nesting deeper than 64 at ")));
      assertThat(temp.directory()).isDirectory(); // what it could not reach is left, and said so
    } finally {
      deleteRecursively(temp.directory());
    }
  }

  @Test
  void entriesBeyondTheSystemsPathLengthLimitAreReportedNotSilentlyLeft() throws Exception {
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav");
    // 18 directories of 250 characters: deeper than PATH_MAX (4096) from the root. No one path may be
    // that long, so the tree is made in two relative halves: the second from inside the first.
    String half = String.join("/", Collections.nCopies(9, "n".repeat(250)));
    Path middle = Files.createDirectories(temp.directory().resolve(half));
    Process mkdirs = new ProcessBuilder("mkdir", "-p", half).directory(middle.toFile()).inheritIO().start();
    assertThat(mkdirs.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(mkdirs.exitValue()).isZero();

    try {
      assertThatThrownBy(temp::close).isInstanceOf(ReplicateAudioException.class)
          .hasMessageContaining("Could not delete temporary directory " + temp.directory())
          .satisfies(e -> assertThat(e.getSuppressed()).anySatisfy(s -> assertThat(s)
              .isInstanceOf(FileSystemException.class).hasMessageContaining("File name too long")));
    } finally {
      Process rm = new ProcessBuilder("rm", "-rf", temp.directory().toString()).inheritIO().start();
      assertThat(rm.waitFor(30, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(temp.directory()).doesNotExist();
  }

  @Test
  void ownerPidIgnoresRootsAndNumbersBeyondAnyPid() {
    assertThat(ManagedTempFiles.ownerPid(Paths.get("/"))).isEmpty();
    assertThat(ManagedTempFiles.ownerPid(Paths.get("ra-9999999999999999999-1"))).isEmpty(); // > Long.MAX_VALUE
    assertThat(ManagedTempFiles.ownerPid(Paths.get("ra-9223372036854775807-1"))).contains(Long.MAX_VALUE);
  }

  @Test
  void sweepOrphansWithoutArgumentsSweepsTheDefaultBase() throws Exception {
    Process finished = new ProcessBuilder("true").start();
    assertThat(finished.waitFor(10, TimeUnit.SECONDS)).isTrue();
    Path orphan = Files.createDirectories(ManagedTempFiles.defaultBaseDirectory()
        .resolve("ra-" + finished.pid() + "-1"));
    Files.writeString(orphan.resolve("file0.wav"), "left by a killed process");

    assertThat(ManagedTempFiles.sweepOrphans()).isGreaterThanOrEqualTo(1);
    assertThat(orphan).doesNotExist();
  }

  private static void deleteRecursively(Path root) throws IOException {
    if (!Files.exists(root)) {
      return;
    }
    try (Stream<Path> all = Files.walk(root)) {
      for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator) {
        Files.deleteIfExists(p);
      }
    }
  }
}
