package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shortcuts of {@link ManagedTempFiles}: a base directory is checked once and then only confirmed,
 * and {@code close()} deletes the reserved paths without listing the directory, falling back to the full
 * deletion whenever anything else is found.
 */
@ExtendWith(LeakCheckExtension.class)
class ManagedTempFilesFastPathTest {
  @TempDir
  Path root;

  @Test
  void aCheckedBaseIsRememberedWithItsIdentity() throws IOException {
    Path base = root.resolve("base");
    assertThat(ManagedTempFiles.checkedBaseKey(base)).isNull();

    ManagedTempFiles.create(base, ".wav").close();
    assertThat(ManagedTempFiles.checkedBaseKey(base)).isNotNull().isEqualTo(fileKey(base));
    try (ManagedTempFiles second = ManagedTempFiles.create(base, ".wav")) {
      assertThat(second.directory().getParent()).isEqualTo(base);
      assertThat(Files.getPosixFilePermissions(second.directory())).isEqualTo(PosixFilePermissions.fromString("rwx------"));
    }
    assertThat(ManagedTempFiles.checkedBaseKey(base)).isEqualTo(fileKey(base));
  }

  @Test
  void aBaseRemovedBetweenTwoCreatesIsCreatedAgain() throws IOException {
    Path base = root.resolve("parent/base");
    ManagedTempFiles.create(base, ".wav").close();
    Files.delete(base);
    Files.delete(base.getParent()); // as a tmp cleaner would

    try (ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav")) {
      assertThat(temp.directory()).isDirectory().hasParent(base);
      assertThat(Files.getPosixFilePermissions(base)).isEqualTo(PosixFilePermissions.fromString("rwx------"));
      Files.writeString(temp.path(0), "audio");
      assertThat(ManagedTempFiles.checkedBaseKey(base)).isEqualTo(fileKey(base));
    }
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void aBaseReplacedByAnotherDirectoryIsCheckedAgain() throws IOException {
    Path base = root.resolve("base");
    ManagedTempFiles.create(base, ".wav").close();
    Object first = fileKey(base);
    Files.move(base, root.resolve("moved-away")); // kept, so the new directory can't get the same inode
    Files.createDirectory(base);

    try (ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav")) {
      assertThat(temp.directory()).isDirectory().hasParent(base);
      assertThat(ManagedTempFiles.checkedBaseKey(base)).isEqualTo(fileKey(base)).isNotEqualTo(first);
    }
    assertThat(root.resolve("moved-away")).isEmptyDirectory();
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void aBaseReplacedByASymbolicLinkIsRefusedAsOnTheFirstCheck() throws IOException {
    Path base = root.resolve("base");
    ManagedTempFiles.create(base, ".wav").close();
    Files.delete(base);
    Path elsewhere = Files.createDirectory(root.resolve("elsewhere"));
    Files.createSymbolicLink(base, elsewhere);

    assertThatThrownBy(() -> ManagedTempFiles.create(base, ".wav")).isInstanceOf(ReplicateAudioException.class)
        .hasMessage("Temp base directory " + base + " is not a directory (it is a symbolic link, which is refused)");
    assertThat(elsewhere).isEmptyDirectory(); // what was made through the link before the check is gone
    assertThat(ManagedTempFiles.checkedBaseKey(base)).isNull();
  }

  @Test
  void aBaseReplacedByAFileIsRefusedAsOnTheFirstCheck() throws IOException {
    Path base = root.resolve("base");
    ManagedTempFiles.create(base, ".wav").close();
    Files.delete(base);
    Files.writeString(base, "not a directory");

    assertThatThrownBy(() -> ManagedTempFiles.create(base, ".wav")).isInstanceOf(ReplicateAudioException.class)
        .hasMessage("Temp base directory " + base + " is not a directory");
  }

  @Test
  void checksOfManyBasesAreForgottenRatherThanKeptForever() throws IOException {
    Path first = root.resolve("base-0");
    ManagedTempFiles.create(first, ".wav").close();
    assertThat(ManagedTempFiles.checkedBaseKey(first)).isNotNull();
    for (int i = 1; i <= ManagedTempFiles.MAX_CHECKED_BASES; i++) {
      ManagedTempFiles.create(root.resolve("base-" + i), ".wav").close();
    }

    assertThat(ManagedTempFiles.checkedBaseKey(first)).isNull();
    try (ManagedTempFiles again = ManagedTempFiles.create(first, ".wav")) {
      assertThat(again.directory().getParent()).isEqualTo(first);
      assertThat(ManagedTempFiles.checkedBaseKey(first)).isEqualTo(fileKey(first));
    }
  }

  @Test
  void threadsCreatingInOneNewBaseAtOnceAllSucceed() throws Exception {
    Path base = root.resolve("shared");
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      List<Future<Path>> dirs = new ArrayList<>();
      for (int i = 0; i < 40; i++) {
        dirs.add(pool.submit(() -> {
          try (ManagedTempFiles temp = ManagedTempFiles.create(base, ".wav")) {
            Files.writeString(temp.path(0), "audio");
            return temp.directory();
          }
        }));
      }
      for (Future<Path> dir : dirs) {
        Path made = dir.get(30, TimeUnit.SECONDS);
        assertThat(made.getParent()).isEqualTo(base);
        assertThat(made).doesNotExist();
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(base).isEmptyDirectory();
  }

  @Test
  void closeRemovesEntriesOthersAddedBesideTheReservedPaths() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(root, ".wav", ".log");
    Files.writeString(temp.path(0), "audio");
    Files.writeString(temp.directory().resolve("ffmpeg-pass.log"), "extra file");
    Files.createDirectories(temp.directory().resolve("extra/dir"));
    Files.writeString(temp.directory().resolve("extra/dir/inside"), "x");

    temp.close();

    assertThat(temp.directory()).doesNotExist();
    assertThat(root).isEmptyDirectory();
  }

  @Test
  void closeRemovesAReservedPathThatBecameADirectoryWithContent() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(root, ".out", ".empty");
    Files.createDirectories(temp.path(0).resolve("segments"));
    Files.writeString(temp.path(0).resolve("segments/000.ts"), "x");
    Files.createDirectory(temp.path(1));

    temp.close();

    assertThat(temp.directory()).doesNotExist();
  }

  @Test
  void aReservedPathTheDeleterCannotRemoveIsReportedOnce() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(root, p -> {
      if (p.getFileName().toString().startsWith("file0")) {
        throw new AccessDeniedException(p.toString(), null, "Operation not permitted");
      }
      Files.deleteIfExists(p);
    }, ".a", ".b");
    Files.writeString(temp.path(0), "x");
    Files.writeString(temp.path(1), "x");

    assertThatThrownBy(temp::close).isInstanceOf(ReplicateAudioException.class)
        .hasMessage("Could not delete temporary directory " + temp.directory() + ": 2 entries left (see suppressed)")
        .satisfies(e -> {
          assertThat(e.getSuppressed()).hasSize(2);
          assertThat(e.getSuppressed()[0]).isInstanceOf(AccessDeniedException.class)
              .hasMessageContaining(temp.path(0).toString());
          assertThat(e.getSuppressed()[1]).isInstanceOf(DirectoryNotEmptyException.class)
              .hasMessageContaining(temp.directory().toString());
        });
    assertThat(temp.path(0)).exists();
    assertThat(temp.path(1)).doesNotExist();
    Files.delete(temp.path(0));
    Files.delete(temp.directory());
  }

