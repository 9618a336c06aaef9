package dev.replicateaudio;

import java.time.Instant;
import java.util.Objects;

/**
 * A prediction created for a content item and recorded as a pending job.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param key the content item
 * @param predictionId Replicate's id of the prediction
 * @param submittedAt when the prediction was created
 */
public record Submission(ContentKey key, String predictionId, Instant submittedAt) {
  /**
   * Checks the components.
   *
   * @param key the content item
   * @param predictionId Replicate's id of the prediction
   * @param submittedAt when the prediction was created
   * @throws NullPointerException when any component is null
   */
  public Submission {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(predictionId, "predictionId == null");
    Objects.requireNonNull(submittedAt, "submittedAt == null");
  }
}
