package dev.replicateaudio.okhttp;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.webhook.VerifiedWebhook;
import dev.replicateaudio.webhook.WebhookListener;
import dev.replicateaudio.webhook.WebhookProcessingException;
import dev.replicateaudio.webhook.WebhookResultProcessor;
import dev.replicateaudio.webhook.WebhookUrls;
import dev.replicateaudio.webhook.WebhookVerificationException;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The receiving end of Replicate's webhooks, for any HTTP server: give it the request's headers,
 * raw query and raw body; it verifies the signature, reads the content key from the query and the
 * prediction from the body, runs the result processor and tells you what to answer.
 *
 * <pre>{@code
 * WebhookEndpoint endpoint = WebhookEndpoint.create(WebhookVerifier.create(secret), processor);  // a WebhookResultProcessor
 *
 * // JDK HttpServer; any framework works the same way
 * server.createContext("/hooks/replicate", exchange -> {
 *   WebhookResponse answer = endpoint.handle(exchange.getRequestHeaders(),
 *       exchange.getRequestURI().getRawQuery(), exchange.getRequestBody());
 *   byte[] body = answer.body().getBytes(StandardCharsets.UTF_8);
 *   exchange.getResponseHeaders().set("Content-Type", WebhookResponse.CONTENT_TYPE);
 *   exchange.sendResponseHeaders(answer.statusCode(), body.length);
 *   try (OutputStream out = exchange.getResponseBody()) {
 *     out.write(body);
 *   }
 * });
 * }</pre>
 *
 * <p>In order: a body over {@code maxBodyBytes} (default 10 MiB; Replicate echoes inputs and logs)
 * gets 413 without being read further; a signature that does not verify gets 401 before anything
 * else is looked at; a missing content key ({@code content_type}/{@code content_id}, see
 * {@link WebhookUrls#forContent}) or a body that is not prediction JSON gets 400. Then the
 * processor runs, and its stage decides: an outcome (whatever it is: done, duplicate, non-terminal,
 * failed for good) gets 200; a failure that is a retryable {@link ReplicateAudioException} gets 503,
 * so that Replicate sends the webhook again; a non-retryable {@link WebhookProcessingException} (the
 * webhook does not match its job) gets 400; any other failure gets 500. See {@link WebhookResponse}.
 *
 * <p>Replicate wants an answer "within a few seconds" and delivers the webhook again when it gets
 * none. Processing (download, ffmpeg, database) can take longer under load, so by default the
 * endpoint answers 202 once {@value #DEFAULT_ACKNOWLEDGE_AFTER_SECONDS} s have passed and lets
 * processing finish on its own; a transient failure after that releases the job for webhook
 * recovery instead of asking Replicate to retry. {@link Builder#acknowledgeAfter} changes the time,
 * {@link Builder#waitForProcessing()} always waits for the outcome.
 *
 * <p>Replays: the endpoint remembers the {@code webhook-id} of every message it answered with a 2xx
 * for twice the verifier's tolerance (the longest a captured message can still verify), up to
 * {@value WebhookEndpoint#DEFAULT_REMEMBERED_DELIVERIES} ids by default ({@link Builder#rememberDeliveries}). A
 * verified message whose id it remembers, Replicate's own redelivery after a lost answer or a replay
 * of a captured request, gets 200 ({@code "accepted: duplicate delivery"}) without being decoded or
 * processed: no database round trip. An id it forgot, or one whose first answer was not a 2xx, is
 * processed as usual, and processing is idempotent anyway (the job store's claim).
 *
 * <p>Logs: rejected requests at INFO, 5xx answers at WARN, never the secret or the body. This class
 * is thread-safe; its {@link Builder} is not.
 */
public final class WebhookEndpoint {
  /** Default for {@link Builder#acknowledgeAfter}, in seconds. */
  public static final long DEFAULT_ACKNOWLEDGE_AFTER_SECONDS = 5;
  /** The default body limit: 10 MiB. */
  public static final long DEFAULT_MAX_BODY_BYTES = 10L << 20;
  /** The largest body limit accepted: 512 MiB. */
  public static final long MAX_BODY_BYTES_LIMIT = 512L << 20;
  /** Default for {@link Builder#rememberDeliveries}: how many answered {@code webhook-id}s are kept. */
  public static final int DEFAULT_REMEMBERED_DELIVERIES = 10_000;

  private static final Logger LOG = LoggerFactory.getLogger(WebhookEndpoint.class);

  /**
   * Processes a verified, decoded webhook, for hosts that wrap or replace the core's
   * {@link WebhookResultProcessor} ({@code processor::process} fits). The stage's
   * outcome is only logged; its failure decides between 503 (a retryable
   * {@link ReplicateAudioException}) and 500.
   */
  @FunctionalInterface
  public interface ResultProcessor {
    /**
     * Processes one webhook; called on the thread that called {@code handle}/{@code handleAsync}.
     *
     * @param key the content key from the webhook URL's query
     * @param prediction the verified, decoded webhook body
     * @return the outcome, when processing ends
     */
    CompletionStage<CompletionOutcome> process(ContentKey key, Prediction prediction);
  }

  private final WebhookVerifier verifier;
  private final ResultProcessor processor;
  private final long maxBodyBytes;
  private final Duration acknowledgeAfter;
  private final WebhookListener listener;
  private final RecentDeliveries delivered;

  private WebhookEndpoint(Builder b) {
    this.verifier = b.verifier;
    this.processor = b.processor;
    this.maxBodyBytes = b.maxBodyBytes;
    this.acknowledgeAfter = b.acknowledgeAfter;
    this.listener = b.listener;
    this.delivered = b.rememberDeliveries == 0 ? null
        : new RecentDeliveries(b.rememberDeliveries, b.verifier.tolerance().multipliedBy(2).toNanos());
  }

  /**
   * An endpoint running the core pipeline, with the defaults of {@link Builder}.
   *
   * @param verifier checks the signatures
   * @param processor the core pipeline
   * @return a new endpoint
   */
  public static WebhookEndpoint create(WebhookVerifier verifier, WebhookResultProcessor processor) {
    return builder(verifier, processor).build();
  }

  /**
   * An endpoint with the defaults: a 10 MiB body limit, 202 when processing takes longer than 5 s.
   *
   * @param verifier checks the signatures
   * @param processor processes each verified prediction
   * @return a new endpoint
   */
  public static WebhookEndpoint create(WebhookVerifier verifier, ResultProcessor processor) {
    return builder(verifier, processor).build();
  }

  /**
   * A builder for an endpoint running the core pipeline; see {@link Builder}.
   *
   * @param verifier checks the signatures
   * @param processor the core pipeline
   * @return a new builder
   */
  public static Builder builder(WebhookVerifier verifier, WebhookResultProcessor processor) {
    Objects.requireNonNull(processor, "processor == null");
    return new Builder(verifier, processor::process);
  }

  /**
   * A builder, to change the body limit or answer early; see {@link Builder}.
   *
   * @param verifier checks the signatures
   * @param processor processes each verified prediction
   * @return a new builder
   */
  public static Builder builder(WebhookVerifier verifier, ResultProcessor processor) {
    return new Builder(verifier, processor);
  }

  /**
   * Handles one webhook request whose body is already in memory.
   *
   * @param headers the request headers (names in any case)
   * @param rawQuery the request URI's raw query ({@code content_type=...&content_id=...}); null when none
   * @param body the raw body, exactly as received
   * @return the answer; the future never fails
   */
  public CompletableFuture<WebhookResponse> handleAsync(Map<String, List<String>> headers, String rawQuery, byte[] body) {
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(body, "body == null");
    if (listener == WebhookListener.NONE) {
      return handleBytes(headers, rawQuery, body);
    }
    return observed(System.nanoTime(), handleBytes(headers, rawQuery, body));
  }

  private CompletableFuture<WebhookResponse> handleBytes(Map<String, List<String>> headers, String rawQuery,
      byte[] body) {
    if (body.length > maxBodyBytes) {
      return CompletableFuture.completedFuture(tooLarge());
    }
    try {
      return handleVerified(headers, rawQuery, body);
    } catch (RuntimeException e) {
      LOG.warn("Webhook handling failed unexpectedly", e);
      return CompletableFuture.completedFuture(new WebhookResponse(500, "internal error"));
    }
  }

  /** The answer, reported to the listener before it is handed back. */
  private CompletableFuture<WebhookResponse> observed(long startNanos, CompletableFuture<WebhookResponse> answer) {
    return answer.whenComplete((response, failure) -> {
      try {
        listener.requestAnswered(response == null ? 500 : response.statusCode(),
            Duration.ofNanos(System.nanoTime() - startNanos));
      } catch (RuntimeException e) {
        LOG.warn("WebhookListener {} threw from requestAnswered; ignored", listener, e);
      }
    });
  }

  /**
   * Handles one webhook request, reading its body from {@code body} on the calling thread (at most
   * {@code maxBodyBytes} + 1 bytes; the stream is not closed).
   *
   * @param headers the request headers (names in any case)
   * @param rawQuery the request URI's raw query; null when none
   * @param body the request body
   * @return the answer; the future never fails
   */
  public CompletableFuture<WebhookResponse> handleAsync(Map<String, List<String>> headers, String rawQuery,
      InputStream body) {
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(body, "body == null");
    if (listener == WebhookListener.NONE) {
      return readAndHandle(headers, rawQuery, body);
    }
    return observed(System.nanoTime(), readAndHandle(headers, rawQuery, body));
  }

  private CompletableFuture<WebhookResponse> readAndHandle(Map<String, List<String>> headers, String rawQuery,
      InputStream body) {
    byte[] bytes;
    try {
      bytes = body.readNBytes((int) maxBodyBytes + 1);
    } catch (IOException e) {
      LOG.info("Rejected a webhook: its body could not be read: {}", e.toString());
      return CompletableFuture.completedFuture(new WebhookResponse(400, "could not read the request body"));
    }
    return handleBytes(headers, rawQuery, bytes);
  }

  /**
   * Blocking form of {@link #handleAsync(Map, String, byte[])}: waits for the answer.
   *
   * @param headers the request headers (names in any case)
   * @param rawQuery the request URI's raw query; null when none
   * @param body the raw body, exactly as received
   * @return the answer
   */
  public WebhookResponse handle(Map<String, List<String>> headers, String rawQuery, byte[] body) {
    return await(handleAsync(headers, rawQuery, body));
  }

  /**
   * Blocking form of {@link #handleAsync(Map, String, InputStream)}: waits for the answer.
   *
   * @param headers the request headers (names in any case)
   * @param rawQuery the request URI's raw query; null when none
   * @param body the request body; not closed
   * @return the answer
   */
  public WebhookResponse handle(Map<String, List<String>> headers, String rawQuery, InputStream body) {
    return await(handleAsync(headers, rawQuery, body));
  }

  /**
   * The largest body accepted, in bytes.
   *
   * @return the limit
   */
  public long maxBodyBytes() {
    return maxBodyBytes;
  }

  /**
   * How long before answering 202 while processing goes on; empty when the endpoint waits for it.
   *
   * @return the delay; empty when the endpoint waits
   */
  public Optional<Duration> acknowledgeAfter() {
    return Optional.ofNullable(acknowledgeAfter);
  }

  /**
   * How many answered {@code webhook-id}s the endpoint remembers at most; 0 when it remembers none.
   *
   * @return the capacity
   */
  public int rememberedDeliveries() {
    return delivered == null ? 0 : delivered.capacity();
  }

  @Override
  public String toString() {
    return "WebhookEndpoint{maxBodyBytes=" + maxBodyBytes
        + (acknowledgeAfter == null ? "" : ", acknowledgeAfter=" + acknowledgeAfter.toMillis() + " ms") + "}";
  }

  // ---- machinery ----

  private CompletableFuture<WebhookResponse> handleVerified(Map<String, List<String>> headers, String rawQuery,
      byte[] body) {
    VerifiedWebhook message;
    try {
      message = verifier.verifyMultiValued(headers, body);
    } catch (WebhookVerificationException e) {
      LOG.info("Rejected a webhook: signature check failed ({})", e.reason());
      return CompletableFuture.completedFuture(new WebhookResponse(401,
          "invalid webhook signature: " + e.reason().name().toLowerCase(Locale.ROOT)));
    }
    if (delivered != null && delivered.contains(message.id())) {
      LOG.debug("Webhook {}: already answered, a duplicate delivery", message.id());
      return CompletableFuture.completedFuture(new WebhookResponse(200, "accepted: duplicate delivery"));
    }
    Optional<ContentKey> key = WebhookUrls.contentKey(rawQuery);
    if (key.isEmpty()) {
      LOG.info("Rejected webhook {}: no content key in the query '{}'", message.id(), Texts.printable(rawQuery, 200));
      return CompletableFuture.completedFuture(new WebhookResponse(400,
          "missing or malformed " + WebhookUrls.CONTENT_TYPE_PARAM + "/" + WebhookUrls.CONTENT_ID_PARAM
              + " query parameters"));
    }
    Prediction prediction;
    try {
      prediction = PredictionJson.parsePrediction(body);
    } catch (PredictionParseException e) {
      LOG.info("Rejected webhook {} for {}: {}", message.id(), key.get(), e.problem());
      return CompletableFuture.completedFuture(new WebhookResponse(400, "malformed prediction JSON: " + e.problem()));
    }
    CompletionStage<CompletionOutcome> stage;
    long processingStart = listener == WebhookListener.NONE ? 0 : System.nanoTime();
    try {
      stage = processor.process(key.get(), prediction);
      Objects.requireNonNull(stage, "the result processor returned null");
    } catch (RuntimeException e) {
      processingEnded(processingStart, null, e);
      return CompletableFuture.completedFuture(failure(message, key.get(), prediction, e));
    }
    if (listener != WebhookListener.NONE) {
      // runs when processing ends, however the answer went (202 included), and before an answer built
      // from the outcome is handed back
      stage = stage.whenComplete((outcome, failure) -> processingEnded(processingStart, outcome, failure));
    }
    CompletableFuture<WebhookResponse> answer = stage.toCompletableFuture().handle((outcome, failure) -> {
      if (failure != null) {
        return failure(message, key.get(), prediction, failure);
      }
      if (LOG.isDebugEnabled()) {
        LOG.debug("Webhook {} for {} ({}, {}): {}", message.id(), key.get(), prediction.id(),
            prediction.status().apiValue(), outcome == null ? null : outcome.status());
      }
      return new WebhookResponse(200, "accepted" + (outcome == null ? "" : ": " + outcome.status()));
    });
    if (acknowledgeAfter != null) {
      // completes only this dependent answer future, never the processing stage
      answer = answer.completeOnTimeout(
          new WebhookResponse(202, "accepted; processing continues"), acknowledgeAfter.toMillis(), TimeUnit.MILLISECONDS);
    }
    if (delivered != null) {
      answer = answer.thenApply(response -> {
        if (response.statusCode() / 100 == 2) {
          delivered.add(message.id());
        }
        return response;
      });
    }
    return answer;
  }

  private void processingEnded(long startNanos, CompletionOutcome outcome, Throwable failure) {
    if (listener == WebhookListener.NONE) {
      return;
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
    try {
      if (failure == null) {
        listener.processingFinished(outcome, elapsed);
      } else {
        Throwable cause = failure;
        while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
          cause = cause.getCause();
        }
        listener.processingFailed(cause, elapsed);
      }
    } catch (RuntimeException e) {
      LOG.warn("WebhookListener {} threw from a processing event; ignored", listener, e);
    }
  }

  private static WebhookResponse failure(VerifiedWebhook message, ContentKey key, Prediction prediction, Throwable t) {
    Throwable cause = t;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException) && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof ReplicateAudioException && ((ReplicateAudioException) cause).isRetryable()) {
      LOG.warn("Webhook {} for {} ({}) failed transiently, answering 503 so that Replicate retries: {}", message.id(),
          key, prediction.id(), cause.toString());
      return new WebhookResponse(503, "temporarily unable to process; retry later");
    }
    if (cause instanceof WebhookProcessingException) {
      // not retryable: the webhook does not match its job (the query names another content item);
      // the pipeline changed nothing
      LOG.info("Refused webhook {} for {} ({}): {}", message.id(), key, prediction.id(), cause.getMessage());
      return new WebhookResponse(400, "webhook does not match its job");
    }
    if (cause instanceof CancellationException) {
      LOG.warn("Webhook {} for {} ({}): processing was canceled, answering 503", message.id(), key, prediction.id());
      return new WebhookResponse(503, "processing was canceled; retry later");
    }
    LOG.warn("Webhook {} for {} ({}) failed, answering 500", message.id(), key, prediction.id(), cause);
    return new WebhookResponse(500, "processing failed");
  }

  private WebhookResponse tooLarge() {
    LOG.info("Rejected a webhook: body larger than {} bytes", maxBodyBytes);
    return new WebhookResponse(413, "body larger than " + maxBodyBytes + " bytes");
  }

  private static WebhookResponse await(CompletableFuture<WebhookResponse> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new WebhookResponse(503, "interrupted; retry later");
    } catch (ExecutionException e) {
      // handleAsync's futures do not fail; keep the contract anyway
      LOG.warn("Webhook handling failed unexpectedly", e.getCause());
      return new WebhookResponse(500, "internal error");
    }
  }

  /**
   * Builds a {@link WebhookEndpoint}. Not thread-safe.
   *
   * <p>Defaults: body limit 10 MiB; answers 202 when processing takes longer than 5 s; remembers
   * {@value WebhookEndpoint#DEFAULT_REMEMBERED_DELIVERIES} answered {@code webhook-id}s.
   */
  public static final class Builder {
    private final WebhookVerifier verifier;
    private final ResultProcessor processor;
    private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
    private Duration acknowledgeAfter = Duration.ofSeconds(DEFAULT_ACKNOWLEDGE_AFTER_SECONDS);
    private WebhookListener listener = WebhookListener.NONE;
    private int rememberDeliveries = DEFAULT_REMEMBERED_DELIVERIES;

    private Builder(WebhookVerifier verifier, ResultProcessor processor) {
      this.verifier = Objects.requireNonNull(verifier, "verifier == null");
      this.processor = Objects.requireNonNull(processor, "processor == null");
    }

    /**
     * The largest body accepted, from 1 byte to 512 MiB; default 10 MiB. Larger bodies get 413.
     *
     * @param maxBodyBytes the limit
     * @return this builder
     */
    public Builder maxBodyBytes(long maxBodyBytes) {
      if (maxBodyBytes < 1 || maxBodyBytes > MAX_BODY_BYTES_LIMIT) {
        throw new IllegalArgumentException("maxBodyBytes=" + maxBodyBytes + " is out of range: accepted 1 to "
            + MAX_BODY_BYTES_LIMIT);
      }
      this.maxBodyBytes = maxBodyBytes;
      return this;
    }

    /**
     * Answer 202 when processing has not finished after {@code timeout} (from 1 ms to 1 h), and let it
     * go on. Default: {@value #DEFAULT_ACKNOWLEDGE_AFTER_SECONDS} s.
     *
     * @param timeout how long to wait before answering 202
     * @return this builder
     */
    public Builder acknowledgeAfter(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.toMillis() < 1 || timeout.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("acknowledgeAfter=" + timeout + " is out of range: accepted 1 ms to 1 h");
      }
      this.acknowledgeAfter = timeout;
      return this;
    }

    /**
     * Always wait for processing to finish before answering, however long it takes, so that every
     * transient failure is answered 503 and redelivered by Replicate (which may time out first).
     *
     * @return this builder
     */
    public Builder waitForProcessing() {
      this.acknowledgeAfter = null;
      return this;
    }

    /**
     * Told about every answer and every processing outcome (metrics); see {@link WebhookListener}.
     * Default: none.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(WebhookListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * How many answered {@code webhook-id}s to remember, from 0 (none: every verified message is
     * processed) to 1,000,000; default {@value WebhookEndpoint#DEFAULT_REMEMBERED_DELIVERIES}. Each costs about 150
     * bytes of heap while kept (twice the verifier's tolerance).
     *
     * @param capacity the most ids kept
     * @return this builder
     */
    public Builder rememberDeliveries(int capacity) {
      if (capacity < 0 || capacity > 1_000_000) {
        throw new IllegalArgumentException("rememberDeliveries=" + capacity + " is out of range: accepted 0 to 1000000");
      }
      this.rememberDeliveries = capacity;
      return this;
    }

    /**
     * Builds the endpoint.
     *
     * @return a new endpoint
     */
    public WebhookEndpoint build() {
      return new WebhookEndpoint(this);
    }
  }
}
