package dev.replicateaudio.spring.boot.autoconfigure;

import okhttp3.OkHttpClient;

/**
 * The OkHttpClient shared by the Replicate client and the downloader (each derives its own settings
 * from it); its threads and pooled connections are released with this bean. Not an
 * {@code OkHttpClient} bean, so that the application's own clients are left alone; adjust it with
 * {@link ReplicateAudioOkHttpCustomizer} beans. Thread-safe.
 */
public final class ReplicateAudioHttp implements AutoCloseable {
  private final OkHttpClient client;

  ReplicateAudioHttp(OkHttpClient client) {
    this.client = client;
  }

  /**
   * The shared client.
   *
   * @return the client
   */
  public OkHttpClient client() {
    return client;
  }

  /** Stops the dispatcher's threads and closes idle connections. */
  @Override
  public void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
