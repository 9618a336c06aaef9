package dev.replicateaudio.port;

import java.time.Duration;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Facts about audio being stored.
 *
 * @param mimeType for example {@code audio/mpeg} or {@code audio/wav}
 * @param sizeBytes the file's size
 * @param sha256 the file's SHA-256, 64 lowercase hex characters
 * @param duration its playing time; null when unknown
 */
public record AudioMetadata(String mimeType, long sizeBytes, String sha256, Duration duration) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public AudioMetadata {
    Objects.requireNonNull(mimeType, "mimeType == null");
    if (sizeBytes < 0) {
      throw new IllegalArgumentException("sizeBytes < 0: " + sizeBytes);
    }
    Objects.requireNonNull(sha256, "sha256 == null");
    if (!SHA256.matcher(sha256).matches()) {
      throw new IllegalArgumentException("sha256 must be 64 lowercase hex characters, was '" + sha256 + "'");
    }
  }
}
