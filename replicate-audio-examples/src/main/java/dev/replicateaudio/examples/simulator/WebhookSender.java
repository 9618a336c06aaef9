package dev.replicateaudio.examples.simulator;

import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers webhook messages the way Replicate does: an HTTP POST of the prediction JSON with
 * Standard Webhooks headers signed at each attempt, no redirects followed, and retries of terminal
 * messages only, on any non-2xx answer or a failure to connect, after the configured delays.
 * Every attempt is reported to the recorder. Thread-safe.
 */
final class WebhookSender implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(WebhookSender.class);
  private static final MediaType JSON = MediaType.get("application/json");
  /** How much of a receiver's answer is read (and thrown away) so the connection can be reused. */
  private static final int MAX_ANSWER_BYTES = 64 * 1024;

  /**
   * One message; retries and duplicates share its {@code webhookId}.
   *
   * @param copy which concurrent copy this is (1 unless duplicated)
   */
  record Message(String predictionId, String webhookId, WebhookEvent event, PredictionStatus status, byte[] body,
      URI url, int copy, boolean stale) {
  }

  private final OkHttpClient client;
  private final WebhookVerifier signer;
  private final List<Duration> retryDelays;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService pool;
  private final Consumer<DeliveryAttempt> recorder;
  private final Set<Call> inFlight = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  WebhookSender(WebhookVerifier signer, List<Duration> retryDelays, Duration timeout,
      ScheduledExecutorService scheduler, ExecutorService pool, Consumer<DeliveryAttempt> recorder) {
    this.signer = signer;
    this.retryDelays = List.copyOf(retryDelays);
    this.scheduler = scheduler;
    this.pool = pool;
    this.recorder = recorder;
    this.client = new OkHttpClient.Builder()
        .followRedirects(false)
        .followSslRedirects(false)
        .retryOnConnectionFailure(false)
        .connectTimeout(timeout)
        .readTimeout(timeout)
        .writeTimeout(timeout)
        .callTimeout(timeout)
        .connectionPool(new ConnectionPool(64, 30, TimeUnit.SECONDS))
        .build();
  }

  /**
   * Delivers {@code message}, retrying if it is terminal. The future completes (never
   * exceptionally) once it was delivered, retries ran out, or the sender closed.
   */
  CompletableFuture<Void> deliver(Message message) {
    CompletableFuture<Void> done = new CompletableFuture<>();
    submit(() -> attempt(message, 1, done), done);
    return done;
  }

  private void submit(Runnable task, CompletableFuture<Void> done) {
    if (closed.get()) {
      done.complete(null);
      return;
    }
    try {
      pool.execute(task);
    } catch (RejectedExecutionException e) {
      done.complete(null); // closing
    }
  }

  private void attempt(Message m, int attempt, CompletableFuture<Void> done) {
    if (closed.get()) {
      done.complete(null);
      return;
    }
    Instant sentAt = Instant.now();
    Map<String, String> headers = signer.signedHeaders(m.webhookId(), sentAt, m.body());
    Request.Builder rb = new Request.Builder().url(m.url().toString())
        .header("User-Agent", "replicate-simulator")
        .post(RequestBody.create(m.body(), JSON));
    headers.forEach(rb::header);
    Call call = client.newCall(rb.build());
    inFlight.add(call);
    long start = System.nanoTime();
    int code = 0;
    String error = null;
    try (Response response = call.execute()) {
      code = response.code();
      drain(response.body());
    } catch (IOException | RuntimeException e) {
      error = e.getClass().getSimpleName() + ": " + e.getMessage();
    } finally {
      inFlight.remove(call);
    }
    Duration latency = Duration.ofNanos(System.nanoTime() - start);
    DeliveryAttempt record = new DeliveryAttempt(m.predictionId(), m.webhookId(), m.event(), m.status(), attempt,
        m.copy(), m.stale(), m.url(), sentAt, code, latency, error);
    recorder.accept(record);
    if (LOG.isDebugEnabled()) {
      LOG.debug("webhook {} attempt {} for prediction {} ({}): {}", m.webhookId(), attempt, m.predictionId(),
          m.status().apiValue(), code == 0 ? error : Integer.toString(code));
    }
    if (record.delivered() || !m.status().isTerminal() || attempt > retryDelays.size() || closed.get()) {
      if (!record.delivered() && m.status().isTerminal() && !closed.get()) {
        LOG.info("Gave up on the terminal webhook {} of prediction {} after {} attempts", m.webhookId(),
            m.predictionId(), attempt);
      }
      done.complete(null);
      return;
    }
    Duration delay = retryDelays.get(attempt - 1);
    try {
      scheduler.schedule(() -> submit(() -> attempt(m, attempt + 1, done), done), delay.toNanos(),
          TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException e) {
      done.complete(null); // closing
    }
  }

  private static void drain(ResponseBody body) throws IOException {
    try (InputStream in = body.byteStream()) {
      byte[] buf = new byte[8192];
      int total = 0;
      int n;
      while (total < MAX_ANSWER_BYTES && (n = in.read(buf)) >= 0) {
        total += n;
      }
    }
  }

  void evictConnections() {
    client.connectionPool().evictAll();
  }

  /** Cancels calls in flight and drops pooled connections; pending retries are dropped by the caller's executors. */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    for (Call c : inFlight) {
      c.cancel();
    }
    client.connectionPool().evictAll();
  }
}
