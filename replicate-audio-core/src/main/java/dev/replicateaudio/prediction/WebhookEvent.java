package dev.replicateaudio.prediction;

/**
 * The webhook events Replicate can send, for {@code webhook_events_filter}.
 *
 * <p>Thread-safe, like every enum.
 */
public enum WebhookEvent {
  /** Immediately when the prediction starts. */
  START("start"),
  /** Each time the prediction generates output (throttled to one per 500 ms). */
  OUTPUT("output"),
  /** Each time log output is generated (throttled to one per 500 ms). */
  LOGS("logs"),
  /** When the prediction reaches a terminal state; the only event Replicate retries. */
  COMPLETED("completed");

  private final String apiValue;

  WebhookEvent(String apiValue) {
    this.apiValue = apiValue;
  }

  /**
   * The value in {@code webhook_events_filter}, for example {@code completed}.
   *
   * @return the JSON value
   */
  public String apiValue() {
    return apiValue;
  }
}
