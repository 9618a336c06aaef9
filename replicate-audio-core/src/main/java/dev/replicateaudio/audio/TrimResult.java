package dev.replicateaudio.audio;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The result of {@link SoundEffectProcessor#trimAudio}. Durations are exact: ffmpeg's own count of
 * the samples it decoded and encoded, divided by the sample rate.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param output the trimmed file
 * @param format its container, the same as the input's
 * @param codecName its codec, for example {@code mp3} or {@code pcm_s24le}
 * @param originalDuration the decoded length of the input
 * @param trimmedDuration the length of the output
 * @param elapsed how long the trim took, probes included
 */
public record TrimResult(Path output, AudioFormat format, String codecName, Duration originalDuration,
    Duration trimmedDuration, Duration elapsed) {
  /**
   * Checks the components.
   *
   * @param output the trimmed file
   * @param format its container, the same as the input's
   * @param codecName its codec, for example {@code mp3} or {@code pcm_s24le}
   * @param originalDuration the decoded length of the input
   * @param trimmedDuration the length of the output
   * @param elapsed how long the trim took, probes included
   * @throws NullPointerException when any component is null
   */
  public TrimResult {
    Objects.requireNonNull(output, "output == null");
    Objects.requireNonNull(format, "format == null");
    Objects.requireNonNull(codecName, "codecName == null");
    Objects.requireNonNull(originalDuration, "originalDuration == null");
    Objects.requireNonNull(trimmedDuration, "trimmedDuration == null");
    Objects.requireNonNull(elapsed, "elapsed == null");
  }

  /**
   * The output's media type, for example {@code audio/mpeg}.
   *
   * @return the media type of {@link #format()}
   */
  public String mimeType() {
    return format.mimeType();
  }

  /**
   * How much silence was cut, start and end together.
   *
   * @return the original duration minus the trimmed one, never negative
   */
  public Duration removed() {
    Duration d = originalDuration.minus(trimmedDuration);
    return d.isNegative() ? Duration.ZERO : d;
  }
}
