package dev.replicateaudio.port;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Facts about audio being stored.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param mimeType for example {@code audio/mpeg} or {@code audio/wav}
 * @param sizeBytes the file's size
 * @param sha256 the file's SHA-256, 64 lowercase hex characters
 * @param duration its playing time; null when unknown
 */
public record AudioMetadata(String mimeType, long sizeBytes, String sha256, Duration duration) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /**
   * Checks the components.
   *
   * @param mimeType for example {@code audio/mpeg} or {@code audio/wav}
   * @param sizeBytes the file's size
   * @param sha256 the file's SHA-256, 64 lowercase hex characters
   * @param duration its playing time; null when unknown
   * @throws IllegalArgumentException when {@code sizeBytes} is negative or {@code sha256} is not 64
   *     lowercase hex characters
   */
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

  /**
   * The metadata of {@code file} as it is now: its size and SHA-256, read in one pass.
   *
   * @param file the audio file
   * @param mimeType its media type
   * @param duration its playing time; null when unknown
   * @return its metadata
   * @throws UncheckedIOException when the file can't be read
   */
  public static AudioMetadata of(Path file, String mimeType, Duration duration) {
    Objects.requireNonNull(file, "file == null");
    try (InputStream in = Files.newInputStream(file)) {
      MessageDigest sha256 = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[64 * 1024];
      long size = 0;
      for (int n; (n = in.read(buffer)) > 0; ) {
        sha256.update(buffer, 0, n);
        size += n;
      }
      return new AudioMetadata(mimeType, size, HexFormat.of().formatHex(sha256.digest()), duration);
    } catch (IOException e) {
      throw new UncheckedIOException("could not read " + file, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
