package dev.replicateaudio.port;

import dev.replicateaudio.ReplicateAudioException;

/**
 * A storage operation failed. Retryable by default (the database was unavailable, a connection
 * could not be had in time, a statement timed out); {@link #permanent} marks failures that will
 * never succeed (for example no row exists for the content key).
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public class StorageException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /**
   * A retryable storage failure.
   *
   * @param message what failed
   * @param cause the cause, for example an {@code SQLException}
   */
  public StorageException(String message, Throwable cause) {
    super(message, cause, true);
  }

  /**
   * A storage failure of either kind, for subclasses.
   *
   * @param message what failed
   * @param cause the cause, or null
   * @param retryable whether trying again later may succeed
   */
  protected StorageException(String message, Throwable cause, boolean retryable) {
    super(message, cause, retryable);
  }

  /**
   * A storage failure that retrying will not fix.
   *
   * @param message what failed
   * @param cause the cause, or null
   * @return a permanent storage failure
   */
  public static StorageException permanent(String message, Throwable cause) {
    return new StorageException(message, cause, false);
  }
}
