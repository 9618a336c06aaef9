package dev.replicateaudio;

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
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
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
 * <p>{@link #close()} deletes the directory and everything in it, including files that were
 * renamed, made read-only or placed in read-only subdirectories. It never follows symbolic links:
 * a link is deleted, never its target. Closing twice is harmless. Deleting as a whole needs no
 * {@code deleteOnExit}, which leaks memory in long-running processes and does nothing on
 * {@code kill -9}.
 *
 * <p>This class is thread-safe.
 */
public final class ManagedTempFiles implements AutoCloseable {
  /** Name of the default base directory inside {@code java.io.tmpdir}. */
  public static final String DEFAULT_DIRECTORY_NAME = "replicate-audio";
  /** The longest suffix accepted, in characters. */
  public static final int MAX_SUFFIX_LENGTH = 32;
  /** The most suffixes (paths) one instance can hold. */
  public static final int MAX_SUFFIXES = 64;

  private static final String PREFIX = "ra-";
  private static final Pattern OWNED_NAME = Pattern.compile("ra-(\\d{1,19})-\\d+");
  /** A live process started this long after a directory's last change can't be its owner. */
  private static final long PID_REUSE_TOLERANCE_SECONDS = 2;
  private static final int MAX_DEPTH = 64;

  private final Path directory;
  private final List<Path> paths;
  private final Deleter deleter;
  private final AtomicBoolean closed = new AtomicBoolean();

  /** Deletes one file system entry; tests replace it to make a deletion fail. */
  @FunctionalInterface
  interface Deleter {
    void delete(Path path) throws IOException;
  }

  private ManagedTempFiles(Path directory, List<Path> paths, Deleter deleter) {
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

  static ManagedTempFiles create(Path baseDirectory, Deleter deleter, String... suffixes) {
    Objects.requireNonNull(suffixes, "suffixes == null");
    if (suffixes.length > MAX_SUFFIXES) {
      throw new IllegalArgumentException("too many suffixes: " + suffixes.length + ", at most " + MAX_SUFFIXES);
    }
    for (int i = 0; i < suffixes.length; i++) {
      checkSuffix(i, suffixes[i]);
    }
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
    if (index < 0 || index >= paths.size()) {
      throw new IndexOutOfBoundsException("index " + index + " is out of range: " + paths.size() + " paths");
    }
    return paths.get(index);
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
    List<IOException> failures = new ArrayList<>();
    deleteTree(directory, 0, failures, deleter);
    if (!failures.isEmpty()) {
      ReplicateAudioException e = new ReplicateAudioException("Could not delete temporary directory " + directory
          + ": " + failures.size() + " entr" + (failures.size() == 1 ? "y" : "ies") + " left (see suppressed)");
      failures.forEach(e::addSuppressed);
      throw e;
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

  private static void checkSuffix(int index, String suffix) {
    if (suffix == null) {
      throw new IllegalArgumentException("suffix " + index + " is null");
    }
    String why = null;
    if (suffix.length() > MAX_SUFFIX_LENGTH) {
      why = "is " + suffix.length() + " characters long, at most " + MAX_SUFFIX_LENGTH + " are accepted";
    } else if (suffix.indexOf('/') >= 0 || suffix.indexOf('\\') >= 0
        || suffix.contains(System.getProperty("file.separator", "/"))) {
      why = "contains a path separator";
    } else if (suffix.contains("..")) {
      why = "contains '..'";
    } else {
      for (int i = 0; i < suffix.length(); i++) {
        char c = suffix.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          why = c == 0 ? "contains a NUL character" : "contains a control character";
          break;
        }
      }
    }
    if (why != null) {
      throw new IllegalArgumentException("suffix " + index + " '" + printable(suffix) + "' " + why);
    }
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 80 ? sb + "..." : sb.toString();
  }

  private static boolean posix(Path path) {
    return path.getFileSystem().supportedFileAttributeViews().contains("posix");
  }

  private static FileAttribute<?>[] privateDirectoryAttributes(Path base) {
    if (posix(base)) {
      return new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))};
    }
    return new FileAttribute<?>[0];
  }

  private static Path createOwnedDirectory(Path base, boolean defaultBase) {
    try {
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
      Path dir = Files.createTempDirectory(base, PREFIX + ProcessHandle.current().pid() + "-",
          privateDirectoryAttributes(base));
      if (defaultBase && posix(base)) {
        checkSameOwner(base, dir);
      }
      return dir;
    } catch (IOException e) {
      throw new ReplicateAudioException("Could not create a temporary directory in " + base + ": " + e, e);
    }
  }

  /** The shared default base must belong to us: another user could otherwise swap our directories. */
  private static void checkSameOwner(Path base, Path ours) throws IOException {
    Object baseUid = Files.getAttribute(base, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    Object ourUid = Files.getAttribute(ours, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    if (!Objects.equals(baseUid, ourUid)) {
      Files.deleteIfExists(ours);
      throw new ReplicateAudioException("Temp base directory " + base + " belongs to uid " + baseUid
          + ", not to this process's uid " + ourUid + "; remove it or pass another base directory");
    }
  }

  /** Deletes {@code path} and, for a directory, its content; never follows symbolic links. */
  private static void deleteTree(Path path, int depth, List<IOException> failures, Deleter deleter) {
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
