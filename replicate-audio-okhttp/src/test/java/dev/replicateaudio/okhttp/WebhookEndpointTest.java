package dev.replicateaudio.okhttp;

import static dev.replicateaudio.okhttp.PredictionJsonTest.fixture;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.BiFunction;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

class WebhookEndpointTest {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String QUERY = "content_type=sound_effect&content_id=42";
  static final Duration WAIT = Duration.ofSeconds(20);

  private final WebhookVerifier verifier = WebhookVerifier.create(SECRET);
  private final FakeProcessor processor = new FakeProcessor();

  /** Records what it was given and answers what the test tells it to. */
  static final class FakeProcessor implements WebhookEndpoint.ResultProcessor {
    final List<ContentKey> keys = new CopyOnWriteArrayList<>();
    final List<Prediction> predictions = new CopyOnWriteArrayList<>();
    volatile BiFunction<ContentKey, Prediction, CompletionStage<CompletionOutcome>> answer =
        (k, p) -> CompletableFuture.completedFuture(CompletionOutcome.succeeded(p.id()));

    @Override
    public CompletionStage<CompletionOutcome> process(ContentKey key, Prediction prediction) {
      keys.add(key);
      predictions.add(prediction);
      return answer.apply(key, prediction);
    }
  }

  private static Map<String, List<String>> signed(byte[] body) {
    Map<String, List<String>> headers = new HashMap<>();
    WebhookVerifier.create(SECRET).signedHeaders("msg_" + System.nanoTime(), Instant.now(), body)
        .forEach((name, value) -> headers.put(name.toUpperCase(java.util.Locale.ROOT), List.of(value)));
    headers.put("Content-Type", List.of("application/json"));
    return headers;
  }

  private WebhookEndpoint endpoint() {
    return WebhookEndpoint.create(verifier, processor);
  }

  // ---- the four answers ----

  @Test
  void aVerifiedTerminalWebhookIsProcessedAndAcceptedWith200() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");

    WebhookResponse answer = endpoint().handle(signed(body), QUERY, body);

