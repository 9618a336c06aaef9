package dev.replicateaudio.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import dev.replicateaudio.testing.MutableClock;
import dev.replicateaudio.testing.RecordingCompletionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class WebhookCompletionNotifierTest {
  private static final Duration LONG = Duration.ofMinutes(5);
  private static final ContentKey KEY = ContentKey.soundEffect(1);

  private final WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();

  @Test
  void waiterIsWokenByTheNotification() {
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, LONG);
    assertThat(f).isNotDone();

    int woken = notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));

    assertThat(woken).isEqualTo(1);
    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(notifier.pendingWaiters()).isZero();
    assertThat(notifier.waitingKeys()).isZero();
  }

  @Test
  void notificationBeforeTheWaitStillResolvesIt() {
    notifier.notifyCompletion(KEY, CompletionOutcome.failed("p1", "boom"));

    CompletableFuture<CompletionOutcome> late = notifier.waitForCompletion(KEY, LONG);

    assertThat(late).isCompletedWithValue(CompletionOutcome.failed("p1", "boom"));
    assertThat(notifier.pendingWaiters()).isZero();
  }

  @Test
  void predictionSpecificWaitIgnoresOtherPredictionsOfTheKey() {
    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("old"));

    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, "new", LONG);
    assertThat(f).as("the remembered outcome is another prediction's").isNotDone();
    CompletableFuture<CompletionOutcome> any = notifier.waitForCompletion(KEY, LONG);
    assertThat(any).as("a key-only wait takes the remembered outcome").isCompletedWithValue(CompletionOutcome.succeeded("old"));

    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("other"));
    assertThat(f).isNotDone();
    assertThat(notifier.pendingWaiters()).isEqualTo(1);

    notifier.notifyCompletion(KEY, CompletionOutcome.failed("new", "nsfw"));
    assertThat(f).isCompletedWithValue(CompletionOutcome.failed("new", "nsfw"));
    assertThat(notifier.pendingWaiters()).isZero();
  }

  @Test
  void manyWaitersOnOneKeyAreAllWokenByOneNotification() {
    List<CompletableFuture<CompletionOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      futures.add(notifier.waitForCompletion(KEY, LONG));
    }
    assertThat(notifier.pendingWaiters()).isEqualTo(1000);
    assertThat(notifier.waitingKeys()).isEqualTo(1);

    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).isEqualTo(1000);

    assertThat(futures).allSatisfy(f -> assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1")));
    assertThat(notifier.pendingWaiters()).isZero();
  }

  @Test
  void waitTimesOutWithTimeoutExceptionAndLeavesNothingBehind() {
    RecordingCompletionListener listener = new RecordingCompletionListener();
    notifier.addListener(listener);
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, Duration.ofMillis(50));

    assertThat(f).failsWithin(Duration.ofSeconds(10))
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class)
        .withMessageContaining("no completion of sound_effect:1 within 0.05 s");
    assertThat(notifier.pendingWaiters()).isZero();
    assertThat(notifier.waitingKeys()).isZero();
    assertThat(listener.timeouts()).containsExactly(KEY);
  }

  @Test
  void cancelledWaiterLeavesNothingBehindAndItsTimeoutIsDequeued() {
    ScheduledThreadPoolExecutor scheduler = new ScheduledThreadPoolExecutor(1);
    scheduler.setRemoveOnCancelPolicy(true);
    try {
      WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).build();
      CompletableFuture<CompletionOutcome> a = n.waitForCompletion(KEY, LONG);
      CompletableFuture<CompletionOutcome> b = n.waitForCompletion(KEY, LONG);
      assertThat(scheduler.getQueue()).hasSize(2);

      assertThat(a.cancel(false)).isTrue();
      assertThat(n.pendingWaiters()).isEqualTo(1);
      b.complete(CompletionOutcome.succeeded("by-hand"));

      assertThat(n.pendingWaiters()).isZero();
      assertThat(n.waitingKeys()).isZero();
      assertThat(scheduler.getQueue()).as("timeout tasks removed").isEmpty();
      assertThat(n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).isZero();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void batchKeepsTheResultsItGotAndTimesOutTheRest() {
    ContentKey a = ContentKey.soundEffect(1);
    ContentKey b = ContentKey.soundEffect(2);
    ContentKey c = ContentKey.backgroundMusic(3);
    notifier.notifyCompletion(a, CompletionOutcome.succeeded("pa"));

    CompletableFuture<Map<ContentKey, CompletionOutcome>> all = notifier.waitForAll(List.of(c, a, b, a), Duration.ofMillis(300));
    notifier.notifyCompletion(b, CompletionOutcome.failed("pb", "nsfw"));

    Map<ContentKey, CompletionOutcome> result = all.orTimeout(10, TimeUnit.SECONDS).join();
    assertThat(result.keySet()).containsExactly(c, a, b);
    assertThat(result.get(a)).isEqualTo(CompletionOutcome.succeeded("pa"));
    assertThat(result.get(b)).isEqualTo(CompletionOutcome.failed("pb", "nsfw"));
    assertThat(result.get(c).status()).isEqualTo(CompletionStatus.TIMED_OUT);
    assertThat(result.get(c).error()).isEqualTo("no completion within 0.3 s");
    assertThat(notifier.pendingWaiters()).isZero();
  }

  @Test
  void batchCompletesAsSoonAsAllHaveCompleted() {
    CompletableFuture<Map<ContentKey, CompletionOutcome>> all =
        notifier.waitForAll(List.of(ContentKey.soundEffect(1), ContentKey.soundEffect(2)), LONG);
    notifier.notifyCompletion(ContentKey.soundEffect(1), CompletionOutcome.succeeded("p1"));
    assertThat(all).isNotDone();
    notifier.notifyCompletion(ContentKey.soundEffect(2), CompletionOutcome.succeeded("p2"));
    assertThat(all).isDone();
    assertThat(all.join().values()).allMatch(CompletionOutcome::isSuccess);
  }

  @Test
  void cancellingABatchCancelsItsWaiters() {
    CompletableFuture<Map<ContentKey, CompletionOutcome>> all =
        notifier.waitForAll(List.of(ContentKey.soundEffect(1), ContentKey.soundEffect(2)), LONG);
    assertThat(notifier.pendingWaiters()).isEqualTo(2);

    all.cancel(false);

    assertThat(notifier.pendingWaiters()).isZero();
    assertThat(notifier.waitingKeys()).isZero();
  }

  @Test
  void thousandsOfWaitersAddNoThreads() {
    int before = Thread.activeCount();
    List<CompletableFuture<CompletionOutcome>> futures = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      futures.add(notifier.waitForCompletion(ContentKey.soundEffect(i), LONG));
    }
    int during = Thread.activeCount();
    for (int i = 0; i < 10_000; i++) {
      notifier.notifyCompletion(ContentKey.soundEffect(i), CompletionOutcome.succeeded("p" + i));
    }
    assertThat(during - before).as("threads added by 10,000 waiters").isLessThanOrEqualTo(1);
    assertThat(futures).allMatch(CompletableFuture::isDone);
  }

  @Test
  void internalMapsAreEmptyAfterAMillionWaitNotifyCycles() {
    MutableClock clock = MutableClock.startingNow();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().clock(clock)
        .recentOutcomeTtl(Duration.ofMinutes(1)).build();
    CompletionOutcome ok = CompletionOutcome.succeeded("p");
    for (int i = 0; i < 1_000_000; i++) {
      ContentKey key = ContentKey.soundEffect(i % 5_000);
      CompletableFuture<CompletionOutcome> f = (i % 3 == 0)
          ? n.waitForCompletion(key, "p", LONG) : n.waitForCompletion(key, LONG);
      if (i % 7 == 0) {
        f.cancel(false);
      } else {
        n.notifyCompletion(key, ok);
      }
      n.forget(key);
    }
    assertThat(n.pendingWaiters()).isZero();
    assertThat(n.waitingKeys()).isZero();
    clock.advance(Duration.ofMinutes(2));
    assertThat(n.rememberedOutcomes()).isZero();
  }

  @Test
  void rememberedOutcomesAreBoundedByCountAndByAge() {
    MutableClock clock = MutableClock.startingNow();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().clock(clock)
        .maxRecentOutcomes(3).recentOutcomeTtl(Duration.ofSeconds(60)).build();
    for (int i = 1; i <= 5; i++) {
      n.notifyCompletion(ContentKey.soundEffect(i), CompletionOutcome.succeeded("p" + i));
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(n.rememberedOutcomes()).isEqualTo(3);
    assertThat(n.waitForCompletion(ContentKey.soundEffect(1), LONG)).as("evicted by count").isNotDone();
    assertThat(n.waitForCompletion(ContentKey.soundEffect(5), LONG)).isCompletedWithValue(CompletionOutcome.succeeded("p5"));

    clock.advance(Duration.ofSeconds(35)); // p3 is now 65 s old, p4 55 s, p5 45 s
    assertThat(n.rememberedOutcomes()).isEqualTo(2);
    assertThat(n.waitForCompletion(ContentKey.soundEffect(3), LONG)).as("evicted by age").isNotDone();
    clock.advance(Duration.ofSeconds(60));
    assertThat(n.rememberedOutcomes()).isZero();
    n.close();
  }

  @Test
  void zeroTtlRemembersNothing() {
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().recentOutcomeTtl(Duration.ZERO).build();
    n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));
    assertThat(n.waitForCompletion(KEY, LONG)).isNotDone();
    n.close();
  }

  @Test
  void listenerExceptionsDoNotBreakNotification() {
    AtomicInteger calls = new AtomicInteger();
    RecordingCompletionListener recorder = new RecordingCompletionListener();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder()
        .listener(new CompletionListener() {
          @Override
          public void onCompletion(CompletionEvent event) {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug (expected in this test)");
          }
        })
        .listener(recorder)
        .build();
    CompletableFuture<CompletionOutcome> f = n.waitForCompletion(KEY, LONG);

    assertThat(n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).isEqualTo(1);

    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(calls).hasValue(1);
    assertThat(recorder.events()).containsExactly(
        new CompletionEvent(KEY, CompletionOutcome.succeeded("p1"), CompletionEvent.Origin.LOCAL, 1));
  }

  @Test
  void remoteCompletionsWakeWaitersAndAreMarkedRemote() throws Exception {
    RecordingCompletionListener recorder = new RecordingCompletionListener();
    AutoCloseable registration = notifier.addListener(recorder);
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, LONG);

    notifier.notifyRemoteCompletion(KEY, CompletionOutcome.succeeded("p1"));

    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(recorder.events()).singleElement()
        .satisfies(e -> assertThat(e.origin()).isEqualTo(CompletionEvent.Origin.REMOTE));
    registration.close();
    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p2"));
    assertThat(recorder.events()).hasSize(1);
  }

  @Test
  void pendingIsNotACompletion() {
    assertThatThrownBy(() -> notifier.notifyCompletion(KEY, CompletionOutcome.pending("p1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("PENDING is not a completion");
  }

  @Test
  void badTimeoutsAreRefused() {
    assertThatThrownBy(() -> notifier.waitForCompletion(KEY, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> notifier.waitForCompletion(KEY, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class);
    assertThat(notifier.waitForCompletion(KEY, Duration.ofSeconds(Long.MAX_VALUE))).isNotDone();
  }

  @Test
  void closeCancelsPendingWaitersAndRefusesNewOnes() {
    WebhookCompletionNotifier n = WebhookNotifierFactory.createNotifier();
    CompletableFuture<CompletionOutcome> f = n.waitForCompletion(KEY, LONG);
    CompletableFuture<CompletionOutcome> g = n.waitForCompletion(KEY, LONG);

    n.close();
    n.close();

    assertThat(f).isCancelled();
    assertThat(g).isCancelled();
    assertThatThrownBy(f::join).isInstanceOf(CancellationException.class);
    assertThat(n.pendingWaiters()).isZero();
    assertThatThrownBy(() -> n.waitForCompletion(KEY, LONG)).isInstanceOf(IllegalStateException.class)
        .hasMessage("notifier is closed");
  }

  @Test
  void globalNotifierIsOneInstanceAndCreatedOnesAreIsolated() throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<CompletableFuture<WebhookCompletionNotifier>> got = new ArrayList<>();
      for (int i = 0; i < 32; i++) {
        got.add(CompletableFuture.supplyAsync(WebhookNotifierFactory::globalNotifier, pool));
      }
      WebhookCompletionNotifier global = WebhookNotifierFactory.globalNotifier();
      assertThat(got).allSatisfy(f -> assertThat(f.get()).isSameAs(global));
    } finally {
      pool.shutdownNow();
    }
    WebhookCompletionNotifier a = WebhookNotifierFactory.createNotifier();
    WebhookCompletionNotifier b = WebhookNotifierFactory.createNotifier();
    assertThat(a).isNotSameAs(b).isNotSameAs(WebhookNotifierFactory.globalNotifier());
    ContentKey isolated = ContentKey.of("isolation_test", 1);
    CompletableFuture<CompletionOutcome> onB = b.waitForCompletion(isolated, LONG);
    a.notifyCompletion(isolated, CompletionOutcome.succeeded("p1"));
    assertThat(onB).isNotDone();
    assertThat(b.waitForCompletion(isolated, LONG)).isNotDone();
    b.close();
  }

  @Test
  void everyWaiterIsAnsweredExactlyOnceUnderConcurrentWaitsAndNotifications() throws Exception {
    int keys = 200;
    int waitersPerKey = 50;
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<CompletableFuture<CompletionOutcome>>> waits = new ArrayList<>();
      List<CompletableFuture<Integer>> notifies = new ArrayList<>();
      for (int k = 0; k < keys; k++) {
        ContentKey key = ContentKey.soundEffect(k);
        for (int w = 0; w < waitersPerKey; w++) {
          waits.add(CompletableFuture.supplyAsync(() -> {
            await(start);
            return notifier.waitForCompletion(key, "p" + key.contentId(), LONG);
          }, pool));
        }
        notifies.add(CompletableFuture.supplyAsync(() -> {
          await(start);
          return notifier.notifyCompletion(key, CompletionOutcome.succeeded("p" + key.contentId()));
        }, pool));
      }
      start.countDown();
      int woken = 0;
      for (CompletableFuture<Integer> n : notifies) {
        woken += n.get(30, TimeUnit.SECONDS);
      }
      int answered = 0;
      for (CompletableFuture<CompletableFuture<CompletionOutcome>> w : waits) {
        CompletionOutcome o = w.get(30, TimeUnit.SECONDS).get(30, TimeUnit.SECONDS);
        assertThat(o.isSuccess()).isTrue();
        answered++;
      }
      assertThat(answered).isEqualTo(keys * waitersPerKey);
      assertThat(woken).as("woken by notifications; the rest took the remembered outcome").isBetween(0, keys * waitersPerKey);
      assertThat(notifier.pendingWaiters()).isZero();
      assertThat(notifier.waitingKeys()).isZero();
    } finally {
      pool.shutdownNow();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      throw new IllegalStateException(e);
    }
  }
}
