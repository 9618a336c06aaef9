package dev.replicateaudio.audio;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Validates audio and passes it through unchanged: the {@link AudioPostProcessor} for
 * {@code background_music} and {@code speech}, and the fallback for content types without a
 * processor of their own.
 *
 * <pre>{@code
 * ProcessedAudio a = PassThroughProcessor.create(runner, settings).process(downloaded, unused);
 * // a.file() == downloaded; a.mimeType() == "audio/mpeg"; a.finalDuration() = its decoded length
 * }</pre>
 *
 * <p>The input must be mp3, wav (PCM) or flac by its content (never the file name), decode
 * completely without errors, and decode as long as its header says (a truncated download keeps its
 * header). Otherwise {@link InvalidAudioException}. Silence is not checked. The output path is never
 * written. Costs one decoding pass; the header is read in Java, and ffprobe runs first only when it
 * is not a header the Java reader is sure of. This class is thread-safe.
 */
public final class PassThroughProcessor implements AudioPostProcessor {
  private final FfmpegRunner runner;

  private PassThroughProcessor(FfmpegRunner runner) {
    this.runner = runner;
  }

  /**
   * A pass-through running ffmpeg (and ffprobe for headers it can't read itself) through {@code runner}.
   *
   * @param runner runs ffmpeg and ffprobe (its timeout and concurrency limit apply)
   * @param settings the settings; none of them changes a pass-through today
   * @return the processor
   */
  public static PassThroughProcessor create(FfmpegRunner runner, ReplicateAudioSettings settings) {
    Objects.requireNonNull(runner, "runner == null");
    Objects.requireNonNull(settings, "settings == null");
    return new PassThroughProcessor(runner);
  }

  /**
   * Checks {@code input} and returns it unchanged.
   *
   * @param input the audio to check
   * @param output ignored: nothing is written
   * @return {@code input}, its media type, and its decoded length as both durations
   * @throws IllegalArgumentException when {@code input} is not an existing regular file
   * @throws InvalidAudioException when it is unreadable, not accepted, corrupt, truncated or empty
   * @throws dev.replicateaudio.ffmpeg.FfmpegException when ffmpeg fails otherwise, times out or is interrupted
   */
  @Override
  public ProcessedAudio process(Path input, Path output) {
    Objects.requireNonNull(input, "input == null");
    Path in = input.toAbsolutePath().normalize();
    if (!Files.isRegularFile(in)) {
      throw new IllegalArgumentException("input is not an existing regular file: " + in);
    }
    AudioInspector.Probed p = AudioInspector.probe(runner, in);
    Duration decoded = AudioInspector.decodeCheck(runner, p);
    return new ProcessedAudio(input, p.format().mimeType(), decoded, decoded);
  }

  @Override
  public String toString() {
    return "PassThroughProcessor";
  }
}
