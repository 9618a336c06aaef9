package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.RecoveryReport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Remembers the last recovery run, for the health indicator. Thread-safe.
 */
public final class RecoveryTracker implements RecoveryListener {
  /**
   * One finished run.
   *
   * @param at when it ended
   * @param elapsed how long it took
   * @param report what it did; null when it failed
   * @param error why it failed; null when it did not
   */
  public record LastRun(Instant at, Duration elapsed, RecoveryReport report, String error) {
  }

  private final Clock clock;
  private volatile LastRun last;

  RecoveryTracker(Clock clock) {
    this.clock = clock;
  }

  /**
   * The last run, if there was one.
   *
   * @return the last run; empty before the first
   */
  public Optional<LastRun> lastRun() {
    return Optional.ofNullable(last);
  }

  @Override
  public void runFinished(RecoveryReport report, Duration elapsed) {
    last = new LastRun(clock.instant(), elapsed, report, null);
  }

  @Override
  public void runFailed(Throwable failure, Duration elapsed) {
    String m = failure.getMessage();
    last = new LastRun(clock.instant(), elapsed, null, m == null ? failure.getClass().getSimpleName() : m);
  }

  @Override
  public String toString() {
    return "RecoveryTracker{last=" + last + "}";
  }
}
