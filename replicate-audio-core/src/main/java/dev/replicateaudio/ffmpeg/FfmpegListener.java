package dev.replicateaudio.ffmpeg;

import java.time.Duration;

/**
 * Observes the processes an {@link FfmpegRunner} runs, for metrics. Override what you need.
 *
 * <pre>{@code
 * FfmpegRunner ffmpeg = FfmpegRunner.create(settings, new FfmpegListener() {
 *   @Override public void runFinished(Program program, Outcome outcome, Duration elapsed) {
 *     log.debug("{} {} in {} ms", program, outcome, elapsed.toMillis());
 *   }
 * });
 * }</pre>
 *
 * <p>{@link #runFinished} is called once per run that got one of the runner's process slots, on
 * the thread that finished it (the caller of a blocking run, an executor thread for an asynchronous
 * one), after the process has exited and its slot was given back, before the run's result is
 * returned. A run still waiting for a slot when it is cancelled or interrupted is not reported. It must be fast and must not block.
 * An exception it throws is caught and logged at WARNING through {@code System.Logger}; the run is
 * not affected. A runner created without a listener uses {@link #NONE} and skips the call and the
 * time measurement altogether.
 *
 * <p>Implementations must be thread-safe: runs finish on many threads at once.
 */
public interface FfmpegListener {
  /** The listener that does nothing; a runner created with it makes no call at all. */
  FfmpegListener NONE = new FfmpegListener() {
    @Override
    public String toString() {
      return "FfmpegListener.NONE";
    }
  };

  /** Which program a run started. */
  enum Program {
    /** {@code ffmpeg}. */
    FFMPEG,
    /** {@code ffprobe}. */
    FFPROBE
  }

  /** How a run ended. */
  enum Outcome {
    /** Exit code 0. */
    SUCCESS,
    /** A non-zero exit code (the input, or a broken binary: 126/127). */
    NONZERO_EXIT,
    /** Killed after {@code ffmpegTimeout}. */
    TIMEOUT,
    /** Not started, or killed because its caller was interrupted, cancelled it or closed the runner. */
    ERROR
  }

  /**
   * A run ended.
   *
   * @param program the program that was run
   * @param outcome how it ended
   * @param elapsed from the process's start to its exit; zero when it never started
   */
  default void runFinished(Program program, Outcome outcome, Duration elapsed) {
  }
}
