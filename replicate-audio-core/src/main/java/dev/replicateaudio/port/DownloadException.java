package dev.replicateaudio.port;

import dev.replicateaudio.ReplicateAudioException;

/**
 * A download that failed. {@link #statusCode()} is the HTTP status when the server answered, or -1.
 * Retryable for timeouts, I/O errors, 429 and 5xx; permanent otherwise (404 for an expired output,
 * a URL on a host that is not allowed, a malformed {@code data:} URI).
 */
public class DownloadException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  private final int statusCode;

  public DownloadException(String message, int statusCode, boolean retryable, Throwable cause) {
    super(message, cause, retryable);
    this.statusCode = statusCode;
  }

  /** The HTTP status, or -1 when there was no response. */
  public int statusCode() {
    return statusCode;
  }
}
