package dev.replicateaudio;

/**
 * Root of every exception this library throws. Unchecked, always with a message that names what
 * was wrong, the value and the limit, and always chaining the cause.
 *
 * <p>{@link #isRetryable()} separates transient failures (a download timed out, the database was
 * unavailable: doing the same thing again later may succeed) from permanent ones (the audio is too
 * large, corrupt or silent: it will never succeed). The webhook pipeline releases a job for retry
 * on a retryable failure and fails it on a permanent one.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public class ReplicateAudioException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Whether the same operation may succeed later. */
  private final boolean retryable;

  /**
   * A permanent failure without a cause.
   *
   * @param message what was wrong
   */
  public ReplicateAudioException(String message) {
    this(message, null, false);
  }

  /**
   * A permanent failure.
   *
   * @param message what was wrong
   * @param cause what caused it, or null
   */
  public ReplicateAudioException(String message, Throwable cause) {
    this(message, cause, false);
  }

  /**
   * A failure of either kind, for subclasses.
   *
   * @param message what was wrong
   * @param cause what caused it, or null
   * @param retryable whether the same operation may succeed later
   */
  protected ReplicateAudioException(String message, Throwable cause, boolean retryable) {
    super(message, cause);
    this.retryable = retryable;
  }

  /**
   * Whether the failure is transient.
   *
   * @return true when the same operation may succeed if tried again later; false for permanent failures
   */
  public boolean isRetryable() {
    return retryable;
  }
}
