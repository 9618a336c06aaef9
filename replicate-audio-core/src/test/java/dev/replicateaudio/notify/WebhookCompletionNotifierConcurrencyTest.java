package dev.replicateaudio.notify;

import static dev.replicateaudio.notify.Eventually.eventually;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Many threads waiting, notifying, cancelling and timing out at once. */
class WebhookCompletionNotifierConcurrencyTest {
  private static final Duration LONG = Duration.ofMinutes(5);

  /** Counts listener events; the sums must match the futures exactly. */
  private static final class Counting implements CompletionListener {
    final AtomicInteger completions = new AtomicInteger();
    final AtomicInteger waitsCompleted = new AtomicInteger();
    final AtomicInteger waitsTimedOut = new AtomicInteger();

    @Override
    public void onCompletion(CompletionEvent event) {
      completions.incrementAndGet();
    }

    @Override
    public void onWaitCompleted(ContentKey key, String predictionId, CompletionOutcome outcome) {
      waitsCompleted.incrementAndGet();
    }

    @Override
    public void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
      waitsTimedOut.incrementAndGet();
    }
  }

  /** What a single wait expects. */
  private record Wait(ContentKey key, String predictionId, boolean mayTimeOut, boolean cancelled,
      CompletableFuture<CompletionOutcome> future) {
  }

  @Test
  void everyWaiterIsAnsweredExactlyOnceUnderConcurrentWaitsNotificationsCancelsAndTimeouts() throws Exception {
    int keys = 300;
    int waitersPerKey = 40;
    ScheduledThreadPoolExecutor scheduler = WebhookCompletionNotifierTest.newScheduler();
    Counting counting = new Counting();
    WebhookCompletionNotifier notifier =
        WebhookCompletionNotifier.builder().scheduler(scheduler).listener(counting).build();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      ConcurrentLinkedQueue<Wait> waits = new ConcurrentLinkedQueue<>();
      ConcurrentLinkedQueue<CompletableFuture<Map<ContentKey, CompletionOutcome>>> batches = new ConcurrentLinkedQueue<>();
      List<Runnable> tasks = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        ContentKey key = ContentKey.soundEffect(k);
        String id = "p" + k;
        for (int w = 0; w < waitersPerKey; w++) {
          int kind = w % 5;
          tasks.add(() -> {
            switch (kind) {
              case 0 -> waits.add(new Wait(key, null, false, false, notifier.waitForCompletion(key, LONG)));
              case 1, 2 -> waits.add(new Wait(key, id, false, false, notifier.waitForCompletion(key, id, LONG)));
              case 3 -> waits.add(new Wait(key, id, true, false,
                  notifier.waitForCompletion(key, id, Duration.ofNanos(1 + (long) (Math.random() * 2_000_000)))));
              default -> {
                CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(key, id, LONG);
                boolean cancelled = f.cancel(false);
                waits.add(new Wait(key, id, false, cancelled, f));
              }
            }
          });
        }
        // every key is notified twice with the same outcome, as a duplicate webhook delivery would
        tasks.add(() -> notifier.notifyCompletion(key, CompletionOutcome.succeeded(id)));
        tasks.add(() -> notifier.notifyRemoteCompletion(key, CompletionOutcome.succeeded(id)));
      }
      for (int b = 0; b < 50; b++) {
        List<ContentKey> some = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          some.add(ContentKey.soundEffect((b * 37 + i * 11) % keys));
        }
        tasks.add(() -> batches.add(notifier.waitForAll(some, LONG)));
      }
      Collections.shuffle(tasks, new Random(42));
      List<CompletableFuture<Void>> ran = new ArrayList<>();
      for (Runnable t : tasks) {
        ran.add(CompletableFuture.runAsync(() -> {
          await(start);
          t.run();
        }, pool));
      }
      start.countDown();
      CompletableFuture.allOf(ran.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

      int answered = 0;
      int timedOut = 0;
      int cancelled = 0;
      for (Wait w : waits) {
        CompletableFuture<CompletionOutcome> f = w.future();
        CompletionOutcome outcome;
        try {
          outcome = f.get(30, TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
          assertThat(w.mayTimeOut()).as("only short waits time out: %s", w).isTrue();
          assertThat(e.getCause()).isInstanceOf(TimeoutException.class);
          timedOut++;
          continue;
        } catch (java.util.concurrent.CancellationException e) {
          assertThat(w.cancelled()).as("only cancelled waits end cancelled: %s", w).isTrue();
          cancelled++;
          continue;
        }
        assertThat(outcome).as("outcome of %s", w).isEqualTo(CompletionOutcome.succeeded("p" + w.key().contentId()));
        answered++;
      }
      assertThat(answered + timedOut + cancelled).isEqualTo(keys * waitersPerKey);
      int batchKeys = 0;
      for (CompletableFuture<Map<ContentKey, CompletionOutcome>> batch : batches) {
        Map<ContentKey, CompletionOutcome> result = batch.get(30, TimeUnit.SECONDS);
        assertThat(result).hasSize(10).allSatisfy((key, outcome) ->
            assertThat(outcome).isEqualTo(CompletionOutcome.succeeded("p" + key.contentId())));
        batchKeys += result.size();
      }
      assertThat(batchKeys).isEqualTo(500);

      assertThat(counting.completions).hasValue(2 * keys);
      assertThat(counting.waitsCompleted).as("one onWaitCompleted per answered wait and batch key")
          .hasValue(answered + batchKeys);
      int timedOutWaits = timedOut;
      eventually(() -> assertThat(counting.waitsTimedOut).as("one onWaitTimedOut per timed-out wait")
          .hasValue(timedOutWaits));
      assertThat(notifier.pendingWaiters()).isZero();
      assertThat(notifier.waitingKeys()).isZero();
      assertThat(scheduler.getQueue()).isEmpty();
    } finally {
      pool.shutdownNow();
      scheduler.shutdownNow();
    }
  }

  @Test
  void racingNotificationsAndCancelsNeverLoseOrDuplicateAnAnswer() throws Exception {
    ScheduledThreadPoolExecutor scheduler = WebhookCompletionNotifierTest.newScheduler();
    Counting counting = new Counting();
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().scheduler(scheduler)
        .listener(counting).recentOutcomeTtl(Duration.ZERO).build();
    ExecutorService pool = Executors.newFixedThreadPool(4);
    try {
      int rounds = 20_000;
      AtomicInteger answered = new AtomicInteger();
      AtomicInteger cancelled = new AtomicInteger();
      for (int i = 0; i < rounds; i++) {
        ContentKey key = ContentKey.speech(i % 64);
        CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(key, LONG);
        CompletableFuture<Void> cancel = CompletableFuture.runAsync(() -> f.cancel(false), pool);
        CompletableFuture<Void> notify = CompletableFuture.runAsync(
            () -> notifier.notifyCompletion(key, CompletionOutcome.succeeded("p")), pool);
        CompletableFuture.allOf(cancel, notify).get(30, TimeUnit.SECONDS);
        try {
          f.join();
          answered.incrementAndGet();
        } catch (java.util.concurrent.CancellationException e) {
          cancelled.incrementAndGet();
        } catch (CompletionException e) {
          throw new AssertionError("neither answered nor cancelled", e);
        }
      }
      assertThat(answered.get() + cancelled.get()).isEqualTo(rounds);
      assertThat(counting.waitsCompleted).hasValue(answered.get());
      assertThat(notifier.pendingWaiters()).isZero();
      assertThat(notifier.waitingKeys()).isZero();
      assertThat(scheduler.getQueue()).isEmpty();
    } finally {
      pool.shutdownNow();
      scheduler.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
