package dev.replicateaudio.okhttp;

import dev.replicateaudio.ReplicateAudioException;
import java.time.Duration;
import java.util.Optional;

/**
 * A Replicate API call failed: the server answered with a non-2xx status, or no answer arrived (an
 * I/O error or a timeout, {@link #statusCode()} {@code -1}).
 *
 * <p>{@link #title()} and {@link #detail()} come from the RFC 7807 problem body Replicate sends
 * ({@code {"title": "...", "detail": "...", "status": 422}}); when the body is not such JSON,
 * {@code detail()} holds the start of its raw text. {@link #isRetryable()} is true for 429, 5xx and
 * I/O errors. {@link #isOutcomeUnknown()} is true when a request that changes state (create,
 * cancel) may have taken effect although no success was seen: repeating it could create and bill a
 * second prediction.
 *
 * <p>The message has a fixed shape, for example
 * {@code Replicate API POST /v1/predictions failed: HTTP 422 Unprocessable Entity: Input validation
 * failed (attempt 1 of 1)}. It never holds the API token.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class ReplicateApiException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** The HTTP status, or -1. */
  private final int statusCode;
  /** The problem's title, or null. */
  private final String title;
  /** The problem's detail or the start of the body, or null. */
  private final String detail;
  /** The HTTP method. */
  private final String method;
  /** The URL path. */
  private final String path;
  /** Requests sent, retries included. */
  private final int attempts;
  /** Whether a state-changing call may have taken effect. */
  private final boolean outcomeUnknown;
  /** The server's wait hint, or null. */
  private final Duration retryAfter;

  ReplicateApiException(String message, Throwable cause, boolean retryable, int statusCode, String title,
      String detail, String method, String path, int attempts, boolean outcomeUnknown, Duration retryAfter) {
    super(message, cause, retryable);
    this.statusCode = statusCode;
    this.title = title;
    this.detail = detail;
    this.method = method;
    this.path = path;
    this.attempts = attempts;
    this.outcomeUnknown = outcomeUnknown;
    this.retryAfter = retryAfter;
  }

  /**
   * The HTTP status of the last response, or -1 when no response arrived (I/O error, timeout).
   *
   * @return the status, or -1
   */
  public int statusCode() {
    return statusCode;
  }

  /**
   * The problem's {@code title}; null when the body had none.
   *
   * @return the title, or null
   */
  public String title() {
    return title;
  }

  /**
   * The problem's {@code detail}, or the start of the raw body (at most 500 characters, control
   * characters escaped) when it was not problem JSON; null when the body was empty.
   *
   * @return the detail, or null
   */
  public String detail() {
    return detail;
  }

  /**
   * The HTTP method of the failed call, for example {@code POST}.
   *
   * @return the method
   */
  public String method() {
    return method;
  }

  /**
   * The URL path of the failed call, for example {@code /v1/predictions}; never a query string.
   *
   * @return the path
   */
  public String path() {
    return path;
  }

  /**
   * How many requests were sent, retries included.
   *
   * @return the number of requests, at least 1
   */
  public int attempts() {
    return attempts;
  }

  /**
   * True when the request changes state (create, cancel), it may have reached Replicate and taken
   * effect, and no answer proves otherwise: a timeout, an I/O error after sending, or a 5xx. Do not
   * simply repeat a create in this case; look the prediction up instead.
   *
   * @return whether the outcome is unknown
   */
  public boolean isOutcomeUnknown() {
    return outcomeUnknown;
  }

  /**
   * How long the server asked to wait before trying again ({@code Retry-After} or its body hint), if it said.
   *
   * @return the wait; empty when the server gave none
   */
  public Optional<Duration> retryAfter() {
    return Optional.ofNullable(retryAfter);
  }
}