    assertThat(answer).isEqualTo(new WebhookResponse(200, "accepted: SUCCEEDED"));
    assertThat(processor.keys).containsExactly(ContentKey.soundEffect(42));
    assertThat(processor.predictions).singleElement().satisfies(p -> {
      assertThat(p.id()).isEqualTo("q1w2e3r4t5y6u7i8o9p0asdfgh");
      assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
      assertThat(p.outputUrls()).hasSize(1);
    });
  }

  @Test
  void aBadSignatureGets401AndNothingIsProcessed() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    Map<String, List<String>> headers = signed(body);
    byte[] tampered = new String(body, StandardCharsets.UTF_8).replace("succeeded", "failed").getBytes(StandardCharsets.UTF_8);

    WebhookResponse answer = endpoint().handle(headers, QUERY, tampered);

    assertThat(answer.statusCode()).isEqualTo(401);
    assertThat(answer.body()).isEqualTo("invalid webhook signature: no_matching_signature");
    assertThat(processor.keys).isEmpty();
  }

  @Test
  void missingSignatureHeadersGet401() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");

    WebhookResponse answer = endpoint().handle(Map.of(), QUERY, body);

    assertThat(answer.statusCode()).isEqualTo(401);
    assertThat(answer.body()).isEqualTo("invalid webhook signature: missing_header");
    assertThat(processor.keys).isEmpty();
  }

  @Test
  void aSignedBodyThatIsNotAPredictionGets400() {
    byte[] body = "{\"id\":\"abc\",\"status\":\"successful\"}".getBytes(StandardCharsets.UTF_8);

    WebhookResponse answer = endpoint().handle(signed(body), QUERY, body);

    assertThat(answer.statusCode()).isEqualTo(400);
    assertThat(answer.body()).startsWith("malformed prediction JSON: unknown \"status\" 'successful'");
    assertThat(processor.keys).isEmpty();
  }

  @Test
  void aMissingContentKeyGets400() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");

    assertThat(endpoint().handle(signed(body), null, body))
        .isEqualTo(new WebhookResponse(400, "missing or malformed content_type/content_id query parameters"));
    assertThat(endpoint().handle(signed(body), "content_type=sound_effect&content_id=x", body).statusCode())
        .isEqualTo(400);
    assertThat(processor.keys).isEmpty();
  }

  @Test
  void duplicatesAndNonTerminalEventsAreAcceptedWith200() {
    byte[] body = fixture("audio/audiogen-processing-webhook.json");
    processor.answer = (k, p) -> CompletableFuture.completedFuture(CompletionOutcome.pending(p.id()));

    WebhookResponse answer = endpoint().handle(signed(body), QUERY, body);

    assertThat(answer).isEqualTo(new WebhookResponse(200, "accepted: PENDING"));
    assertThat(processor.predictions).singleElement().extracting(Prediction::status).isEqualTo(PredictionStatus.PROCESSING);
  }

  @Test
  void permanentFailuresRecordedAsFailedAreAcceptedWith200() {
    byte[] body = fixture("audio/musicgen-failed.json");
    processor.answer = (k, p) -> CompletableFuture.completedFuture(CompletionOutcome.failed(p.id(), p.error()));

    assertThat(endpoint().handle(signed(body), QUERY, body)).isEqualTo(new WebhookResponse(200, "accepted: FAILED"));
  }

  @Test
  void aRetryableFailureGets503SoThatReplicateRetries() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    processor.answer = (k, p) -> CompletableFuture.failedFuture(new StorageException("database unavailable", null));

    WebhookResponse answer = endpoint().handle(signed(body), QUERY, body);

    assertThat(answer.statusCode()).isEqualTo(503);
    assertThat(answer.body()).doesNotContain("database");
  }

  @Test
  void otherFailuresGet500() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    processor.answer = (k, p) -> CompletableFuture.failedFuture(new ReplicateAudioException("/secret/path corrupt"));

    assertThat(endpoint().handle(signed(body), QUERY, body)).isEqualTo(new WebhookResponse(500, "processing failed"));

    processor.answer = (k, p) -> {
      throw new IllegalStateException("bug");
    };
    assertThat(endpoint().handle(signed(body), QUERY, body).statusCode()).isEqualTo(500);

    processor.answer = (k, p) -> {
      throw new StorageException("pool exhausted", null);
    };
    assertThat(endpoint().handle(signed(body), QUERY, body).statusCode()).isEqualTo(503);

    processor.answer = (k, p) -> null;
    assertThat(endpoint().handle(signed(body), QUERY, body).statusCode()).isEqualTo(500);
  }

  // ---- body limit, streams, async ----

  @Test
  void aBodyOverTheLimitGets413WithoutReadingFurther() throws IOException {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    WebhookEndpoint small = WebhookEndpoint.builder(verifier, processor).maxBodyBytes(100).build();
    InputStream endless = new InputStream() {
      @Override
      public int read() {
        return 'x';
      }
    };

    assertThat(small.handle(signed(body), QUERY, body)).isEqualTo(new WebhookResponse(413, "body larger than 100 bytes"));
    assertThat(small.handle(signed(body), QUERY, endless).statusCode()).isEqualTo(413);
    assertThat(processor.keys).isEmpty();
    assertThat(WebhookEndpoint.create(verifier, processor).maxBodyBytes()).isEqualTo(10L * 1024 * 1024);
  }

  @Test
  void readsTheBodyFromAStream() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");

    WebhookResponse answer = endpoint().handle(signed(body), QUERY, new ByteArrayInputStream(body));

    assertThat(answer.statusCode()).isEqualTo(200);
    assertThat(processor.keys).hasSize(1);
  }

  @Test
  void theAsyncFormAnswersWhenProcessingCompletes() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    CompletableFuture<CompletionOutcome> processing = new CompletableFuture<>();
    processor.answer = (k, p) -> processing;

    CompletableFuture<WebhookResponse> answer = endpoint().handleAsync(signed(body), QUERY, body);

    assertThat(answer).isNotDone();
    processing.complete(CompletionOutcome.succeeded("q1w2e3r4t5y6u7i8o9p0asdfgh"));
    assertThat(answer).succeedsWithin(WAIT).extracting(WebhookResponse::statusCode).isEqualTo(200);
  }

  @Test
  void acknowledgeAfterAnswers202AndLeavesProcessingAlone() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    CompletableFuture<CompletionOutcome> processing = new CompletableFuture<>();
    processor.answer = (k, p) -> processing;
    WebhookEndpoint endpoint = WebhookEndpoint.builder(verifier, processor).acknowledgeAfter(Duration.ofMillis(100)).build();

    assertThat(endpoint.handleAsync(signed(body), QUERY, body)).succeedsWithin(WAIT)
        .isEqualTo(new WebhookResponse(202, "accepted; processing continues"));
    assertThat(processing).isNotDone();
  }

  @Test
  void acknowledgesAfterFiveSecondsByDefaultOrWaitsWhenAsked() {
    assertThat(WebhookEndpoint.create(verifier, processor).acknowledgeAfter()).contains(Duration.ofSeconds(5));
    WebhookEndpoint waiting = WebhookEndpoint.builder(verifier, processor).waitForProcessing().build();
    assertThat(waiting.acknowledgeAfter()).isEmpty();

    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    CompletableFuture<CompletionOutcome> processing = new CompletableFuture<>();
    processor.answer = (k, p) -> processing;
    CompletableFuture<WebhookResponse> answer = waiting.handleAsync(signed(body), QUERY, body);
    assertThat(answer).isNotDone();
    processing.complete(CompletionOutcome.succeeded("q1w2e3r4t5y6u7i8o9p0asdfgh"));
    assertThat(answer).succeedsWithin(WAIT).extracting(WebhookResponse::statusCode).isEqualTo(200);
  }

  @Test
  void builderRejectsBadLimits() {
    assertThatThrownBy(() -> WebhookEndpoint.builder(verifier, processor).maxBodyBytes(0))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("maxBodyBytes=0 is out of range: accepted 1 to 536870912");
    assertThatThrownBy(() -> WebhookEndpoint.builder(verifier, processor).acknowledgeAfter(Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("acknowledgeAfter=PT0S is out of range");
  }

  // ---- wired into a real HTTP server ----

  @Test
  void worksBehindTheJdkHttpServer() throws Exception {
    WebhookEndpoint endpoint = endpoint();
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/hooks/replicate", exchange -> {
      WebhookResponse answer = endpoint.handle(exchange.getRequestHeaders(), exchange.getRequestURI().getRawQuery(),
          exchange.getRequestBody());
      byte[] out = answer.body().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", WebhookResponse.CONTENT_TYPE);
      exchange.sendResponseHeaders(answer.statusCode(), out.length);
      try (OutputStream o = exchange.getResponseBody()) {
        o.write(out);
      }
    });
    server.start();
    OkHttpClient http = new OkHttpClient();
    try {
      byte[] body = fixture("audio/audiogen-succeeded-uri.json");
      Request.Builder request = new Request.Builder()
          .url("http://127.0.0.1:" + server.getAddress().getPort() + "/hooks/replicate?" + QUERY)
          .post(RequestBody.create(body, MediaType.get("application/json")));
      verifier.signedHeaders("msg_abc", Instant.now(), body).forEach(request::header);

      try (Response response = http.newCall(request.build()).execute()) {
        assertThat(response.code()).isEqualTo(200);
        assertThat(response.body().string()).isEqualTo("accepted: SUCCEEDED");
      }
      try (Response response = http.newCall(request.header("webhook-signature", "v1,AAAA").build()).execute()) {
        assertThat(response.code()).isEqualTo(401);
      }
      assertThat(processor.keys).containsExactly(ContentKey.soundEffect(42));
    } finally {
      server.stop(0);
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  // ---- replays (#13) ----

  @Test
  void aReplayOfAnAnsweredWebhookIdIsAnswered200WithoutBeingProcessedAgain() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    Map<String, List<String>> headers = signed(body);
    WebhookEndpoint endpoint = endpoint();

    WebhookResponse first = endpoint.handle(headers, QUERY, body);
    WebhookResponse replay = endpoint.handle(headers, QUERY, body);
    WebhookResponse replayElsewhere = endpoint.handle(headers, "content_type=speech&content_id=1", body);

    assertThat(first.statusCode()).isEqualTo(200);
    assertThat(replay).isEqualTo(new WebhookResponse(200, "accepted: duplicate delivery"));
    assertThat(replayElsewhere).as("the unsigned query of a replay changes nothing").isEqualTo(replay);
    assertThat(processor.predictions).hasSize(1);
    assertThat(endpoint.rememberedDeliveries()).isEqualTo(WebhookEndpoint.DEFAULT_REMEMBERED_DELIVERIES);
  }

  @Test
  void aWebhookIdAnsweredWith503IsProcessedAgainWhenRedelivered() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    Map<String, List<String>> headers = signed(body);
    WebhookEndpoint endpoint = endpoint();
    processor.answer = (k, p) -> CompletableFuture.failedFuture(new StorageException("database down", null));

    assertThat(endpoint.handle(headers, QUERY, body).statusCode()).isEqualTo(503);
    processor.answer = (k, p) -> CompletableFuture.completedFuture(CompletionOutcome.succeeded(p.id()));
    assertThat(endpoint.handle(headers, QUERY, body).statusCode()).isEqualTo(200);
    assertThat(endpoint.handle(headers, QUERY, body).body()).isEqualTo("accepted: duplicate delivery");

    assertThat(processor.predictions).hasSize(2);
  }

  @Test
  void aForgedCopyOfAnAnsweredIdIsStillRefused() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    Map<String, List<String>> headers = signed(body);
    WebhookEndpoint endpoint = endpoint();
    endpoint.handle(headers, QUERY, body);
    byte[] forged = new String(body, StandardCharsets.UTF_8).replace("succeeded", "failed")
        .getBytes(StandardCharsets.UTF_8);

    assertThat(endpoint.handle(headers, QUERY, forged).statusCode()).isEqualTo(401);
  }

  @Test
  void rememberingNoDeliveriesProcessesEveryCopyAndTheOldestIdsAreForgottenFirst() {
    byte[] body = fixture("audio/audiogen-succeeded-uri.json");
    Map<String, List<String>> headers = signed(body);
    WebhookEndpoint none = WebhookEndpoint.builder(verifier, processor).rememberDeliveries(0).build();
    none.handle(headers, QUERY, body);
    none.handle(headers, QUERY, body);
    assertThat(processor.predictions).hasSize(2);
    assertThat(none.rememberedDeliveries()).isZero();

    WebhookEndpoint two = WebhookEndpoint.builder(verifier, processor).rememberDeliveries(2).build();
    Map<String, List<String>> a = signed(body);
    two.handle(a, QUERY, body);
    two.handle(signed(body), QUERY, body);
    two.handle(signed(body), QUERY, body); // a is the oldest of three: forgotten
    two.handle(a, QUERY, body);
    assertThat(processor.predictions).hasSize(2 + 4);

    assertThatThrownBy(() -> WebhookEndpoint.builder(verifier, processor).rememberDeliveries(-1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("rememberDeliveries=-1 is out of range: accepted 0 to 1000000");
  }
}
