package dev.replicateaudio.port;

import java.nio.file.Path;
import java.util.Objects;

/**
 * A finished download.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param file where the bytes are
 * @param sizeBytes how many bytes were written
 * @param contentType the media type the server (or the {@code data:} URI) declared; null if none
 */
public record DownloadedAudio(Path file, long sizeBytes, String contentType) {
  /**
   * Checks the components.
   *
   * @param file where the bytes are
   * @param sizeBytes how many bytes were written
   * @param contentType the media type the server (or the {@code data:} URI) declared; null if none
   * @throws IllegalArgumentException when {@code sizeBytes} is negative
   */
  public DownloadedAudio {
    Objects.requireNonNull(file, "file == null");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0: " + sizeBytes);
    }
  }
}
