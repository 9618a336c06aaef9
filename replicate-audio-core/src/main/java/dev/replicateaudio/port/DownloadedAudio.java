package dev.replicateaudio.port;

import java.nio.file.Path;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A finished download.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param file where the bytes are
 * @param sizeBytes how many bytes were written
 * @param contentType the media type the server (or the {@code data:} URI) declared; null if none
 * @param sha256 the SHA-256 of the bytes written, 64 lowercase hex characters, computed while they
 *     were written; null when the downloader does not compute it (the pipeline then reads the file)
 */
public record DownloadedAudio(Path file, long sizeBytes, String contentType, String sha256) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * Checks the components.
   *
   * @param file where the bytes are
   * @param sizeBytes how many bytes were written
   * @param contentType the media type the server (or the {@code data:} URI) declared; null if none
   * @param sha256 the SHA-256 of the bytes written, 64 lowercase hex characters; null when not computed
   * @throws IllegalArgumentException when {@code sizeBytes} is negative or {@code sha256} is not 64
   *     lowercase hex characters
   */
  public DownloadedAudio {
    Objects.requireNonNull(file, "file == null");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0: " + sizeBytes);
    }
    if (sha256 != null && !SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex characters, was '" + sha256 + "'");
    }
  }

  /**
   * A download whose SHA-256 was not computed.
   *
   * @param file where the bytes are
   * @param sizeBytes how many bytes were written
   * @param contentType the media type the server (or the {@code data:} URI) declared; null if none
   * @throws IllegalArgumentException when {@code sizeBytes} is negative
   */
  public DownloadedAudio(Path file, long sizeBytes, String contentType) {
    this(file, sizeBytes, contentType, null);
  }
}
