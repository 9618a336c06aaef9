package dev.replicateaudio.ffmpeg;

import java.time.Duration;
import java.util.Objects;

/**
 * A finished, successful ffmpeg or ffprobe run. Runs that exit with a non-zero code never produce a
 * result: they throw {@link FfmpegException}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param exitCode the process's exit code (0)
 * @param elapsed from the process's start to its exit; waiting for a free process slot is not included
 * @param stderrTail the last {@link FfmpegRunner#STDERR_TAIL_BYTES} bytes (at most) of stderr, decoded as UTF-8
 * @param stdout what an ffprobe run wrote to stdout (at most {@link FfmpegRunner#MAX_STDOUT_BYTES} bytes);
 *     always empty for ffmpeg runs, whose stdout is discarded
 */
public record FfmpegResult(int exitCode, Duration elapsed, String stderrTail, String stdout) {
  /**
   * Checks the components.
   *
   * @param exitCode the process's exit code (0)
   * @param elapsed from the process's start to its exit; waiting for a free process slot is not included
   * @param stderrTail the last {@link FfmpegRunner#STDERR_TAIL_BYTES} bytes (at most) of stderr, decoded as UTF-8
   * @param stdout what an ffprobe run wrote to stdout (at most {@link FfmpegRunner#MAX_STDOUT_BYTES} bytes);
   *     always empty for ffmpeg runs, whose stdout is discarded
   * @throws NullPointerException when {@code elapsed}, {@code stderrTail} or {@code stdout} is null
   */
  public FfmpegResult {
    Objects.requireNonNull(elapsed, "elapsed == null");
    Objects.requireNonNull(stderrTail, "stderrTail == null");
    Objects.requireNonNull(stdout, "stdout == null");
  }
}
