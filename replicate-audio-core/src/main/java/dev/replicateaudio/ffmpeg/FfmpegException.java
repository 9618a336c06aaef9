package dev.replicateaudio.ffmpeg;

import dev.replicateaudio.ReplicateAudioException;
import java.util.List;
import java.util.Objects;

/**
 * An ffmpeg or ffprobe process failed: it exited with a non-zero code, ran past
 * {@code ffmpegTimeout} and was killed, could not be started, or was killed because the calling
 * thread was interrupted or its {@link FfmpegRunner} was closed.
 *
 * <p>The message names the failure, the exit code and the command, and ends with the last few KB
 * of the process's stderr ({@link #stderrTail()}), where ffmpeg prints its reason.
 * {@link #isRetryable()} is true for timeouts, interruptions, a closed runner and a binary that
 * could not be started or run (exit code 126 or 127: missing shared library; a fixed configuration
 * or a quieter machine may succeed), false for any other non-zero exit (the same input fails the
 * same way).
 */
public class FfmpegException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** The {@link #exitCode()} of a process that never started or never reported an exit code. */
  public static final int NO_EXIT_CODE = -1;

  /** The process's exit code, or {@link #NO_EXIT_CODE}. */
  private final int exitCode;
  /** Whether the process ran past its timeout. */
  private final boolean timedOut;
  /** The command line, program first. */
  private final List<String> command;
  /** The end of stderr. */
  private final String stderrTail;

  /**
   * Creates an exception; normally only {@link FfmpegRunner} does.
   *
   * @param message the full message (callers include the tail themselves)
   * @param cause the cause, or null
   * @param exitCode the exit code, or {@link #NO_EXIT_CODE}
   * @param timedOut whether the process ran past its timeout
   * @param command the command line, program first
   * @param stderrTail the end of stderr, possibly empty
   * @param retryable whether trying again later may succeed
   */
  public FfmpegException(String message, Throwable cause, int exitCode, boolean timedOut, List<String> command,
      String stderrTail, boolean retryable) {
    super(message, cause, retryable);
    this.exitCode = exitCode;
    this.timedOut = timedOut;
    this.command = List.copyOf(Objects.requireNonNull(command, "command == null"));
    this.stderrTail = Objects.requireNonNull(stderrTail, "stderrTail == null");
  }

  /**
   * The process's exit code, or {@link #NO_EXIT_CODE} when it never started or never exited.
   *
   * @return the exit code
   */
  public int exitCode() {
    return exitCode;
  }

  /**
   * True when the process ran past {@code ffmpegTimeout} and was killed.
   *
   * @return whether it timed out
   */
  public boolean timedOut() {
    return timedOut;
  }

  /**
   * The command line that was run, program first.
   *
   * @return the command, unmodifiable
   */
  public List<String> command() {
    return command;
  }

  /**
   * The last few KB (at most {@link FfmpegRunner#STDERR_TAIL_BYTES} bytes) of stderr; may be empty.
   *
   * @return the tail of stderr
   */
  public String stderrTail() {
    return stderrTail;
  }
}
