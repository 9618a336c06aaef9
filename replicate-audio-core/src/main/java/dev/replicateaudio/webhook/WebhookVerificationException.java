package dev.replicateaudio.webhook;

import dev.replicateaudio.ReplicateAudioException;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * A webhook request failed signature verification: it may be forged, altered, replayed or simply
 * malformed, and must not be processed. {@link #reason()} says which check failed; the message
 * says why in words, naming the header and the value (never the secret or the expected signature).
 *
 * <p>A webhook endpoint answers such a request with a 4xx status (400 or 401). Note that Replicate
 * retries 4xx answers to terminal webhooks for about a minute, which is harmless here: a retry
 * fails the same way. Permanent: {@link #isRetryable()} is false.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class WebhookVerificationException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** Which verification check failed. */
  public enum Reason {
    /** {@code webhook-id}, {@code webhook-timestamp} or {@code webhook-signature} is absent or empty. */
    MISSING_HEADER,
    /**
     * A header that must have one value has several different ones (for example two
     * {@code webhook-id} headers, or {@code webhook-id} and {@code Webhook-Id} keys in one map).
     */
    DUPLICATE_HEADER,
    /** {@code webhook-timestamp} is not a whole number of seconds since the epoch. */
    MALFORMED_TIMESTAMP,
    /**
     * {@code webhook-timestamp} is further from the verifier's clock than the tolerance allows:
     * the message is too old (perhaps replayed) or too new; {@link #timestampSkew()} says by how much.
     */
    TIMESTAMP_OUTSIDE_TOLERANCE,
    /**
     * {@code webhook-signature} holds no usable {@code v1,<base64>} entry: an entry is not valid
     * base64 of 32 bytes, lacks its {@code version,} prefix, or there is no {@code v1} entry at all.
     */
    MALFORMED_SIGNATURE,
    /**
     * Every {@code v1} signature is well formed, but none matches the content signed with any of
     * the verifier's secrets: the body, id or timestamp was altered, or the secret is not the one
     * Replicate signs with.
     */
    NO_MATCHING_SIGNATURE
  }

  /** Which check failed. */
  private final Reason reason;
  /** The header concerned, or null. */
  private final String header;
  /** The clock minus the timestamp, or null. */
  private final Duration timestampSkew;

  /**
   * A verification failure.
   *
   * @param reason which check failed
   * @param message what was wrong; must not contain secrets
   */
  public WebhookVerificationException(Reason reason, String message) {
    this(reason, message, null, null);
  }

  WebhookVerificationException(Reason reason, String message, String header, Duration timestampSkew) {
    super(message);
    this.reason = Objects.requireNonNull(reason, "reason == null");
    this.header = header;
    this.timestampSkew = timestampSkew;
  }

  /**
   * Which check failed.
   *
   * @return the reason
   */
  public Reason reason() {
    return reason;
  }

  /**
   * The header the failure concerns (lower case, for example {@code webhook-timestamp}), when one does.
   *
   * @return the header's name; empty when the failure concerns none
   */
  public Optional<String> header() {
    return Optional.ofNullable(header);
  }

  /**
   * For {@link Reason#TIMESTAMP_OUTSIDE_TOLERANCE}: the verifier's clock minus the message's
   * timestamp, positive when the message is too old and negative when it is from the future.
   *
   * @return the skew; empty for other reasons
   */
  public Optional<Duration> timestampSkew() {
    return Optional.ofNullable(timestampSkew);
  }
}
