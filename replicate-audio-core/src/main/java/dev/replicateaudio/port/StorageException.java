package dev.replicateaudio.port;

import dev.replicateaudio.ReplicateAudioException;

/**
 * A storage operation failed. Retryable by default (the database was unavailable, a connection
 * could not be had in time, a statement timed out); {@link #permanent} marks failures that will
 * never succeed (for example no row exists for the content key).
 */
public class StorageException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  public StorageException(String message, Throwable cause) {
    super(message, cause, true);
  }

  protected StorageException(String message, Throwable cause, boolean retryable) {
    super(message, cause, retryable);
  }

  /** A storage failure that retrying will not fix. */
  public static StorageException permanent(String message, Throwable cause) {
    return new StorageException(message, cause, false);
  }
}
