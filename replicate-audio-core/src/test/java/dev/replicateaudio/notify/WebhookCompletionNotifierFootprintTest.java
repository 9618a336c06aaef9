package dev.replicateaudio.notify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * What waiting costs: threads, heap and wake-up latency, measured on the notifier with its default
 * shared scheduler. The figures are printed (surefire keeps them in
 * {@code target/surefire-reports/...FootprintTest-output.txt}); the bounds asserted are the issue's
 * goals for heap and threads, and generous ones for latency, which a loaded machine must not break.
 */
class WebhookCompletionNotifierFootprintTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  @Test
  void tenThousandWaitersAddNoThread() {
    WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();
    // the shared timeout thread starts with the first wait of the JVM: start it before counting
    notifier.waitForCompletion(ContentKey.speech(-1), LONG).cancel(false);
    Set<Thread> before = new HashSet<>(Thread.getAllStackTraces().keySet());

    List<CompletableFuture<CompletionOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      futures.add(notifier.waitForCompletion(ContentKey.soundEffect(i), LONG));
    }
    Set<Thread> during = new HashSet<>(Thread.getAllStackTraces().keySet());
    during.removeAll(before);
    for (int i = 0; i < 10_000; i++) {
      notifier.notifyCompletion(ContentKey.soundEffect(i), CompletionOutcome.succeeded("p" + i));
    }

    assertThat(during).as("threads started while 10,000 waits were pending").isEmpty();
    assertThat(futures).allMatch(f -> f.isDone() && !f.isCompletedExceptionally());
    assertThat(notifier.pendingWaiters()).isZero();
    notifier.close();
  }

  @Test
  void hundredThousandWaitersHoldLessThan32MegabytesOfHeap() throws Exception {
    WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();
    notifier.waitForCompletion(ContentKey.speech(-1), LONG).cancel(false);
    int n = 100_000;
    List<CompletableFuture<CompletionOutcome>> futures = new ArrayList<>(n);
    long before = usedHeapAfterGc();

    for (int i = 0; i < n; i++) {
      futures.add(notifier.waitForCompletion(ContentKey.soundEffect(i), LONG));
    }
    long during = usedHeapAfterGc();
    for (int i = 0; i < n; i++) {
      notifier.notifyCompletion(ContentKey.soundEffect(i), CompletionOutcome.succeeded("p" + i));
    }

    long held = during - before;
    System.out.printf("waiters_100k_heap_mb=%.1f (%d bytes a waiter, its ContentKey included)%n",
        held / 1e6, held / n);
    assertThat(held).as("heap held by %d pending waits", n).isLessThan(32_000_000L);
    assertThat(futures).allMatch(CompletableFuture::isDone);
    assertThat(notifier.pendingWaiters()).isZero();
    notifier.close();
  }

  @Test
  void aNotificationWakesABlockedWaiterWithinMicroseconds() throws Exception {
    WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();
    ExecutorService waiting = Executors.newSingleThreadExecutor();
    try {
      int warmUp = 1_000;
      int measured = 2_000;
      long[] latencies = new long[measured];
      for (int i = 0; i < warmUp + measured; i++) {
        ContentKey key = ContentKey.soundEffect(i);
        String id = "p" + i;
        CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(key, id, LONG);
        long[] resumedAt = new long[1];
        Thread[] waiter = new Thread[1];
        Future<?> done = waiting.submit(() -> {
          waiter[0] = Thread.currentThread();
          f.join();
          resumedAt[0] = System.nanoTime();
        });
        // notify only once the waiting thread is parked inside join()
        while (waiter[0] == null || f.getNumberOfDependents() == 0 || waiter[0].getState() != Thread.State.WAITING) {
          Thread.onSpinWait();
        }
        long notifiedAt = System.nanoTime();
        notifier.notifyCompletion(key, CompletionOutcome.succeeded(id));
        done.get(10, TimeUnit.SECONDS);
        if (i >= warmUp) {
          latencies[i - warmUp] = resumedAt[0] - notifiedAt;
        }
      }
      Arrays.sort(latencies);
      double p50 = latencies[measured / 2] / 1e6;
      double p99 = latencies[measured * 99 / 100] / 1e6;
      System.out.printf("wake_p50_ms=%.4f wake_p99_ms=%.4f (over %d wake-ups of a thread blocked in join())%n",
          p50, p99, measured);
      // the goals are p50 < 0.1 ms and p99 < 1 ms; these bounds only catch a broken (polling, sleeping) wake-up
      assertThat(p50).as("p50 wake latency in ms").isLessThan(2.0);
      assertThat(p99).as("p99 wake latency in ms").isLessThan(100.0);
      assertThat(notifier.pendingWaiters()).isZero();
    } finally {
      waiting.shutdownNow();
      notifier.close();
    }
  }

  private static long usedHeapAfterGc() throws InterruptedException {
    long used = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      System.gc();
      Thread.sleep(50);
      used = Math.min(used, ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
    }
    return used;
  }
}
