/**
 * Event-driven completion: code that waits for a generation gets a {@code CompletableFuture} that the
 * webhook pipeline completes, with no polling.
 *
 * <pre>{@code
 * WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();
 * CompletableFuture<CompletionOutcome> done =
 *     notifier.waitForCompletion(ContentKey.soundEffect(42), predictionId, Duration.ofMinutes(5));
 * // ... the webhook pipeline calls notifier.notifyCompletion(key, outcome) ...
 * CompletionOutcome outcome = done.join();
 * }</pre>
 *
 * <p>Start with {@link dev.replicateaudio.notify.WebhookCompletionNotifier}; observe it with a
 * {@link dev.replicateaudio.notify.CompletionListener}. Every argument and return value is non-null
 * unless its Javadoc says otherwise.
 */
package dev.replicateaudio.notify;
