package dev.replicateaudio.okhttp;

import static dev.replicateaudio.okhttp.PredictionJsonTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.webhook.WebhookUrls;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.ResponseBody;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicateClientTest {
  static final String TOKEN = "r8_TESTTOKEN_0123456789abcdef";
  static final Duration WAIT = Duration.ofSeconds(20);

  @StartStop final MockWebServer server = new MockWebServer();

  private final OkHttpClient shared = new OkHttpClient();
  private ReplicateClient client;

  @AfterEach
  void closeClient() {
    if (client != null) {
      client.close();
    }
    shared.dispatcher().executorService().shutdown();
    shared.connectionPool().evictAll();
  }

  private ReplicateClient.Builder builder() {
    return ReplicateClient.builder()
        .apiToken(TOKEN)
        .baseUrl(server.url("/v1").toString())
        .okHttpClient(shared)
        .baseBackoff(Duration.ofMillis(10))
        .maxBackoff(Duration.ofSeconds(3));
  }

  private ReplicateClient client() {
    client = builder().build();
    return client;
  }

  private static MockResponse json(int code, byte[] body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/json")
        .body(new okio.Buffer().write(body)).build();
  }

  private static MockResponse json(int code, String body) {
    return json(code, body.getBytes(StandardCharsets.UTF_8));
  }

  private static MockResponse problem(int code, String body) {
    return new MockResponse.Builder().code(code).setHeader("Content-Type", "application/problem+json").body(body).build();
  }

  private static PredictionRequest.Builder audiogen() {
    return PredictionRequest.forModel("sepal/audiogen")
        .input(Map.of("prompt", "door creak"))
        .webhook(WebhookUrls.forContent(URI.create("https://example.com/hooks/replicate"), ContentKey.soundEffect(42)));
  }

  private RecordedRequest take() throws InterruptedException {
    RecordedRequest r = server.takeRequest(10, TimeUnit.SECONDS);
    assertThat(r).as("request received").isNotNull();
    return r;
  }

  private static JsonNode bodyJson(RecordedRequest r) throws Exception {
    return PredictionJson.mapper().readTree(r.getBody().utf8());
  }

  // ---- request shape ----

  @Test
  void createForModelPostsToTheModelEndpointWithAuthJsonAndExplicitEventsFilter() throws Exception {
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    Prediction p = client().createWebhookPrediction(audiogen().cancelAfter(Duration.ofMinutes(5)).build());

    assertThat(p.id()).isEqualTo("vgcm4plb7tgzlyznry5d5jkgvu");
    assertThat(p.status()).isEqualTo(PredictionStatus.STARTING);
    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/models/sepal/audiogen/predictions");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(r.getHeaders().get("Content-Type")).isEqualTo("application/json; charset=utf-8");
    assertThat(r.getHeaders().get("User-Agent")).startsWith("replicate-audio/").doesNotContain("unknown");
    assertThat(r.getHeaders().get("Cancel-After")).isEqualTo("5m");
    JsonNode body = bodyJson(r);
    assertThat(body.has("version")).isFalse();
    assertThat(body.get("input").get("prompt").textValue()).isEqualTo("door creak");
    assertThat(body.get("webhook").textValue())
        .isEqualTo("https://example.com/hooks/replicate?content_type=sound_effect&content_id=42");
    assertThat(body.get("webhook_events_filter")).extracting(JsonNode::textValue).containsExactly("completed");
  }

  @Test
  void createForVersionPostsToPredictionsWithTheVersionAndNoCancelAfterWhenUnset() throws Exception {
    server.enqueue(json(201, fixture("recorded/create-starting.json")));
    String version = "154b3e5141493cb1b8cec976d9aa90f2b691137e39ad906d2421b74c2a8c52b8";

    client().createWebhookPrediction(PredictionRequest.forVersion(version).input("prompt", "rain")
        .webhook(URI.create("https://example.com/hook")).build());

    RecordedRequest r = take();
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/predictions");
    assertThat(r.getHeaders().get("Cancel-After")).isNull();
    assertThat(bodyJson(r).get("version").textValue()).isEqualTo(version);
    assertThat(bodyJson(r).get("webhook_events_filter")).extracting(JsonNode::textValue).containsExactly("completed");
  }

  @Test
  void createForDeploymentPostsToTheDeploymentEndpoint() throws Exception {
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    client().createWebhookPrediction(PredictionRequest.forDeployment("acme/sfx-prod").input("prompt", "x")
        .webhook(URI.create("https://example.com/hook")).build());

    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/deployments/acme/sfx-prod/predictions");
    assertThat(bodyJson(r).has("version")).isFalse();
  }

  @Test
  void getPredictionSendsAnAuthenticatedGet() throws Exception {
    server.enqueue(json(200, fixture("recorded/get-succeeded-array-output.json")));

    Prediction p = client().getPrediction("vgcm4plb7tgzlyznry5d5jkgvu");

    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/predictions/vgcm4plb7tgzlyznry5d5jkgvu");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
    assertThat(r.getHeaders().get("Accept")).isEqualTo("application/json");
  }

  @Test
  void cancelPredictionPostsToCancel() throws Exception {
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));

    Prediction p = client().cancelPrediction("hdwst0bb05rgp0cf0p29mzk2am");

    assertThat(p.status()).isEqualTo(PredictionStatus.CANCELED);
    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("POST");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/predictions/hdwst0bb05rgp0cf0p29mzk2am/cancel");
    assertThat(r.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
  }

  @Test
  void baseUrlPathPrefixIsKeptWithOrWithoutTrailingSlash() throws Exception {
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));
    client = builder().baseUrl(server.url("/proxy/replicate/v1/").toString()).build();

    client.getPrediction("abc");
    assertThat(take().getUrl().encodedPath()).isEqualTo("/proxy/replicate/v1/predictions/abc");

    client.close();
    client = builder().baseUrl(server.url("/proxy/replicate/v1").toString()).build();
    client.getPrediction("abc");
    assertThat(take().getUrl().encodedPath()).isEqualTo("/proxy/replicate/v1/predictions/abc");
  }

  @Test
  void fetchesTheDefaultWebhookSecret() throws Exception {
    server.enqueue(json(200, "{\"key\":\"whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD\"}"));

    try (LogCapture logs = new LogCapture()) {
      assertThat(client().getDefaultWebhookSecret()).isEqualTo("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD");
      assertThat(logs.text()).contains("/v1/webhooks/default/secret -> HTTP 200").doesNotContain("C2FVsBQIhrsc");
    }
    RecordedRequest r = take();
    assertThat(r.getMethod()).isEqualTo("GET");
    assertThat(r.getUrl().encodedPath()).isEqualTo("/v1/webhooks/default/secret");
  }

  @Test
  void aSecretResponseWithoutKeyNeverEchoesTheBody() {
    server.enqueue(json(200, "{\"secret\":\"whsec_LEAKED\"}"));

    assertThatThrownBy(() -> client().getDefaultWebhookSecret())
        .isInstanceOf(ReplicateAudioException.class)
        .hasMessageContaining("has no \"key\" string")
        .hasMessageNotContaining("whsec_LEAKED");
  }

  // ---- retries ----

  @Test
  void retryAfterSecondsIsHonouredForCreate() throws Exception {
    server.enqueue(problem(429, "{\"detail\":\"Request was throttled.\",\"status\":429}").newBuilder()
        .setHeader("Retry-After", "1").build());
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    long start = System.nanoTime();
    Prediction p = client().createWebhookPrediction(audiogen().build());
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(p.id()).isEqualTo("vgcm4plb7tgzlyznry5d5jkgvu");
    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(1000).isLessThan(10_000);
    // the same body is sent again
    assertThat(take().getBody()).isEqualTo(take().getBody());
  }

  @Test
  void retryAfterHttpDateIsHonoured() {
    String inTwoSeconds = DateTimeFormatter.RFC_1123_DATE_TIME.format(ZonedDateTime.now(ZoneOffset.UTC).plusSeconds(2));
    server.enqueue(problem(429, "{}").newBuilder().setHeader("Retry-After", inTwoSeconds).build());
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));

    long start = System.nanoTime();
    client().getPrediction("abc");
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(server.getRequestCount()).isEqualTo(2);
    // the date has second precision: between 1 and 2 s from now
    assertThat(elapsedMs).isGreaterThanOrEqualTo(900).isLessThan(10_000);
  }

  @Test
  void bodyRetryAfterIsHonouredWhenThereIsNoHeader() {
    server.enqueue(problem(429, "{\"detail\":\"Your rate limit for creating predictions is reduced\",\"status\":429,"
        + "\"retry_after\":0.6}"));
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    long start = System.nanoTime();
    client().createWebhookPrediction(audiogen().build());
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(600).isLessThan(10_000);
  }

  @Test
  void resetsInSentenceIsHonouredLast() {
    server.enqueue(problem(429, "{\"detail\":\"Request was throttled. Your rate limit resets in ~1s.\"}"));
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));

    long start = System.nanoTime();
    client().cancelPrediction("abc");
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(1000).isLessThan(10_000);
  }

  @Test
  void serverHintsAreCappedAtMaxBackoff() {
    server.enqueue(problem(429, "{}").newBuilder().setHeader("Retry-After", "3600").build());
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));
    client = builder().maxBackoff(Duration.ofMillis(200)).build();

    long start = System.nanoTime();
    client.getPrediction("abc");
    long elapsedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

    assertThat(server.getRequestCount()).isEqualTo(2);
    assertThat(elapsedMs).isGreaterThanOrEqualTo(200).isLessThan(5_000);
  }

  @Test
  void createIsNotRetriedAfterA500() throws Exception {
    server.enqueue(problem(500, "{\"title\":\"Internal Server Error\"}"));
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    assertThatThrownBy(() -> client().createWebhookPrediction(audiogen().build()))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(500);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.isOutcomeUnknown()).isTrue();
          assertThat(e.attempts()).isEqualTo(1);
        })
        .hasMessageContaining("Replicate API POST /v1/models/sepal/audiogen/predictions failed: HTTP 500 Internal Server Error")
        .hasMessageContaining("never repeated");
    Thread.sleep(300);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void createIsNotRetriedAfterATimeout() throws Exception {
    server.enqueue(json(201, fixture("recorded/create-starting.json")).newBuilder()
        .headersDelay(3, TimeUnit.SECONDS).build());
    server.enqueue(json(201, fixture("recorded/create-starting.json")));
    client = builder().readTimeout(Duration.ofMillis(300)).build();

    assertThatThrownBy(() -> client.createWebhookPrediction(audiogen().build()))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(-1);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.isOutcomeUnknown()).isTrue();
        })
        .hasMessageContaining("timed out")
        .hasMessageContaining("never repeated");
    Thread.sleep(500);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void okHttpDoesNotSilentlyRepeatACreateAfterA408() throws Exception {
    // OkHttp repeats a request once after 408 unless its body is one-shot
    server.enqueue(problem(408, "{\"detail\":\"request timeout\"}"));
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    assertThatThrownBy(() -> client().createWebhookPrediction(audiogen().build()))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> assertThat(e.statusCode()).isEqualTo(408));
    Thread.sleep(300);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void okHttpDoesNotSilentlyRepeatACreateAfterTheConnectionDropsOnceSent() throws Exception {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(json(201, fixture("recorded/create-starting.json")));

    assertThatThrownBy(() -> client().createWebhookPrediction(audiogen().build()))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(-1);
          assertThat(e.isOutcomeUnknown()).isTrue();
        });
    Thread.sleep(300);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void cancelIsNotRetriedAfterA503() throws Exception {
    server.enqueue(problem(503, "{\"detail\":\"unavailable\"}"));
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));

    assertThatThrownBy(() -> client().cancelPrediction("abc"))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> assertThat(e.statusCode()).isEqualTo(503));
    Thread.sleep(300);
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void getIsRetriedAfterA503AndSucceeds() {
    server.enqueue(problem(503, "{\"detail\":\"unavailable\"}"));
    server.enqueue(json(200, fixture("recorded/get-succeeded-array-output.json")));

    Prediction p = client().getPrediction("vgcm4plb7tgzlyznry5d5jkgvu");

    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void getIsRetriedAfterAnIoError() {
    server.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    server.enqueue(json(200, fixture("recorded/get-succeeded-array-output.json")));

    Prediction p = client().getPrediction("vgcm4plb7tgzlyznry5d5jkgvu");

    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(server.getRequestCount()).isEqualTo(2);
  }

  @Test
  void getGivesUpAfterMaxAttempts() {
    for (int i = 0; i < 4; i++) {
      server.enqueue(problem(502, "<html>Bad gateway</html>"));
    }
    client = builder().maxAttempts(3).build();

    assertThatThrownBy(() -> client.getPrediction("abc"))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(502);
          assertThat(e.attempts()).isEqualTo(3);
          assertThat(e.isRetryable()).isTrue();
          assertThat(e.isOutcomeUnknown()).isFalse();
          assertThat(e.detail()).isEqualTo("<html>Bad gateway</html>");
        })
        .hasMessageContaining("(attempt 3 of 3)");
    assertThat(server.getRequestCount()).isEqualTo(3);
  }

  @Test
  void clientErrorsAreNotRetried() {
    server.enqueue(problem(404, "{\"detail\":\"Not found.\"}"));
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));

    assertThatThrownBy(() -> client().getPrediction("missing"))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(404);
          assertThat(e.isRetryable()).isFalse();
        });
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  // ---- errors ----

  @Test
  void problemJsonIsMapped() {
    server.enqueue(problem(422, "{\"type\":\"https://replicate.com/docs/errors\",\"title\":\"Input validation failed\","
        + "\"detail\":\"duration: Must be less than or equal to 10\",\"status\":422}"));

    assertThatThrownBy(() -> client().createWebhookPrediction(audiogen().build()))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(422);
          assertThat(e.title()).isEqualTo("Input validation failed");
          assertThat(e.detail()).isEqualTo("duration: Must be less than or equal to 10");
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.isOutcomeUnknown()).isFalse();
          assertThat(e.method()).isEqualTo("POST");
          assertThat(e.path()).isEqualTo("/v1/models/sepal/audiogen/predictions");
        })
        .hasMessage("Replicate API POST /v1/models/sepal/audiogen/predictions failed: HTTP 422 Input validation failed:"
            + " duration: Must be less than or equal to 10 (attempt 1 of 5)");
  }

  @Test
  void recordedUnauthenticatedResponseIsMapped() {
    server.enqueue(problem(401, new String(fixture("recorded/error-401-unauthenticated.json"), StandardCharsets.UTF_8)));

    assertThatThrownBy(() -> client().getPrediction("abc"))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.statusCode()).isEqualTo(401);
          assertThat(e.title()).isEqualTo("Unauthenticated");
          assertThat(e.detail()).isEqualTo("You did not pass a valid authentication token");
        });
  }

  @Test
  void errorBodyThatIsNotJsonIsKeptBoundedAsDetail() {
    server.enqueue(new MockResponse.Builder().code(400).setHeader("Content-Type", "text/html")
        .body("<html>" + "y".repeat(5000) + "</html>").build());

    assertThatThrownBy(() -> client().getPrediction("abc"))
        .isInstanceOfSatisfying(ReplicateApiException.class, e -> {
          assertThat(e.title()).isNull();
          assertThat(e.detail()).startsWith("<html>yyy").hasSize(503).endsWith("...");
        });
  }

  @Test
  void aSuccessBodyThatIsNotAPredictionIsAParseException() {
    server.enqueue(json(200, "{\"id\":\"abc\",\"status\":\"successful\"}"));

    assertThatThrownBy(() -> client().getPrediction("abc"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("unknown \"status\" 'successful'");
  }

  @Test
  void oversizedBodiesAreRefused() throws Exception {
    ResponseBody body = ResponseBody.create("z".repeat(100), MediaType.get("application/json"));
    assertThatThrownBy(() -> ReplicateClient.readBounded(body, 50))
        .isInstanceOf(ReplicateClient.BodyTooLargeException.class)
        .hasMessageContaining("of 100 bytes is larger than the limit of 50 bytes");
    okio.Buffer unknownLength = new okio.Buffer().writeUtf8("z".repeat(100));
    assertThatThrownBy(() -> ReplicateClient.readBounded(ResponseBody.create(unknownLength, null, -1), 50))
        .isInstanceOf(ReplicateClient.BodyTooLargeException.class)
        .hasMessageContaining("larger than the limit of 50 bytes");
  }

  // ---- the token stays secret ----

  @Test
  void tokenAppearsInNoLogMessageOrToString() throws Exception {
    List<String> seenByOkHttp = new CopyOnWriteArrayList<>();
    OkHttpClient spying = shared.newBuilder().addInterceptor(chain -> {
      seenByOkHttp.add(chain.request().toString());
      seenByOkHttp.add(chain.call().request().toString());
      return chain.proceed(chain.request());
    }).build();
    server.enqueue(problem(429, "{\"detail\":\"throttled\",\"retry_after\":0.05}"));
    server.enqueue(problem(401, new String(fixture("recorded/error-401-unauthenticated.json"), StandardCharsets.UTF_8)));
    server.enqueue(problem(500, "{}"));
    server.enqueue(json(200, fixture("recorded/get-succeeded-array-output.json")));
    List<String> texts = new CopyOnWriteArrayList<>();

    try (LogCapture logs = new LogCapture()) {
      client = builder().okHttpClient(spying).build();
      for (Runnable call : List.<Runnable>of(
          () -> client.createWebhookPrediction(audiogen().build()),
          () -> client.cancelPrediction("abc"),
          () -> client.getPrediction("abc"))) {
        try {
          call.run();
        } catch (RuntimeException e) {
          for (Throwable t = e; t != null; t = t.getCause()) {
            texts.add(String.valueOf(t.getMessage()));
            texts.add(t.toString());
          }
        }
      }
      texts.add(client.toString());
      texts.add(logs.text());
      assertThat(logs.text()).as("debug logging is on in tests").contains("HTTP 429");
    }

    assertThat(server.getRequestCount()).isEqualTo(4);
    assertThat(texts).hasSizeGreaterThan(5);
    assertThat(seenByOkHttp).isNotEmpty();
    assertThat(texts).noneMatch(t -> t.contains(TOKEN) || t.contains("TESTTOKEN"));
    assertThat(seenByOkHttp).noneMatch(t -> t.contains(TOKEN) || t.contains("TESTTOKEN"));
    assertThat(client.toString()).contains("apiToken=<masked>");
  }

  @Test
  void badTokensAreRejectedWithoutEchoingThem() {
    assertThatThrownBy(() -> ReplicateClient.builder().apiToken("r8_abc def"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("10 characters given; value not shown")
        .hasMessageNotContaining("r8_abc");
    assertThatThrownBy(() -> ReplicateClient.builder().environment(Map.of(ReplicateClient.ENV_API_TOKEN, "r8_x\ny")).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("REPLICATE_API_TOKEN holds spaces or control characters")
        .hasMessageNotContaining("r8_x");
  }

  // ---- async ----

  @Test
  void asyncCreateCompletesWithoutBlockingTheCaller() {
    server.enqueue(json(201, fixture("recorded/create-starting.json")).newBuilder()
        .headersDelay(300, TimeUnit.MILLISECONDS).build());

    CompletableFuture<Prediction> future = client().createWebhookPredictionAsync(audiogen().build());

    assertThat(future).isNotDone();
    assertThat(future).succeedsWithin(WAIT).extracting(Prediction::id).isEqualTo("vgcm4plb7tgzlyznry5d5jkgvu");
  }

  @Test
  void asyncFailuresCarryTheApiException() {
    server.enqueue(problem(422, "{\"title\":\"Invalid\"}"));

    CompletableFuture<Prediction> future = client().getPredictionAsync("abc");

    assertThat(future).failsWithin(WAIT).withThrowableOfType(java.util.concurrent.ExecutionException.class)
        .havingCause().isInstanceOf(ReplicateApiException.class).withMessageContaining("HTTP 422 Invalid");
  }

  @Test
  void cancellingTheFutureCancelsTheHttpCall() throws Exception {
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")).newBuilder()
        .headersDelay(10, TimeUnit.SECONDS).build());
    CompletableFuture<Prediction> future = client().getPredictionAsync("abc");
    take(); // the request is in flight
    assertThat(shared.dispatcher().runningCallsCount()).isEqualTo(1);

    future.cancel(true);

    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (shared.dispatcher().runningCallsCount() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertThat(shared.dispatcher().runningCallsCount()).isZero();
    assertThat(future).isCancelled();
  }

  @Test
  void cancellingDuringARetryDelayStopsTheRetry() throws Exception {
    server.enqueue(problem(429, "{}").newBuilder().setHeader("Retry-After", "1").build());
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));
    CompletableFuture<Prediction> future = client().getPredictionAsync("abc");
    take();
    Thread.sleep(200); // the 429 has been handled; the retry waits

    future.cancel(true);
    Thread.sleep(1_500);

    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void callbackExecutorCompletesTheFuture() {
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "host-callback"));
    try {
      server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));
      client = builder().callbackExecutor(executor).build();

      CompletableFuture<String> thread = client.getPredictionAsync("abc").thenApply(p -> Thread.currentThread().getName());

      assertThat(thread).succeedsWithin(WAIT).isEqualTo("host-callback");
    } finally {
      executor.shutdownNow();
    }
  }

  // ---- building ----

  @Test
  void tokenComesFromTheEnvironmentWhenNotGiven() throws Exception {
    server.enqueue(json(200, fixture("recorded/cancel-canceled.json")));
    client = ReplicateClient.builder().environment(Map.of("REPLICATE_API_TOKEN", " r8_fromenv ")).okHttpClient(shared)
        .baseUrl(server.url("/v1").toString()).build();

    client.getPrediction("abc");

    assertThat(take().getHeaders().get("Authorization")).isEqualTo("Bearer r8_fromenv");
  }

  @Test
  void missingTokenFailsAtBuild() {
    assertThatThrownBy(() -> ReplicateClient.builder().environment(Map.of()).build())
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("REPLICATE_API_TOKEN is not set and no apiToken(...) was given");
  }

  @Test
  void builderRejectsBadValuesPrecisely() {
    assertThatThrownBy(() -> ReplicateClient.builder().baseUrl("http://api.example.com/v1"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl must use https (plain http only for loopback hosts), was 'http://api.example.com/v1'");
    assertThatThrownBy(() -> ReplicateClient.builder().baseUrl("ftp://x"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("baseUrl must be an absolute http(s) URL without query or fragment, was 'ftp://x'");
    assertThatThrownBy(() -> ReplicateClient.builder().maxAttempts(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxAttempts=0 is out of range: accepted 1 to 20");
    assertThatThrownBy(() -> ReplicateClient.builder().readTimeout(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("readTimeout=PT0S is out of range");
    assertThatThrownBy(() -> ReplicateClient.builder().apiToken("t").baseBackoff(Duration.ofSeconds(10))
        .maxBackoff(Duration.ofSeconds(1)).build())
        .isInstanceOf(IllegalStateException.class)
        .hasMessage("baseBackoff (10000 ms) is longer than maxBackoff (1000 ms)");
  }

  @Test
  void requestsWithoutWebhookOrWithABadIdAreRejectedAtOnce() {
    ReplicateClient c = client();
    PredictionRequest noHook = PredictionRequest.forModel("sepal/audiogen").input("prompt", "x").build();

    assertThatThrownBy(() -> c.createWebhookPredictionAsync(noHook))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("request has no webhook URL");
    assertThatThrownBy(() -> c.getPredictionAsync("../secret"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("predictionId must be 1 to 128 characters of [A-Za-z0-9_-], was '../secret'");
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void theSharedClientIsNeverModified() {
    client();

    assertThat(shared.followRedirects()).isTrue();
    assertThat(shared.callTimeoutMillis()).isZero();
    assertThat(shared.readTimeoutMillis()).isEqualTo(10_000);
    client.close();
    assertThat(shared.dispatcher().executorService().isShutdown()).isFalse();
  }

  @Test
  void closeReleasesAnOwnClientAndIsIdempotent() {
    ReplicateClient own = ReplicateClient.builder().apiToken(TOKEN).baseUrl(server.url("/v1").toString()).build();

    own.close();
    own.close();

    assertThatThrownBy(() -> own.getPrediction("abc")).isInstanceOf(IllegalStateException.class)
        .hasMessage("ReplicateClient is closed");
  }
}
