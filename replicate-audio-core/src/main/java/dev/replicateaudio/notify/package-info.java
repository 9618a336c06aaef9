/**
 * Event-driven completion: code that waits for a generation gets a {@code CompletableFuture} that the
 * webhook pipeline completes, with no polling. Start with
 * {@link dev.replicateaudio.notify.WebhookCompletionNotifier}.
 */
package dev.replicateaudio.notify;
