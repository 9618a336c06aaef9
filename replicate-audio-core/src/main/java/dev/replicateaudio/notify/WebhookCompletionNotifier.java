package dev.replicateaudio.notify;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wakes the code waiting for a content item's audio the moment its webhook has been processed: no
 * polling (the seed's {@code WebhookCompletionNotifier}, {@code wait_for_webhook_completion_event}
 * and {@code wait_for_sound_effects_completion_event}).
 *
 * <pre>{@code
 * WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();
 * notifier.waitForCompletion(ContentKey.soundEffect(42), Duration.ofMinutes(5))
 *     .thenAccept(outcome -> log.info("sound effect 42: {}", outcome.status()));
 * // ... the webhook pipeline, later:
 * notifier.notifyCompletion(ContentKey.soundEffect(42), CompletionOutcome.succeeded("p-123"));
 * }</pre>
 *
 * <ul>
 *   <li>Any number of waiters per key; one notification completes all of them.
 *   <li>A notification that arrives before the wait starts still resolves the waiter: recent
 *       outcomes are remembered for {@link Builder#recentOutcomeTtl} (default 10 minutes), at most
 *       {@link Builder#maxRecentOutcomes} of them (default 10,000), evicted oldest first.
 *   <li>{@link #waitForCompletion(ContentKey, String, Duration)} accepts only an outcome of the given
 *       prediction: a content item generated again is not resolved by its previous outcome.
 *   <li>A waiter that times out, is cancelled ({@code future.cancel}) or completed by its holder
 *       leaves nothing behind. Timeouts run on one shared scheduler thread (or the host's
 *       {@link Builder#scheduler}), never a thread per waiter.
 *   <li>Futures are completed outside any lock, on the notifying thread (or the timeout thread):
 *       keep dependent actions short, or continue them with {@code ...Async(executor)}.
 * </ul>
 *
 * <p>This class is thread-safe. It owns no threads; {@link #close()} cancels the waiters still
 * pending.
 */
public final class WebhookCompletionNotifier implements AutoCloseable {
  /** Default for {@link Builder#recentOutcomeTtl}. */
  public static final Duration DEFAULT_RECENT_OUTCOME_TTL = Duration.ofMinutes(10);
  /** Default for {@link Builder#maxRecentOutcomes}. */
  public static final int DEFAULT_MAX_RECENT_OUTCOMES = 10_000;

  private static final Logger LOG = System.getLogger(WebhookCompletionNotifier.class.getName());

  /** Values are a {@link Waiter} or, for two and more, a {@code HashSet<Waiter>}; only touched inside compute. */
  private final ConcurrentHashMap<ContentKey, Object> waiters = new ConcurrentHashMap<>();
  private final LinkedHashMap<ContentKey, Recent> recent = new LinkedHashMap<>();
  private final CopyOnWriteArrayList<CompletionListener> listeners = new CopyOnWriteArrayList<>();
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final long recentTtlMillis;
  private final int maxRecent;
  private volatile boolean closed;

  private WebhookCompletionNotifier(Builder b) {
    this.scheduler = b.scheduler != null ? b.scheduler : SharedTimer.INSTANCE;
    this.clock = b.clock;
    this.recentTtlMillis = b.recentOutcomeTtl.toMillis();
    this.maxRecent = b.maxRecentOutcomes;
    this.listeners.addAll(b.listeners);
  }

  /** A notifier with the defaults; same as {@code builder().build()}. */
  public WebhookCompletionNotifier() {
    this(new Builder());
  }

  public static Builder builder() {
    return new Builder();
  }

  /**
   * Completes every waiter of {@code key} that accepts {@code outcome}, and remembers the outcome
   * for waiters that start later.
   *
   * @return how many waiters were woken
   * @throws IllegalArgumentException for a {@link CompletionStatus#PENDING} outcome, which is not a completion
   */
  public int notifyCompletion(ContentKey key, CompletionOutcome outcome) {
    return deliver(key, outcome, CompletionEvent.Origin.LOCAL);
  }

  /**
   * Like {@link #notifyCompletion}, for a completion that another instance processed and a bridge
   * relayed here; listeners see it with origin {@link CompletionEvent.Origin#REMOTE}.
   */
  public int notifyRemoteCompletion(ContentKey key, CompletionOutcome outcome) {
    return deliver(key, outcome, CompletionEvent.Origin.REMOTE);
  }

  private int deliver(ContentKey key, CompletionOutcome outcome, CompletionEvent.Origin origin) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(outcome, "outcome == null");
    if (!outcome.status().isFinal()) {
      throw new IllegalArgumentException("PENDING is not a completion; only final outcomes are notified (key " + key + ")");
    }
    long now = clock.millis();
    synchronized (recent) {
      recent.remove(key);
      recent.put(key, new Recent(outcome, now + recentTtlMillis));
      evict(now);
    }
    List<Waiter> woken = new ArrayList<>(2);
    waiters.computeIfPresent(key, (k, value) -> take(value, outcome, woken));
    for (Waiter w : woken) {
      w.resolve(outcome);
    }
    if (!listeners.isEmpty()) {
      CompletionEvent event = new CompletionEvent(key, outcome, origin, woken.size());
      for (CompletionListener l : listeners) {
        try {
          l.onCompletion(event);
        } catch (RuntimeException e) {
          LOG.log(Level.WARNING, "completion listener " + l + " threw for " + key, e);
        }
      }
    }
    return woken.size();
  }

  /** Moves the waiters in {@code value} that accept {@code outcome} to {@code into}; returns what stays. */
  @SuppressWarnings("unchecked")
  private static Object take(Object value, CompletionOutcome outcome, List<Waiter> into) {
    if (value instanceof Waiter) {
      Waiter w = (Waiter) value;
      if (w.accepts(outcome)) {
        into.add(w);
        return null;
      }
      return w;
    }
    Set<Waiter> set = (Set<Waiter>) value;
    for (Iterator<Waiter> it = set.iterator(); it.hasNext(); ) {
      Waiter w = it.next();
      if (w.accepts(outcome)) {
        into.add(w);
        it.remove();
      }
    }
    return compact(set);
  }

  private static Object compact(Set<Waiter> set) {
    if (set.isEmpty()) {
      return null;
    }
    if (set.size() == 1) {
      return set.iterator().next();
    }
    return set;
  }

  /**
   * Waits for the next completion of {@code key}, or takes the remembered one if it completed
   * within the recent-outcome window.
   *
   * @return a future completed with the outcome, or exceptionally with {@link TimeoutException}
   *     after {@code timeout}; cancelling it stops waiting
   */
  public CompletableFuture<CompletionOutcome> waitForCompletion(ContentKey key, Duration timeout) {
    return register(key, null, timeout);
  }

  /**
   * Waits for the completion of prediction {@code predictionId} of {@code key}; outcomes of other
   * predictions of the same key (an earlier generation, say) are ignored.
   */
  public CompletableFuture<CompletionOutcome> waitForCompletion(ContentKey key, String predictionId, Duration timeout) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    return register(key, predictionId, timeout);
  }

  private Waiter register(ContentKey key, String predictionId, Duration timeout) {
    Objects.requireNonNull(key, "key == null");
    long timeoutNanos = checkTimeout(timeout);
    if (closed) {
      throw new IllegalStateException("notifier is closed");
    }
    Waiter w = new Waiter(key, predictionId, timeout);
    waiters.compute(key, (k, value) -> add(value, w));
    CompletionOutcome known = remembered(key, w);
    if (known != null) {
      w.complete(known);
      return w;
    }
    try {
      ScheduledFuture<?> task = scheduler.schedule(w::timeOut, timeoutNanos, TimeUnit.NANOSECONDS);
      w.timeoutTask = task;
      if (w.isDone()) {
        task.cancel(false);
      }
    } catch (RejectedExecutionException e) {
      w.completeExceptionally(new IllegalStateException("the timeout scheduler refused the waiter for " + key, e));
    }
    if (closed) {
      w.cancel(false);
    }
    return w;
  }

  @SuppressWarnings("unchecked")
  private static Object add(Object value, Waiter w) {
    if (value == null) {
      return w;
    }
    if (value instanceof Waiter) {
      Set<Waiter> set = new HashSet<>(4);
      set.add((Waiter) value);
      set.add(w);
      return set;
    }
    ((Set<Waiter>) value).add(w);
    return value;
  }

  private CompletionOutcome remembered(ContentKey key, Waiter w) {
    synchronized (recent) {
      if (recent.isEmpty()) {
        return null;
      }
      long now = clock.millis();
      evict(now);
      Recent r = recent.get(key);
      return r != null && w.accepts(r.outcome) ? r.outcome : null;
    }
  }

  /** Drops outcomes past their time and the oldest beyond the count limit. Call holding the lock. */
  private void evict(long now) {
    Iterator<Recent> it = recent.values().iterator();
    int excess = recent.size() - maxRecent;
    while (it.hasNext()) {
      Recent r = it.next();
      if (excess > 0 || r.expiresAtMillis <= now) {
        it.remove();
        excess--;
      } else {
        break;
      }
    }
  }

  /**
   * Waits for all of {@code keys} (the seed's sound-effects batch wait). The future completes
   * normally when every key has completed or {@code timeout} has passed, whichever comes first;
   * keys still missing then get a {@link CompletionStatus#TIMED_OUT} outcome, so a batch never loses
   * the results it did get. The map follows the order of {@code keys} (duplicates once).
   * Cancelling it cancels the waiters.
   */
  public CompletableFuture<Map<ContentKey, CompletionOutcome>> waitForAll(Collection<ContentKey> keys, Duration timeout) {
    Objects.requireNonNull(keys, "keys == null");
    checkTimeout(timeout);
    if (closed) {
      throw new IllegalStateException("notifier is closed");
    }
    List<ContentKey> distinct = List.copyOf(new LinkedHashSet<>(keys));
    if (distinct.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    String timedOut = "no completion within " + SettingParsers.describe(timeout);
    List<Waiter> parts = new ArrayList<>(distinct.size());
    List<CompletableFuture<CompletionOutcome>> outcomes = new ArrayList<>(distinct.size());
    for (ContentKey key : distinct) {
      Waiter w = register(key, null, timeout);
      parts.add(w);
      outcomes.add(w.handle((outcome, failure) -> outcome != null ? outcome
          : failure instanceof TimeoutException ? CompletionOutcome.timedOut(null, timedOut)
          : CompletionOutcome.timedOut(null, "wait ended: " + failure)));
    }
    CompletableFuture<Map<ContentKey, CompletionOutcome>> all = new CompletableFuture<>() {
      @Override
      public boolean cancel(boolean mayInterruptIfRunning) {
        boolean cancelled = super.cancel(mayInterruptIfRunning);
        if (cancelled) {
          parts.forEach(p -> p.cancel(false));
        }
        return cancelled;
      }
    };
    CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).whenComplete((ignored, failure) -> {
      Map<ContentKey, CompletionOutcome> result = new LinkedHashMap<>();
      for (int i = 0; i < distinct.size(); i++) {
        result.put(distinct.get(i), outcomes.get(i).join());
      }
      all.complete(java.util.Collections.unmodifiableMap(result));
    });
    return all;
  }

  /** Adds a listener; returns a handle that removes it. */
  public AutoCloseable addListener(CompletionListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Waiters still pending, over all keys. */
  public int pendingWaiters() {
    int n = 0;
    for (Object v : waiters.values()) {
      n += v instanceof Waiter ? 1 : ((Set<?>) v).size();
    }
    return n;
  }

  /** Keys with at least one pending waiter. */
  int waitingKeys() {
    return waiters.size();
  }

  /** Outcomes remembered now (after dropping expired ones). */
  public int rememberedOutcomes() {
    synchronized (recent) {
      evict(clock.millis());
      return recent.size();
    }
  }

  /** Forgets the remembered outcome of {@code key}, so later waits block until the next completion. */
  public void forget(ContentKey key) {
    Objects.requireNonNull(key, "key == null");
    synchronized (recent) {
      recent.remove(key);
    }
  }

  /**
   * Cancels every pending waiter (their futures complete with {@link CancellationException}) and
   * refuses new waits. Notifications are still accepted and remembered. Idempotent.
   */
  @Override
  public void close() {
    closed = true;
    for (ContentKey key : List.copyOf(waiters.keySet())) {
      Object value = waiters.remove(key);
      if (value instanceof Waiter) {
        ((Waiter) value).cancel(false);
      } else if (value != null) {
        @SuppressWarnings("unchecked")
        Set<Waiter> set = (Set<Waiter>) value;
        List.copyOf(set).forEach(w -> w.cancel(false));
      }
    }
  }

  private static long checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
    try {
      return timeout.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE;
    }
  }

  private void remove(Waiter w) {
    waiters.computeIfPresent(w.key, (k, value) -> {
      if (value == w) {
        return null;
      }
      if (value instanceof Set) {
        @SuppressWarnings("unchecked")
        Set<Waiter> set = (Set<Waiter>) value;
        set.remove(w);
        return compact(set);
      }
      return value;
    });
  }

  private void timedOut(Waiter w) {
    remove(w);
    for (CompletionListener l : listeners) {
      try {
        l.onWaitTimedOut(w.key, w.predictionId, w.timeout);
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "completion listener " + l + " threw for a timed-out wait on " + w.key, e);
      }
    }
  }

  /** A remembered outcome and when it is forgotten. */
  private record Recent(CompletionOutcome outcome, long expiresAtMillis) {
  }

  /**
   * One waiter: the future handed to the caller. Completing it by any route (notification, timeout,
   * cancel, or the holder's own complete) removes it from the map and cancels its timeout task.
   */
  private final class Waiter extends CompletableFuture<CompletionOutcome> {
    final ContentKey key;
    final String predictionId;
    final Duration timeout;
    volatile ScheduledFuture<?> timeoutTask;

    Waiter(ContentKey key, String predictionId, Duration timeout) {
      this.key = key;
      this.predictionId = predictionId;
      this.timeout = timeout;
    }

    boolean accepts(CompletionOutcome outcome) {
      return predictionId == null || predictionId.equals(outcome.predictionId());
    }

    /** Completion by a notification: the map entry is gone already. */
    void resolve(CompletionOutcome outcome) {
      if (super.complete(outcome)) {
        cancelTimeout();
      }
    }

    void timeOut() {
      TimeoutException e = new TimeoutException("no completion of " + key
          + (predictionId == null ? "" : " (prediction " + predictionId + ")")
          + " within " + SettingParsers.describe(timeout));
      if (super.completeExceptionally(e)) {
        timedOut(this);
      }
    }

    @Override
    public boolean complete(CompletionOutcome value) {
      boolean done = super.complete(value);
      if (done) {
        detach();
      }
      return done;
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      boolean done = super.completeExceptionally(ex);
      if (done) {
        detach();
      }
      return done;
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      boolean done = super.cancel(mayInterruptIfRunning);
      if (done) {
        detach();
      }
      return done;
    }

    private void detach() {
      remove(this);
      cancelTimeout();
    }

    private void cancelTimeout() {
      ScheduledFuture<?> task = timeoutTask;
      if (task != null) {
        task.cancel(false);
      }
    }

    @Override
    public String toString() {
      return "Waiter{" + key + (predictionId == null ? "" : ", " + predictionId) + ", " + super.toString() + "}";
    }
  }

  /** The shared timeout thread of every notifier without a host scheduler: one daemon thread per JVM, started on first use. */
  private static final class SharedTimer {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "replicate-audio-waiter-timeouts");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }

  /** Builds a {@link WebhookCompletionNotifier}. Not thread-safe. */
  public static final class Builder {
    private Duration recentOutcomeTtl = DEFAULT_RECENT_OUTCOME_TTL;
    private int maxRecentOutcomes = DEFAULT_MAX_RECENT_OUTCOMES;
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private final List<CompletionListener> listeners = new ArrayList<>();

    private Builder() {
    }

    /**
     * How long an outcome is remembered for waiters that start after it arrived. Default 10
     * minutes; from 0 (remember nothing) to 24 hours.
     */
    public Builder recentOutcomeTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl == null");
      if (ttl.isNegative() || ttl.compareTo(Duration.ofHours(24)) > 0) {
        throw new IllegalArgumentException("recentOutcomeTtl must be from 0 to 24 h, was " + ttl);
      }
      this.recentOutcomeTtl = ttl;
      return this;
    }

    /** How many outcomes are remembered at most (oldest evicted first). Default 10,000; from 0 to 10,000,000. */
    public Builder maxRecentOutcomes(int max) {
      if (max < 0 || max > 10_000_000) {
        throw new IllegalArgumentException("maxRecentOutcomes must be from 0 to 10000000, was " + max);
      }
      this.maxRecentOutcomes = max;
      return this;
    }

    /**
     * Runs waiter timeouts. Default: one shared daemon thread per JVM. A host scheduler should
     * remove cancelled tasks ({@code ScheduledThreadPoolExecutor.setRemoveOnCancelPolicy(true)}),
     * or cancelled timeouts stay queued until they are due.
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /** The clock for remembering outcomes. Default: system UTC. */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    public Builder listener(CompletionListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener == null"));
      return this;
    }

    public WebhookCompletionNotifier build() {
      return new WebhookCompletionNotifier(this);
    }
  }
}
