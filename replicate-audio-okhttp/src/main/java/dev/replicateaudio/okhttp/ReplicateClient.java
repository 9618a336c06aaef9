package dev.replicateaudio.okhttp;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Properties;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Replicate's prediction API on OkHttp: creates webhook predictions, looks them up, cancels them,
 * and fetches the account's webhook signing secret.
 *
 * <pre>{@code
 * try (ReplicateClient replicate = ReplicateClient.builder()   // token from REPLICATE_API_TOKEN
 *     .okHttpClient(sharedOkHttp)                              // optional; never modified
 *     .build()) {
 *   Prediction p = replicate.createWebhookPrediction(PredictionRequest.forModel("minimax/speech-02-turbo")
 *       .input(Map.of("text", "Hello"))
 *       .webhook(WebhookUrls.forContent(URI.create("https://example.com/hooks/replicate"), ContentKey.speech(7)))
 *       .build());
 * }
 * }</pre>
 *
 * <p>Every call has a blocking form and an {@code …Async} form returning a
 * {@link CompletableFuture}. The async forms never block a thread: requests go through OkHttp's
 * {@code enqueue}, retries are scheduled on a timer, and cancelling the returned future cancels the
 * HTTP call and any pending retry. Futures complete on an OkHttp dispatcher thread, or on the
 * {@link Builder#callbackExecutor callback executor} when one is set: keep dependent stages short
 * or give them an executor.
 *
 * <p>Retries: GETs on 429, 5xx and I/O errors; create and cancel only on 429 (Replicate has no
 * idempotency key, so repeating a create after a timeout or a 5xx could bill twice). The delay
 * honours {@code Retry-After} (seconds or HTTP date), then the body's {@code retry_after}, then
 * "resets in ~Ns", else exponential backoff with jitter, always capped at {@code maxBackoff}.
 * Failures are {@link ReplicateApiException}s; unusable prediction JSON is a
 * {@link PredictionParseException}.
 *
 * <p>The API token is sent only as {@code Authorization: Bearer …} to the base URL's host and never
 * appears in logs, messages or {@link #toString()}. Plain {@code http} base URLs are accepted for
 * loopback hosts only (simulators, tests). Redirects are not followed.
 *
 * <p>{@link #close()} releases the threads and connections of an OkHttpClient this class created;
 * a client you passed in stays yours. This class is thread-safe; its {@link Builder} is not.
 */
public final class ReplicateClient implements PredictionClient, AutoCloseable {
  /** Replicate's API, {@value}. */
  public static final String DEFAULT_BASE_URL = "https://api.replicate.com/v1";
  /** The environment variable the API token is read from, {@value}. */
  public static final String ENV_API_TOKEN = "REPLICATE_API_TOKEN";

  /** Default connect timeout: 10 s. */
  public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /** Default read timeout (between bytes): 30 s. */
  public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);
  /** Default write timeout (between bytes): 30 s. */
  public static final Duration DEFAULT_WRITE_TIMEOUT = Duration.ofSeconds(30);
  /** Default deadline of one HTTP attempt, start to end: 60 s. */
  public static final Duration DEFAULT_CALL_TIMEOUT = Duration.ofSeconds(60);
  /** Default attempts per call, retries included: 5. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;
  /** Default backoff before the first retry (before jitter): 500 ms, doubling per retry. */
  public static final Duration DEFAULT_BASE_BACKOFF = Duration.ofMillis(500);
  /** Default cap on any wait between attempts, server hints included: 30 s. */
  public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofSeconds(30);

  /** The largest successful response body read, in bytes (32 MiB). */
  public static final long MAX_RESPONSE_BYTES = 32L << 20;
  /** How much of an error body is read, in bytes. */
  static final long MAX_ERROR_BODY_BYTES = 64L << 10;

  static final int MAX_ATTEMPTS_LIMIT = 20;
  static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  static final Duration MAX_BACKOFF_LIMIT = Duration.ofHours(1);

  private static final Logger LOG = LoggerFactory.getLogger(ReplicateClient.class);
  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final Pattern PREDICTION_ID = Pattern.compile("[A-Za-z0-9_-]{1,128}");
  private static final Pattern HEADER_SAFE = Pattern.compile("[\\x21-\\x7e]+");
  private static final Pattern USER_AGENT = Pattern.compile("[\\x20-\\x7e]+");
  private static final String VERSION = readVersion();

  private final OkHttpClient client;
  private final boolean ownsClient;
  private final HttpUrl baseUrl;
  private final String authorization;
  private final String userAgent;
  private final RetryPolicy retryPolicy;
  private final Executor callbackExecutor;
  private final AtomicBoolean closed = new AtomicBoolean();

  private ReplicateClient(Builder b, String token) {
    this.baseUrl = b.baseUrl;
    this.authorization = "Bearer " + token;
    this.userAgent = b.userAgent != null ? b.userAgent : defaultUserAgent();
    this.retryPolicy = new RetryPolicy(b.maxAttempts, b.baseBackoff, b.maxBackoff, Clock.systemUTC());
    this.callbackExecutor = b.callbackExecutor;
    this.ownsClient = b.okHttpClient == null;
    OkHttpClient.Builder cb = b.okHttpClient == null ? new OkHttpClient.Builder() : b.okHttpClient.newBuilder();
    this.client = cb
        .connectTimeout(b.connectTimeout)
        .readTimeout(b.readTimeout)
        .writeTimeout(b.writeTimeout)
        .callTimeout(b.callTimeout)
        .followRedirects(false)
        .followSslRedirects(false)
        .cache(null)
        .build();
  }

  /**
   * A builder; the API token defaults to {@value #ENV_API_TOKEN}.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * {@code replicate-audio/<version>}, the default User-Agent.
   *
   * @return the User-Agent, with this library's version
   */
  public static String defaultUserAgent() {
    return "replicate-audio/" + VERSION;
  }

  // ---- blocking API ----

  /**
   * Creates a prediction that reports through its webhook; blocks until Replicate answers.
   *
   * @param request what to run, with its webhook set
   * @return the created prediction
   * @throws ReplicateApiException when Replicate refuses or can't be reached
   * @throws PredictionParseException when the answer is not a usable prediction
   * @see #createWebhookPredictionAsync(PredictionRequest)
   */
  public Prediction createWebhookPrediction(PredictionRequest request) {
    return await(createWebhookPredictionAsync(request));
  }

  /**
   * The prediction's current state; blocks until Replicate answers.
   *
   * @param predictionId the prediction
   * @return its state now
   * @throws ReplicateApiException when Replicate refuses or can't be reached
   */
  public Prediction getPrediction(String predictionId) {
    return await(getPredictionAsync(predictionId));
  }

  /**
   * Asks Replicate to cancel the prediction and returns its state after the request; blocks.
   *
   * @param predictionId the prediction
   * @return its state after the request
   * @throws ReplicateApiException when Replicate refuses or can't be reached
   */
  public Prediction cancelPrediction(String predictionId) {
    return await(cancelPredictionAsync(predictionId));
  }

  /**
   * The account's webhook signing secret ({@code whsec_…}) from {@code GET /webhooks/default/secret};
   * blocks. One secret per account: fetch it once and keep it. It is a secret: never log it.
   *
   * @return the secret
   * @throws ReplicateApiException when Replicate refuses or can't be reached
   */
  public String getDefaultWebhookSecret() {
    return await(getDefaultWebhookSecretAsync());
  }

  // ---- async API ----

  /**
   * Creates a prediction that reports through its webhook: {@code POST /models/{owner}/{name}/predictions},
   * {@code POST /predictions} (with {@code version}) or {@code POST /deployments/{owner}/{name}/predictions},
   * with the body {@code {input, webhook, webhook_events_filter}} and, when set, the
   * {@code Cancel-After} header. Retried only on 429.
   *
   * @throws IllegalArgumentException (at once, not in the future) when the request has no webhook
   *     or an input value can't be written as JSON
   */
  @Override
  public CompletableFuture<Prediction> createWebhookPredictionAsync(PredictionRequest request) {
    Objects.requireNonNull(request, "request == null");
    if (request.webhook() == null) {
      throw new IllegalArgumentException("request has no webhook URL: set PredictionRequest.Builder.webhook(...)"
          + " (WebhookUrls.forContent builds one per content item)");
    }
    HttpUrl.Builder url = baseUrl.newBuilder();
    switch (request.kind()) {
      case MODEL: {
        String[] ownerName = request.target().split("/", 2);
        url.addPathSegment("models").addPathSegment(ownerName[0]).addPathSegment(ownerName[1]).addPathSegment("predictions");
        break;
      }
      case DEPLOYMENT: {
        String[] ownerName = request.target().split("/", 2);
        url.addPathSegment("deployments").addPathSegment(ownerName[0]).addPathSegment(ownerName[1])
            .addPathSegment("predictions");
        break;
      }
      case VERSION:
        url.addPathSegment("predictions");
        break;
      default:
        throw new IllegalStateException("unknown target kind " + request.kind());
    }
    Request.Builder rb = newRequest(url.build()).post(new OneShotBody(PredictionJson.writeRequest(request)));
    String cancelAfter = request.cancelAfterHeaderValue();
    if (cancelAfter != null) {
      rb.header("Cancel-After", cancelAfter);
    }
    return execute(rb.build(), false, PredictionJson::parsePrediction);
  }

  /** {@code GET /predictions/{id}}; retried on 429, 5xx and I/O errors. */
  @Override
  public CompletableFuture<Prediction> getPredictionAsync(String predictionId) {
    HttpUrl url = baseUrl.newBuilder().addPathSegment("predictions").addPathSegment(checkId(predictionId)).build();
    return execute(newRequest(url).get().build(), true, PredictionJson::parsePrediction);
  }

  /** {@code POST /predictions/{id}/cancel}; retried only on 429. */
  @Override
  public CompletableFuture<Prediction> cancelPredictionAsync(String predictionId) {
    HttpUrl url = baseUrl.newBuilder().addPathSegment("predictions").addPathSegment(checkId(predictionId))
        .addPathSegment("cancel").build();
    return execute(newRequest(url).post(new OneShotBody(new byte[0])).build(), false,
        PredictionJson::parsePrediction);
  }

  /**
   * {@code GET /webhooks/default/secret}; see {@link #getDefaultWebhookSecret()}.
   *
   * @return a future of the secret
   */
  public CompletableFuture<String> getDefaultWebhookSecretAsync() {
    HttpUrl url = baseUrl.newBuilder().addPathSegments("webhooks/default/secret").build();
    return execute(newRequest(url).get().build(), true, ReplicateClient::parseSecret);
  }

  /**
   * The base URL every path is resolved against, for example {@code https://api.replicate.com/v1}.
   *
   * @return the base URL, without a trailing slash
   */
  public String baseUrl() {
    return baseUrl.toString();
  }

  /**
   * Releases the dispatcher threads and pooled connections of the OkHttpClient this instance created;
   * does nothing to one passed to {@link Builder#okHttpClient}. Calls in flight fail, pending retries
   * are dropped, and new calls throw {@link IllegalStateException}. Safe to call twice.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true) || !ownsClient) {
      return;
    }
    OkHttpClients.release(client);
  }

  /** Without the token. */
  @Override
  public String toString() {
    return "ReplicateClient{baseUrl=" + baseUrl + ", apiToken=<masked>, maxAttempts=" + retryPolicy.maxAttempts()
        + ", userAgent=" + userAgent + "}";
  }

  // ---- machinery ----

  private Request.Builder newRequest(HttpUrl url) {
    return new Request.Builder()
        .url(url)
        .header("Authorization", authorization)
        .header("Accept", "application/json")
        .header("User-Agent", userAgent);
  }

  private static String checkId(String predictionId) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    if (!PREDICTION_ID.matcher(predictionId).matches()) {
      throw new IllegalArgumentException("predictionId must be 1 to 128 characters of [A-Za-z0-9_-], was '"
          + Texts.printable(predictionId, 140) + "'");
    }
    return predictionId;
  }

  private static String parseSecret(byte[] body) {
    try {
      com.fasterxml.jackson.databind.JsonNode key = PredictionJson.mapper().readTree(body).path("key");
      if (key.isTextual() && !key.textValue().isBlank()) {
        return key.textValue();
      }
    } catch (IOException | RuntimeException e) {
      // fall through; the body may hold the secret, so neither it nor the parser's message is shown
    }
    throw new ReplicateAudioException("Replicate's webhook secret response has no \"key\" string"
        + " (body of " + body.length + " bytes not shown: it may hold the secret)");
  }

  private <T> CompletableFuture<T> execute(Request request, boolean idempotent, BodyParser<T> parser) {
    if (closed.get()) {
      throw new IllegalStateException("ReplicateClient is closed");
    }
    CompletableFuture<T> result = new CompletableFuture<>();
    Exchange<T> exchange = new Exchange<>(request, idempotent, parser, result);
    result.whenComplete((value, failure) -> {
      if (result.isCancelled()) {
        exchange.cancel();
      }
    });
    exchange.attempt();
    return result;
  }

  private static <T> T await(CompletableFuture<T> future) {
    try {
      return future.get();
    } catch (InterruptedException e) {
      future.cancel(true);
      Thread.currentThread().interrupt();
      throw new ReplicateAudioException("Interrupted while waiting for Replicate; the call was canceled", e);
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      if (cause instanceof Error) {
        throw (Error) cause;
      }
      throw new ReplicateAudioException("Replicate call failed: " + cause, cause);
    }
  }

  /** Reads a response body into memory, failing when it is longer than {@code limit}. */
  static byte[] readBounded(ResponseBody body, long limit) throws IOException {
    long declared = body.contentLength();
    if (declared > limit) {
      throw new BodyTooLargeException(declared, limit);
    }
    BufferedSource source = body.source();
    Buffer buffer = new Buffer();
    while (buffer.size() <= limit) {
      if (source.read(buffer, 8192) == -1) {
        return buffer.readByteArray();
      }
    }
    throw new BodyTooLargeException(-1, limit);
  }

  /** Reads at most {@code limit} bytes of a body; the rest is discarded when the response closes. */
  static byte[] readPrefix(ResponseBody body, long limit) throws IOException {
    BufferedSource source = body.source();
    Buffer buffer = new Buffer();
    while (buffer.size() < limit) {
      if (source.read(buffer, Math.min(8192, limit - buffer.size())) == -1) {
        break;
      }
    }
    return buffer.readByteArray();
  }

  private static String readVersion() {
    try (InputStream in = ReplicateClient.class.getResourceAsStream("version.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        String v = p.getProperty("version");
        if (v != null && !v.isBlank() && !v.startsWith("${")) {
          return v.strip();
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return "unknown";
  }

  @FunctionalInterface
  interface BodyParser<T> {
    T parse(byte[] body);
  }

  /**
   * A JSON body that OkHttp must not send twice on its own: a one-shot body turns off OkHttp's silent
   * repeat of a request after a 408 and after a connection failure once the request was sent. This
   * class decides about repeating creates and cancels (only after a 429), and writes the same bytes
   * again when it does.
   */
  static final class OneShotBody extends RequestBody {
    private final byte[] bytes;

    OneShotBody(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public MediaType contentType() {
      return JSON;
    }

    @Override
    public long contentLength() {
      return bytes.length;
    }

    @Override
    public boolean isOneShot() {
      return true;
    }

    @Override
    public void writeTo(okio.BufferedSink sink) throws IOException {
      sink.write(bytes);
    }
  }

  /** A body over the size limit. */
  static final class BodyTooLargeException extends IOException {
    private static final long serialVersionUID = 1L;

    BodyTooLargeException(long declared, long limit) {
      super("response body " + (declared >= 0 ? "of " + declared + " bytes " : "") + "is larger than the limit of "
          + limit + " bytes");
    }
  }

  /** One logical call: its attempts, their retries and the future they complete. */
  private final class Exchange<T> implements Callback {
    private final Request request;
    private final boolean idempotent;
    private final BodyParser<T> parser;
    private final CompletableFuture<T> result;
    private final String label;
    private final long startNanos = System.nanoTime();
    private volatile int attempt;
    private volatile Call call;

    Exchange(Request request, boolean idempotent, BodyParser<T> parser, CompletableFuture<T> result) {
      this.request = request;
      this.idempotent = idempotent;
      this.parser = parser;
      this.result = result;
      this.label = request.method() + " " + request.url().encodedPath();
    }

    void attempt() {
      if (result.isDone()) {
        return;
      }
      if (closed.get()) {
        fail(new ReplicateAudioException("ReplicateClient was closed before " + label + " could be retried"));
        return;
      }
      attempt++;
      Call c = client.newCall(request);
      call = c;
      if (result.isDone()) {
        c.cancel();
        return;
      }
      c.enqueue(this);
    }

    void cancel() {
      Call c = call;
      if (c != null) {
        c.cancel();
      }
    }

    @Override
    public void onFailure(Call c, IOException e) {
      if (result.isDone()) {
        return;
      }
      if (retryPolicy.mayRetryIoError(idempotent) && attempt < retryPolicy.maxAttempts()) {
        retryLater(retryPolicy.delay(attempt, null), e.toString());
        return;
      }
      fail(ioFailure(e));
    }

    @Override
    public void onResponse(Call c, Response response) {
      try (response) {
        if (result.isDone()) {
          return;
        }
        int code = response.code();
        if (LOG.isDebugEnabled()) {
          LOG.debug("{} -> HTTP {} after {} ms (attempt {} of {})", label, code, elapsedMillis(), attempt,
              retryPolicy.maxAttempts());
        }
        if (response.isSuccessful()) {
          byte[] body;
          try {
            body = readBounded(response.body(), MAX_RESPONSE_BYTES);
          } catch (BodyTooLargeException e) {
            fail(new ReplicateApiException("Replicate API " + label + " failed: the " + e.getMessage(), e, false, code,
                null, null, request.method(), request.url().encodedPath(), attempt, false, null));
            return;
          }
          succeed(parser.parse(body));
          return;
        }
        ProblemBody problem = ProblemBody.parse(readPrefix(response.body(), MAX_ERROR_BODY_BYTES));
        java.time.Duration hint = retryPolicy.retryAfterHeader(response.header("Retry-After"));
        if (hint == null) {
          hint = problem.retryAfter();
        }
        if (retryPolicy.mayRetryStatus(code, idempotent) && attempt < retryPolicy.maxAttempts()) {
          retryLater(retryPolicy.delay(attempt, hint), "HTTP " + code);
          return;
        }
        fail(httpFailure(code, problem, hint));
      } catch (IOException e) {
        // the body broke off while being read
        onFailure(c, e);
      } catch (RuntimeException | Error e) {
        fail(e);
      }
    }

    private void retryLater(Duration delay, String why) {
      if (LOG.isDebugEnabled()) {
        LOG.debug("{}: {}; retrying in {} ms (attempt {} of {})", label, why, delay.toMillis(), attempt + 1,
            retryPolicy.maxAttempts());
      }
      // no thread sleeps: the JDK's shared delay scheduler starts the next attempt, which only enqueues it
      Executor later = CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS, Runnable::run);
      try {
        later.execute(this::attempt);
      } catch (RejectedExecutionException e) {
        fail(new ReplicateAudioException("Can't schedule a retry of " + label, e));
      }
    }

    private ReplicateApiException httpFailure(int code, ProblemBody problem, Duration hint) {
      boolean retryable = code == 429 || code >= 500 && code <= 599;
      StringBuilder m = new StringBuilder("Replicate API ").append(label).append(" failed: HTTP ").append(code);
      if (problem.title() != null) {
        m.append(' ').append(problem.title());
      }
      if (problem.detail() != null) {
        m.append(": ").append(problem.detail());
      }
      m.append(" (attempt ").append(attempt).append(" of ").append(retryPolicy.maxAttempts());
      if (!idempotent && code >= 500 && code <= 599) {
        m.append("; not retried: a ").append(request.method())
            .append(" that may have taken effect is never repeated, look the prediction up instead");
      }
      m.append(')');
      return new ReplicateApiException(m.toString(), null, retryable, code, problem.title(), problem.detail(),
          request.method(), request.url().encodedPath(), attempt, !idempotent && code >= 500, hint);
    }

    private ReplicateApiException ioFailure(IOException e) {
      boolean neverSent = e instanceof ConnectException || e instanceof UnknownHostException;
      boolean timeout = e instanceof InterruptedIOException;
      StringBuilder m = new StringBuilder("Replicate API ").append(label).append(" failed: ")
          .append(timeout ? "timed out" : "I/O error").append(" (").append(e.getClass().getSimpleName());
      if (e.getMessage() != null) {
        m.append(": ").append(Texts.printable(e.getMessage(), 200));
      }
      m.append(") after ").append(elapsedMillis()).append(" ms (attempt ").append(attempt).append(" of ")
          .append(retryPolicy.maxAttempts());
      if (!idempotent) {
        m.append("; not retried: a ").append(request.method())
            .append(" that may have reached Replicate is never repeated, look the prediction up instead");
      }
      m.append(')');
      return new ReplicateApiException(m.toString(), e, true, -1, null, null, request.method(),
          request.url().encodedPath(), attempt, !idempotent && !neverSent, null);
    }

    private long elapsedMillis() {
      return TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos);
    }

    private void succeed(T value) {
      complete(() -> result.complete(value));
    }

    private void fail(Throwable t) {
      complete(() -> result.completeExceptionally(t));
    }

    private void complete(Runnable completion) {
      Executor executor = callbackExecutor;
      if (executor == null) {
        completion.run();
        return;
      }
      try {
        executor.execute(completion);
      } catch (RejectedExecutionException e) {
        completion.run();
      }
    }
  }

  /**
   * Builds a {@link ReplicateClient}. Not thread-safe.
   *
   * <p>Defaults: base URL {@value ReplicateClient#DEFAULT_BASE_URL}; token from
   * {@value ReplicateClient#ENV_API_TOKEN}; connect timeout 10 s, read 30 s, write 30 s, whole call
   * 60 s (these apply even to an OkHttpClient you pass in); at most 5 attempts per call, backoff from
   * 500 ms doubling up to 30 s; User-Agent {@code replicate-audio/<version>}.
   */
  public static final class Builder {
    private String apiToken;
    private Map<String, String> environment;
    private HttpUrl baseUrl = HttpUrl.get(DEFAULT_BASE_URL);
    private OkHttpClient okHttpClient;
    private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
    private Duration readTimeout = DEFAULT_READ_TIMEOUT;
    private Duration writeTimeout = DEFAULT_WRITE_TIMEOUT;
    private Duration callTimeout = DEFAULT_CALL_TIMEOUT;
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Duration baseBackoff = DEFAULT_BASE_BACKOFF;
    private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
    private String userAgent;
    private Executor callbackExecutor;

    private Builder() {
    }

    /**
     * The API token ({@code r8_…}). Without it, {@link #build()} reads {@value ReplicateClient#ENV_API_TOKEN}.
     *
     * @param apiToken the token
     * @return this builder
     * @throws IllegalArgumentException when blank or holding spaces or control characters (the
     *     message never shows the value)
     */
    public Builder apiToken(String apiToken) {
      Objects.requireNonNull(apiToken, "apiToken == null");
      if (!HEADER_SAFE.matcher(apiToken).matches()) {
        throw new IllegalArgumentException("apiToken must be non-blank printable ASCII without spaces"
            + " (" + apiToken.length() + " characters given; value not shown)");
      }
      this.apiToken = apiToken;
      return this;
    }

    /**
     * Where {@link #build()} looks up {@value ReplicateClient#ENV_API_TOKEN} when no
     * {@link #apiToken} was given; defaults to {@link System#getenv()}. For tests.
     *
     * @param environment variable names to values
     * @return this builder
     */
    public Builder environment(Map<String, String> environment) {
      this.environment = Map.copyOf(Objects.requireNonNull(environment, "environment == null"));
      return this;
    }

    /**
     * The API's base URL, path included (default {@value ReplicateClient#DEFAULT_BASE_URL}). Plain
     * {@code http} is accepted only for loopback hosts ({@code localhost}, {@code 127.0.0.1},
     * {@code [::1]}), so the token never crosses a network in clear text.
     *
     * @param baseUrl an absolute URL
     * @return this builder
     * @throws IllegalArgumentException when it is not https, or http to a loopback host
     */
    public Builder baseUrl(String baseUrl) {
      Objects.requireNonNull(baseUrl, "baseUrl == null");
      HttpUrl url = HttpUrl.parse(baseUrl);
      if (url == null || url.query() != null || url.fragment() != null) {
        throw new IllegalArgumentException("baseUrl must be an absolute http(s) URL without query or fragment, was '"
            + Texts.printable(baseUrl, 200) + "'");
      }
      if (!url.isHttps() && !isLoopback(url.host())) {
        throw new IllegalArgumentException("baseUrl must use https (plain http only for loopback hosts), was '"
            + Texts.printable(baseUrl, 200) + "'");
      }
      this.baseUrl = url;
      return this;
    }

    /**
     * A client to share connection pool and threads with. It is never modified: this builder's
     * timeouts and settings apply to a {@code newBuilder()} copy.
     *
     * @param okHttpClient the host's client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = Objects.requireNonNull(okHttpClient, "okHttpClient == null");
      return this;
    }

    /**
     * Connect timeout, positive, at most 24 h; default 10 s.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder connectTimeout(Duration timeout) {
      this.connectTimeout = checkTimeout("connectTimeout", timeout);
      return this;
    }

    /**
     * Read timeout (between bytes), positive, at most 24 h; default 30 s.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder readTimeout(Duration timeout) {
      this.readTimeout = checkTimeout("readTimeout", timeout);
      return this;
    }

    /**
     * Write timeout (between bytes), positive, at most 24 h; default 30 s.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder writeTimeout(Duration timeout) {
      this.writeTimeout = checkTimeout("writeTimeout", timeout);
      return this;
    }

    /**
     * Deadline for one HTTP attempt, start to end, positive, at most 24 h; default 60 s. Retries get their own.
     *
     * @param timeout the timeout
     * @return this builder
     */
    public Builder callTimeout(Duration timeout) {
      this.callTimeout = checkTimeout("callTimeout", timeout);
      return this;
    }

    /**
     * Attempts per call, retries included, 1 to 20; default 5. 1 turns retries off.
     *
     * @param maxAttempts the attempts
     * @return this builder
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > MAX_ATTEMPTS_LIMIT) {
        throw new IllegalArgumentException("maxAttempts=" + maxAttempts + " is out of range: accepted 1 to "
            + MAX_ATTEMPTS_LIMIT);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * The first retry's backoff before jitter, doubling for each further retry; positive; default 500 ms.
     *
     * @param baseBackoff the backoff
     * @return this builder
     */
    public Builder baseBackoff(Duration baseBackoff) {
      this.baseBackoff = checkBackoff("baseBackoff", baseBackoff);
      return this;
    }

    /**
     * The longest wait between attempts, server hints included; positive, at most 1 h; default 30 s.
     *
     * @param maxBackoff the longest wait
     * @return this builder
     */
    public Builder maxBackoff(Duration maxBackoff) {
      this.maxBackoff = checkBackoff("maxBackoff", maxBackoff);
      return this;
    }

    /**
     * The User-Agent header; default {@code replicate-audio/<version>}.
     *
     * @param userAgent the header's value
     * @return this builder
     */
    public Builder userAgent(String userAgent) {
      Objects.requireNonNull(userAgent, "userAgent == null");
      if (!USER_AGENT.matcher(userAgent).matches() || userAgent.isBlank()) {
        throw new IllegalArgumentException("userAgent must be non-blank printable ASCII, was '"
            + Texts.printable(userAgent, 100) + "'");
      }
      this.userAgent = userAgent;
      return this;
    }

    /**
     * Where the async forms' futures complete. Default: the OkHttp dispatcher thread that received
     * the response. Should the executor reject a task, the future completes on the calling thread.
     *
     * @param callbackExecutor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor == null");
      return this;
    }

    /**
     * Builds the client; the token is resolved now.
     *
     * @throws ConfigurationException when no token was given and {@value ReplicateClient#ENV_API_TOKEN}
     *     is unset, blank or unusable
     * @return a new client; close it when done (see {@link ReplicateClient#close()})
     * @throws IllegalStateException when {@code baseBackoff} is longer than {@code maxBackoff}
     */
    public ReplicateClient build() {
      if (baseBackoff.compareTo(maxBackoff) > 0) {
        throw new IllegalStateException("baseBackoff (" + baseBackoff.toMillis() + " ms) is longer than maxBackoff ("
            + maxBackoff.toMillis() + " ms)");
      }
      String token = apiToken;
      if (token == null) {
        Map<String, String> env = environment != null ? environment : System.getenv();
        String fromEnv = env.get(ENV_API_TOKEN);
        if (fromEnv == null || fromEnv.isBlank()) {
          throw new ConfigurationException(ENV_API_TOKEN + " is not set and no apiToken(...) was given;"
              + " create a token at https://replicate.com/account/api-tokens");
        }
        fromEnv = fromEnv.strip();
        if (!HEADER_SAFE.matcher(fromEnv).matches()) {
          throw new ConfigurationException(ENV_API_TOKEN + " holds spaces or control characters ("
              + fromEnv.length() + " characters; value not shown)");
        }
        token = fromEnv;
      }
      return new ReplicateClient(this, token);
    }

    private static Duration checkTimeout(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isZero() || d.isNegative() || d.compareTo(MAX_TIMEOUT) > 0) {
        throw new IllegalArgumentException(name + "=" + d + " is out of range: must be positive, at most 24 h");
      }
      if (d.toMillis() == 0) {
        throw new IllegalArgumentException(name + "=" + d + " is shorter than 1 ms");
      }
      return d;
    }

    private static Duration checkBackoff(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative() || d.toMillis() < 1 || d.compareTo(MAX_BACKOFF_LIMIT) > 0) {
        throw new IllegalArgumentException(name + "=" + d + " is out of range: must be from 1 ms to 1 h");
      }
      return d;
    }

    private static boolean isLoopback(String host) {
      return host.equals("localhost") || host.startsWith("127.") || host.equals("::1");
    }
  }
}
