package dev.replicateaudio.port;

/**
 * A job could not be moved because its state is no longer the one the caller's claim left it in:
 * another claimant (a duplicate delivery on another instance, or recovery that took a job it
 * thought abandoned) finished or released it first. Permanent. The caller has lost the job: it must
 * roll back what it wrote for it and must not announce an outcome of its own; the job's recorded
 * state is the truth.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public class StaleClaimException extends StorageException {
  private static final long serialVersionUID = 1L;

  /** The job's prediction id. */
  private final String predictionId;
  /** The job's status when the move was refused. */
  private final JobStatus actualStatus;

  /**
   * An exception naming the job and the state it was found in.
   *
   * @param message what was attempted and what was found
   * @param predictionId the job's prediction id
   * @param actualStatus the job's status when the move was refused
   */
  public StaleClaimException(String message, String predictionId, JobStatus actualStatus) {
    super(message, null, false);
    this.predictionId = predictionId;
    this.actualStatus = actualStatus;
  }

  /**
   * The prediction id of the job that moved on.
   *
   * @return the prediction id
   */
  public String predictionId() {
    return predictionId;
  }

  /**
   * The status the job had when the move was refused.
   *
   * @return the status
   */
  public JobStatus actualStatus() {
    return actualStatus;
  }
}
