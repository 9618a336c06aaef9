package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.testing.ChildJvm;
import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

@ExtendWith(LeakCheckExtension.class)
class ManagedTempFilesTest {
  @TempDir
  Path base;

  @Test
  void createsOnePrivateDirectoryWithReservedPathsNamedAfterTheSuffixes() throws IOException {
    try (ManagedTempFiles temp = ManagedTempFiles.create(".mp3", ".trimmed.wav", "")) {
      Path dir = temp.directory();
      assertThat(dir.getParent()).isEqualTo(ManagedTempFiles.defaultBaseDirectory());
      assertThat(dir).isDirectory();
      assertThat(Files.getPosixFilePermissions(dir)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(Files.getPosixFilePermissions(dir.getParent())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      assertThat(dir.getFileName().toString()).startsWith("ra-" + ProcessHandle.current().pid() + "-");
      assertThat(ManagedTempFiles.ownerPid(dir)).contains(ProcessHandle.current().pid());
      assertThat(temp.paths()).hasSize(3).allSatisfy(p -> {
        assertThat(p.getParent()).isEqualTo(dir);
        assertThat(p).doesNotExist();
      });
      assertThat(temp.path(0).getFileName().toString()).endsWith(".mp3");
      assertThat(temp.path(1).getFileName().toString()).endsWith(".trimmed.wav");
      assertThat(temp.paths()).doesNotHaveDuplicates();
      assertThatThrownBy(() -> temp.path(3)).isInstanceOf(IndexOutOfBoundsException.class)
          .hasMessageContaining("index 3").hasMessageContaining("3 paths");
      assertThatThrownBy(() -> temp.paths().add(dir)).isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void eachInstanceGetsItsOwnDirectory() {
    try (ManagedTempFiles a = ManagedTempFiles.create(base, ".a"); ManagedTempFiles b = ManagedTempFiles.create(base, ".a")) {
      assertThat(a.directory()).isNotEqualTo(b.directory());
      assertThat(a.path(0)).isNotEqualTo(b.path(0));
    }
  }

  @Test
  void closeDeletesTheDirectoryWithEverythingWrittenIntoIt() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav", ".log");
    Files.writeString(temp.path(0), "audio");
    Files.writeString(temp.path(1), "log");
    Files.createDirectories(temp.directory().resolve("nested/deeper"));
    Files.writeString(temp.directory().resolve("nested/deeper/extra.bin"), "x");
    temp.close();
    assertThat(temp.directory()).doesNotExist();
    assertThat(temp.isClosed()).isTrue();
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void closeIsIdempotent() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav");
    Files.writeString(temp.path(0), "audio");
    temp.close();
    temp.close();
    assertThat(temp.directory()).doesNotExist();
    // a second close must not delete a directory that reappeared under the same name
    Files.createDirectories(temp.directory());
    temp.close();
    assertThat(temp.directory()).isDirectory();
    Files.delete(temp.directory());
  }

  @Test
  void tryWithResourcesCleansUpWhenTheBodyThrowsAndKeepsTheBodysException() {
    Path[] dir = new Path[1];
    assertThatThrownBy(() -> {
      try (ManagedTempFiles temp = ManagedTempFiles.create(base, ".mp3")) {
        dir[0] = temp.directory();
        Files.writeString(temp.path(0), "half a download");
        throw new IllegalStateException("download failed");
      }
    }).isInstanceOf(IllegalStateException.class).hasMessage("download failed").hasNoSuppressedExceptions();
    assertThat(dir[0]).doesNotExist();
  }

  @Test
  void closeSurvivesFilesThatWereDeletedRenamedOrMadeReadOnly() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".a", ".b", ".c", ".d");
    Files.writeString(temp.path(0), "deleted");
    Files.delete(temp.path(0));
    Files.writeString(temp.path(1), "renamed");
    Files.move(temp.path(1), temp.directory().resolve("renamed-by-ffmpeg.tmp"));
    Files.writeString(temp.path(2), "read-only");
    Files.setPosixFilePermissions(temp.path(2), PosixFilePermissions.fromString("r--------"));
    Path roDir = Files.createDirectory(temp.directory().resolve("ro-dir"));
    Files.writeString(roDir.resolve("inside"), "x");
    Files.setPosixFilePermissions(roDir, PosixFilePermissions.fromString("r-x------"));
    Path noAccess = Files.createDirectory(temp.directory().resolve("no-access"));
    Files.writeString(noAccess.resolve("inside"), "x");
    Files.setPosixFilePermissions(noAccess, PosixFilePermissions.fromString("---------"));
    // path(3) never written

    temp.close();

    assertThat(temp.directory()).doesNotExist();
  }

  @Test
  void whatCloseCannotDeleteIsReportedAsSuppressedExceptionsOfOneException() throws IOException {
    // a deletion that fails, as an immutable file or a foreign-owned directory would make it fail
    ManagedTempFiles temp = ManagedTempFiles.create(base, p -> {
      if (p.getFileName().toString().startsWith("file1")) {
        throw new java.nio.file.AccessDeniedException(p.toString(), null, "Operation not permitted");
      }
      Files.deleteIfExists(p);
    }, ".a", ".b", ".c");
    for (Path p : temp.paths()) {
      Files.writeString(p, "x");
    }
    assertThatThrownBy(temp::close).isInstanceOf(ReplicateAudioException.class)
        .hasMessage("Could not delete temporary directory " + temp.directory() + ": 2 entries left (see suppressed)")
        .satisfies(e -> {
          assertThat(e.getSuppressed()).hasSize(2);
          assertThat(e.getSuppressed()[0]).isInstanceOf(java.nio.file.AccessDeniedException.class)
              .hasMessageContaining(temp.path(1).toString());
          assertThat(e.getSuppressed()[1]).isInstanceOf(java.nio.file.DirectoryNotEmptyException.class)
              .hasMessageContaining(temp.directory().toString());
        });
    assertThat(temp.path(0)).doesNotExist();
    assertThat(temp.path(2)).doesNotExist();
    assertThat(temp.path(1)).exists();
    temp.close(); // no second attempt, no second exception
    Files.delete(temp.path(1));
    Files.delete(temp.directory());
  }

  @Test
  void aCloseFailureNeverHidesTheBodysExceptionInTryWithResources() {
    assertThatThrownBy(() -> {
      try (ManagedTempFiles temp = ManagedTempFiles.create(base, p -> {
        throw new java.nio.file.AccessDeniedException(p.toString());
      }, ".a")) {
        Files.writeString(temp.path(0), "x");
        throw new IllegalStateException("the real failure");
      }
    }).isInstanceOf(IllegalStateException.class).hasMessage("the real failure")
        .satisfies(e -> assertThat(e.getSuppressed()).singleElement().isInstanceOf(ReplicateAudioException.class));
    try (java.util.stream.Stream<Path> left = Files.walk(base)) {
      left.sorted(java.util.Comparator.reverseOrder()).filter(p -> !p.equals(base)).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  @Test
  void closeDeletesSymbolicLinksButNeverWhatTheyPointTo() throws IOException {
    Path outside = Files.createDirectory(base.resolve("outside"));
    Path precious = Files.writeString(outside.resolve("precious.txt"), "keep me");
    ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav");
    Files.createSymbolicLink(temp.directory().resolve("link-to-dir"), outside);
    Files.createSymbolicLink(temp.path(0), precious);
    temp.close();
    assertThat(temp.directory()).doesNotExist();
    assertThat(precious).hasContent("keep me");
  }

  @ParameterizedTest
  @ValueSource(strings = {"/etc/passwd", "a/b", "a\\b", "..", "x..y", "nul\0byte", "new\nline",
      "this-suffix-is-longer-than-32-chars.wav"})
  void refusesSuffixesThatCouldEscapeTheDirectory(String suffix) {
    assertThatThrownBy(() -> ManagedTempFiles.create(base, ".ok", suffix))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("suffix 1")
        .hasMessageMatching("(?s).*(path separator|'\\.\\.'|NUL|control character|at most 32).*");
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void refusesNullSuffixes() {
    assertThatThrownBy(() -> ManagedTempFiles.create(base, ".ok", null)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("suffix 1 is null");
  }

  @Test
  void refusesABaseThatIsASymbolicLink() throws IOException {
    Path real = Files.createDirectory(base.resolve("real"));
    Path link = Files.createSymbolicLink(base.resolve("link"), real);
    assertThatThrownBy(() -> ManagedTempFiles.create(link, ".x")).isInstanceOf(ReplicateAudioException.class)
        .hasMessageContaining(link.toString()).hasMessageContaining("symbolic link");
    assertThat(real).isEmptyDirectory();
  }

  @Test
  void sweepRemovesTheDirectoryOfAProcessKilledWithSigkillAndKeepsLiveOnes() throws Exception {
    try (ChildJvm dead = ChildJvm.start(TempDirOwnerMain.class, base.toString());
        ChildJvm alive = ChildJvm.start(TempDirOwnerMain.class, base.toString());
        ManagedTempFiles mine = ManagedTempFiles.create(base, ".mp3")) {
      Path deadDir = Paths.get(dead.readLine());
      Path aliveDir = Paths.get(alive.readLine());
      assertThat(ManagedTempFiles.ownerPid(deadDir)).contains(dead.process().pid());
      assertThat(deadDir.resolve("file0.wav")).hasContent("partial download");

      dead.killHard(); // kill -9: no shutdown hook, no close()
      assertThat(deadDir).isDirectory();

      assertThat(ManagedTempFiles.sweepOrphans(base)).isEqualTo(1);
      assertThat(deadDir).doesNotExist();
      assertThat(aliveDir).isDirectory();
      assertThat(mine.directory()).isDirectory();
      assertThat(ManagedTempFiles.sweepOrphans(base)).isZero();

      alive.killHard();
      assertThat(ManagedTempFiles.sweepOrphans(base)).isEqualTo(1);
      assertThat(aliveDir).doesNotExist();
      assertThat(mine.directory()).isDirectory();
    }
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void sweepTreatsAProcessStartedAfterTheDirectoryAsAReusedPid() throws Exception {
    Process sleeper = new ProcessBuilder("sleep", "60").start();
    try {
      long pid = sleeper.pid();
      Path recent = Files.createDirectory(base.resolve("ra-" + pid + "-1"));
      Path old = Files.createDirectory(base.resolve("ra-" + pid + "-2"));
      Files.writeString(old.resolve("leftover.wav"), "x");
      Files.setLastModifiedTime(old, FileTime.from(Instant.now().minusSeconds(3600)));
      Path foreign = Files.createDirectory(base.resolve("not-ours-" + pid));
      Files.setLastModifiedTime(foreign, FileTime.from(Instant.now().minusSeconds(3600)));

      assertThat(ManagedTempFiles.sweepOrphans(base)).isEqualTo(1);
      assertThat(old).doesNotExist();
      assertThat(recent).isDirectory();
      assertThat(foreign).isDirectory();
    } finally {
      sleeper.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void sweepOfAMissingBaseRemovesNothing() {
    assertThat(ManagedTempFiles.sweepOrphans(base.resolve("missing"))).isZero();
  }

  @Test
  void ownerPidReadsOnlyNamesThisClassCreates() {
    assertThat(ManagedTempFiles.ownerPid(Paths.get("/tmp/ra-123-456"))).contains(123L);
    assertThat(ManagedTempFiles.ownerPid(Paths.get("ra-1-2"))).contains(1L);
    for (String name : List.of("ra-x-1", "ra-123", "xra-1-2", "ra-1-2-3", "ra--1-2")) {
      assertThat(ManagedTempFiles.ownerPid(Paths.get(name))).as(name).isEmpty();
    }
  }
}
