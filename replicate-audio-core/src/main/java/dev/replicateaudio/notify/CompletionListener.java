package dev.replicateaudio.notify;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.time.Duration;

/**
 * Observes a {@link WebhookCompletionNotifier}: metrics, logging, or a bridge that carries
 * completions to other instances (publish {@link CompletionEvent.Origin#LOCAL} events, inject
 * remote ones with {@link WebhookCompletionNotifier#notifyRemoteCompletion}, which reach listeners as
 * {@link CompletionEvent.Origin#REMOTE} so they are not published again).
 *
 * <p>Methods run on the notifying (or timing-out) thread, after waiters were woken: they must be
 * fast and must not block. An exception thrown by a listener is caught and logged at WARNING; it
 * never affects notification or other listeners.
 */
public interface CompletionListener {
  /** A completion was notified. */
  default void onCompletion(CompletionEvent event) {
  }

  /** A waiter's timeout passed before its completion arrived. */
  default void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
  }

  /**
   * A completion notified locally or received from another instance.
   *
   * @param key the content item
   * @param outcome how it ended
   * @param origin where the notification came from
   * @param waitersWoken how many waiters it completed
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
