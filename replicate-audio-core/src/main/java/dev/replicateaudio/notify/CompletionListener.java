package dev.replicateaudio.notify;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.time.Duration;

/**
 * Observes a {@link WebhookCompletionNotifier}: its notifications and the waits it answers. For
 * metrics, logging, or a bridge that carries completions between instances. Modelled on OkHttp's
 * {@code EventListener}: override only the methods you need.
 *
 * <pre>{@code
 * notifier.addListener(new CompletionListener() {
 *   @Override public void onCompletion(CompletionEvent event) {
 *     metrics.counter("completions", event.outcome().status().name()).increment();
 *   }
 *   @Override public void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
 *     metrics.counter("wait_timeouts").increment();
 *   }
 * });
 * }</pre>
 *
 * <h2>Bridging instances without echo loops</h2>
 * A bridge publishes the events whose origin is {@link CompletionEvent.Origin#LOCAL} and injects what
 * it receives with {@link WebhookCompletionNotifier#notifyRemoteCompletion}. Those reach listeners as
 * {@link CompletionEvent.Origin#REMOTE}, so the bridge does not publish them again:
 *
 * <pre>{@code
 * notifier.addListener(new CompletionListener() {
 *   @Override public void onCompletion(CompletionEvent event) {
 *     if (event.origin() == CompletionEvent.Origin.LOCAL) {
 *       outbox.offer(event);            // never block here: hand over to a sender thread
 *     }
 *   }
 * });
 * // on the receiving thread:
 * notifier.notifyRemoteCompletion(key, outcome);
 * }</pre>
 *
 * <h2>Rules</h2>
 * Methods run synchronously on the thread that caused the event (the notifying thread, the waiting
 * thread when a remembered outcome answers it, or the timeout scheduler's thread), outside every
 * lock of the notifier. {@link #onCompletion} runs before the waiters of that notification are
 * woken, so whatever it records is visible to them; the per-wait methods run after their future was
 * completed. They must be fast and must
 * not block: every notification waits for them. An exception thrown by a listener is caught and
 * logged at WARNING through {@code System.Logger}; it never affects the notification, the waiters or
 * the other listeners.
 *
 * <p>Implementations must be thread-safe: events arrive from many threads at once.
 */
public interface CompletionListener {
  /**
   * A completion was notified, locally or relayed from another instance; called once per
   * notification, before its waiters are woken ({@code waitersWoken} counts the waits it is about to
   * answer).
   *
   * @param event the key, the outcome, its origin and how many waits it answers
   */
  default void onCompletion(CompletionEvent event) {
  }

  /**
   * One wait got its outcome: from a notification, or at once from a remembered outcome when the
   * completion happened before the wait started. A batch ({@code waitForAll}) reports each of its keys,
   * with a null {@code predictionId}.
   *
   * @param predictionId the prediction the wait was limited to, or null for a wait on the key alone
   * @param key the content item waited for
   * @param outcome the outcome the wait got
   */
  default void onWaitCompleted(ContentKey key, String predictionId, CompletionOutcome outcome) {
  }

  /**
   * A wait's timeout passed before its completion arrived. A batch reports each key still missing.
   *
   * @param predictionId the prediction the wait was limited to, or null for a wait on the key alone
   * @param timeout the timeout the wait was started with
   * @param key the content item waited for
   */
  default void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
  }

  /**
   * A completion notified locally or received from another instance.
   *
   * @param key the content item
   * @param outcome how it ended; never {@link dev.replicateaudio.CompletionStatus#PENDING}
   * @param origin where the notification came from
   * @param waitersWoken how many waits it answers (a batch counts once per key)
   */
  record CompletionEvent(ContentKey key, CompletionOutcome outcome, Origin origin, int waitersWoken) {
    /** Where a notification came from. */
    public enum Origin {
      /** {@link WebhookCompletionNotifier#notifyCompletion}: this instance processed it. */
      LOCAL,
      /** {@link WebhookCompletionNotifier#notifyRemoteCompletion}: another instance processed it. */
      REMOTE
    }
  }
}
