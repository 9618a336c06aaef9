package dev.replicateaudio.port;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Objects;

/**
 * What identifies a file's contents cheaply, without reading them: its size, its last-modified time
 * and the file system's key for it (device and inode on Linux; null where the file system has none).
 * Taken when a file's {@link AudioMetadata#sha256()} is computed, it lets
 * {@link AudioStore#storeAudio(dev.replicateaudio.ContentKey, Path, AudioMetadata, FileStamp)} check
 * that the file is still the one that was hashed, instead of hashing it again.
 *
 * <p>A write changes the size or the last-modified time, and replacing the file changes its key. Not
 * seen: a rewrite of the same size within the file system's timestamp granularity of the file's last
 * write (a few milliseconds on Linux), or one whose last-modified time was set back deliberately;
 * keep such files in a private directory, as the pipeline does.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param sizeBytes the file's size
 * @param lastModified its last-modified time
 * @param fileKey the file system's key for it, or null when it has none
 */
public record FileStamp(long sizeBytes, FileTime lastModified, Object fileKey) {
  /**
   * Checks the components.
   *
   * @param sizeBytes the file's size
   * @param lastModified its last-modified time
   * @param fileKey the file system's key for it, or null when it has none
   * @throws IllegalArgumentException when {@code sizeBytes} is negative
   */
  public FileStamp {
    Objects.requireNonNull(lastModified, "lastModified == null");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0: " + sizeBytes);
    }
  }

  /**
   * The stamp of {@code file} as it is now (one {@code stat}, following links).
   *
   * @param file a regular file
   * @return its stamp
   * @throws UncheckedIOException when its attributes can't be read (for example it does not exist)
   */
  public static FileStamp of(Path file) {
    Objects.requireNonNull(file, "file == null");
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey());
    } catch (IOException e) {
      throw new UncheckedIOException("can't read the attributes of " + file + ": " + e.getMessage(), e);
    }
  }
}
