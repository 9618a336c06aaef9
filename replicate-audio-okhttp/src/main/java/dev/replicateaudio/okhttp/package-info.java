/**
 * Replicate on OkHttp and Jackson: {@link dev.replicateaudio.okhttp.ReplicateClient} (the prediction
 * API), {@link dev.replicateaudio.okhttp.OkHttpAudioDownloader} (streams outputs to files),
 * {@link dev.replicateaudio.okhttp.PredictionJson} (the JSON codec for API responses and webhook
 * bodies) and {@link dev.replicateaudio.okhttp.WebhookEndpoint} (a framework-neutral webhook
 * handler).
 *
 * <p>Share one {@code OkHttpClient} between the client and the downloader; each derives its own
 * configuration from it with {@code newBuilder()} and never changes the one you pass.
 *
 * <p>Every argument and return value is non-null unless its Javadoc says otherwise. Types whose
 * names this package does not export publicly are implementation details.
 */
package dev.replicateaudio.okhttp;
