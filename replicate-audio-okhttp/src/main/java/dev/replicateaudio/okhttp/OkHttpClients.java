package dev.replicateaudio.okhttp;

import okhttp3.OkHttpClient;

/** What this module does with the OkHttpClients it creates itself. */
final class OkHttpClients {
  private OkHttpClients() {
  }

  /**
   * Releases a client this module created: calls in flight are canceled, its dispatcher threads end
   * and its pooled connections close. Never used on a client a host passed in.
   */
  static void release(OkHttpClient client) {
    client.dispatcher().cancelAll();
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }
}
