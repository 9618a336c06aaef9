package dev.replicateaudio.spring.boot.autoconfigure;

import okhttp3.OkHttpClient;

/**
 * Adjusts the OkHttpClient the starter shares between the Replicate client and the downloader
 * (a proxy, an event listener, a dispatcher...). Every bean of this type is applied, in order.
 */
@FunctionalInterface
public interface ReplicateAudioOkHttpCustomizer {
  /**
   * Changes {@code builder}; called once, on the thread that creates the client.
   *
   * @param builder the client's builder
   */
  void customize(OkHttpClient.Builder builder);
}
