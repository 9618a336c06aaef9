package dev.replicateaudio.port;

/**
 * A job could not be moved because its state is no longer the one the caller's claim left it in:
 * another claimant (a duplicate delivery on another instance, or recovery that took a job it
 * thought abandoned) finished or released it first. Permanent. The caller has lost the job: it must
 * roll back what it wrote for it and must not announce an outcome of its own; the job's recorded
 * state is the truth.
 */
public class StaleClaimException extends StorageException {
  private static final long serialVersionUID = 1L;

  private final String predictionId;
  private final JobStatus actualStatus;

  /**
   * @param message what was attempted and what was found
   * @param predictionId the job's prediction id
   * @param actualStatus the job's status when the move was refused
   */
  public StaleClaimException(String message, String predictionId, JobStatus actualStatus) {
    super(message, null, false);
    this.predictionId = predictionId;
    this.actualStatus = actualStatus;
  }

  /** The prediction id of the job that moved on. */
  public String predictionId() {
    return predictionId;
  }

  /** The status the job had when the move was refused. */
  public JobStatus actualStatus() {
    return actualStatus;
  }
}
