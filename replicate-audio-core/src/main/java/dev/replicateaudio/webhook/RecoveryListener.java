package dev.replicateaudio.webhook;

import java.time.Duration;

/**
 * Observes the runs of a {@link WebhookRecovery}, for metrics and health. Override what you need.
 *
 * <p>One method is called per {@link WebhookRecovery#recoverStale()} run, scheduled or not, on the
 * thread that completes it, before the run's stage completes. Methods must be fast and must not
 * block; an exception they throw is caught and logged at WARNING, and the run is not affected.
 * Recovery without a listener uses {@link #NONE} and skips the calls and the time measurement.
 *
 * <p>Implementations must be thread-safe.
 */
public interface RecoveryListener {
  /** The listener that does nothing; recovery given it makes no call at all. */
  RecoveryListener NONE = new RecoveryListener() {
    @Override
    public String toString() {
      return "RecoveryListener.NONE";
    }
  };

  /**
   * A run settled every job it claimed.
   *
   * @param report what it did
   * @param elapsed the run's duration
   */
  default void runFinished(RecoveryReport report, Duration elapsed) {
  }

  /**
   * A run failed: the stale jobs could not be claimed (the database is unavailable).
   *
   * @param failure why
   * @param elapsed the run's duration
   */
  default void runFailed(Throwable failure, Duration elapsed) {
  }
}
