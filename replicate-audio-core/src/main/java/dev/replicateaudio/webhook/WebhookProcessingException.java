package dev.replicateaudio.webhook;

import dev.replicateaudio.ReplicateAudioException;

/**
 * Processing a webhook failed in a way the pipeline could not record as the job's outcome.
 *
 * <p>When {@link #isRetryable()} is true (a download timed out, the database was unavailable), the
 * job was released for another attempt and the webhook endpoint should answer 5xx so that Replicate
 * delivers the webhook again; recovery picks the job up if it does not. When false, the webhook
 * does not match its job (for example the content key in the URL is not the one recorded for the
 * prediction) and nothing was changed.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class WebhookProcessingException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** The prediction the webhook was about, or null. */
  private final String predictionId;

  /**
   * An exception naming the prediction.
   *
   * @param message what failed
   * @param predictionId the prediction the webhook was about, or null when unknown
   * @param retryable whether a new delivery may succeed (the job was released)
   * @param cause the cause, or null
   */
  public WebhookProcessingException(String message, String predictionId, boolean retryable, Throwable cause) {
    super(message, cause, retryable);
    this.predictionId = predictionId;
  }

  /**
   * The prediction the webhook was about.
   *
   * @return its id, or null when unknown
   */
  public String predictionId() {
    return predictionId;
  }
}
