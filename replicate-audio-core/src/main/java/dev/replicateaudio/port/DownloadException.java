package dev.replicateaudio.port;

import dev.replicateaudio.ReplicateAudioException;

/**
 * A download that failed. {@link #statusCode()} is the HTTP status when the server answered, or -1.
 * Retryable for timeouts, I/O errors, 429 and 5xx; permanent otherwise (404 for an expired output,
 * a URL on a host that is not allowed, a malformed {@code data:} URI).
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public class DownloadException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status, or -1. */
  private final int statusCode;

  /**
   * An exception with the server's status, if any.
   *
   * @param message what failed: the URL (never its credentials) and why
   * @param statusCode the HTTP status, or -1 when there was no response
   * @param retryable whether trying again later may succeed
   * @param cause the cause, or null
   */
  public DownloadException(String message, int statusCode, boolean retryable, Throwable cause) {
    super(message, cause, retryable);
    this.statusCode = statusCode;
  }

  /**
   * The HTTP status, or -1 when there was no response.
   *
   * @return the status, or -1
   */
  public int statusCode() {
    return statusCode;
  }
}
