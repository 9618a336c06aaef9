package dev.replicateaudio;

import java.util.Objects;
import java.util.Optional;

/**
 * The result a waiter receives when a content item's generation ends.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param status how it ended
 * @param predictionId the Replicate prediction id; null only for {@link CompletionStatus#TIMED_OUT} when
 *     the waiter never learned it, and for {@link CompletionStatus#FAILED} when no prediction was
 *     created (the submission itself failed)
 * @param error null on success and for {@link CompletionStatus#PENDING}; otherwise why it did not succeed
 */
public record CompletionOutcome(CompletionStatus status, String predictionId, String error) {

  /**
   * Checks the combination.
   *
   * @param status how it ended
   * @param predictionId the Replicate prediction id; null only for {@link CompletionStatus#TIMED_OUT} when
   *     the waiter never learned it, and for {@link CompletionStatus#FAILED} when no prediction was
   *     created (the submission itself failed)
   * @param error null on success and for {@link CompletionStatus#PENDING}; otherwise why it did not succeed
   * @throws IllegalArgumentException when {@code predictionId} is null for a status other than
   *     TIMED_OUT and FAILED, when a SUCCEEDED or PENDING outcome carries an error, or when any other
   *     outcome has a null or blank error
   */
  public CompletionOutcome {
    Objects.requireNonNull(status, "status == null");
    if (predictionId == null && status != CompletionStatus.TIMED_OUT && status != CompletionStatus.FAILED) {
      throw new IllegalArgumentException("predictionId == null (allowed only for TIMED_OUT and FAILED)");
    }
    if (status == CompletionStatus.SUCCEEDED || status == CompletionStatus.PENDING) {
      if (error != null) {
        throw new IllegalArgumentException(status + " outcome must not carry an error, got '" + error + "'");
      }
    } else if (error == null || error.isBlank()) {
      throw new IllegalArgumentException(status + " outcome needs an error text");
    }
  }

  /**
   * The audio was generated and stored.
   *
   * @param predictionId the prediction that produced it
   * @return a SUCCEEDED outcome
   */
  public static CompletionOutcome succeeded(String predictionId) {
    return new CompletionOutcome(CompletionStatus.SUCCEEDED, predictionId, null);
  }

  /**
   * The generation failed for good.
   *
   * @param predictionId the prediction; null when the failure happened before one was created
   * @param error why, not blank
   * @return a FAILED outcome
   */
  public static CompletionOutcome failed(String predictionId, String error) {
    return new CompletionOutcome(CompletionStatus.FAILED, predictionId, error);
  }

  /**
   * The prediction was canceled or aborted.
   *
   * @param predictionId the prediction
   * @param error why, not blank
   * @return a CANCELED outcome
   */
  public static CompletionOutcome canceled(String predictionId, String error) {
    return new CompletionOutcome(CompletionStatus.CANCELED, predictionId, error);
  }

  /**
   * A waiter's timeout passed before the generation ended.
   *
   * @param predictionId the prediction; null when the waiter never learned it
   * @param error what timed out, not blank
   * @return a TIMED_OUT outcome
   */
  public static CompletionOutcome timedOut(String predictionId, String error) {
    return new CompletionOutcome(CompletionStatus.TIMED_OUT, predictionId, error);
  }

  /**
   * The generation has not finished yet (see {@link CompletionStatus#PENDING}).
   *
   * @param predictionId the prediction
   * @return a PENDING outcome
   */
  public static CompletionOutcome pending(String predictionId) {
    return new CompletionOutcome(CompletionStatus.PENDING, predictionId, null);
  }

  /**
   * Whether the audio was stored.
   *
   * @return true for {@link CompletionStatus#SUCCEEDED} only
   */
  public boolean isSuccess() {
    return status == CompletionStatus.SUCCEEDED;
  }

  /**
   * Why it did not succeed.
   *
   * @return the error; empty on success and for PENDING
   */
  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }
}
