package dev.replicateaudio.port;

import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Generation jobs (prediction id ↔ content key, status, attempts, last error, timestamps) and the
 * result log. The database is the source of truth for what happened to a prediction; every state
 * change is atomic, so concurrent webhook deliveries and recoverers never process one job twice.
 *
 * <p>Claims fence the finishing moves: {@link #markSucceeded}, {@link #markFailed} and
 * {@link #release} succeed only from the states named below, so when two claimants end up working
 * on one job (recovery reclaimed a job whose slow webhook run was still alive), the first to finish
 * wins and the other gets a {@link StaleClaimException} inside its transaction, which rolls back
 * its audio write and result row. None of these moves is silently repeated.
 *
 * <p>Calls made inside {@link TransactionRunner#inTransaction} join that transaction; others run in
 * their own. Blocking; thread-safe. Failures throw {@link StorageException}.
 */
public interface GenerationJobStore {
  /**
   * Records a submitted prediction as {@link JobStatus#PENDING}. Idempotent for the same
   * prediction id and key.
   *
   * @param key the content item
   * @param predictionId Replicate's id of the prediction
   * @throws StorageException (permanent) when the prediction id is already recorded for another key
   */
  void recordSubmitted(ContentKey key, String predictionId);

  /**
   * Atomically claims the job for processing: PENDING → PROCESSING, attempts + 1. A prediction id
   * that was never recorded is created already claimed (hosts may submit predictions without
   * {@link #recordSubmitted}). Of any number of concurrent callers, at most one gets the job.
   *
   * @param predictionId the prediction the webhook is about
   * @param key the content item the webhook URL names
   * @return the claimed job; empty when the job exists but is not PENDING (being processed, or
   *     finished), or belongs to another key
   */
  Optional<GenerationJob> claim(String predictionId, ContentKey key);

  /**
   * Atomically claims, for recovery, jobs that are PENDING, or PROCESSING and abandoned, and whose
   * {@code updatedAt} is before {@code updatedBefore}; oldest first. Two recoverers running at once
   * never get the same job.
   *
   * @param updatedBefore the newest {@code updatedAt} a stale job may have
   * @param limit the most jobs to claim, positive
   * @return the claimed jobs, now PROCESSING, oldest first; empty when none
   */
  List<GenerationJob> claimStale(Instant updatedBefore, int limit);

  /**
   * PROCESSING → SUCCEEDED.
   *
   * @param predictionId the job's prediction
   * @throws StaleClaimException when the job is in any other state (another claimant finished or
   *     released it first)
   * @throws StorageException (permanent) when no job has this prediction id
   */
  void markSucceeded(String predictionId);

  /**
   * PROCESSING (or PENDING) → FAILED, keeping {@code error} as the last error.
   *
   * @param predictionId the job's prediction
   * @param error why it failed, not blank
   * @throws StaleClaimException when the job has already succeeded or failed
   * @throws StorageException (permanent) when no job has this prediction id
   */
  void markFailed(String predictionId, String error);

  /**
   * PROCESSING → PENDING after a transient failure, keeping {@code error} as the last error; with
   * {@code error} null (a job given back unharmed) the last error stays as it was.
   *
   * @param predictionId the job's prediction
   * @param error why it was released, or null to keep the last error
   * @throws StaleClaimException when the job is not PROCESSING (another claimant finished or
   *     released it first)
   * @throws StorageException (permanent) when no job has this prediction id
   */
  void release(String predictionId, String error);

  /**
   * Finishes a job and appends its result row as one step: for a {@code SUCCEEDED} record, PROCESSING →
   * SUCCEEDED as {@link #markSucceeded}; for {@code FAILED} or {@code CANCELED}, PROCESSING (or PENDING) →
   * FAILED with the record's error as {@link #markFailed}; then the record is logged as {@link #logResult}.
   * Both happen or neither. This default makes the two calls (inside the caller's transaction when there
   * is one); a store may do both in one statement.
   *
   * @param record the result row; its prediction id names the job
   * @throws IllegalArgumentException when a FAILED or CANCELED record has no error
   * @throws StaleClaimException when the job is not in a state the move starts from
   * @throws StorageException (permanent) when no job has this prediction id
   */
  default void finish(ResultRecord record) {
    Objects.requireNonNull(record, "record == null");
    if (record.status() == CompletionStatus.SUCCEEDED) {
      markSucceeded(record.predictionId());
    } else {
      markFailed(record.predictionId(), failureError(record));
    }
    logResult(record);
  }

  /** The error of a FAILED or CANCELED record; refuses a record without one. */
  private static String failureError(ResultRecord record) {
    if (record.error() == null) {
      throw new IllegalArgumentException("a " + record.status() + " result record must carry an error (prediction "
          + record.predictionId() + ")");
    }
    return record.error();
  }

  /**
   * The job of a prediction.
   *
   * @param predictionId the prediction
   * @return the job; empty when none was recorded
   */
  Optional<GenerationJob> find(String predictionId);

  /**
   * The most recently created job of a content item.
   *
   * @param key the content item
   * @return its newest job; empty when it has none
   */
  Optional<GenerationJob> findLatest(ContentKey key);

  /**
   * Appends a row to the result log.
   *
   * @param record the row
   */
  void logResult(ResultRecord record);

  /**
   * The result log rows of a prediction, oldest first.
   *
   * @param predictionId the prediction
   * @return its rows; empty when none
   */
  List<ResultRecord> results(String predictionId);
}
