package dev.replicateaudio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SharedTempDirectory}: overlapping reservations share one private directory, and nothing is
 * left once none is open.
 */
@ExtendWith(LeakCheckExtension.class)
class SharedTempDirectoryTest {
  @TempDir
  Path root;

  @Test
  void overlappingReservationsShareOneDirectoryDeletedByTheLastToClose() throws IOException {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);

    SharedTempDirectory.Reservation a = shared.reserve(".wav", ".trimmed.wav");
    SharedTempDirectory.Reservation b = shared.reserve(".wav", ".trimmed.wav");
    assertThat(b.directory()).isEqualTo(a.directory()).hasParent(base);
    assertThat(Files.getPosixFilePermissions(a.directory())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    assertThat(Set.of(a.path(0), a.path(1), b.path(0), b.path(1))).hasSize(4);
    assertThat(a.path(0).getFileName().toString()).endsWith("-file0.wav");
    assertThat(a.path(1).getFileName().toString()).endsWith("-file1.trimmed.wav");
    assertThat(shared.openReservations()).isEqualTo(2);
    Files.writeString(a.path(0), "a");
    Files.writeString(b.path(0), "b");
    Files.writeString(b.path(1), "b trimmed");

    a.close();
    assertThat(a.path(0)).doesNotExist();
    assertThat(b.path(0)).hasContent("b");
    assertThat(b.path(1)).hasContent("b trimmed");
    assertThat(b.directory()).isDirectory();

    b.close();
    assertThat(b.directory()).doesNotExist();
    assertThat(entries(base)).isEmpty();
    assertThat(shared.openReservations()).isZero();
  }

  @Test
  void aReservationAloneHasItsOwnDirectoryAndLeavesNothing() throws IOException {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    Path first;
    try (SharedTempDirectory.Reservation r = shared.reserve(".mp3")) {
      first = r.directory();
      Files.writeString(r.path(0), "audio");
    }
    assertThat(first).doesNotExist();
    try (SharedTempDirectory.Reservation r = shared.reserve(".mp3")) {
      assertThat(r.directory()).isNotEqualTo(first).isDirectory();
      assertThat(r.path(0)).doesNotExist(); // reserved, not created
    }
    assertThat(entries(base)).isEmpty();
  }

  @Test
  void whateverElseIsInTheDirectoryGoesWithItsLastReservation() throws IOException {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    SharedTempDirectory.Reservation a = shared.reserve(".wav");
    SharedTempDirectory.Reservation b = shared.reserve(".wav");
    // a post-processor that left more than its output, and a reserved path made a directory
    Files.writeString(a.directory().resolve("ffmpeg2pass-0.log"), "log");
    Files.createDirectories(a.path(0).resolve("nested"));
    Files.writeString(a.path(0).resolve("nested/x"), "x");

    a.close(); // can't delete its non-empty path: left for the directory's last user
    assertThat(a.path(0)).isDirectory();
    b.close();
    assertThat(entries(base)).isEmpty();
  }

  @Test
  void aDirectoryRemovedWhileInUseIsNotHandedOutAgain() throws IOException {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    SharedTempDirectory.Reservation a = shared.reserve(".wav");
    Path gone = a.directory();
    Files.delete(gone); // as a tmp cleaner would

    SharedTempDirectory.Reservation b = shared.reserve(".wav");
    assertThat(b.directory()).isNotEqualTo(gone).isDirectory();
    Files.writeString(b.path(0), "b");
    a.close(); // its directory is gone already: nothing to do, and no failure
    assertThat(b.path(0)).hasContent("b");
    b.close();
    assertThat(entries(base)).isEmpty();
  }

  @Test
  void aDirectorySwappedForALinkIsNotHandedOutAgainNorEntered() throws IOException {
    Path base = root.resolve("base");
    Path elsewhere = Files.createDirectories(root.resolve("elsewhere"));
    Path precious = Files.writeString(elsewhere.resolve("precious"), "keep");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    SharedTempDirectory.Reservation a = shared.reserve(".wav");
    Path dir = a.directory();
    Files.delete(dir);
    Files.createSymbolicLink(dir, elsewhere);

    try (SharedTempDirectory.Reservation b = shared.reserve(".wav")) {
      assertThat(b.directory()).isNotEqualTo(dir).isDirectory();
    }
    a.close(); // the last user of the old directory: deletes the link, never what it points to
    assertThat(entries(base)).isEmpty();
    assertThat(precious).hasContent("keep");
  }

  @Test
  void closingTwiceCountsOnce() throws IOException {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    SharedTempDirectory.Reservation a = shared.reserve(".wav");
    SharedTempDirectory.Reservation b = shared.reserve(".wav");
    a.close();
    a.close();
    assertThat(shared.openReservations()).isEqualTo(1);
    assertThat(b.directory()).isDirectory();
    b.close();
    assertThat(entries(base)).isEmpty();
  }

  @Test
  void aRefusedSuffixCreatesAndCountsNothing() throws IOException {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    assertThatThrownBy(() -> shared.reserve(".wav", "../evil"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("suffix 1 '../evil' contains a path separator");
    assertThatThrownBy(() -> shared.reserve("x".repeat(33)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is 33 characters long, at most 32 are accepted");
    assertThat(shared.openReservations()).isZero();
    assertThat(base).doesNotExist();
    try (SharedTempDirectory.Reservation r = shared.reserve(".wav")) {
      assertThat(r.path(0).getParent()).isEqualTo(r.directory());
      assertThatThrownBy(() -> r.path(1)).isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessage("index 1 is out of range: 1 paths");
    }
    assertThat(entries(base)).isEmpty();
  }

  @Test
  void concurrentTasksShareDirectoriesAndLeaveNothing() throws Exception {
    Path base = root.resolve("base");
    SharedTempDirectory shared = new SharedTempDirectory(base);
    int threads = 8;
    int tasksEach = 200;
    Set<Path> directories = ConcurrentHashMap.newKeySet();
    Set<Path> paths = ConcurrentHashMap.newKeySet();
    CountDownLatch start = new CountDownLatch(1);
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        done.add(pool.submit(() -> {
          start.await();
          for (int i = 0; i < tasksEach; i++) {
            try (SharedTempDirectory.Reservation r = shared.reserve(".wav", ".out.wav")) {
              directories.add(r.directory());
              assertThat(paths.add(r.path(0))).as("a path handed out twice").isTrue();
              Files.write(r.path(0), new byte[1024]);
              Files.copy(r.path(0), r.path(1));
              assertThat(Files.size(r.path(1))).isEqualTo(1024);
            }
          }
          return null;
        }));
      }
      start.countDown();
      for (Future<?> f : done) {
        f.get(60, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(entries(base)).isEmpty();
    assertThat(shared.openReservations()).isZero();
    // overlapping tasks shared directories: far fewer than one per task
    assertThat(directories.size()).isLessThan(threads * tasksEach / 2);
  }

  private static List<Path> entries(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return List.of();
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.toList();
    }
  }
}
