package dev.replicateaudio.examples.simulator;

import java.time.Duration;

/** A fixed-window request limit: at most {@code permits} requests per window. Thread-safe. */
final class RateLimiter {
  private final int permits;
  private final long windowNanos;
  private long windowStart;
  private int used;

  RateLimiter(int permits, Duration window) {
    this.permits = permits;
    this.windowNanos = window.toNanos();
    this.windowStart = System.nanoTime();
  }

  /** Takes a permit: 0 when granted, else whole seconds (at least 1) until the window resets. */
  synchronized long tryAcquire() {
    long now = System.nanoTime();
    if (now - windowStart >= windowNanos) {
      windowStart = now;
      used = 0;
    }
    if (used < permits) {
      used++;
      return 0;
    }
    long left = windowNanos - (now - windowStart);
    return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
  }

  /** Permits left in the current window. */
  synchronized int remaining() {
    return Math.max(0, permits - used);
  }

  /** Whole seconds until the current window ends. */
  synchronized long resetSeconds() {
    long left = windowNanos - (System.nanoTime() - windowStart);
    return Math.max(0, (left + 999_999_999L) / 1_000_000_000L);
  }
}
