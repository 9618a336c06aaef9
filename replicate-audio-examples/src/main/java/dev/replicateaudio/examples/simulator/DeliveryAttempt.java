package dev.replicateaudio.examples.simulator;

import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One attempt of the {@link ReplicateSimulator} to deliver a webhook, as recorded for tests and
 * benchmarks.
 *
 * @param predictionId the prediction the webhook is about
 * @param webhookId the {@code webhook-id} header; the same across retries and duplicates of one message
 * @param event why the message was sent; the stale message of {@link Fault#OUT_OF_ORDER} is a late
 *     {@link WebhookEvent#START} message
 * @param status the prediction's status in the body
 * @param attempt 1 for the first attempt of a message, 2 for its first retry, ...
 * @param copy 1, or for {@link Fault#DUPLICATE_WEBHOOKS} which of the concurrent copies (1 to N)
 * @param stale true for the stale message of {@link Fault#OUT_OF_ORDER}
 * @param url where it was sent
 * @param sentAt when the attempt started
 * @param statusCode the receiver's HTTP status; 0 when there was no response (connection refused,
 *     timeout, reset)
 * @param latency from sending the request to reading the response status (or to the failure)
 * @param error what went wrong without a response, or null
 */
public record DeliveryAttempt(
    String predictionId,
    String webhookId,
    WebhookEvent event,
    PredictionStatus status,
    int attempt,
    int copy,
    boolean stale,
    URI url,
    Instant sentAt,
    int statusCode,
    Duration latency,
    String error) {

  /** Checks that every component but {@code error} is non-null. */
  public DeliveryAttempt {
    Objects.requireNonNull(predictionId, "predictionId == null");
    Objects.requireNonNull(webhookId, "webhookId == null");
    Objects.requireNonNull(event, "event == null");
    Objects.requireNonNull(status, "status == null");
    Objects.requireNonNull(url, "url == null");
    Objects.requireNonNull(sentAt, "sentAt == null");
    Objects.requireNonNull(latency, "latency == null");
  }

  /** True when the receiver answered 2xx, the only answer Replicate takes as delivered. */
  public boolean delivered() {
    return statusCode >= 200 && statusCode < 300;
  }

  /** True when the body carries a terminal status (the only messages that are retried). */
  public boolean terminal() {
    return status.isTerminal();
  }
}
