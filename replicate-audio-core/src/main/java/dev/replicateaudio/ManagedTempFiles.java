package dev.replicateaudio;

import dev.replicateaudio.internal.TempNames;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private temporary directory holding one reserved path per suffix, deleted as a whole by
 * {@link #close()} (the seed's {@code managed_temp_files(*suffixes)}).
 *
 * <pre>{@code
 * try (ManagedTempFiles temp = ManagedTempFiles.create(".mp3", ".trimmed.mp3")) {
 *   downloader.download(url, temp.path(0));
 *   processor.trimAudio(temp.path(0), temp.path(1));
 *   store(temp.path(1));
 * } // the directory and everything in it is gone here, on success and on exception
 * }</pre>
 *
 * <p>Each instance owns a new directory {@code ra-<pid>-<random>} under the base directory (by
 * default {@code ${java.io.tmpdir}/replicate-audio}, see {@link #defaultBaseDirectory()}), created
 * with permissions 0700 where the file system supports POSIX permissions. The paths are reserved
 * names inside it ({@code file0<suffix>}, {@code file1<suffix>}, ...); they are not created, so a
 * tool such as ffmpeg can write them. The process id in the directory's name lets
 * {@link #sweepOrphans()} remove directories left behind by a process that died without closing
 * (for example after {@code kill -9}) while never touching the directory of a live process.
 *
 * <p>A base directory is created and checked (a real directory, not a symbolic link; for the
 * shared default base, owned by this process's user) on its first use in a process. Later
 * instances only confirm, with one {@code lstat} after creating their directory, that the base is
 * still the directory that was checked (same device, inode and, for the default base, owner); a
 * base that was removed or replaced in between is created and checked again.
 *
 * <p>{@link #close()} deletes the directory and everything in it, including files that were
 * renamed, made read-only or placed in read-only subdirectories. It never follows symbolic links:
 * a link is deleted, never its target. When the directory holds nothing but the reserved paths
 * (the common case) they and the directory are deleted without listing it; anything else found
 * there makes it fall back to the full walk. Closing twice is harmless. Deleting as a whole needs
 * no {@code deleteOnExit}, which leaks memory in long-running processes and does nothing on
 * {@code kill -9}.
 *
 * <p>This class is thread-safe.
 */
public final class ManagedTempFiles implements AutoCloseable {
  /** Name of the default base directory inside {@code java.io.tmpdir}. */
  public static final String DEFAULT_DIRECTORY_NAME = "replicate-audio";
  /** The longest suffix accepted, in characters. */
  public static final int MAX_SUFFIX_LENGTH = TempNames.MAX_SUFFIX_LENGTH;
  /** The most suffixes (paths) one instance can hold. */
  public static final int MAX_SUFFIXES = TempNames.MAX_SUFFIXES;

  private static final String PREFIX = "ra-";
  /** {@code ra-<pid>-}: the start of every directory name this process creates. */
  private static final String OWN_PREFIX = PREFIX + ProcessHandle.current().pid() + "-";
  private static final FileAttribute<?>[] PRIVATE_DIRECTORY = {
      PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))};
  private static final FileAttribute<?>[] NO_ATTRIBUTES = new FileAttribute<?>[0];
  /**
   * The base directories already created or checked by this process, by absolute path, with the
   * identity they had then; a later {@code create} confirms the identity with one stat instead of
   * checking the base again.
   */
  private static final ConcurrentMap<Path, BaseIdentity> CHECKED_BASES = new ConcurrentHashMap<>();
  /** More bases than this and the remembered checks are forgotten (a host may pass a new base each time). */
  static final int MAX_CHECKED_BASES = 64;
  private static final Pattern OWNED_NAME = Pattern.compile("ra-(\\d{1,19})-\\d+");
  /** A live process started this long after a directory's last change can't be its owner. */
  private static final long PID_REUSE_TOLERANCE_SECONDS = 2;
  private static final int MAX_DEPTH = 64;

  private final Path directory;
  private final List<Path> paths;
  private final TempNames.Deleter deleter;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ManagedTempFiles(Path directory, List<Path> paths, TempNames.Deleter deleter) {
    this.directory = directory;
    this.paths = paths;
    this.deleter = deleter;
  }

  /**
   * Creates a new private directory under {@link #defaultBaseDirectory()} holding one reserved
   * path per suffix.
   *
   * @param suffixes file name endings such as {@code ".mp3"}; at most {@value #MAX_SUFFIX_LENGTH}
   *     characters each, without path separators, {@code ..} or control characters; may be empty
   * @return the new instance; close it
   * @throws IllegalArgumentException naming the first refused suffix and why
   * @throws ReplicateAudioException when the directory can't be created
   */
  public static ManagedTempFiles create(String... suffixes) {
    return create(null, suffixes);
  }

  /**
   * Creates a new private directory under {@code baseDirectory} (created 0700 if missing) holding
   * one reserved path per suffix.
   *
   * @param baseDirectory where to create the directory; null for {@link #defaultBaseDirectory()}
   * @param suffixes as for {@link #create(String...)}
   * @return the new instance; close it
   * @throws IllegalArgumentException naming the first refused suffix and why
   * @throws ReplicateAudioException when the directory can't be created
   */
  public static ManagedTempFiles create(Path baseDirectory, String... suffixes) {
    return create(baseDirectory, Files::deleteIfExists, suffixes);
  }

  static ManagedTempFiles create(Path baseDirectory, TempNames.Deleter deleter, String... suffixes) {
    TempNames.checkSuffixes(suffixes);
    boolean defaultBase = baseDirectory == null;
    Path base = defaultBase ? defaultBaseDirectory() : baseDirectory.toAbsolutePath().normalize();
    Path dir = createOwnedDirectory(base, defaultBase);
    List<Path> reserved = new ArrayList<>(suffixes.length);
    for (int i = 0; i < suffixes.length; i++) {
      reserved.add(dir.resolve("file" + i + suffixes[i]));
    }
    return new ManagedTempFiles(dir, Collections.unmodifiableList(reserved), deleter);
  }

  /**
   * The default base directory: {@code ${java.io.tmpdir}/replicate-audio}. It is created with
   * permissions 0700 on first use; if it already exists it must be a real directory (not a symbolic
   * link) owned by this process's user.
   *
   * @return the absolute, normalized path
   */
  public static Path defaultBaseDirectory() {
    return Paths.get(System.getProperty("java.io.tmpdir")).toAbsolutePath().normalize()
        .resolve(DEFAULT_DIRECTORY_NAME);
  }

  /**
   * This instance's private directory. It exists until {@link #close()}.
   *
   * @return the absolute path of the directory
   */
  public Path directory() {
    return directory;
  }

  /**
   * The reserved path for the suffix at {@code index} (in the order given to {@code create}).
   *
   * @param index 0 for the first suffix
   * @return the path; not created
   * @throws IndexOutOfBoundsException when there is no such suffix
   */
  public Path path(int index) {
    return TempNames.reserved(paths, index);
  }

  /**
   * Every reserved path, in the order of the suffixes; unmodifiable.
   *
   * @return the paths, one per suffix
   */
  public List<Path> paths() {
    return paths;
  }

  /**
   * True once {@link #close()} has been called.
   *
   * @return whether it was closed
   */
  public boolean isClosed() {
    return closed.get();
  }

  /**
   * Deletes the directory and everything in it. Only the first call does anything.
   *
   * @throws ReplicateAudioException when something could not be deleted; each failure is attached
   *     as a suppressed exception. In try-with-resources, Java attaches this exception to the body's
   *     exception as suppressed, so it never hides the primary failure.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    if (deleteReserved()) {
      return;
    }
    List<IOException> failures = new ArrayList<>();
    deleteTree(directory, 0, failures, deleter);
    if (!failures.isEmpty()) {
      ReplicateAudioException e = new ReplicateAudioException("Could not delete temporary directory " + directory
          + ": " + failures.size() + " entr" + (failures.size() == 1 ? "y" : "ies") + " left (see suppressed)");
      failures.forEach(e::addSuppressed);
      throw e;
    }
  }

  /**
   * The common case without listing the directory: deletes the reserved paths, then the directory.
   * Returns false, having perhaps deleted some of them, when anything is unexpected (the directory
   * is not a directory any more, holds other entries, a reserved path is a non-empty directory, a
   * deletion failed); {@link #deleteTree} then does the whole job and reports what it can't delete.
   */
  private boolean deleteReserved() {
    // a directory swapped for a link is not entered: deleteTree deletes the link instead
    if (!TempNames.deleteReserved(directory, paths, deleter)) {
      return false;
    }
    try {
      deleteIfPresent(directory, deleter);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private static void deleteIfPresent(Path path, TempNames.Deleter deleter) throws IOException {
    try {
      deleter.delete(path); // Files.deleteIfExists never follows a link: the link goes, not its target
    } catch (NoSuchFileException e) {
      // gone already
    }
  }

  @Override
  public String toString() {
    return "ManagedTempFiles[" + directory + (closed.get() ? ", closed]" : "]");
  }

  /**
   * Removes the directories under {@link #defaultBaseDirectory()} whose owning process is no longer
   * alive. Call it at startup and now and then (hourly is plenty).
   *
   * @return how many directories were removed
   */
  public static int sweepOrphans() {
    return sweepOrphans(defaultBaseDirectory());
  }

  /**
   * Removes the directories under {@code baseDirectory} that this class created for a process that
   * is no longer alive. A directory whose process id belongs to a live process is kept, unless that
   * process started after the directory was last changed (its id was reused). Entries that this
   * class did not create are ignored. Directories that can't be removed completely are skipped.
   *
   * @param baseDirectory the base directory to sweep; nothing happens when it does not exist
   * @return how many directories were removed
   */
  public static int sweepOrphans(Path baseDirectory) {
    Objects.requireNonNull(baseDirectory, "baseDirectory == null");
    if (!Files.isDirectory(baseDirectory, LinkOption.NOFOLLOW_LINKS)) {
      return 0;
    }
    long self = ProcessHandle.current().pid();
    int removed = 0;
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(baseDirectory)) {
      for (Path entry : entries) {
        Optional<Long> owner = ownerPid(entry);
        if (owner.isEmpty() || owner.get() == self) {
          continue;
        }
        BasicFileAttributes attrs;
        try {
          attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
          continue;
        }
        if (!attrs.isDirectory() || ownerAlive(owner.get(), attrs.lastModifiedTime())) {
          continue;
        }
        List<IOException> failures = new ArrayList<>();
        deleteTree(entry, 0, failures, Files::deleteIfExists);
        if (failures.isEmpty()) {
          removed++;
        }
      }
    } catch (IOException e) {
      throw new ReplicateAudioException("Could not list " + baseDirectory + " to sweep orphaned temp directories", e);
    }
    return removed;
  }

  /**
   * The process id in the name of a directory this class created, if {@code path} is one.
   *
   * @param path any path
   * @return the owner's process id; empty when the name is not one this class gives
   */
  public static Optional<Long> ownerPid(Path path) {
    Path name = path.getFileName();
    if (name == null) {
      return Optional.empty();
    }
    Matcher m = OWNED_NAME.matcher(name.toString());
    if (!m.matches()) {
      return Optional.empty();
    }
    try {
      return Optional.of(Long.parseLong(m.group(1)));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  // ---------------------------------------------------------------------------------------------

  private static boolean ownerAlive(long pid, FileTime lastModified) {
    Optional<ProcessHandle> handle = ProcessHandle.of(pid);
    if (handle.isEmpty() || !handle.get().isAlive()) {
      return false;
    }
    Optional<Instant> started = handle.get().info().startInstant();
    // The owner started before it created the directory, so before its last change. A live process
    // that started clearly later got the dead owner's id.
    return started.isEmpty()
        || !started.get().isAfter(lastModified.toInstant().plusSeconds(PID_REUSE_TOLERANCE_SECONDS));
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] privateDirectoryAttributes(Path base) {
    return posix(base) ? PRIVATE_DIRECTORY : NO_ATTRIBUTES;
  }

  private static Path createOwnedDirectory(Path base, boolean defaultBase) {
    try {
      boolean ownerCheck = defaultBase && posix(base);
      BaseIdentity checked = CHECKED_BASES.get(base);
      if (checked != null && (checked.ownerChecked() || !ownerCheck)) {
        Path dir = createInCheckedBase(base, checked);
        if (dir != null) {
          return dir;
        }
      }
      return createInUncheckedBase(base, ownerCheck);
    } catch (IOException e) {
      throw new ReplicateAudioException("Could not create a temporary directory in " + base + ": " + e, e);
    }
  }

  /**
   * Creates the directory in a base checked before, then confirms with one stat that the base is
   * still the directory that was checked (a tmp cleaner may have removed it and another user made a
   * new one). Returns null, having forgotten the check and removed what it created, when it is not,
   * or when the directory could not be created (the full check then creates the base again, or
   * says precisely what is wrong with it).
   */
  private static Path createInCheckedBase(Path base, BaseIdentity checked) throws IOException {
    Path dir;
    try {
      dir = Files.createTempDirectory(base, OWN_PREFIX, privateDirectoryAttributes(base));
    } catch (IOException e) {
      CHECKED_BASES.remove(base, checked);
      return null;
    }
    BaseIdentity now;
    try {
      now = BaseIdentity.read(base, checked.ownerChecked());
    } catch (IOException e) {
      now = null;
    }
    if (checked.equals(now)) {
      return dir;
    }
    CHECKED_BASES.remove(base, checked);
    Files.deleteIfExists(dir);
    return null;
  }

  /**
   * The identity of {@code base} remembered from its last full check, for tests.
   *
   * @return its {@link BasicFileAttributes#fileKey()}, or null when no check is remembered
   */
  static Object checkedBaseKey(Path base) {
    BaseIdentity checked = CHECKED_BASES.get(base.toAbsolutePath().normalize());
    return checked == null ? null : checked.fileKey();
  }

  /** Creates the base if missing and refuses one that is not a directory, or not ours when shared. */
  private static Path createInUncheckedBase(Path base, boolean ownerCheck) throws IOException {
    try {
      Files.createDirectories(base.getParent() == null ? base : base.getParent());
      Files.createDirectory(base, privateDirectoryAttributes(base));
    } catch (FileAlreadyExistsException ignored) {
      // fine: checked below
    }
    if (!Files.isDirectory(base, LinkOption.NOFOLLOW_LINKS)) {
      throw new ReplicateAudioException("Temp base directory " + base + " is not a directory"
          + (Files.isSymbolicLink(base) ? " (it is a symbolic link, which is refused)" : ""));
    }
    Path dir = Files.createTempDirectory(base, OWN_PREFIX, privateDirectoryAttributes(base));
    BaseIdentity identity = BaseIdentity.read(base, ownerCheck);
    if (ownerCheck) {
      checkSameOwner(base, identity.uid(), dir);
    }
    if (identity.directory() && identity.fileKey() != null) {
      if (CHECKED_BASES.size() >= MAX_CHECKED_BASES) {
        CHECKED_BASES.clear();
      }
      CHECKED_BASES.put(base, identity);
    }
    return dir;
  }

  /** The shared default base must belong to us: another user could otherwise swap our directories. */
  private static void checkSameOwner(Path base, Object baseUid, Path ours) throws IOException {
    Object ourUid = Files.getAttribute(ours, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (!Objects.equals(baseUid, ourUid)) {
      Files.deleteIfExists(ours);
      throw new ReplicateAudioException("Temp base directory " + base + " belongs to uid " + baseUid
          + ", not to this process's uid " + ourUid + "; remove it or pass another base directory");
    }
  }

  /**
   * What identifies a base directory between two {@code create} calls, read without following a
   * link: device and inode ({@link BasicFileAttributes#fileKey()}), whether it is a directory, and
   * for an owner-checked base its owner too (an inode number can be reused once the checked
   * directory is gone).
   */
  private record BaseIdentity(Object fileKey, boolean directory, boolean ownerChecked, Object uid) {
    /** One stat of {@code base}; with {@code withOwner} through the "unix" view to read the owner's uid. */
    static BaseIdentity read(Path base, boolean withOwner) throws IOException {
      if (withOwner) {
        Map<String, Object> a = Files.readAttributes(base, "unix:fileKey,isDirectory,uid",
            LinkOption.NOFOLLOW_LINKS);
        return new BaseIdentity(a.get("fileKey"), Boolean.TRUE.equals(a.get("isDirectory")), true, a.get("uid"));
      }
      BasicFileAttributes a = Files.readAttributes(base, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
      return new BaseIdentity(a.fileKey(), a.isDirectory(), false, null);
    }
  }

  /** Deletes {@code path} and, for a directory, its content; never follows symbolic links. */
  private static void deleteTree(Path path, int depth, List<IOException> failures, TempNames.Deleter deleter) {
    BasicFileAttributes attrs;
    try {
      attrs = Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    } catch (NoSuchFileException e) {
      return;
    } catch (IOException e) {
      failures.add(e);
      return;
    }
    if (attrs.isDirectory()) {
      if (depth >= MAX_DEPTH) {
        failures.add(new IOException("Directory nesting deeper than " + MAX_DEPTH + " at " + path));
        return;
      }
      makeOwnerAccessible(path);
      try (DirectoryStream<Path> children = Files.newDirectoryStream(path)) {
        for (Path child : children) {
          deleteTree(child, depth + 1, failures, deleter);
        }
      } catch (NoSuchFileException e) {
        return;
      } catch (IOException e) {
        failures.add(e);
      }
    }
    try {
      deleter.delete(path);
    } catch (NoSuchFileException e) {
      // gone already
    } catch (IOException e) {
      failures.add(e);
    }
  }

  /** A read-only directory's entries can't be deleted: give the owner full access first. */
  private static void makeOwnerAccessible(Path dir) {
    if (!posix(dir)) {
      dir.toFile().setWritable(true, true);
      return;
    }
    try {
      Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
      perms.addAll(Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS));
      if (perms.addAll(EnumSet.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE,
          PosixFilePermission.OWNER_EXECUTE))) {
        Files.setPosixFilePermissions(dir, perms);
      }
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      // best effort: the deletion below reports what could not be removed
    }
  }
}
