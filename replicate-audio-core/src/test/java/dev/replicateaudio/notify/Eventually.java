package dev.replicateaudio.notify;

import java.time.Duration;

/**
 * Retries an assertion until it holds or 10 s have passed. For listener events, which arrive on the
 * completing thread just after the future a test waits on has completed.
 */
final class Eventually {
  private static final Duration LIMIT = Duration.ofSeconds(10);

  private Eventually() {
  }

  static void eventually(Runnable assertion) {
    long deadline = System.nanoTime() + LIMIT.toNanos();
    while (true) {
      try {
        assertion.run();
        return;
      } catch (AssertionError e) {
        if (System.nanoTime() - deadline > 0) {
          throw e;
        }
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError("interrupted while waiting for an assertion to hold", e);
      }
    }
  }
}
