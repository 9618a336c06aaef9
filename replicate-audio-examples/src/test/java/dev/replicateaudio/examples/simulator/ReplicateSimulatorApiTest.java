package dev.replicateaudio.examples.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ReplicateSimulatorApiTest {
  private static final String VERSION = "154b3e5141493cb1b8cec976d9aa90f2b691137e39ad906d2421b74c2a8c52b8";
  private static final String MICROS = "\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{6}Z";

  private ReplicateSimulator sim;
  private Api api;

  @BeforeEach
  void start() {
    sim = ReplicateSimulator.builder().processingTime(Duration.ofMillis(50)).start();
    api = new Api(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  @Test
  void createByModelAnswers201WithAStartingPredictionShapedLikeReplicates() {
    Api.Answer a = api.post("/models/sepal/audiogen/predictions", Map.of(
        "input", Map.of("prompt", "door creak", "duration", 2),
        "webhook", "http://127.0.0.1:9/hook?content_type=sound_effect&content_id=42",
        "webhook_events_filter", List.of("completed")));

    assertThat(a.status()).isEqualTo(201);
    assertThat(a.header("Content-Type")).isEqualTo("application/json");
    JsonNode p = a.json();
    String id = p.path("id").asText();
    assertThat(id).matches("[a-z0-9]{26}");
    assertThat(a.header("Location")).isEqualTo(sim.baseUrl() + "/predictions/" + id);
    assertThat(p.path("model").asText()).isEqualTo("sepal/audiogen");
    assertThat(p.path("version").asText()).isEqualTo("hidden");
    assertThat(p.path("input")).isEqualTo(Api.JSON.valueToTree(Map.of("prompt", "door creak", "duration", 2)));
    assertThat(p.get("output").isNull()).isTrue();
    assertThat(p.get("error").isNull()).isTrue();
    assertThat(p.path("logs").asText()).isEmpty();
    assertThat(p.path("status").asText()).isEqualTo("starting");
    assertThat(p.path("data_removed").asBoolean(true)).isFalse();
    assertThat(p.path("created_at").asText()).matches(MICROS);
    assertThat(p.has("started_at")).isFalse();
    assertThat(p.path("urls").path("get").asText()).isEqualTo(sim.baseUrl() + "/predictions/" + id);
    assertThat(p.path("urls").path("cancel").asText()).isEqualTo(sim.baseUrl() + "/predictions/" + id + "/cancel");
    assertThat(p.path("urls").path("web").asText()).isEqualTo(sim.rootUrl() + "/p/" + id);
    assertThat(p.path("webhook").asText()).isEqualTo("http://127.0.0.1:9/hook?content_type=sound_effect&content_id=42");
    assertThat(p.path("webhook_events_filter")).isEqualTo(Api.JSON.valueToTree(List.of("completed")));
    assertThat(p.path("source").asText()).isEqualTo("api");
  }

  @Test
  void predictionRunsFromStartingThroughProcessingToSucceededWithAnOutputUrlOnTheSimulator() throws Exception {
    String id = api.create(Map.of("input", Map.of("prompt", "rain"))).path("id").asText();

    JsonNode done = api.awaitTerminal(id);

    assertThat(done.path("status").asText()).isEqualTo("succeeded");
    assertThat(done.path("output").asText()).isEqualTo(sim.rootUrl() + "/delivery/" + id + "/output.wav");
    assertThat(done.path("started_at").asText()).matches(MICROS);
    assertThat(done.path("completed_at").asText()).matches(MICROS);
    assertThat(done.path("metrics").path("predict_time").asDouble()).isGreaterThan(0.0);
    assertThat(done.path("metrics").path("total_time").asDouble())
        .isGreaterThanOrEqualTo(done.path("metrics").path("predict_time").asDouble());
    assertThat(done.path("logs").asText()).startsWith("Generating audio...").contains("Done in");
    assertThat(sim.statusCounts()).containsEntry(PredictionStatus.SUCCEEDED, 1L)
        .containsEntry(PredictionStatus.STARTING, 0L);

    Prediction parsed = sim.prediction(id).orElseThrow();
    assertThat(parsed.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(parsed.outputUrls()).containsExactly(URI.create(done.path("output").asText()));
    assertThat(parsed.createdAt()).isEqualTo(Instant.parse(done.path("created_at").asText()));
    assertThat(parsed.predictTime()).isPositive();
  }

  @Test
  void createByVersionTakesOwnerNameAndIdAndRequiresTheVersion() {
    Api.Answer a = api.post("/predictions", Map.of("version", "sepal/audiogen:" + VERSION, "input", Map.of()));
    assertThat(a.status()).isEqualTo(201);
    assertThat(a.json().path("model").asText()).isEqualTo("sepal/audiogen");
    assertThat(a.json().path("version").asText()).isEqualTo(VERSION);

    Api.Answer missing = api.post("/predictions", Map.of("input", Map.of(), "model", "sepal/audiogen"));
    assertThat(missing.status()).isEqualTo(422);
    assertThat(missing.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(missing.json().path("title").asText()).isEqualTo("Input validation failed");
    assertThat(missing.json().path("detail").asText())
        .isEqualTo("- version is required\n- Additional property model is not allowed\n");
    assertThat(missing.json().path("invalid_fields").get(0).path("type").asText()).isEqualTo("required");

    Api.Answer unknown = api.post("/predictions", Map.of("version", "latest", "input", Map.of()));
    assertThat(unknown.status()).isEqualTo(422);
    assertThat(unknown.json().path("title").asText()).isEqualTo("Invalid version or not permitted");
  }

  @Test
  void createByDeploymentNamesTheDeployment() {
    Api.Answer a = api.post("/deployments/acme/sfx/predictions", Map.of("input", Map.of("prompt", "x")));
    assertThat(a.status()).isEqualTo(201);
    assertThat(a.json().path("deployment").asText()).isEqualTo("acme/sfx");
    assertThat(a.json().path("model").asText()).isEqualTo("acme/sfx");
  }

  @Test
  void requestsWithoutTheTokenGetTheRecorded401() {
    HttpRequest noToken = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/predictions/abc")).GET().build();
    HttpRequest wrongToken = HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/models/a/b/predictions"))
        .header("Authorization", "Bearer r8_wrong").POST(HttpRequest.BodyPublishers.ofString("{\"input\":{}}")).build();

    for (HttpRequest r : List.of(noToken, wrongToken)) {
      Api.Answer a = Api.send(r);
      assertThat(a.status()).isEqualTo(401);
      assertThat(a.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(a.text()).isEqualTo(
          "{\"title\":\"Unauthenticated\",\"detail\":\"You did not pass a valid authentication token\",\"status\":401}");
    }
    assertThat(sim.predictionCount()).isZero();
    assertThat(sim.requestCounts()).containsEntry("unauthenticated", 2L);
  }

  @Test
  void theLegacyTokenSchemeIsAccepted() {
    Api.Answer a = Api.send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + "/webhooks/default/secret"))
        .header("Authorization", "Token " + sim.apiToken()).GET().build());
    assertThat(a.status()).isEqualTo(200);
  }

  @Test
  void bodiesThatAreNotAJsonObjectGet400() {
    for (String body : List.of("{\"input\":", "[1,2]", "{\"input\":{}} trailing", "")) {
      Api.Answer a = api.post("/models/sepal/audiogen/predictions", body);
      assertThat(a.status()).as(body).isEqualTo(400);
      assertThat(a.header("Content-Type")).isEqualTo("application/problem+json");
      assertThat(a.json().path("title").asText()).isEqualTo("Invalid JSON");
      assertThat(a.json().path("status").asInt()).isEqualTo(400);
    }
    assertThat(sim.predictionCount()).isZero();
  }

  @Test
  void invalidFieldsGet422ListingEveryOne() {
    Api.Answer a = api.post("/models/sepal/audiogen/predictions", Map.of(
        "input", Map.of("duration", -1, "output_format", "flac", "simulate", List.of("fail", "explode"),
            "size_bytes", 1.5),
        "webhook", "not a url",
        "webhook_events_filter", List.of("completed", "finished")));

    assertThat(a.status()).isEqualTo(422);
    assertThat(a.json().path("detail").asText()).contains(
        "- webhook: Does not match format 'uri'",
        "- webhook_events_filter.1: webhook_events_filter.1 must be one of the following",
        "- input.duration: Must be greater than 0",
        "- input.output_format: output_format must be one of the following: \"wav\", \"mp3\"",
        "- input.size_bytes: Invalid type. Expected: integer, given: number",
        "- input.simulate: simulate value \"explode\" is not one of: fail, cancel");
    assertThat(a.json().path("invalid_fields")).hasSize(6);
    assertThat(sim.predictionCount()).isZero();

    Api.Answer noInput = api.post("/models/sepal/audiogen/predictions", Map.of("webhook", "http://127.0.0.1:9/"));
    assertThat(noInput.status()).isEqualTo(422);
    assertThat(noInput.json().path("detail").asText()).isEqualTo("- input is required\n");
  }

  @Test
  void aSizeTooSmallForTheSilencesIsRefusedWithTheMinimum() {
    Api.Answer a = api.post("/models/sepal/audiogen/predictions", Map.of("input", Map.of("size_bytes", 1000)));
    assertThat(a.status()).isEqualTo(422);
    assertThat(a.json().path("detail").asText())
        .contains("input.size_bytes: Must be greater than or equal to " + (44 + 2 * 44_100));
  }

  @Test
  void unknownIdsAndPathsGet404AndWrongMethods405() {
    Api.Answer get = api.get("/predictions/doesnotexist");
    assertThat(get.status()).isEqualTo(404);
    assertThat(get.header("Content-Type")).isEqualTo("application/problem+json");
    assertThat(get.json().path("detail").asText()).isEqualTo("Not found.");
    assertThat(api.post("/predictions/doesnotexist/cancel", "").status()).isEqualTo(404);
    assertThat(api.get("/trainings").status()).isEqualTo(404);

    Api.Answer wrong = api.get("/models/sepal/audiogen/predictions");
    assertThat(wrong.status()).isEqualTo(405);
    assertThat(wrong.header("Allow")).isEqualTo("POST");
  }

  @Test
  void theWebhookSecretEndpointReturnsTheSigningSecret() {
    Api.Answer a = api.get("/webhooks/default/secret");
    assertThat(a.status()).isEqualTo(200);
    assertThat(a.json().path("key").asText()).isEqualTo(sim.webhookSecret()).startsWith("whsec_");
    assertThat(sim.requestCounts()).containsEntry(ReplicateSimulator.ROUTE_SECRET, 1L);
  }

  @Test
  void cancelEndsARunningPredictionAndLeavesAFinishedOneAlone() throws Exception {
    try (ReplicateSimulator slow = ReplicateSimulator.builder().processingTime(Duration.ofSeconds(30)).start()) {
      Api s = new Api(slow);
      String id = s.create(Map.of("input", Map.of())).path("id").asText();
      s.awaitPrediction(id, p -> p.path("status").asText().equals("processing"));

      Api.Answer canceled = s.post("/predictions/" + id + "/cancel", "");
      assertThat(canceled.status()).isEqualTo(200);
      assertThat(canceled.json().path("status").asText()).isEqualTo("canceled");
      assertThat(canceled.json().path("completed_at").asText()).matches(MICROS);

      Api.Answer again = s.post("/predictions/" + id + "/cancel", "");
      assertThat(again.json().path("status").asText()).isEqualTo("canceled");
      assertThat(again.json().path("completed_at").asText()).isEqualTo(canceled.json().path("completed_at").asText());
    }
  }

  @Test
  void cancelAfterAbortsAPredictionThatHasNotStartedAndCancelsARunningOne() throws Exception {
    try (ReplicateSimulator slowStart = ReplicateSimulator.builder().startDelay(Duration.ofSeconds(30)).start();
         ReplicateSimulator slowRun = ReplicateSimulator.builder().processingTime(Duration.ofSeconds(30)).start()) {
      Api.Answer a = new Api(slowStart).post("/models/a/b/predictions", Map.of("input", Map.of()),
          Map.of("Cancel-After", "150ms"));
      assertThat(a.json().path("deadline").asText()).matches(MICROS);
      JsonNode aborted = new Api(slowStart).awaitTerminal(a.json().path("id").asText());
      assertThat(aborted.path("status").asText()).isEqualTo("aborted");
      assertThat(aborted.has("started_at")).isFalse();

      Api.Answer b = new Api(slowRun).post("/models/a/b/predictions", Map.of("input", Map.of()),
          Map.of("Cancel-After", "0.3s"));
      JsonNode canceled = new Api(slowRun).awaitTerminal(b.json().path("id").asText());
      assertThat(canceled.path("status").asText()).isEqualTo("canceled");
      assertThat(canceled.path("started_at").asText()).matches(MICROS);
    }
  }

  @Test
  void aMalformedCancelAfterGets400() {
    for (String bad : List.of("soon", "5", "-1s", "0s", "1m junk")) {
      Api.Answer a = api.post("/models/a/b/predictions", Map.of("input", Map.of()), Map.of("Cancel-After", bad));
      assertThat(a.status()).as(bad).isEqualTo(400);
      assertThat(a.json().path("detail").asText()).contains("Cancel-After must be a positive duration");
    }
    assertThat(ApiHandler.parseCancelAfter("1h2m3s")).isEqualTo(Duration.ofSeconds(3723));
    assertThat(ApiHandler.parseCancelAfter("1.5m")).isEqualTo(Duration.ofSeconds(90));
  }

  @Test
  void preferWaitHoldsTheAnswerUntilThePredictionIsTerminal() {
    Api.Answer a = api.post("/models/a/b/predictions", Map.of("input", Map.of()), Map.of("Prefer", "wait=10"));
    assertThat(a.status()).isEqualTo(201);
    assertThat(a.header("Preference-Applied")).isEqualTo("wait");
    assertThat(a.json().path("status").asText()).isEqualTo("succeeded");
    assertThat(a.json().path("output").asText()).startsWith(sim.rootUrl() + "/delivery/");
  }

  @Test
  void theRateLimitAnswers429WithRetryAfter() {
    try (ReplicateSimulator limited = ReplicateSimulator.builder().rateLimit(2, Duration.ofMinutes(1)).start()) {
      Api l = new Api(limited);
      assertThat(l.get("/webhooks/default/secret").status()).isEqualTo(200);
      Api.Answer second = l.get("/webhooks/default/secret");
      assertThat(second.status()).isEqualTo(200);
      assertThat(second.header("ratelimit-remaining")).isEqualTo("0");

      Api.Answer third = l.post("/models/a/b/predictions", Map.of("input", Map.of()));
      assertThat(third.status()).isEqualTo(429);
      assertThat(third.header("Content-Type")).isEqualTo("application/problem+json");
      long retryAfter = Long.parseLong(third.header("Retry-After"));
      assertThat(retryAfter).isBetween(1L, 60L);
      assertThat(third.json().path("retry_after").asLong()).isEqualTo(retryAfter);
      assertThat(third.json().path("detail").asText()).startsWith("Request was throttled. Your rate limit resets in ~");
      assertThat(limited.predictionCount()).isZero();
      assertThat(limited.requestCounts()).containsEntry("throttled", 1L);
    }
  }

  @Test
  void outputsExpireAfterTheRetention() throws Exception {
    try (ReplicateSimulator shortLived = ReplicateSimulator.builder().processingTime(Duration.ZERO)
        .outputRetention(Duration.ofMillis(300)).start()) {
      Api s = new Api(shortLived);
      String id = s.create(Map.of("input", Map.of("prompt", "wind"))).path("id").asText();
      JsonNode done = s.awaitTerminal(id);
      String url = done.path("output").asText();
      assertThat(url).startsWith(shortLived.rootUrl());

      JsonNode removed = s.awaitPrediction(id, p -> p.path("data_removed").asBoolean());
      assertThat(removed.get("output").isNull()).isTrue();
      assertThat(removed.path("input").size()).isZero();
      assertThat(removed.path("status").asText()).isEqualTo("succeeded");
      assertThat(Api.send(HttpRequest.newBuilder(URI.create(url)).GET().build()).status()).isEqualTo(404);
      assertThat(shortLived.prediction(id).orElseThrow().dataRemoved()).isTrue();
      assertThat(shortLived.prediction(id).orElseThrow().outputUrls()).isEmpty();
    }
  }

  @Test
  void theBuilderRefusesBadValuesNamingThem() {
    ReplicateSimulator.Builder b = ReplicateSimulator.builder();
    assertThatThrownBy(() -> b.port(70_000)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port must be from 0 to 65535, was 70000");
    assertThatThrownBy(() -> b.processingTime(Duration.ofMillis(-1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("processingTime must not be negative, was PT-0.001S");
    assertThatThrownBy(() -> b.faultRate(Fault.FAIL, 1.5)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rate of fail must be from 0.0 to 1.0, was 1.5");
    assertThatThrownBy(() -> b.webhookSecret("whsec_short")).isInstanceOf(IllegalArgumentException.class)
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> b.duplicateDeliveries(1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("duplicateDeliveries must be from 2 to 64, was 1");
    assertThatThrownBy(() -> b.maxConcurrentWebhooks(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxConcurrentWebhooks must be from 1 to 1024, was 0");
    assertThatThrownBy(() -> b.rateLimit(0, Duration.ofSeconds(1))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("rateLimit requests must be at least 1, was 0");
    assertThatThrownBy(() -> b.webhookRetryDelays(Duration.ofSeconds(1), null)).isInstanceOf(NullPointerException.class);
    assertThatThrownBy(() -> b.apiToken("has space")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("apiToken must be non-blank printable ASCII without spaces");
  }

  @Test
  void toStringMasksTheTokenAndSecret() {
    assertThat(sim.toString()).contains(sim.baseUrl()).doesNotContain(sim.apiToken())
        .doesNotContain(sim.webhookSecret());
  }
}
