package dev.replicateaudio.internal;

import dev.replicateaudio.ManagedTempFiles;
import dev.replicateaudio.ReplicateAudioException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Private temporary files for concurrent tasks that share one {@link ManagedTempFiles} directory
 * while they overlap, instead of one directory each: under load, a task costs no {@code mkdir} and
 * no {@code rmdir}, which on ext4 allocate and free a block each time.
 *
 * <p>{@link #reserve} hands out unique reserved paths ({@code t<n>-file<i><suffix>}, not created)
 * in the current directory, creating one (0700, under the base, as {@link ManagedTempFiles} does)
 * when there is none or when it was removed or replaced behind our back. {@link Reservation#close()}
 * deletes its own paths; the last reservation of a directory to close deletes the directory and
 * anything else found in it. So nothing is left behind once no task is running, as with a directory
 * per task, and a task running alone costs what it did before.
 *
 * <p>This class is thread-safe.
 */
public final class SharedTempDirectory {
  private final Path baseDirectory;
  private final AtomicLong sequence = new AtomicLong();
  private final Object lock = new Object();
  /** The directory new reservations go to; null when none is open. Guarded by {@code lock}. */
  private Generation current;

  /**
   * @param baseDirectory where the directories are created; null for
   *     {@link ManagedTempFiles#defaultBaseDirectory()}
   */
  public SharedTempDirectory(Path baseDirectory) {
    this.baseDirectory = baseDirectory;
  }

  /**
   * Reserves one path per suffix in the shared directory.
   *
   * @param suffixes as for {@link ManagedTempFiles#create(String...)}
   * @return the reservation; close it
   * @throws IllegalArgumentException naming the first refused suffix and why; nothing is created
   * @throws ReplicateAudioException when a directory can't be created
   */
  public Reservation reserve(String... suffixes) {
    // checked before anything is created or counted
    TempNames.checkSuffixes(suffixes);
    Generation g = acquire();
    long n = sequence.incrementAndGet();
    List<Path> paths = new ArrayList<>(suffixes.length);
    for (int i = 0; i < suffixes.length; i++) {
      paths.add(g.directory.resolve("t" + n + "-file" + i + suffixes[i]));
    }
    return new Reservation(g, Collections.unmodifiableList(paths));
  }

  /** How many reservations are open; for tests. */
  int openReservations() {
    synchronized (lock) {
      return current == null ? 0 : current.users;
    }
  }

  private Generation acquire() {
    synchronized (lock) {
      if (current != null && current.unchanged()) {
        current.users++;
        return current;
      }
      // none open, or the open one was removed or replaced: its users keep it until they close
      Generation g = Generation.create(baseDirectory);
      g.users = 1;
      current = g;
      return g;
    }
  }

  /** Releases one user of {@code g}; the last one deletes the directory. */
  private void release(Generation g) {
    synchronized (lock) {
      if (--g.users > 0) {
        return;
      }
      if (current == g) {
        current = null;
      }
    }
    g.temp.close(); // the directory and whatever else is in it; throws when something is left
  }

  /** One directory and how many open reservations use it. */
  private static final class Generation {
    final ManagedTempFiles temp;
    final Path directory;
    final Object fileKey;
    int users;

    private Generation(ManagedTempFiles temp, Object fileKey) {
      this.temp = temp;
      this.directory = temp.directory();
      this.fileKey = fileKey;
    }

    static Generation create(Path base) {
      ManagedTempFiles temp = ManagedTempFiles.create(base);
      try {
        return new Generation(temp, attributes(temp.directory()).fileKey());
      } catch (IOException | RuntimeException e) {
        RuntimeException failure = new ReplicateAudioException("Could not read the attributes of temporary directory "
            + temp.directory() + ": " + e, e);
        try {
          temp.close();
        } catch (RuntimeException closeFailure) {
          failure.addSuppressed(closeFailure);
        }
        throw failure;
      }
    }

    /** Still a directory (not a link) with the identity it was created with: one {@code lstat}. */
    boolean unchanged() {
      try {
        BasicFileAttributes now = attributes(directory);
        return now.isDirectory() && (fileKey == null || fileKey.equals(now.fileKey()));
      } catch (IOException e) {
        return false;
      }
    }

    private static BasicFileAttributes attributes(Path path) throws IOException {
      return Files.readAttributes(path, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
    }
  }

  /** Reserved paths in a shared directory. Closing deletes them; only the first close does anything. */
  public final class Reservation implements AutoCloseable {
    private final Generation generation;
    private final List<Path> paths;
    private final AtomicBoolean closed = new AtomicBoolean();

    private Reservation(Generation generation, List<Path> paths) {
      this.generation = generation;
      this.paths = paths;
    }

    /**
     * The reserved path for the suffix at {@code index}.
     *
     * @param index 0 for the first suffix
     * @return the path; not created
     * @throws IndexOutOfBoundsException when there is no such suffix
     */
    public Path path(int index) {
      return TempNames.reserved(paths, index);
    }

    /** The directory holding the paths; shared with other open reservations. */
    public Path directory() {
      return generation.directory;
    }

    /**
     * Deletes the reserved paths (a link is deleted, never its target); the last reservation of the
     * directory deletes the directory and everything in it.
     *
     * @throws ReplicateAudioException when this was the directory's last reservation and something in
     *     it could not be deleted (see {@link ManagedTempFiles#close()}); the directory is released all
     *     the same
     */
    @Override
    public void close() {
      if (closed.getAndSet(true)) {
        return;
      }
      // what can't be deleted here (a non-empty directory, say) goes with the directory: its last user
      // deletes it with everything in it, and reports what it can't
      TempNames.deleteReserved(generation.directory, paths, Files::deleteIfExists);
      release(generation);
    }

    @Override
    public String toString() {
      return "SharedTempDirectory.Reservation" + paths + (closed.get() ? " (closed)" : "");
    }
  }
}
