package dev.replicateaudio.examples.bench;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;

/**
 * Figure 2: what 100,000 concurrent waiters cost. The heap retained with them (in use after full
 * GCs, with vs before; the caller's array of futures is allocated before the baseline, everything
 * the notifier keeps per waiter — future, key, map entry, timeout task — counts) and the threads
 * the JVM has more with them than before. The notifier is created inside the measurement, so its
 * shared timeout thread counts when this is the JVM's first notifier (the runner runs this first).
 */
final class WaiterScaleBench {
  static final int WAITERS = 100_000;
  private static final double MIB = 1024.0 * 1024.0;

  private WaiterScaleBench() {
  }

  static void run(Figures figures, PrintStream out) {
    ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    CompletableFuture<?>[] futures = new CompletableFuture<?>[WAITERS];
    long heapBefore = HeapSampler.settledUsed();
    int threadsBefore = threads.getThreadCount();

    long start = System.nanoTime();
    WebhookCompletionNotifier notifier = new WebhookCompletionNotifier();
    try {
      for (int i = 0; i < WAITERS; i++) {
        futures[i] = notifier.waitForCompletion(ContentKey.of("bench_scale", i), Duration.ofHours(1));
      }
      long registerNanos = System.nanoTime() - start;
      if (notifier.pendingWaiters() != WAITERS) {
        throw new IllegalStateException("expected " + WAITERS + " pending waiters, the notifier has "
            + notifier.pendingWaiters());
      }
      long heapWith = HeapSampler.settledUsed();
      int threadsWith = threads.getThreadCount();

      start = System.nanoTime();
      int woken = 0;
      for (int i = 0; i < WAITERS; i++) {
        woken += notifier.notifyCompletion(ContentKey.of("bench_scale", i), CompletionOutcome.succeeded("p" + i));
      }
      long notifyNanos = System.nanoTime() - start;
      for (int i = 0; i < WAITERS; i++) {
        if (!futures[i].isDone() || futures[i].isCompletedExceptionally()) {
          throw new IllegalStateException("waiter " + i + " was not woken with its outcome: " + futures[i]);
        }
      }
      if (woken != WAITERS || notifier.pendingWaiters() != 0) {
        throw new IllegalStateException("woke " + woken + " of " + WAITERS + "; " + notifier.pendingWaiters()
            + " still pending");
      }
      java.util.Arrays.fill(futures, null);
      notifier.close();
      long heapAfter = HeapSampler.settledUsed();

      double heapMib = (heapWith - heapBefore) / MIB;
      out.printf(Locale.ROOT, "  %,d waiters: %.1f MiB retained (%.0f bytes each), %d thread(s) added;"
              + " registered in %.0f ms, all woken in %.0f ms; %.1f MiB left after waking and closing"
              + " (the notifier remembers the last %,d outcomes)%n",
          WAITERS, heapMib, (heapWith - heapBefore) / (double) WAITERS, threadsWith - threadsBefore,
          registerNanos / 1e6, notifyNanos / 1e6, (heapAfter - heapBefore) / MIB,
          WebhookCompletionNotifier.DEFAULT_MAX_RECENT_OUTCOMES);
      figures.put("waiters_100k_heap_mb", heapMib);
      figures.putCount("waiters_100k_threads_added", threadsWith - threadsBefore);
    } finally {
      notifier.close();
    }
  }
}
