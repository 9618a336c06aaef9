package dev.replicateaudio.webhook;

/**
 * What one {@link WebhookRecovery#recoverStale()} run did.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param claimed stale jobs claimed for this run
 * @param succeeded jobs whose prediction had succeeded and whose audio is now stored
 * @param failed jobs that ended failed or canceled (Replicate's verdict or a permanent processing failure)
 * @param canceled jobs past the hard deadline: prediction canceled on Replicate, job failed, waiters woken
 * @param stillRunning jobs whose prediction is still running, released to wait for their webhook
 * @param errors jobs that could not be settled this time (Replicate or the database unavailable);
 *     they were released, or will be reclaimed, for the next run
 */
public record RecoveryReport(int claimed, int succeeded, int failed, int canceled, int stillRunning, int errors) {

  /** A run that found nothing to do. */
  public static final RecoveryReport EMPTY = new RecoveryReport(0, 0, 0, 0, 0, 0);

  /**
   * The sum of two reports.
   *
   * @param o the other report
   * @return a report whose every count is the sum of both
   */
  public RecoveryReport plus(RecoveryReport o) {
    return new RecoveryReport(claimed + o.claimed, succeeded + o.succeeded, failed + o.failed,
        canceled + o.canceled, stillRunning + o.stillRunning, errors + o.errors);
  }
}
