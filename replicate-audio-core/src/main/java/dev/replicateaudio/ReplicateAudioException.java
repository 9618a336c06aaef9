package dev.replicateaudio;

/**
 * Root of every exception this library throws. Unchecked, always with a message that names what
 * was wrong, the value and the limit, and always chaining the cause.
 *
 * <p>{@link #isRetryable()} separates transient failures (a download timed out, the database was
 * unavailable: doing the same thing again later may succeed) from permanent ones (the audio is too
 * large, corrupt or silent: it will never succeed). The webhook pipeline releases a job for retry
 * on a retryable failure and fails it on a permanent one.
 */
public class ReplicateAudioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final boolean retryable;

  public ReplicateAudioException(String message) {
    this(message, null, false);
  }

  public ReplicateAudioException(String message, Throwable cause) {
    this(message, cause, false);
  }

  protected ReplicateAudioException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /** True when the same operation may succeed if tried again later; false for permanent failures. */
  public boolean isRetryable() {
    return retryable;
  }
}
