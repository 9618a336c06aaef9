package dev.replicateaudio.port;

import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

/**
 * One row of the result log: how processing a prediction's result ended (the seed's {@code log_result}).
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param predictionId the prediction
 * @param key the content item
 * @param status SUCCEEDED, FAILED or CANCELED
 * @param error why it did not succeed; null on success
 * @param audioBytes bytes stored; 0 when nothing was stored
 * @param originalDuration the audio's duration as generated; null when unknown
 * @param finalDuration the stored audio's duration (after trimming); null when unknown
 * @param processingTime from the webhook's arrival to the end of processing
 * @param recordedAt when the row was written
 */
public record ResultRecord(
    String predictionId,
    ContentKey key,
    CompletionStatus status,
    String error,
    long audioBytes,
    Duration originalDuration,
    Duration finalDuration,
    Duration processingTime,
    Instant recordedAt) {

  /**
   * Checks the components.
   *
   * @param predictionId the prediction
   * @param key the content item
   * @param status SUCCEEDED, FAILED or CANCELED
   * @param error why it did not succeed; null on success
   * @param audioBytes bytes stored; 0 when nothing was stored
   * @param originalDuration the audio's duration as generated; null when unknown
   * @param finalDuration the stored audio's duration (after trimming); null when unknown
   * @param processingTime from the webhook's arrival to the end of processing
   * @param recordedAt when the row was written
   * @throws IllegalArgumentException when {@code status} is not SUCCEEDED, FAILED or CANCELED, or
   *     {@code audioBytes} is negative
   */
  public ResultRecord {
    Objects.requireNonNull(predictionId, "predictionId == null");
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(status, "status == null");
    Objects.requireNonNull(processingTime, "processingTime == null");
    Objects.requireNonNull(recordedAt, "recordedAt == null");
    if (!status.isFinal() || status == CompletionStatus.TIMED_OUT) {
      throw new IllegalArgumentException("a result record's status is SUCCEEDED, FAILED or CANCELED, was " + status);
    }
    if (audioBytes < 0) {
      throw new IllegalArgumentException("audioBytes < 0: " + audioBytes);
    }
  }
}
