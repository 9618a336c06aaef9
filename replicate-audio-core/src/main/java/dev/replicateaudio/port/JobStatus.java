package dev.replicateaudio.port;

/**
 * Where a generation job stands. The only moves: PENDING → PROCESSING → SUCCEEDED | FAILED, and PROCESSING → PENDING (released for retry).
 *
 * <p>Thread-safe, like every enum.
 */
public enum JobStatus {
  /** Submitted; waiting for its webhook (or for recovery). */
  PENDING,
  /** Claimed by one worker that is processing the result right now. */
  PROCESSING,
  /** Audio stored. Final. */
  SUCCEEDED,
  /** Failed for good. Final. */
  FAILED;

  /**
   * Whether the job is over.
   *
   * @return true for SUCCEEDED and FAILED
   */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED;
  }
}
