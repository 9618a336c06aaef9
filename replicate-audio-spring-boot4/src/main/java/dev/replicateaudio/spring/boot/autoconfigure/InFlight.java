package dev.replicateaudio.spring.boot.autoconfigure;

import java.time.Duration;
import java.util.concurrent.CompletionStage;

/**
 * Counts the webhook processing runs still going (also after the endpoint answered 202), so that
 * shutdown can wait for them. Thread-safe.
 */
final class InFlight {
  private int running; // guarded by this

  /** Counts {@code stage} until it completes; returns it. */
  <T> CompletionStage<T> track(CompletionStage<T> stage) {
    synchronized (this) {
      running++;
    }
    stage.whenComplete((v, e) -> {
      synchronized (this) {
        running--;
        notifyAll();
      }
    });
    return stage;
  }

  synchronized int running() {
    return running;
  }

  /** Waits until nothing runs or {@code timeout} passes; true when nothing runs. */
  synchronized boolean awaitIdle(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (running > 0) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      wait(Math.max(1, left / 1_000_000));
    }
    return true;
  }
}
