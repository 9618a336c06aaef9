package dev.replicateaudio.examples.bench;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;
import org.HdrHistogram.Histogram;

/**
 * Figure 1: from "the webhook is processed" to "the waiting caller runs again".
 *
 * <p><b>Event-driven</b>: a thread blocks in {@code get()} on the future of
 * {@link WebhookCompletionNotifier#waitForCompletion}; once it is parked (thread state WAITING),
 * the measuring thread reads the clock and calls {@code notifyCompletion}; the waiter reads the
 * clock as soon as {@code get()} returns. That is a real cross-thread wake-up, the cost a caller
 * pays. Every sample uses a new key, so no remembered outcome short-cuts it.
 *
 * <p><b>Polling</b>, as the official Replicate clients wait (every 0.5 s by default): many pollers,
 * each with a random phase, check a map every 0.5 s or 1 s; the completions they wait for happen
 * at random times; the latency is from the completion to the poll that sees it. The poll itself
 * costs nothing here (a map read, no HTTP round trip), so these numbers are a lower bound for a
 * real poller.
 *
 * <p>Blocks of event samples alternate with polling rounds in one run: E, P0.5, E, P1, E, P0.5 …
 * E; the first event block is warmup and not counted.
 */
final class WakeLatencyBench {
  private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final Duration WAIT_TIMEOUT = Duration.ofMinutes(1);
  private static final long COMPLETION_WINDOW_MILLIS = 1000;

  private long nextKey;

  private WakeLatencyBench() {
  }

  /** Measures figure 1; returns the percentiles for the chart: series → p50/p90/p99 → milliseconds. */
  static Map<String, Map<String, Double>> run(Plan plan, Figures figures, PrintStream out)
      throws InterruptedException {
    return new WakeLatencyBench().measure(plan, figures, out);
  }

  private Map<String, Map<String, Double>> measure(Plan plan, Figures figures, PrintStream out)
      throws InterruptedException {
    Histogram event = new Histogram(HIGHEST_NANOS, 3);
    Histogram poll500 = new Histogram(HIGHEST_NANOS, 3);
    Histogram poll1000 = new Histogram(HIGHEST_NANOS, 3);
    ScheduledThreadPoolExecutor pollers = new ScheduledThreadPoolExecutor(2, r -> {
      Thread t = new Thread(r, "bench-poller");
      t.setDaemon(true);
      return t;
    });
    pollers.setRemoveOnCancelPolicy(true);
    WebhookCompletionNotifier notifier = new WebhookCompletionNotifier();
    try {
      int rounds = 2 * plan.pollRounds();
      for (int i = 0; i < rounds; i++) {
        eventBlock(notifier, plan.wakeBlockSize(), i == 0 ? null : event);
        boolean half = i % 2 == 0;
        pollRound(pollers, plan.pollersPerRound(), half ? 500 : 1000, half ? poll500 : poll1000);
      }
      eventBlock(notifier, plan.wakeBlockSize(), event);
    } finally {
      notifier.close();
      pollers.shutdownNow();
    }
    out.printf(Locale.ROOT, "  event-driven: p50 %.4f ms, p90 %.4f ms, p99 %.4f ms, max %.3f ms (n=%,d)%n",
        ms(event, 50), ms(event, 90), ms(event, 99), event.getMaxValue() / 1e6, event.getTotalCount());
    out.printf(Locale.ROOT, "  poll every 0.5 s: p50 %.1f ms, p99 %.1f ms (n=%,d); every 1 s: p50 %.1f ms,"
            + " p99 %.1f ms (n=%,d)%n", ms(poll500, 50), ms(poll500, 99), poll500.getTotalCount(),
        ms(poll1000, 50), ms(poll1000, 99), poll1000.getTotalCount());
    figures.put("wake_p50_ms", ms(event, 50));
    figures.put("wake_p99_ms", ms(event, 99));
    figures.put("poll500_p50_ms", ms(poll500, 50));
    figures.put("poll1000_p50_ms", ms(poll1000, 50));
    Map<String, Map<String, Double>> chart = new LinkedHashMap<>();
    chart.put("event-driven (notifier)", percentiles(event));
    chart.put("polling every 0.5 s", percentiles(poll500));
    chart.put("polling every 1 s", percentiles(poll1000));
    return chart;
  }

  private static Map<String, Double> percentiles(Histogram h) {
    Map<String, Double> p = new LinkedHashMap<>();
    p.put("p50", ms(h, 50));
    p.put("p90", ms(h, 90));
    p.put("p99", ms(h, 99));
    return p;
  }

  private static double ms(Histogram h, double percentile) {
    if (h.getTotalCount() == 0) {
      throw new IllegalStateException("no samples were recorded");
    }
    return h.getValueAtPercentile(percentile) / 1e6;
  }

