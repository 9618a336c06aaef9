package dev.replicateaudio.audio;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The result of an {@link AudioPostProcessor}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param file the audio to store
 * @param mimeType its media type, for example {@code audio/mpeg}
 * @param originalDuration the input's duration; null when unknown
 * @param finalDuration the stored audio's duration; null when unknown
 */
public record ProcessedAudio(Path file, String mimeType, Duration originalDuration, Duration finalDuration) {
  /**
   * Checks the components.
   *
   * @param file the audio to store
   * @param mimeType its media type, for example {@code audio/mpeg}
   * @param originalDuration the input's duration; null when unknown
   * @param finalDuration the stored audio's duration; null when unknown
   * @throws NullPointerException when {@code file} or {@code mimeType} is null
   */
  public ProcessedAudio {
    Objects.requireNonNull(file, "file == null");
    Objects.requireNonNull(mimeType, "mimeType == null");
  }
}
