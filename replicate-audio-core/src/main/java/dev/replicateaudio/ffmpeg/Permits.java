package dev.replicateaudio.ffmpeg;

import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;

/**
 * A fair counting semaphore whose waiters are futures, so that asynchronous callers wait without
 * holding a thread. {@link #release()} hands a permit to the oldest waiter that is still waiting,
 * completing its future on the releasing thread (dependents must be quick).
 */
final class Permits {
  private final int max;
  private final ArrayDeque<CompletableFuture<Void>> waiters = new ArrayDeque<>();
  private int available;

  Permits(int max) {
    this.max = max;
    this.available = max;
  }

  /** A future that completes once the caller holds a permit; cancel it to stop waiting. */
  CompletableFuture<Void> acquire() {
    synchronized (this) {
      if (available > 0 && waiters.isEmpty()) {
        available--;
        return CompletableFuture.completedFuture(null);
      }
      CompletableFuture<Void> f = new CompletableFuture<>();
      waiters.add(f);
      return f;
    }
  }

  /**
   * Gives up waiting on {@code f}. Returns false when {@code f} had already been granted a permit,
   * which the caller then holds and must release.
   */
  boolean cancel(CompletableFuture<Void> f) {
    boolean cancelled = f.cancel(false);
    synchronized (this) {
      waiters.remove(f);
    }
    return cancelled || f.isCancelled();
  }

  void release() {
    while (true) {
      CompletableFuture<Void> next;
      synchronized (this) {
        next = waiters.poll();
        if (next == null) {
          if (available >= max) {
            throw new IllegalStateException("released more permits than acquired (max " + max + ")");
          }
          available++;
          return;
        }
      }
      if (next.complete(null)) {
        return; // handed over
      }
      // that waiter gave up: try the next one
    }
  }

  synchronized int inUse() {
    return max - available;
  }

  synchronized int waiting() {
    return waiters.size();
  }

  int max() {
    return max;
  }
}
