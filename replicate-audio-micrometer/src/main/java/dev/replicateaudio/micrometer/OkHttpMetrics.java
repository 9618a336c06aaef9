package dev.replicateaudio.micrometer;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.okhttp3.OkHttpMetricsEventListener;
import java.util.Objects;
import okhttp3.EventListener;
import okhttp3.Request;

/**
 * Opt-in HTTP client metrics: Micrometer's {@link OkHttpMetricsEventListener} as the event listener
 * of the OkHttpClient shared by the Replicate client and the downloader, under
 * {@value #REQUESTS}, with the {@code uri} tag mapped to a few fixed templates
 * ({@link #uriTemplate}) so that prediction ids and file names never become tag values.
 *
 * <pre>{@code
 * OkHttpClient http = new OkHttpClient.Builder().eventListener(OkHttpMetrics.eventListener(registry)).build();
 * }</pre>
 *
 * <p>OkHttp is an optional dependency of this module: only this class needs it. This class is
 * thread-safe (static methods only).
 */
public final class OkHttpMetrics {
  /** The timer's name. */
  public static final String REQUESTS = "replicate.audio.http.requests";

  private OkHttpMetrics() {
  }

  /**
   * An event listener recording every call of a client into {@code registry}.
   *
   * @param registry where the timer goes
   * @return a listener for {@code OkHttpClient.Builder.eventListener}
   */
  public static EventListener eventListener(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry == null");
    return OkHttpMetricsEventListener.builder(registry, REQUESTS)
        .uriMapper(OkHttpMetrics::uriTemplate)
        .includeHostTag(false)
        .build();
  }

  /**
   * The {@code uri} tag of a request: {@code /predictions}, {@code /predictions/{id}},
   * {@code /predictions/{id}/cancel}, {@code /webhooks/default/secret} for Replicate's API, and
   * {@code download} for anything else (audio files).
   *
   * @param request the request
   * @return its {@code uri} tag
   */
  public static String uriTemplate(Request request) {
    String path = request.url().encodedPath();
    if (path.endsWith("/webhooks/default/secret")) {
      return "/webhooks/default/secret";
    }
    if (path.endsWith("/predictions")) {
      return "/predictions";
    }
    int at = path.lastIndexOf("/predictions/");
    if (at >= 0) {
      return path.endsWith("/cancel") ? "/predictions/{id}/cancel" : "/predictions/{id}";
    }
    return "download";
  }
}
