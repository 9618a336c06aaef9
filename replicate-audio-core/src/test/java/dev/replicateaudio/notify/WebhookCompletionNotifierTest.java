package dev.replicateaudio.notify;

import static dev.replicateaudio.notify.Eventually.eventually;
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
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class WebhookCompletionNotifierTest {
  private static final Duration LONG = Duration.ofMinutes(5);
  private static final Duration WITHIN = Duration.ofSeconds(10);
  private static final ContentKey KEY = ContentKey.soundEffect(1);

  /** A scheduler the test can look into: its queue shows every timeout task still scheduled. */
  private final ScheduledThreadPoolExecutor scheduler = newScheduler();
  private final RecordingCompletionListener recorder = new RecordingCompletionListener();
  private final WebhookCompletionNotifier notifier =
      WebhookCompletionNotifier.builder().scheduler(scheduler).listener(recorder).build();

  static ScheduledThreadPoolExecutor newScheduler() {
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1);
    s.setRemoveOnCancelPolicy(true);
    return s;
  }

  @AfterEach
  void shutDown() {
    notifier.close();
    scheduler.shutdownNow();
  }

  private void assertNothingLeftBehind() {
    assertThat(notifier.pendingWaiters()).as("pending waiters").isZero();
    assertThat(notifier.waitingKeys()).as("keys in the waiter map").isZero();
    assertThat(scheduler.getQueue()).as("timeout tasks still scheduled").isEmpty();
  }

  @Test
  void listenersHearOfACompletionBeforeItsWaitersResume() {
    List<ContentKey> heard = new java.util.concurrent.CopyOnWriteArrayList<>();
    notifier.addListener(new CompletionListener() {
      @Override
      public void onCompletion(CompletionEvent event) {
        heard.add(event.key());
      }
    });
    CompletableFuture<Boolean> listenerHadHeard = notifier.waitForCompletion(KEY, LONG)
        .thenApply(outcome -> heard.contains(KEY));

    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));

    assertThat(listenerHadHeard).isCompletedWithValue(true);
  }

  @Test
  void waiterIsWokenByTheNotification() {
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, LONG);
    assertThat(f).isNotDone();
    assertThat(scheduler.getQueue()).hasSize(1);

    int woken = notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));

    assertThat(woken).isEqualTo(1);
    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertNothingLeftBehind();
    assertThat(recorder.waitsCompleted()).containsExactly(Map.entry(KEY, CompletionOutcome.succeeded("p1")));
  }

  @Test
  void notificationBeforeTheWaitStillResolvesIt() {
    notifier.notifyCompletion(KEY, CompletionOutcome.failed("p1", "boom"));

    CompletableFuture<CompletionOutcome> late = notifier.waitForCompletion(KEY, LONG);
    CompletableFuture<CompletionOutcome> lateForThePrediction = notifier.waitForCompletion(KEY, "p1", LONG);

    assertThat(late).isCompletedWithValue(CompletionOutcome.failed("p1", "boom"));
    assertThat(lateForThePrediction).isCompletedWithValue(CompletionOutcome.failed("p1", "boom"));
    assertNothingLeftBehind();
    assertThat(recorder.waitsCompleted()).hasSize(2);
  }

  /** Runs an action right after the first lookup that finds nothing: a notification racing a new wait. */
  private static final class RacingRecentOutcomes extends RecentOutcomes {
    volatile Runnable afterFirstMiss;

    RacingRecentOutcomes() {
      super(Duration.ofMinutes(10).toMillis(), 100);
    }

    @Override
    CompletionOutcome find(ContentKey key, String predictionId, long nowMillis) {
      CompletionOutcome found = super.find(key, predictionId, nowMillis);
      Runnable action = afterFirstMiss;
      if (found == null && action != null) {
        afterFirstMiss = null;
        action.run();
      }
      return found;
    }
  }

  @Test
  void notificationBetweenTheLookupAndTheRegistrationStillResolvesTheWait() {
    RacingRecentOutcomes racing = new RacingRecentOutcomes();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).recentOutcomes(racing)
        .listener(recorder).build();
    racing.afterFirstMiss = () -> assertThat(n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1")))
        .as("no waiter registered yet").isZero();

    CompletableFuture<CompletionOutcome> f = n.waitForCompletion(KEY, "p1", LONG);

    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(n.pendingWaiters()).isZero();
    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(recorder.waitsCompleted()).containsExactly(Map.entry(KEY, CompletionOutcome.succeeded("p1")));
  }

  @Test
  void notificationBetweenTheLookupAndTheRegistrationStillResolvesTheBatch() {
    RacingRecentOutcomes racing = new RacingRecentOutcomes();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).recentOutcomes(racing).build();
    ContentKey other = ContentKey.speech(2);
    n.notifyCompletion(other, CompletionOutcome.succeeded("p2"));
    racing.afterFirstMiss = () -> n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));

    CompletableFuture<Map<ContentKey, CompletionOutcome>> all = n.waitForAll(List.of(KEY, other), LONG);

    assertThat(all).isCompletedWithValue(Map.of(KEY, CompletionOutcome.succeeded("p1"), other,
        CompletionOutcome.succeeded("p2")));
    assertThat(n.pendingWaiters()).isZero();
    assertThat(scheduler.getQueue()).isEmpty();
  }

  @Test
  void predictionSpecificWaitIgnoresOtherPredictionsOfTheKey() {
    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("old"));

    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, "new", LONG);
    assertThat(f).as("the remembered outcome is another prediction's").isNotDone();
    CompletableFuture<CompletionOutcome> any = notifier.waitForCompletion(KEY, LONG);
    assertThat(any).as("a wait on the key alone takes the remembered outcome")
        .isCompletedWithValue(CompletionOutcome.succeeded("old"));

    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("other"))).isZero();
    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.failed(null, "submission failed"))).isZero();
    assertThat(f).isNotDone();
    assertThat(notifier.pendingWaiters()).isEqualTo(1);

    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.failed("new", "nsfw"))).isEqualTo(1);
    assertThat(f).isCompletedWithValue(CompletionOutcome.failed("new", "nsfw"));
    assertNothingLeftBehind();
  }

  @Test
  void oneNotificationWakesOnlyTheWaitersThatAcceptIt() {
    CompletableFuture<CompletionOutcome> anyOutcome = notifier.waitForCompletion(KEY, LONG);
    CompletableFuture<CompletionOutcome> forP1 = notifier.waitForCompletion(KEY, "p1", LONG);
    CompletableFuture<CompletionOutcome> forP2 = notifier.waitForCompletion(KEY, "p2", LONG);

    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).isEqualTo(2);

    assertThat(anyOutcome).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(forP1).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(forP2).isNotDone();
    assertThat(notifier.pendingWaiters()).isEqualTo(1);
    assertThat(scheduler.getQueue()).hasSize(1);
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
    assertNothingLeftBehind();
    assertThat(recorder.events()).containsExactly(
        new CompletionEvent(KEY, CompletionOutcome.succeeded("p1"), CompletionEvent.Origin.LOCAL, 1000));
    assertThat(recorder.waitsCompleted()).hasSize(1000);
  }

  @Test
  void waitTimesOutWithTimeoutExceptionNamingKeyAndTimeoutAndLeavesNothingBehind() {
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, Duration.ofMillis(50));
    CompletableFuture<CompletionOutcome> g = notifier.waitForCompletion(KEY, "p7", Duration.ofMillis(50));

    assertThat(f).failsWithin(WITHIN)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class)
        .withMessageContaining("no completion of sound_effect:1 within 0.05 s");
    assertThat(g).failsWithin(WITHIN)
        .withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class)
        .withMessageContaining("no completion of sound_effect:1 (prediction p7) within 0.05 s");
    assertNothingLeftBehind();
    eventually(() -> assertThat(recorder.timeouts()).containsExactly(KEY, KEY));
    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p7"))).isZero();
  }

  @Test
  void waiterIsAlreadyOutOfTheMapWhenItsTimeoutCompletesIt() {
    AtomicInteger pendingSeenByCallback = new AtomicInteger(-1);
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, Duration.ofMillis(20));
    CompletableFuture<Void> seen = f.handle((o, e) -> {
      pendingSeenByCallback.set(notifier.pendingWaiters());
      return null;
    });

    assertThat(seen).succeedsWithin(WITHIN);
    assertThat(pendingSeenByCallback).hasValue(0);
  }

  @Test
  void cancelledWaiterLeavesNothingBehind() {
    CompletableFuture<CompletionOutcome> a = notifier.waitForCompletion(KEY, LONG);
    CompletableFuture<CompletionOutcome> b = notifier.waitForCompletion(KEY, "p1", LONG);
    CompletableFuture<CompletionOutcome> c = notifier.waitForCompletion(ContentKey.speech(2), LONG);
    CompletableFuture<CompletionOutcome> d = notifier.waitForCompletion(ContentKey.speech(3), LONG);
    assertThat(scheduler.getQueue()).hasSize(4);

    assertThat(a.cancel(false)).isTrue();
    assertThat(notifier.pendingWaiters()).isEqualTo(3);
    b.complete(CompletionOutcome.succeeded("completed by its holder"));
    c.completeExceptionally(new IllegalStateException("given up by its holder"));
    d.orTimeout(1, TimeUnit.MILLISECONDS);

    assertThat(d).failsWithin(WITHIN).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class);
    assertNothingLeftBehind();
    assertThat(notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).isZero();
    assertThat(recorder.timeouts()).as("ended by the holder, not by the notifier's timeout").isEmpty();
  }

  @Test
  void batchKeepsTheResultsItGotAndTimesOutTheRestInTheCallersOrder() {
    ContentKey a = ContentKey.soundEffect(1);
    ContentKey b = ContentKey.soundEffect(2);
    ContentKey c = ContentKey.backgroundMusic(3);
    notifier.notifyCompletion(a, CompletionOutcome.succeeded("pa"));

    CompletableFuture<Map<ContentKey, CompletionOutcome>> all =
        notifier.waitForAll(List.of(c, a, b, a), Duration.ofMillis(300));
    assertThat(scheduler.getQueue()).as("one timeout task for the whole batch").hasSize(1);
    notifier.notifyCompletion(b, CompletionOutcome.failed("pb", "nsfw"));

    assertThat(all).succeedsWithin(WITHIN).satisfies(result -> {
      assertThat(result.keySet()).containsExactly(c, a, b);
      assertThat(result.get(a)).isEqualTo(CompletionOutcome.succeeded("pa"));
      assertThat(result.get(b)).isEqualTo(CompletionOutcome.failed("pb", "nsfw"));
      assertThat(result.get(c)).isEqualTo(
          CompletionOutcome.timedOut(null, "no completion of background_music:3 within 0.3 s"));
      assertThatThrownBy(() -> result.put(c, CompletionOutcome.succeeded("x")))
          .isInstanceOf(UnsupportedOperationException.class);
    });
    assertNothingLeftBehind();
    eventually(() -> assertThat(recorder.timeouts()).containsExactly(c));
    assertThat(recorder.waitsCompleted()).extracting(Map.Entry::getKey).containsExactlyInAnyOrder(a, b);
  }

  @Test
  void batchCompletesAsSoonAsAllHaveCompleted() {
    CompletableFuture<Map<ContentKey, CompletionOutcome>> all =
        notifier.waitForAll(List.of(ContentKey.soundEffect(1), ContentKey.soundEffect(2)), LONG);
    notifier.notifyCompletion(ContentKey.soundEffect(1), CompletionOutcome.succeeded("p1"));
    assertThat(all).isNotDone();
    assertThat(notifier.pendingWaiters()).isEqualTo(1);

    notifier.notifyCompletion(ContentKey.soundEffect(2), CompletionOutcome.succeeded("p2"));

    assertThat(all).isDone();
    assertThat(all.join().values()).allMatch(CompletionOutcome::isSuccess);
    assertNothingLeftBehind();
  }

  @Test
  void batchOfRememberedOutcomesCompletesAtOnceWithoutScheduling() {
    notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p1"));
    notifier.notifyCompletion(ContentKey.speech(2), CompletionOutcome.canceled("p2", "canceled by user"));

    CompletableFuture<Map<ContentKey, CompletionOutcome>> all =
        notifier.waitForAll(List.of(ContentKey.speech(2), ContentKey.speech(1)), LONG);

    assertThat(all).isCompletedWithValue(Map.of(ContentKey.speech(1), CompletionOutcome.succeeded("p1"),
        ContentKey.speech(2), CompletionOutcome.canceled("p2", "canceled by user")));
    assertThat(all.join().keySet()).containsExactly(ContentKey.speech(2), ContentKey.speech(1));
    assertNothingLeftBehind();
    assertThat(notifier.waitForAll(List.of(), LONG)).isCompletedWithValue(Map.of());
  }

  @Test
  void cancellingOrCompletingABatchEndsTheWaitForEveryKey() {
    CompletableFuture<Map<ContentKey, CompletionOutcome>> first =
        notifier.waitForAll(List.of(ContentKey.soundEffect(1), ContentKey.soundEffect(2)), LONG);
    CompletableFuture<Map<ContentKey, CompletionOutcome>> second =
        notifier.waitForAll(List.of(ContentKey.soundEffect(1), ContentKey.soundEffect(3)), LONG);
    assertThat(notifier.pendingWaiters()).isEqualTo(4);

    assertThat(first.cancel(false)).isTrue();
    assertThat(notifier.pendingWaiters()).isEqualTo(2);
    second.complete(Map.of());

    assertNothingLeftBehind();
    assertThat(notifier.notifyCompletion(ContentKey.soundEffect(1), CompletionOutcome.succeeded("p1"))).isZero();
  }

  @Test
  void internalMapsAreEmptyAfterAMillionWaitNotifyCycles() {
    MutableClock clock = MutableClock.startingNow();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).clock(clock)
        .recentOutcomeTtl(Duration.ofMinutes(1)).maxRecentOutcomes(1_000).build();
    int answered = 0;
    int cancelled = 0;
    for (int i = 0; i < 1_000_000; i++) {
      ContentKey key = ContentKey.soundEffect(i % 5_000);
      String id = "p" + i;
      CompletableFuture<CompletionOutcome> f;
      if (i % 5 == 0) {
        n.notifyCompletion(key, CompletionOutcome.succeeded(id)); // completion before the wait
        f = n.waitForCompletion(key, id, LONG);
      } else if (i % 7 == 0) {
        f = n.waitForCompletion(key, id, LONG);
        f.cancel(false);
      } else {
        f = (i % 3 == 0) ? n.waitForCompletion(key, LONG) : n.waitForCompletion(key, id, LONG);
        n.notifyCompletion(key, CompletionOutcome.succeeded(id));
      }
      if (f.isCancelled()) {
        cancelled++;
      } else if (f.getNow(null) != null) {
        answered++;
      }
    }
    assertThat(answered + cancelled).isEqualTo(1_000_000);
    assertThat(n.pendingWaiters()).isZero();
    assertThat(n.waitingKeys()).isZero();
    assertThat(scheduler.getQueue()).as("timeout tasks").isEmpty();
    assertThat(n.rememberedOutcomes()).as("bounded by count").isEqualTo(1_000);
    clock.advance(Duration.ofMinutes(2));
    assertThat(n.rememberedOutcomes()).as("expired by age").isZero();
  }

  @Test
  void rememberedOutcomesAreBoundedByCountAndByAge() {
    MutableClock clock = MutableClock.startingNow();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).clock(clock)
        .maxRecentOutcomes(3).recentOutcomeTtl(Duration.ofSeconds(60)).build();
    for (int i = 1; i <= 5; i++) {
      n.notifyCompletion(ContentKey.soundEffect(i), CompletionOutcome.succeeded("p" + i));
      clock.advance(Duration.ofSeconds(10));
    }
    assertThat(n.rememberedOutcomes()).isEqualTo(3);
    assertThat(n.waitForCompletion(ContentKey.soundEffect(2), LONG)).as("evicted by count").isNotDone();
    assertThat(n.waitForCompletion(ContentKey.soundEffect(3), LONG)).isCompletedWithValue(CompletionOutcome.succeeded("p3"));

    clock.advance(Duration.ofSeconds(35)); // p3 is now 65 s old, p4 55 s, p5 45 s
    assertThat(n.waitForCompletion(ContentKey.soundEffect(3), LONG)).as("evicted by age").isNotDone();
    assertThat(n.rememberedOutcomes()).isEqualTo(2);
    assertThat(n.waitForCompletion(ContentKey.soundEffect(4), LONG)).isCompletedWithValue(CompletionOutcome.succeeded("p4"));

    clock.advance(Duration.ofSeconds(60));
    assertThat(n.rememberedOutcomes()).isZero();
    assertThat(n.waitForCompletion(ContentKey.soundEffect(5), LONG)).isNotDone();
    n.close();
  }

  @Test
  void notifyingAKeyAgainReplacesAndRefreshesItsRememberedOutcome() {
    MutableClock clock = MutableClock.startingNow();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).clock(clock)
        .maxRecentOutcomes(2).recentOutcomeTtl(Duration.ofSeconds(60)).build();
    n.notifyCompletion(ContentKey.soundEffect(1), CompletionOutcome.succeeded("first"));
    n.notifyCompletion(ContentKey.soundEffect(2), CompletionOutcome.succeeded("p2"));
    clock.advance(Duration.ofSeconds(50));
    n.notifyCompletion(ContentKey.soundEffect(1), CompletionOutcome.succeeded("second"));
    n.notifyCompletion(ContentKey.soundEffect(3), CompletionOutcome.succeeded("p3")); // evicts key 2, the oldest
    clock.advance(Duration.ofSeconds(30));

    assertThat(n.rememberedOutcomes()).isEqualTo(2);
    assertThat(n.waitForCompletion(ContentKey.soundEffect(1), LONG)).isCompletedWithValue(CompletionOutcome.succeeded("second"));
    assertThat(n.waitForCompletion(ContentKey.soundEffect(2), LONG)).isNotDone();
    n.forget(ContentKey.soundEffect(1));
    assertThat(n.waitForCompletion(ContentKey.soundEffect(1), LONG)).isNotDone();
    n.close();
  }

  @Test
  void zeroTtlOrZeroCountRemembersNothing() {
    for (WebhookCompletionNotifier n : List.of(
        WebhookCompletionNotifier.builder().scheduler(scheduler).recentOutcomeTtl(Duration.ZERO).build(),
        WebhookCompletionNotifier.builder().scheduler(scheduler).maxRecentOutcomes(0).build())) {
      n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));
      assertThat(n.rememberedOutcomes()).isZero();
      assertThat(n.waitForCompletion(KEY, LONG)).isNotDone();
      n.close();
    }
  }

  @Test
  void listenerExceptionsDoNotBreakNotificationOrOtherListeners() {
    AtomicInteger calls = new AtomicInteger();
    CompletionListener broken = new CompletionListener() {
      @Override
      public void onCompletion(CompletionEvent event) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug (expected in this test)");
      }

      @Override
      public void onWaitCompleted(ContentKey key, String predictionId, CompletionOutcome outcome) {
        calls.incrementAndGet();
        throw new AssertionError("listener bug (expected in this test)");
      }

      @Override
      public void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
        calls.incrementAndGet();
        throw new IllegalStateException("listener bug (expected in this test)");
      }
    };
    RecordingCompletionListener after = new RecordingCompletionListener();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler)
        .listener(broken).listener(after).build();
    CompletableFuture<CompletionOutcome> f = n.waitForCompletion(KEY, LONG);
    CompletableFuture<CompletionOutcome> timesOut = n.waitForCompletion(ContentKey.speech(9), Duration.ofMillis(10));

    assertThat(n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).isEqualTo(1);
    assertThat(n.waitForCompletion(KEY, LONG)).isCompletedWithValue(CompletionOutcome.succeeded("p1"));

    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(timesOut).failsWithin(WITHIN);
    eventually(() -> assertThat(calls).hasValue(4));
    assertThat(after.events()).containsExactly(
        new CompletionEvent(KEY, CompletionOutcome.succeeded("p1"), CompletionEvent.Origin.LOCAL, 1));
    assertThat(after.waitsCompleted()).hasSize(2);
    eventually(() -> assertThat(after.timeouts()).containsExactly(ContentKey.speech(9)));
    n.close();
  }

  @Test
  void remoteCompletionsWakeWaitersAndAreMarkedRemote() {
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, LONG);

    notifier.notifyRemoteCompletion(KEY, CompletionOutcome.succeeded("p1"));
    notifier.notifyCompletion(ContentKey.speech(2), CompletionOutcome.succeeded("p2"));

    assertThat(f).isCompletedWithValue(CompletionOutcome.succeeded("p1"));
    assertThat(recorder.events()).extracting(CompletionEvent::origin)
        .containsExactly(CompletionEvent.Origin.REMOTE, CompletionEvent.Origin.LOCAL);
    assertThat(notifier.waitForCompletion(KEY, LONG)).as("remote outcomes are remembered too")
        .isCompletedWithValue(CompletionOutcome.succeeded("p1"));
  }

  @Test
  void removedListenerHearsNothingMore() {
    RecordingCompletionListener extra = new RecordingCompletionListener();
    notifier.addListener(extra);
    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"));

    assertThat(notifier.removeListener(extra)).isTrue();
    assertThat(notifier.removeListener(extra)).isFalse();
    notifier.notifyCompletion(KEY, CompletionOutcome.succeeded("p2"));

    assertThat(extra.events()).hasSize(1);
    assertThat(recorder.events()).hasSize(2);
  }

  @Test
  void pendingIsNotACompletion() {
    CompletableFuture<CompletionOutcome> f = notifier.waitForCompletion(KEY, LONG);

    assertThatThrownBy(() -> notifier.notifyCompletion(KEY, CompletionOutcome.pending("p1")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PENDING is not a completion: only final outcomes are notified (key sound_effect:1, prediction p1)");
    assertThat(f).isNotDone();
    assertThat(notifier.rememberedOutcomes()).isZero();
    assertThat(recorder.events()).isEmpty();
  }

  @Test
  void badArgumentsAreRefusedPreciselyAndLeaveNothingBehind() {
    assertThatThrownBy(() -> notifier.waitForCompletion(KEY, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> notifier.waitForCompletion(KEY, "p1", Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT-1S");
    assertThatThrownBy(() -> notifier.waitForCompletion(KEY, " ", LONG))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("predictionId is blank");
    assertThatThrownBy(() -> notifier.waitForCompletion(KEY, null, LONG))
        .isInstanceOf(NullPointerException.class).hasMessage("predictionId == null");
    assertThatThrownBy(() -> notifier.waitForCompletion(null, LONG))
        .isInstanceOf(NullPointerException.class).hasMessage("key == null");
    assertThatThrownBy(() -> notifier.waitForAll(java.util.Arrays.asList(KEY, null), LONG))
        .isInstanceOf(NullPointerException.class).hasMessage("keys contains null");
    assertThatThrownBy(() -> notifier.waitForAll(List.of(KEY), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("timeout must be positive, was PT0S");
    assertThatThrownBy(() -> notifier.notifyCompletion(KEY, null))
        .isInstanceOf(NullPointerException.class).hasMessage("outcome == null");
    assertNothingLeftBehind();
    assertThat(notifier.waitForCompletion(KEY, Duration.ofSeconds(Long.MAX_VALUE))).isNotDone();
  }

  @Test
  void builderRefusesOutOfRangeSettings() {
    assertThatThrownBy(() -> WebhookCompletionNotifier.builder().recentOutcomeTtl(Duration.ofHours(25)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("recentOutcomeTtl must be from 0 to 24 h, was PT25H");
    assertThatThrownBy(() -> WebhookCompletionNotifier.builder().recentOutcomeTtl(Duration.ofMillis(-1)))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("recentOutcomeTtl must be from 0 to 24 h, was -0.001 s");
    assertThatThrownBy(() -> WebhookCompletionNotifier.builder().maxRecentOutcomes(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxRecentOutcomes must be from 0 to 10000000, was -1");
    assertThatThrownBy(() -> WebhookCompletionNotifier.builder().maxRecentOutcomes(10_000_001))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxRecentOutcomes must be from 0 to 10000000, was 10000001");
  }

  @Test
  void aSchedulerThatRefusesTasksFailsTheWaitAndLeavesNothingBehind() {
    ScheduledThreadPoolExecutor dead = newScheduler();
    dead.shutdown();
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(dead).build();

    assertThatThrownBy(() -> n.waitForCompletion(KEY, LONG))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the timeout scheduler refused the wait for sound_effect:1 (is it shut down?)");
    assertThatThrownBy(() -> n.waitForAll(List.of(KEY, ContentKey.speech(2)), LONG))
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("the timeout scheduler refused the batch wait for 2 keys (is it shut down?)");
    assertThat(n.pendingWaiters()).isZero();
    assertThat(n.waitingKeys()).isZero();
  }

  @Test
  void closeEndsPendingWaitsWithAPreciseCancellationAndRefusesNewOnes() {
    WebhookCompletionNotifier n = WebhookCompletionNotifier.builder().scheduler(scheduler).build();
    CompletableFuture<CompletionOutcome> f = n.waitForCompletion(KEY, LONG);
    CompletableFuture<CompletionOutcome> g = n.waitForCompletion(KEY, "p1", LONG);
    CompletableFuture<Map<ContentKey, CompletionOutcome>> batch =
        n.waitForAll(List.of(ContentKey.speech(1), ContentKey.speech(2)), LONG);
    n.notifyCompletion(ContentKey.speech(3), CompletionOutcome.succeeded("p3"));
    assertThat(scheduler.getQueue()).hasSize(3);

    n.close();
    n.close();

    assertThat(f).isCancelled();
    assertThat(g).isCancelled();
    assertThat(batch).isCancelled();
    assertThatThrownBy(f::join).isInstanceOf(CancellationException.class)
        .hasMessage("notifier closed while waiting for sound_effect:1");
    assertThat(n.pendingWaiters()).isZero();
    assertThat(n.waitingKeys()).isZero();
    assertThat(scheduler.getQueue()).isEmpty();
    assertThat(n.rememberedOutcomes()).isZero();
    assertThatThrownBy(() -> n.waitForCompletion(KEY, LONG)).isInstanceOf(IllegalStateException.class)
        .hasMessage("notifier is closed");
    assertThatThrownBy(() -> n.waitForAll(List.of(KEY), LONG)).isInstanceOf(IllegalStateException.class)
        .hasMessage("notifier is closed");
    assertThat(n.notifyCompletion(KEY, CompletionOutcome.succeeded("p1"))).as("still accepted, wakes nobody").isZero();
    assertThat(n.rememberedOutcomes()).isZero();
  }

  @Test
  void timeoutsRunOnTheDefaultSharedSchedulerWhenNoneIsGiven() {
    WebhookCompletionNotifier n = WebhookNotifierFactory.createNotifier();
    List<Thread> timeoutThreads = new java.util.concurrent.CopyOnWriteArrayList<>();
    n.addListener(new CompletionListener() {
      @Override
      public void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
        timeoutThreads.add(Thread.currentThread());
      }
    });

    CompletableFuture<CompletionOutcome> f = n.waitForCompletion(KEY, Duration.ofMillis(10));

    assertThat(f).failsWithin(WITHIN).withThrowableOfType(ExecutionException.class)
        .withCauseInstanceOf(TimeoutException.class);
    eventually(() -> assertThat(timeoutThreads).singleElement().satisfies(t -> {
      assertThat(t.getName()).isEqualTo("replicate-audio-notifier-timeouts");
      assertThat(t.isDaemon()).isTrue();
    }));
    assertThat(n.pendingWaiters()).isZero();
    n.close();
  }

  @Test
  void resultIsNeverPending() {
    notifier.notifyCompletion(KEY, CompletionOutcome.timedOut("p1", "gave up upstream"));
    assertThat(notifier.waitForCompletion(KEY, LONG).join().status()).isEqualTo(CompletionStatus.TIMED_OUT);
  }
}
