package dev.replicateaudio.port;

import dev.replicateaudio.ContentKey;
import java.time.Instant;
import java.util.Objects;

/**
 * One prediction submitted for one content item.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param predictionId Replicate's prediction id, unique
 * @param key the content item the audio is for
 * @param status where the job stands
 * @param attempts how many times the job has been claimed for processing
 * @param lastError the last failure's text; null if none
 * @param createdAt when it was recorded
 * @param updatedAt when its status last changed (claims included)
 */
public record GenerationJob(
    String predictionId,
    ContentKey key,
    JobStatus status,
    int attempts,
    String lastError,
    Instant createdAt,
    Instant updatedAt) {

  /**
   * Checks the components.
   *
   * @param predictionId Replicate's prediction id, unique
   * @param key the content item the audio is for
   * @param status where the job stands
   * @param attempts how many times the job has been claimed for processing
   * @param lastError the last failure's text; null if none
   * @param createdAt when it was recorded
   * @param updatedAt when its status last changed (claims included)
   * @throws IllegalArgumentException when {@code attempts} is negative
   */
  public GenerationJob {
    Objects.requireNonNull(predictionId, "predictionId == null");
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(status, "status == null");
    Objects.requireNonNull(createdAt, "createdAt == null");
    Objects.requireNonNull(updatedAt, "updatedAt == null");
    if (attempts < 0) {
      throw new IllegalArgumentException("attempts < 0: " + attempts);
    }
  }
}
