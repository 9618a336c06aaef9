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
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Wakes the code waiting for a content item's audio the moment its webhook has been processed, with
 * no polling: the seed's {@code WebhookCompletionNotifier} with {@code notify_completion},
 * {@code wait_for_webhook_completion_event} and {@code wait_for_sound_effects_completion_event}.
 *
 * <pre>{@code
 * WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder()
 *     .recentOutcomeTtl(Duration.ofMinutes(10))   // the defaults, shown for illustration
 *     .maxRecentOutcomes(10_000)
 *     .build();
 *
 * // the code that waits:
 * notifier.waitForCompletion(ContentKey.soundEffect(42), "prediction-id", Duration.ofMinutes(5))
 *     .thenAcceptAsync(outcome -> show(outcome), uiExecutor);
 *
 * // the webhook pipeline, once the audio is stored:
 * notifier.notifyCompletion(ContentKey.soundEffect(42), CompletionOutcome.succeeded("prediction-id"));
 * }</pre>
 *
 * <h2>Guarantees</h2>
 * <ul>
 *   <li>Any number of waiters per key; one notification answers every one that accepts it.
 *   <li>A notification that arrives before the wait starts still answers it: the last outcome of each
 *       key is remembered for {@link Builder#recentOutcomeTtl} (default 10 minutes), for at most
 *       {@link Builder#maxRecentOutcomes} keys (default 10,000), oldest dropped first. Eviction happens
 *       as the notifier is used; no thread or timer per entry.
 *   <li>{@link #waitForCompletion(ContentKey, String, Duration)} accepts only an outcome of the given
 *       prediction, remembered or new: when a host generates a content item again, the previous
 *       generation's outcome does not answer the new wait. {@link #waitForCompletion(ContentKey,
 *       Duration)} accepts any outcome of the key, including a remembered earlier one.
 *   <li>A wait that ends in any way (answered, timed out, cancelled with {@code future.cancel},
 *       completed by its holder, or {@link #close() closed}) leaves nothing behind: no map entry, no
 *       scheduled task.
 *   <li>Timeouts run on one scheduler shared by all waits: a host-supplied
 *       {@link ScheduledExecutorService} ({@link Builder#scheduler}), or else one daemon thread per JVM
 *       ({@code replicate-audio-notifier-timeouts}), started on first use. Never a thread per waiter.
 *   <li>A pending wait costs about 200 bytes of heap (measured: 100,000 waits on distinct keys hold
 *       19.4 MB, their keys included); a remembered outcome about 90 bytes besides its key and outcome.
 * </ul>
 *
 * <h2>Threads</h2>
 * Futures are completed outside every lock: by the thread that notifies (usually the webhook
 * pipeline's executor), by the waiting thread itself when a remembered outcome answers it, or by the
 * timeout scheduler's thread. Dependent actions attached with {@code thenApply}, {@code thenAccept} and
 * so on run on that thread, so keep them short or continue with {@code ...Async(executor)}; a slow
 * action on a timed-out future delays other timeouts of the shared scheduler.
 *
 * <h2>Several instances</h2>
 * Completions processed by another instance of the host reach this one through a bridge (a
 * {@link CompletionListener} plus {@link #notifyRemoteCompletion}); see {@link CompletionListener}.
 *
 * <p>This class is thread-safe. It owns no thread of its own; {@link #close()} ends the pending waits
 * (see there). The JVM-wide instance of {@link WebhookNotifierFactory#globalNotifier()} can't be
 * closed.
 */
public final class WebhookCompletionNotifier implements AutoCloseable {
  /** Default for {@link Builder#recentOutcomeTtl}: 10 minutes. */
  public static final Duration DEFAULT_RECENT_OUTCOME_TTL = Duration.ofMinutes(10);
  /** Default for {@link Builder#maxRecentOutcomes}: 10,000. */
  public static final int DEFAULT_MAX_RECENT_OUTCOMES = 10_000;
  /** The longest {@link Builder#recentOutcomeTtl} accepted: 24 hours. */
  public static final Duration MAX_RECENT_OUTCOME_TTL = Duration.ofHours(24);
  /** The largest {@link Builder#maxRecentOutcomes} accepted: 10,000,000. */
  public static final int MAX_RECENT_OUTCOMES_LIMIT = 10_000_000;

  private static final Logger LOG = System.getLogger(WebhookCompletionNotifier.class.getName());
  private static final CompletionListener[] NO_LISTENERS = {};

  /**
   * Pending waits by key. A value is one {@link Pending} or, for two and more, a {@code HashSet} of
   * them; it is only read and changed inside {@code compute} lambdas, which never complete a future.
   */
  private final ConcurrentHashMap<ContentKey, Object> waiters = new ConcurrentHashMap<>();
  private final RecentOutcomes recent;
  private final ScheduledExecutorService scheduler;
  private final Clock clock;
  private final boolean global;
  private final Object listenerLock = new Object();
  private volatile CompletionListener[] listeners;
  private volatile boolean closed;

  private WebhookCompletionNotifier(Builder b, boolean global) {
    this.recent = b.recentOutcomes != null ? b.recentOutcomes
        : new RecentOutcomes(b.recentOutcomeTtl.toMillis(), b.maxRecentOutcomes);
    this.scheduler = b.scheduler != null ? b.scheduler : SharedTimer.INSTANCE;
    this.clock = b.clock;
    this.global = global;
    this.listeners = b.listeners.toArray(NO_LISTENERS);
  }

  /** A notifier with the defaults; the same as {@code builder().build()}. */
  public WebhookCompletionNotifier() {
    this(new Builder(), false);
  }

  /** The JVM-wide instance behind {@link WebhookNotifierFactory#globalNotifier()}. */
  static WebhookCompletionNotifier createGlobal() {
    return new WebhookCompletionNotifier(new Builder(), true);
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  // ---------------------------------------------------------------------------------------------
  // Notifying

  /**
   * Answers every wait of {@code key} that accepts {@code outcome}, and remembers the outcome for
   * waits that start later. Listeners see it with origin {@link CompletionEvent.Origin#LOCAL}.
   *
   * <p>Futures are completed on the calling thread, before this method returns.
   *
   * @param key the content item that finished
   * @param outcome how it ended
   * @return how many waits were answered (a batch counts once per key)
   * @throws IllegalArgumentException if {@code outcome} is {@link CompletionStatus#PENDING}, which is
   *     not a completion
   */
  public int notifyCompletion(ContentKey key, CompletionOutcome outcome) {
    return deliver(key, outcome, CompletionEvent.Origin.LOCAL);
  }

  /**
   * Like {@link #notifyCompletion}, for a completion that another instance processed and a bridge
   * relayed here; listeners see it with origin {@link CompletionEvent.Origin#REMOTE}, so a bridge
   * does not publish it again.
   *
   * @param key the content item that finished
   * @param outcome how it ended
   * @return how many waits were answered (a batch counts once per key)
   */
  public int notifyRemoteCompletion(ContentKey key, CompletionOutcome outcome) {
    return deliver(key, outcome, CompletionEvent.Origin.REMOTE);
  }

  private int deliver(ContentKey key, CompletionOutcome outcome, CompletionEvent.Origin origin) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(outcome, "outcome == null");
    if (!outcome.status().isFinal()) {
      throw new IllegalArgumentException("PENDING is not a completion: only final outcomes are notified (key " + key
          + ", prediction " + outcome.predictionId() + ")");
    }
    if (!closed) {
      recent.remember(key, outcome, clock.millis());
    }
    Object taken = takeAccepting(key, outcome);
    Pending[] taking;
    if (taken == null) {
      taking = new Pending[0];
    } else if (taken instanceof Pending) {
      taking = new Pending[] {(Pending) taken};
    } else {
      @SuppressWarnings("unchecked")
      List<Pending> list = (List<Pending>) taken;
      taking = list.toArray(new Pending[0]);
    }
    // listeners first: whatever a listener records is visible to the waiters it precedes
    CompletionListener[] ls = listeners;
    if (ls.length > 0) {
      CompletionEvent event = new CompletionEvent(key, outcome, origin, taking.length);
      for (CompletionListener l : ls) {
        try {
          l.onCompletion(event);
        } catch (RuntimeException | Error e) {
          listenerFailed(l, "onCompletion", key, e);
        }
      }
    }
    int woken = 0;
    Pending[] answered = new Pending[taking.length];
    for (Pending p : taking) {
      if (p.resolve(outcome)) {
        answered[woken++] = p;
      }
    }
    if (ls.length > 0) {
      for (int i = 0; i < woken; i++) {
        fireWaitCompleted(ls, key, answered[i].predictionId(), outcome);
      }
    }
    return woken;
  }

  /**
   * Removes the waits of {@code key} that accept {@code outcome} from the map, atomically.
   *
   * @return null, one {@link Pending}, or a {@code List<Pending>}
   */
  private Object takeAccepting(ContentKey key, CompletionOutcome outcome) {
    Object[] taken = new Object[1];
    waiters.computeIfPresent(key, (k, value) -> {
      if (value instanceof Pending) {
        Pending p = (Pending) value;
        if (p.accepts(outcome)) {
          taken[0] = p;
          return null;
        }
        return p;
      }
      @SuppressWarnings("unchecked")
      Set<Pending> set = (Set<Pending>) value;
      List<Pending> list = new ArrayList<>(set.size());
      for (Iterator<Pending> it = set.iterator(); it.hasNext(); ) {
        Pending p = it.next();
        if (p.accepts(outcome)) {
          list.add(p);
          it.remove();
        }
      }
      taken[0] = list.isEmpty() ? null : list;
      return compact(set);
    });
    return taken[0];
  }

  // ---------------------------------------------------------------------------------------------
  // Waiting

  /**
   * Waits for the next completion of {@code key}, or takes its remembered outcome if it completed
   * within the recent-outcome window (whichever prediction it was).
   *
   * @param timeout how long to wait; positive
   * @param key the content item to wait for
   * @return a future completed with the outcome (never {@link CompletionStatus#PENDING}), or
   *     exceptionally with a {@link TimeoutException} naming the key and the timeout once
   *     {@code timeout} has passed; cancelling it ends the wait
   * @throws IllegalArgumentException if {@code timeout} is not positive
   * @throws IllegalStateException if this notifier is closed, or its host scheduler refuses tasks
   */
  public CompletableFuture<CompletionOutcome> waitForCompletion(ContentKey key, Duration timeout) {
    return await(key, null, timeout);
  }

  /**
   * Waits for the completion of prediction {@code predictionId} of {@code key}: outcomes of other
   * predictions of the same key, remembered or new, are ignored. Otherwise the same as
   * {@link #waitForCompletion(ContentKey, Duration)}.
   *
   * @param key the content item to wait for
   * @param predictionId the prediction whose outcome counts
   * @param timeout how long to wait; positive
   * @return a future completed with that prediction's outcome, or exceptionally with a {@link TimeoutException}
   * @throws IllegalArgumentException if {@code predictionId} is blank or {@code timeout} is not positive
   */
  public CompletableFuture<CompletionOutcome> waitForCompletion(ContentKey key, String predictionId, Duration timeout) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    if (predictionId.isBlank()) {
      throw new IllegalArgumentException("predictionId is blank");
    }
    return await(key, predictionId, timeout);
  }

  private CompletableFuture<CompletionOutcome> await(ContentKey key, String predictionId, Duration timeout) {
    Objects.requireNonNull(key, "key == null");
    long timeoutNanos = checkTimeout(timeout);
    checkOpen();
    CompletionOutcome known = recent.find(key, predictionId, clock.millis());
    if (known != null) {
      fireWaitCompleted(listeners, key, predictionId, known);
      return CompletableFuture.completedFuture(known);
    }
    Waiter w = new Waiter(key, predictionId, timeout);
    add(w);
    // a notification between find() and add() found no waiter, but remembered its outcome
    known = recent.find(key, predictionId, clock.millis());
    if (known != null) {
      remove(w);
      if (w.resolve(known)) {
        fireWaitCompleted(listeners, key, predictionId, known);
      }
      return w;
    }
    try {
      ScheduledFuture<?> task = scheduler.schedule(w, timeoutNanos, TimeUnit.NANOSECONDS);
      w.timeoutTask = task;
      if (w.isDone()) {
        task.cancel(false);
      }
    } catch (RejectedExecutionException e) {
      remove(w);
      throw new IllegalStateException("the timeout scheduler refused the wait for " + key + " (is it shut down?)", e);
    }
    if (closed) {
      remove(w);
      w.abandon(closedWhileWaiting(key));
    }
    return w;
  }

  /**
   * Waits for all of {@code keys}: the seed's sound-effects batch wait. The future completes normally
   * when every key has an outcome or {@code timeout} has passed, whichever comes first. Keys still
   * missing then get a {@link CompletionStatus#TIMED_OUT} outcome with a null prediction id, so a batch
   * never loses the results it did get. Remembered outcomes count, as in
   * {@link #waitForCompletion(ContentKey, Duration)}.
   *
   * <pre>{@code
   * Map<ContentKey, CompletionOutcome> outcomes =
   *     notifier.waitForAll(List.of(ContentKey.soundEffect(1), ContentKey.soundEffect(2)), Duration.ofMinutes(5))
   *         .join();                      // never throws TimeoutException: late keys are TIMED_OUT
   * }</pre>
   *
   * <p>One timeout task serves the whole batch. Cancelling the future (or completing it by hand)
   * ends the wait for every key.
   *
   * @param keys the keys to wait for; duplicates count once
   * @param timeout how long to wait for all of them; positive
   * @return a future with an unmodifiable map holding every distinct key of {@code keys}, in the
   *     caller's order
   * @throws IllegalArgumentException if {@code timeout} is not positive
   * @throws NullPointerException if {@code keys} or one of them is null
   * @throws IllegalStateException if this notifier is closed, or its host scheduler refuses tasks
   */
  public CompletableFuture<Map<ContentKey, CompletionOutcome>> waitForAll(Collection<ContentKey> keys, Duration timeout) {
    Objects.requireNonNull(keys, "keys == null");
    long timeoutNanos = checkTimeout(timeout);
    LinkedHashSet<ContentKey> distinct = new LinkedHashSet<>();
    for (ContentKey key : keys) {
      distinct.add(Objects.requireNonNull(key, "keys contains null"));
    }
    checkOpen();
    if (distinct.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    Batch batch = new Batch(distinct.toArray(new ContentKey[0]), timeout);
    int n = batch.keys.length;
    long now = clock.millis();
    boolean[] registered = new boolean[n];
    for (int i = 0; i < n && !batch.isDone(); i++) {
      CompletionOutcome known = recent.find(batch.keys[i], null, now);
      if (known != null) {
        if (batch.record(i, known)) {
          fireWaitCompleted(listeners, batch.keys[i], null, known);
        }
      } else {
        add(batch.parts[i]);
        registered[i] = true;
      }
    }
    now = clock.millis();
    for (int i = 0; i < n && !batch.isDone(); i++) {
      if (registered[i]) {
        CompletionOutcome known = recent.find(batch.keys[i], null, now);
        if (known != null) {
          remove(batch.parts[i]);
          if (batch.record(i, known)) {
            fireWaitCompleted(listeners, batch.keys[i], null, known);
          }
        }
      }
    }
    if (batch.isDone()) {
      batch.detachMissing();
      return batch;
    }
    try {
      ScheduledFuture<?> task = scheduler.schedule(batch, timeoutNanos, TimeUnit.NANOSECONDS);
      batch.timeoutTask = task;
      if (batch.isDone()) {
        task.cancel(false);
      }
    } catch (RejectedExecutionException e) {
      batch.detachMissing();
      throw new IllegalStateException("the timeout scheduler refused the batch wait for " + n + " keys (is it shut down?)", e);
    }
    if (closed) {
      batch.abandon(new CancellationException("notifier closed while waiting for a batch of " + n + " keys"));
    }
    return batch;
  }

  // ---------------------------------------------------------------------------------------------
  // Listeners, state, lifecycle

  /**
   * Adds a listener (see {@link CompletionListener} for its rules). Adding one twice makes it see
   * every event twice.
   *
   * @param listener the listener
   */
  public void addListener(CompletionListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (listenerLock) {
      CompletionListener[] ls = Arrays.copyOf(listeners, listeners.length + 1);
      ls[ls.length - 1] = listener;
      listeners = ls;
    }
  }

  /**
   * Removes one registration of {@code listener}.
   *
   * @param listener the listener
   * @return whether it was registered
   */
  public boolean removeListener(CompletionListener listener) {
    Objects.requireNonNull(listener, "listener == null");
    synchronized (listenerLock) {
      CompletionListener[] ls = listeners;
      for (int i = 0; i < ls.length; i++) {
        if (ls[i] == listener) {
          CompletionListener[] fewer = new CompletionListener[ls.length - 1];
          System.arraycopy(ls, 0, fewer, 0, i);
          System.arraycopy(ls, i + 1, fewer, i, ls.length - i - 1);
          listeners = fewer;
          return true;
        }
      }
      return false;
    }
  }

  /**
   * How many waits are pending now, over all keys (a batch counts once per missing key); for monitoring.
   *
   * @return the number of pending waits
   */
  public int pendingWaiters() {
    int n = 0;
    for (Object v : waiters.values()) {
      n += v instanceof Pending ? 1 : ((Set<?>) v).size();
    }
    return n;
  }

  /**
   * How many outcomes are remembered now, after dropping the expired ones; for monitoring.
   *
   * @return the number of remembered outcomes
   */
  public int rememberedOutcomes() {
    return recent.size(clock.millis());
  }

  /** Keys with at least one pending wait: the size of the waiter map, for tests. */
  int waitingKeys() {
    return waiters.size();
  }

  /**
   * Forgets the remembered outcome of {@code key}, so that waits starting later wait for its next
   * completion.
   *
   * @param key the content item
   */
  public void forget(ContentKey key) {
    Objects.requireNonNull(key, "key == null");
    recent.forget(key);
  }

  /**
   * Ends this notifier: every pending wait completes exceptionally with a
   * {@link CancellationException} saying the notifier was closed ({@code isCancelled()} is then
   * true, and a batch is cancelled as a whole), its timeout task is cancelled, and the remembered
   * outcomes are dropped. New waits throw {@link IllegalStateException}. Notifications are still
   * accepted and reach listeners, but are no longer remembered. Idempotent.
   *
   * @throws UnsupportedOperationException on the JVM-wide {@link WebhookNotifierFactory#globalNotifier()},
   *     which other code may still use
   */
  @Override
  public void close() {
    if (global) {
      throw new UnsupportedOperationException("the global notifier is shared by the whole JVM and can't be closed;"
          + " close only the notifiers you create");
    }
    closed = true;
    recent.clear();
    for (ContentKey key : waiters.keySet()) {
      Object value = waiters.remove(key);
      if (value == null) {
        continue;
      }
      CancellationException e = closedWhileWaiting(key);
      if (value instanceof Pending) {
        ((Pending) value).abandon(e);
      } else {
        @SuppressWarnings("unchecked")
        Set<Pending> set = (Set<Pending>) value;
        for (Pending p : set) {
          p.abandon(e);
        }
      }
    }
  }

  private void checkOpen() {
    if (closed) {
      throw new IllegalStateException("notifier is closed");
    }
  }

  private static CancellationException closedWhileWaiting(ContentKey key) {
    return new CancellationException("notifier closed while waiting for " + key);
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

  // ---------------------------------------------------------------------------------------------
  // The waiter map

  private void add(Pending p) {
    waiters.compute(p.key(), (k, value) -> {
      if (value == null) {
        return p;
      }
      if (value instanceof Pending) {
        Set<Pending> set = new HashSet<>();
        set.add((Pending) value);
        set.add(p);
        return set;
      }
      @SuppressWarnings("unchecked")
      Set<Pending> set = (Set<Pending>) value;
      set.add(p);
      return set;
    });
  }

  /** Removes {@code p} from the map if it is still there; safe to call more than once. */
  private void remove(Pending p) {
    waiters.computeIfPresent(p.key(), (k, value) -> {
      if (value == p) {
        return null;
      }
      if (value instanceof Set) {
        @SuppressWarnings("unchecked")
        Set<Pending> set = (Set<Pending>) value;
        set.remove(p);
        return compact(set);
      }
      return value;
    });
  }

  private static Object compact(Set<Pending> set) {
    if (set.isEmpty()) {
      return null;
    }
    if (set.size() == 1) {
      return set.iterator().next();
    }
    return set;
  }

  // ---------------------------------------------------------------------------------------------
  // Listener calls

  private static void fireWaitCompleted(CompletionListener[] ls, ContentKey key, String predictionId,
      CompletionOutcome outcome) {
    for (CompletionListener l : ls) {
      try {
        l.onWaitCompleted(key, predictionId, outcome);
      } catch (RuntimeException | Error e) {
        listenerFailed(l, "onWaitCompleted", key, e);
      }
    }
  }

  private void fireWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
    for (CompletionListener l : listeners) {
      try {
        l.onWaitTimedOut(key, predictionId, timeout);
      } catch (RuntimeException | Error e) {
        listenerFailed(l, "onWaitTimedOut", key, e);
      }
    }
  }

  private static void listenerFailed(CompletionListener l, String method, ContentKey key, Throwable t) {
    if (t instanceof VirtualMachineError) {
      throw (VirtualMachineError) t;
    }
    LOG.log(Level.WARNING, () -> "CompletionListener " + l.getClass().getName() + "." + method + " threw for " + key
        + "; ignored", t);
  }

  // ---------------------------------------------------------------------------------------------
  // Pending waits

  /** An entry of the waiter map: one single wait, or one key of a batch. */
  private interface Pending {
    ContentKey key();

    /** The prediction this wait is limited to, or null for any. */
    String predictionId();

    boolean accepts(CompletionOutcome outcome);

    /**
     * Answers the wait; it has been taken out of the map already.
     *
     * @return whether this call answered it (false if it had ended another way)
     */
    boolean resolve(CompletionOutcome outcome);

    /** Ends the wait because the notifier closed; it has been taken out of the map already. */
    void abandon(CancellationException e);
  }

  /**
   * One wait: the future handed to the caller, and the timeout task itself (it implements
   * {@code Callable} so the scheduler needs no wrapper object per waiter). Ending it by any route
   * removes it from the map and cancels its timeout task. About 40 bytes.
   */
  private final class Waiter extends CompletableFuture<CompletionOutcome> implements Pending, Callable<Void> {
    private final ContentKey key;
    private final String predictionId;
    private final Duration timeout;
    volatile ScheduledFuture<?> timeoutTask;

    Waiter(ContentKey key, String predictionId, Duration timeout) {
      this.key = key;
      this.predictionId = predictionId;
      this.timeout = timeout;
    }

    @Override
    public ContentKey key() {
      return key;
    }

    @Override
    public String predictionId() {
      return predictionId;
    }

    @Override
    public boolean accepts(CompletionOutcome outcome) {
      return predictionId == null || predictionId.equals(outcome.predictionId());
    }

    // Every route out cancels the timeout task before completing: dependents see a clean notifier.

    @Override
    public boolean resolve(CompletionOutcome outcome) {
      cancelTimeout();
      return super.complete(outcome);
    }

    @Override
    public void abandon(CancellationException e) {
      cancelTimeout();
      super.completeExceptionally(e);
    }

    /** The timeout: runs on the scheduler. */
    @Override
    public Void call() {
      if (!isDone()) {
        remove(this);
        TimeoutException e = new TimeoutException("no completion of " + key
            + (predictionId == null ? "" : " (prediction " + predictionId + ")")
            + " within " + SettingParsers.describe(timeout));
        if (super.completeExceptionally(e)) {
          fireWaitTimedOut(key, predictionId, timeout);
        }
      }
      return null;
    }

    // The holder may end the wait through the public API (cancel, complete, orTimeout, ...). It is
    // detached first, so that the actions depending on the future already see it gone. Detaching a
    // wait that has ended already changes nothing.

    @Override
    public boolean complete(CompletionOutcome value) {
      detach();
      return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      detach();
      return super.completeExceptionally(ex);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      detach();
      return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public void obtrudeValue(CompletionOutcome value) {
      detach();
      super.obtrudeValue(value);
    }

    @Override
    public void obtrudeException(Throwable ex) {
      detach();
      super.obtrudeException(ex);
    }

    private void detach() {
      if (!isDone()) {
        remove(this);
        cancelTimeout();
      }
    }

    private void cancelTimeout() {
      ScheduledFuture<?> task = timeoutTask;
      if (task != null) {
        task.cancel(false);
      }
    }

    @Override
    public String toString() {
      return "Waiter{" + key + (predictionId == null ? "" : ", prediction " + predictionId) + ", "
          + super.toString() + "}";
    }
  }

  /** One key of a batch in the waiter map. */
  private static final class Part implements Pending {
    private final Batch batch;
    private final int index;

    Part(Batch batch, int index) {
      this.batch = batch;
      this.index = index;
    }

    @Override
    public ContentKey key() {
      return batch.keys[index];
    }

    @Override
    public String predictionId() {
      return null;
    }

    @Override
    public boolean accepts(CompletionOutcome outcome) {
      return true;
    }

    @Override
    public boolean resolve(CompletionOutcome outcome) {
      return batch.record(index, outcome);
    }

    @Override
    public void abandon(CancellationException e) {
      batch.abandon(e);
    }
  }

  /**
   * A batch wait: the future handed to the caller, its parts in the waiter map, and its one timeout
   * task. Its state is guarded by {@code this}; the future is always completed outside that lock.
   */
  private final class Batch extends CompletableFuture<Map<ContentKey, CompletionOutcome>> implements Callable<Void> {
    final ContentKey[] keys;
    final Part[] parts;
    private final CompletionOutcome[] outcomes;
    private final Duration timeout;
    private int remaining;
    private boolean finished;
    volatile ScheduledFuture<?> timeoutTask;

    Batch(ContentKey[] keys, Duration timeout) {
      this.keys = keys;
      this.timeout = timeout;
      this.outcomes = new CompletionOutcome[keys.length];
      this.parts = new Part[keys.length];
      for (int i = 0; i < keys.length; i++) {
        parts[i] = new Part(this, i);
      }
      this.remaining = keys.length;
    }

    /** Records key {@code i}'s outcome; completes the batch when it was the last one missing. */
    boolean record(int i, CompletionOutcome outcome) {
      Map<ContentKey, CompletionOutcome> result;
      synchronized (this) {
        if (finished || outcomes[i] != null) {
          return false;
        }
        outcomes[i] = outcome;
        if (--remaining > 0) {
          return true;
        }
        finished = true;
        result = resultMap();
      }
      cancelTimeout();
      super.complete(result);
      return true;
    }

    /** The timeout: runs on the scheduler. */
    @Override
    public Void call() {
      List<Part> missing = new ArrayList<>();
      Map<ContentKey, CompletionOutcome> result;
      synchronized (this) {
        if (finished) {
          return null;
        }
        finished = true;
        for (int i = 0; i < keys.length; i++) {
          if (outcomes[i] == null) {
            missing.add(parts[i]);
            outcomes[i] = CompletionOutcome.timedOut(null, "no completion of " + keys[i] + " within "
                + SettingParsers.describe(timeout));
          }
        }
        result = resultMap();
      }
      for (Part p : missing) {
        remove(p);
      }
      if (super.complete(result)) {
        for (Part p : missing) {
          fireWaitTimedOut(p.key(), null, timeout);
        }
      }
      return null;
    }

    void abandon(CancellationException e) {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      detachAll();
      super.completeExceptionally(e);
    }

    /** After the batch ended another way: takes the parts still waiting out of the map. */
    void detachMissing() {
      synchronized (this) {
        finished = true;
      }
      detachAll();
    }

    private void detachAll() {
      cancelTimeout();
      for (int i = 0; i < parts.length; i++) {
        boolean missing;
        synchronized (this) {
          missing = outcomes[i] == null;
        }
        if (missing) {
          remove(parts[i]);
        }
      }
    }

    private Map<ContentKey, CompletionOutcome> resultMap() {
      Map<ContentKey, CompletionOutcome> map = new LinkedHashMap<>(keys.length * 4 / 3 + 1);
      for (int i = 0; i < keys.length; i++) {
        map.put(keys[i], outcomes[i]);
      }
      return Collections.unmodifiableMap(map);
    }

    private void cancelTimeout() {
      ScheduledFuture<?> task = timeoutTask;
      if (task != null) {
        task.cancel(false);
      }
    }

    // The holder may end the batch through the public API: its parts leave the map first, as for a Waiter.

    @Override
    public boolean complete(Map<ContentKey, CompletionOutcome> value) {
      detachMissing();
      return super.complete(value);
    }

    @Override
    public boolean completeExceptionally(Throwable ex) {
      detachMissing();
      return super.completeExceptionally(ex);
    }

    @Override
    public boolean cancel(boolean mayInterruptIfRunning) {
      detachMissing();
      return super.cancel(mayInterruptIfRunning);
    }

    @Override
    public void obtrudeValue(Map<ContentKey, CompletionOutcome> value) {
      detachMissing();
      super.obtrudeValue(value);
    }

    @Override
    public void obtrudeException(Throwable ex) {
      detachMissing();
      super.obtrudeException(ex);
    }

    @Override
    public String toString() {
      return "Batch{" + keys.length + " keys, " + super.toString() + "}";
    }
  }

  /**
   * The timeout scheduler of every notifier without a host scheduler: one daemon thread per JVM,
   * created on first use, never shut down (it holds nothing while idle). Cancelled tasks are removed
   * at once, so ended waits leave nothing queued.
   */
  private static final class SharedTimer {
    static final ScheduledThreadPoolExecutor INSTANCE = create();

    private static ScheduledThreadPoolExecutor create() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, r -> {
        Thread t = new Thread(r, "replicate-audio-notifier-timeouts");
        t.setDaemon(true);
        return t;
      });
      s.setRemoveOnCancelPolicy(true);
      return s;
    }
  }

  /**
   * Builds a {@link WebhookCompletionNotifier}; starts from the defaults.
   *
   * <p>This class is not thread-safe.
   */
  public static final class Builder {
    private Duration recentOutcomeTtl = DEFAULT_RECENT_OUTCOME_TTL;
    private int maxRecentOutcomes = DEFAULT_MAX_RECENT_OUTCOMES;
    private ScheduledExecutorService scheduler;
    private Clock clock = Clock.systemUTC();
    private final List<CompletionListener> listeners = new ArrayList<>();
    private RecentOutcomes recentOutcomes;

    private Builder() {
    }

    /** For tests: the store of remembered outcomes, replacing the one built from the settings. */
    Builder recentOutcomes(RecentOutcomes recentOutcomes) {
      this.recentOutcomes = Objects.requireNonNull(recentOutcomes, "recentOutcomes == null");
      return this;
    }

    /**
     * How long an outcome is remembered for waits that start after it arrived. Default 10 minutes;
     * from 0 (remember nothing) to 24 hours, millisecond precision.
     *
     * @param ttl how long to remember
     * @return this builder
     * @throws IllegalArgumentException when it is negative or above 24 hours
     */
    public Builder recentOutcomeTtl(Duration ttl) {
      Objects.requireNonNull(ttl, "ttl == null");
      if (ttl.isNegative() || ttl.compareTo(MAX_RECENT_OUTCOME_TTL) > 0) {
        throw new IllegalArgumentException("recentOutcomeTtl must be from 0 to 24 h, was " + SettingParsers.describe(ttl));
      }
      this.recentOutcomeTtl = ttl;
      return this;
    }

    /**
     * How many keys' outcomes are remembered at most; the oldest is dropped first. Default 10,000;
     * from 0 (remember nothing) to 10,000,000. Each costs about 90 bytes besides its key and outcome.
     *
     * @param max how many to remember
     * @return this builder
     * @throws IllegalArgumentException when it is negative or above 10,000,000
     */
    public Builder maxRecentOutcomes(int max) {
      if (max < 0 || max > MAX_RECENT_OUTCOMES_LIMIT) {
        throw new IllegalArgumentException("maxRecentOutcomes must be from 0 to " + MAX_RECENT_OUTCOMES_LIMIT
            + ", was " + max);
      }
      this.maxRecentOutcomes = max;
      return this;
    }

    /**
     * Runs the wait timeouts; the host keeps owning it (the notifier never shuts it down). Default: one
     * daemon thread shared by every notifier of the JVM. Its tasks are short, but complete futures, so
     * dependent actions attached without an executor run on it. A
     * {@code ScheduledThreadPoolExecutor} should remove cancelled tasks
     * ({@code setRemoveOnCancelPolicy(true)}); otherwise every answered wait leaves its timeout task
     * queued until it is due, and a WARNING is logged at build time.
     *
     * @param scheduler the host's scheduler
     * @return this builder
     */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler == null");
      return this;
    }

    /**
     * The clock that ages remembered outcomes. Default: the system clock (UTC).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Adds a listener; the same as {@link WebhookCompletionNotifier#addListener} after building.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(CompletionListener listener) {
      this.listeners.add(Objects.requireNonNull(listener, "listener == null"));
      return this;
    }

    /**
     * Builds the notifier; logs a WARNING when the scheduler keeps cancelled tasks.
     *
     * @return a new notifier; close it when done
     */
    public WebhookCompletionNotifier build() {
      if (scheduler instanceof ScheduledThreadPoolExecutor
          && !((ScheduledThreadPoolExecutor) scheduler).getRemoveOnCancelPolicy()) {
        LOG.log(Level.WARNING, "the notifier's scheduler keeps cancelled tasks until they are due; every answered"
            + " wait leaves its timeout task queued. Call setRemoveOnCancelPolicy(true) on it.");
      }
      return new WebhookCompletionNotifier(this, false);
    }
  }
}