  @Test
  void aDirectoryTheDeleterCannotRemoveIsReportedOnce() throws IOException {
    ManagedTempFiles temp = ManagedTempFiles.create(root, p -> {
      if (p.getFileName().toString().startsWith("ra-")) {
        throw new IOException("Device or resource busy: " + p);
      }
      Files.deleteIfExists(p);
    }, ".a");
    Files.writeString(temp.path(0), "x");

    assertThatThrownBy(temp::close).isInstanceOf(ReplicateAudioException.class)
        .hasMessage("Could not delete temporary directory " + temp.directory() + ": 1 entry left (see suppressed)")
        .satisfies(e -> {
          assertThat(e.getSuppressed()).hasSize(1);
          assertThat(e.getSuppressed()[0]).isInstanceOf(IOException.class)
              .hasMessage("Device or resource busy: " + temp.directory());
        });
    assertThat(temp.directory()).isEmptyDirectory();
    Files.delete(temp.directory());
  }

  @Test
  void symbolicLinksAtTheReservedPathsAreDeletedAndTheirTargetsSurvive() throws IOException {
    Path outside = Files.createDirectory(root.resolve("outside"));
    Path precious = Files.writeString(outside.resolve("precious.wav"), "keep me");
    Path preciousDir = Files.createDirectory(outside.resolve("precious-dir"));
    Files.writeString(preciousDir.resolve("inside.wav"), "keep me too");
    ManagedTempFiles temp = ManagedTempFiles.create(root.resolve("base"), ".wav", ".dir", ".dangling");
    Files.createSymbolicLink(temp.path(0), precious);
    Files.createSymbolicLink(temp.path(1), preciousDir);
    Files.createSymbolicLink(temp.path(2), outside.resolve("missing"));

    temp.close();

    assertThat(temp.directory()).doesNotExist();
    assertThat(precious).hasContent("keep me");
    assertThat(preciousDir.resolve("inside.wav")).hasContent("keep me too");
  }

  @Test
  void aDirectorySwappedForASymbolicLinkIsNotEntered() throws IOException {
    Path outside = Files.createDirectory(root.resolve("outside"));
    ManagedTempFiles temp = ManagedTempFiles.create(root.resolve("base"), ".wav");
    Path precious = Files.writeString(outside.resolve(temp.path(0).getFileName().toString()), "keep me");
    Files.delete(temp.directory());
    Files.createSymbolicLink(temp.directory(), outside);

    temp.close();

    assertThat(temp.directory()).doesNotExist(); // the link is gone
    assertThat(precious).hasContent("keep me"); // the file of the same name it pointed to is not
  }

  private static Object fileKey(Path path) throws IOException {
    return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).fileKey();
  }
}