  /** {@code n} wakes of a parked thread; recorded into {@code into} unless it is null (warmup). */
  private void eventBlock(WebhookCompletionNotifier notifier, int n, Histogram into) throws InterruptedException {
    long firstKey = nextKey;
    nextKey += n;
    AtomicLongArray notifiedAt = new AtomicLongArray(n);
    long[] latencies = new long[n];
    Thread[] waiter = new Thread[1];
    AtomicInteger registered = new AtomicInteger(-1);
    Throwable[] failure = new Throwable[1];
    waiter[0] = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) {
          CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(
              ContentKey.of("bench_wake", firstKey + i), WAIT_TIMEOUT);
          registered.set(i);
          CompletionOutcome outcome = f.get();
          long woke = System.nanoTime();
          if (!outcome.isSuccess()) {
            throw new IllegalStateException("woken with " + outcome);
          }
          latencies[i] = woke - notifiedAt.get(i);
        }
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, "bench-waiter");
    waiter[0].start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60) + n * TimeUnit.MILLISECONDS.toNanos(10);
    for (int i = 0; i < n; i++) {
      int spins = 0;
      while (true) {
        if (registered.get() == i && waiter[0].getState() == Thread.State.WAITING) {
          break;
        }
        if (!waiter[0].isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("the waiter thread stopped or stalled at sample " + i, failure[0]);
        }
        if (++spins % 64 == 0) {
          Thread.yield();
        } else {
          Thread.onSpinWait();
        }
      }
      notifiedAt.set(i, System.nanoTime());
      int woken = notifier.notifyCompletion(ContentKey.of("bench_wake", firstKey + i),
          CompletionOutcome.succeeded("bench-wake-" + (firstKey + i)));
      if (woken != 1) {
        throw new IllegalStateException("notifyCompletion woke " + woken + " waiters, expected 1");
      }
    }
    waiter[0].join(TimeUnit.SECONDS.toMillis(60));
    if (waiter[0].isAlive() || failure[0] != null) {
      throw new IllegalStateException("the waiter thread failed", failure[0]);
    }
    if (into != null) {
      for (long l : latencies) {
        into.recordValue(Math.max(0, Math.min(l, HIGHEST_NANOS)));
      }
    }
  }

  /**
   * {@code n} pollers checking every {@code intervalMillis}, each from a random phase; their
   * completions come at random times over one second, once every poller has polled a while.
   */
  private static void pollRound(ScheduledThreadPoolExecutor scheduler, int n, long intervalMillis, Histogram into)
      throws InterruptedException {
    SplittableRandom random = new SplittableRandom();
    AtomicLongArray completedAt = new AtomicLongArray(n); // 0: not yet
    long[] latencies = new long[n];
    CountDownLatch seen = new CountDownLatch(n);
    AtomicReferenceArray<ScheduledFuture<?>> tasks = new AtomicReferenceArray<>(n);
    for (int i = 0; i < n; i++) {
      int id = i;
      boolean[] done = {false};
      Runnable poll = () -> {
        if (done[0]) {
          return;
        }
        long at = completedAt.get(id);
        if (at != 0) {
          latencies[id] = System.nanoTime() - at;
          done[0] = true;
          seen.countDown();
          ScheduledFuture<?> self = tasks.get(id);
          if (self != null) {
            self.cancel(false);
          }
        }
      };
      long phaseMicros = random.nextLong(intervalMillis * 1000);
      tasks.set(i, scheduler.scheduleAtFixedRate(poll, phaseMicros, intervalMillis * 1000, TimeUnit.MICROSECONDS));
    }
    try {
      Thread.sleep(intervalMillis);
      List<Integer> order = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        order.add(i);
      }
      Collections.shuffle(order, new java.util.Random(random.nextLong()));
      long[] offsets = new long[n];
      for (int i = 0; i < n; i++) {
        offsets[i] = random.nextLong(TimeUnit.MILLISECONDS.toNanos(COMPLETION_WINDOW_MILLIS));
      }
      java.util.Arrays.sort(offsets);
      long start = System.nanoTime();
      for (int i = 0; i < n; i++) {
        long wait = start + offsets[i] - System.nanoTime();
        if (wait > 0) {
          TimeUnit.NANOSECONDS.sleep(wait);
        }
        completedAt.set(order.get(i), System.nanoTime());
      }
      if (!seen.await(intervalMillis + 30_000, TimeUnit.MILLISECONDS)) {
        throw new IllegalStateException((n - seen.getCount()) + " of " + n + " pollers saw their completion");
      }
    } finally {
      for (int i = 0; i < n; i++) {
        ScheduledFuture<?> t = tasks.get(i);
        if (t != null) {
          t.cancel(false);
        }
      }
    }
    for (long l : latencies) {
      into.recordValue(Math.max(0, Math.min(l, HIGHEST_NANOS)));
    }
  }
}
