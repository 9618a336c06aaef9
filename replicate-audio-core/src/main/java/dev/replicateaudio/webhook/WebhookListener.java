package dev.replicateaudio.webhook;

import dev.replicateaudio.CompletionOutcome;
import java.time.Duration;

/**
 * Observes a webhook endpoint (the okhttp module's {@code WebhookEndpoint.Builder.listener}): the
 * answers it gives and how the processing of verified webhooks ends, for metrics. Override what
 * you need.
 *
 * <p>{@link #requestAnswered} is called once per request, with the answer's status code, before the
 * answer is handed back. For a request whose signature verified and whose body decoded, one of
 * {@link #processingFinished} and {@link #processingFailed} is called once, when processing ends:
 * after the answer when the endpoint answered 202 early. Methods run on the thread that completes
 * the step, must be fast and must not block; an exception they throw is caught and logged at WARN,
 * and the answer and the processing are not affected. An endpoint without a listener uses
 * {@link #NONE} and skips the calls and the time measurement.
 *
 * <p>Implementations must be thread-safe.
 */
public interface WebhookListener {
  /** The listener that does nothing; an endpoint given it makes no call at all. */
  WebhookListener NONE = new WebhookListener() {
    @Override
    public String toString() {
      return "WebhookListener.NONE";
    }
  };

  /**
   * A request was answered.
   *
   * @param statusCode the answer: 200, 202, 400, 401, 413, 500 or 503
   * @param elapsed from the start of the handling (body reading included) to the answer
   */
  default void requestAnswered(int statusCode, Duration elapsed) {
  }

  /**
   * The processing of a verified webhook ended with an outcome (stored, failed, duplicate,
   * non-terminal: {@link dev.replicateaudio.CompletionStatus#PENDING}).
   *
   * @param outcome the outcome
   * @param elapsed from the verified, decoded webhook to the outcome
   */
  default void processingFinished(CompletionOutcome outcome, Duration elapsed) {
  }

  /**
   * The processing of a verified webhook failed (a transient failure released the job for a retry,
   * or the webhook did not match its job).
   *
   * @param failure why, unwrapped from {@code CompletionException}
   * @param elapsed from the verified, decoded webhook to the failure
   */
  default void processingFailed(Throwable failure, Duration elapsed) {
  }
}
