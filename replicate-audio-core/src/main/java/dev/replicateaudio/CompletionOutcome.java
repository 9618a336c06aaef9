package dev.replicateaudio;

import java.util.Objects;
import java.util.Optional;

/**
 * The result a waiter receives when a content item's generation ends.
 *
 * @param status how it ended
 * @param predictionId the Replicate prediction id; null only for {@link CompletionStatus#TIMED_OUT} when
 *     the waiter never learned it, and for {@link CompletionStatus#FAILED} when no prediction was
 *     created (the submission itself failed)
 * @param error null on success and for {@link CompletionStatus#PENDING}; otherwise why it did not succeed
 */
public record CompletionOutcome(CompletionStatus status, String predictionId, String error) {

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

  public static CompletionOutcome succeeded(String predictionId) {
    return new CompletionOutcome(CompletionStatus.SUCCEEDED, predictionId, null);
  }

  /** {@code predictionId} may be null when the failure happened before a prediction was created. */
  public static CompletionOutcome failed(String predictionId, String error) {
    return new CompletionOutcome(CompletionStatus.FAILED, predictionId, error);
  }

  public static CompletionOutcome canceled(String predictionId, String error) {
    return new CompletionOutcome(CompletionStatus.CANCELED, predictionId, error);
  }

  /** A waiter's timeout passed; {@code predictionId} may be null. */
  public static CompletionOutcome timedOut(String predictionId, String error) {
    return new CompletionOutcome(CompletionStatus.TIMED_OUT, predictionId, error);
  }

  public static CompletionOutcome pending(String predictionId) {
    return new CompletionOutcome(CompletionStatus.PENDING, predictionId, null);
  }

  public boolean isSuccess() {
    return status == CompletionStatus.SUCCEEDED;
  }

  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }
}
