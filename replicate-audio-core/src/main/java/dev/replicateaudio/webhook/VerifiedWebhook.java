package dev.replicateaudio.webhook;

import java.time.Instant;
import java.util.Objects;

/**
 * A webhook message whose signature {@link WebhookVerifier#verify(java.util.Map, byte[]) verified}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the {@code webhook-id}: unique per message and the same when Replicate resends it,
 *     so it is the key to deduplicate deliveries on
 * @param timestamp the {@code webhook-timestamp}, when the sender signed this delivery (whole seconds)
 */
public record VerifiedWebhook(String id, Instant timestamp) {
  /**
   * Checks the components.
   *
   * @param id the {@code webhook-id}: unique per message and the same when Replicate resends it,
   *     so it is the key to deduplicate deliveries on
   * @param timestamp the {@code webhook-timestamp}, when the sender signed this delivery (whole seconds)
   * @throws NullPointerException when a component is null
   */
  public VerifiedWebhook {
    Objects.requireNonNull(id, "id == null");
    Objects.requireNonNull(timestamp, "timestamp == null");
  }
}
