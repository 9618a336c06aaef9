package dev.replicateaudio.examples.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import dev.replicateaudio.webhook.VerifiedWebhook;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ReplicateSimulatorWebhookTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  private final List<AutoCloseable> closeables = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeables.size() - 1; i >= 0; i--) {
      closeables.get(i).close();
    }
  }

  private ReplicateSimulator simulator(ReplicateSimulator.Builder b) {
    ReplicateSimulator s = b.start();
    closeables.add(s);
    return s;
  }

  private ReplicateSimulator simulator() {
    return simulator(ReplicateSimulator.builder().processingTime(Duration.ofMillis(30))
        .webhookRetryDelays(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(150)));
  }

  private WebhookReceiver receiver(WebhookReceiver r) {
    closeables.add(r);
    return r;
  }

  private static Map<String, Object> body(URI webhook, List<String> events, Object simulate) {
    Map<String, Object> input = new HashMap<>();
    input.put("prompt", "glass breaking");
    if (simulate != null) {
      input.put("simulate", simulate);
    }
    return Map.of("input", input, "webhook", webhook.toString(), "webhook_events_filter", events);
  }

  @Test
  void theCompletedWebhookCarriesThePredictionJsonSignedWithTheSimulatorsSecret() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.ok());
    Api api = new Api(sim);
    String id = api.create(body(receiver.url("/hooks?content_id=7"), List.of("completed"), null)).path("id").asText();

    WebhookReceiver.Received hook = receiver.await(1, WAIT).get(0);
    assertThat(sim.awaitWebhooks(WAIT)).isTrue();

    WebhookVerifier verifier = WebhookVerifier.create(api.get("/webhooks/default/secret").json().path("key").asText());
    VerifiedWebhook verified = verifier.verifyMultiValued(hook.headers(), hook.body());
    assertThat(verified.id()).startsWith("msg_").isEqualTo(hook.header("webhook-id"));
    assertThat(verified.timestamp()).isBetween(Instant.now().minusSeconds(60), Instant.now().plusSeconds(1));
    assertThat(hook.path()).isEqualTo("/hooks?content_id=7");
    assertThat(hook.header("Content-Type")).startsWith("application/json");

    JsonNode sent = Api.JSON.readTree(hook.body());
    assertThat(sent).isEqualTo(api.get("/predictions/" + id).json());
    assertThat(sent.path("status").asText()).isEqualTo("succeeded");

    List<DeliveryAttempt> attempts = sim.deliveries(id);
    assertThat(attempts).hasSize(1);
    DeliveryAttempt a = attempts.get(0);
    assertThat(a.delivered()).isTrue();
    assertThat(a.statusCode()).isEqualTo(200);
    assertThat(a.event()).isEqualTo(WebhookEvent.COMPLETED);
    assertThat(a.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(a.webhookId()).isEqualTo(verified.id());
    assertThat(a.attempt()).isEqualTo(1);
    assertThat(a.latency()).isPositive();
    assertThat(a.url()).isEqualTo(receiver.url("/hooks?content_id=7"));
  }

  @Test
  void eachFilteredEventIsDeliveredInOrder() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.ok());
    String id = new Api(sim).create(body(receiver.url("/h"), List.of("start", "logs", "output", "completed"), null))
        .path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got).hasSize(4);
    List<String> statuses = new ArrayList<>();
    for (WebhookReceiver.Received r : got) {
      statuses.add(Api.JSON.readTree(r.body()).path("status").asText());
    }
    assertThat(statuses).containsExactly("processing", "processing", "processing", "succeeded");
    assertThat(Api.JSON.readTree(got.get(0).body()).get("output").isNull()).isTrue();
    assertThat(Api.JSON.readTree(got.get(2).body()).path("output").asText()).endsWith("/output.wav");
    assertThat(sim.deliveries(id)).extracting(DeliveryAttempt::event)
        .containsExactly(WebhookEvent.START, WebhookEvent.LOGS, WebhookEvent.OUTPUT, WebhookEvent.COMPLETED);
    assertThat(got.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(4);
  }

  @Test
  void aTerminalWebhookAnswered503IsRetriedAfterEachDelayThenGivenUp() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.answering(r -> 503));
    String id = new Api(sim).create(body(receiver.url("/h"), List.of("start", "completed"), null)).path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    List<DeliveryAttempt> attempts = sim.deliveries(id);
    // the start message is not retried; the completed one: 1 attempt + 3 retries
    assertThat(attempts).extracting(DeliveryAttempt::event, DeliveryAttempt::attempt, DeliveryAttempt::statusCode)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple(WebhookEvent.START, 1, 503),
            org.assertj.core.groups.Tuple.tuple(WebhookEvent.COMPLETED, 1, 503),
            org.assertj.core.groups.Tuple.tuple(WebhookEvent.COMPLETED, 2, 503),
            org.assertj.core.groups.Tuple.tuple(WebhookEvent.COMPLETED, 3, 503),
            org.assertj.core.groups.Tuple.tuple(WebhookEvent.COMPLETED, 4, 503));
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got.subList(1, 5).stream().map(r -> r.header("webhook-id")).distinct()).hasSize(1);
    // the waits between attempts are at least the configured delays
    assertThat(Duration.ofNanos(got.get(2).nanoTime() - got.get(1).nanoTime())).isGreaterThanOrEqualTo(Duration.ofMillis(50));
    assertThat(Duration.ofNanos(got.get(4).nanoTime() - got.get(3).nanoTime())).isGreaterThanOrEqualTo(Duration.ofMillis(150));
    WebhookVerifier verifier = WebhookVerifier.create(sim.webhookSecret());
    for (WebhookReceiver.Received r : got) {
      verifier.verifyMultiValued(r.headers(), r.body()); // every retry is signed afresh
    }
  }

  @Test
  void retriesStopAtTheFirst2xx() throws Exception {
    ReplicateSimulator sim = simulator();
    AtomicInteger calls = new AtomicInteger();
    WebhookReceiver receiver = receiver(WebhookReceiver.answering(r -> calls.incrementAndGet() <= 2 ? 500 : 204));
    String id = new Api(sim).create(body(receiver.url("/h"), List.of("completed"), null)).path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    assertThat(sim.deliveries(id)).extracting(DeliveryAttempt::statusCode).containsExactly(500, 500, 204);
    assertThat(sim.deliveries(id).get(2).delivered()).isTrue();
    assertThat(receiver.received()).hasSize(3);
  }

  @Test
  void aRefusedConnectionIsRecordedWithoutAStatusAndRetried() throws Exception {
    ReplicateSimulator sim = simulator();
    int closedPort;
    try (ServerSocket s = new ServerSocket(0)) {
      closedPort = s.getLocalPort();
    }
    String id = new Api(sim).create(body(URI.create("http://127.0.0.1:" + closedPort + "/h"), List.of("completed"),
        null)).path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    List<DeliveryAttempt> attempts = sim.deliveries(id);
    assertThat(attempts).hasSize(4).allSatisfy(a -> {
      assertThat(a.statusCode()).isZero();
      assertThat(a.delivered()).isFalse();
      assertThat(a.error()).contains("ConnectException");
    });
  }

  @Test
  void redirectsAreNotFollowedAndCountAsFailures() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver target = receiver(WebhookReceiver.ok());
    WebhookReceiver redirecting = receiver(WebhookReceiver.answering(r -> 301));
    redirecting.answerHeaders(Map.of("Location", target.url("/moved").toString()));
    String id = new Api(sim).create(body(redirecting.url("/h"), List.of("completed"), null)).path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    assertThat(sim.deliveries(id)).hasSize(4).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(301));
    assertThat(target.received()).isEmpty();
  }

  @Test
  void lostWebhooksAreNeverSentButThePredictionStillFinishes() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.ok());
    Api api = new Api(sim);
    String id = api.create(body(receiver.url("/h"), List.of("start", "completed"), "lost_webhook")).path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    assertThat(api.get("/predictions/" + id).json().path("status").asText()).isEqualTo("succeeded");
    assertThat(receiver.received()).isEmpty();
    assertThat(sim.deliveries(id)).isEmpty();
    assertThat(sim.lostWebhooks()).isEqualTo(2);
    assertThat(sim.faults(id)).containsExactly(Fault.LOST_WEBHOOK);
  }

  @Test
  void duplicateWebhooksArriveConcurrentlyWithTheSameIdAndBody() throws Exception {
    ReplicateSimulator sim = simulator(ReplicateSimulator.builder().processingTime(Duration.ofMillis(30))
        .duplicateDeliveries(4));
    CountDownLatch allIn = new CountDownLatch(4);
    WebhookReceiver receiver = receiver(WebhookReceiver.answering(r -> {
      allIn.countDown();
      try { // hold each request until all four are in: only concurrent deliveries get past this
        return allIn.await(10, TimeUnit.SECONDS) ? 200 : 500;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 500;
      }
    }));
    String id = new Api(sim).create(body(receiver.url("/h"), List.of("completed"), List.of("duplicate_webhooks")))
        .path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got).hasSize(4);
    assertThat(got.stream().map(r -> r.header("webhook-id")).distinct()).hasSize(1);
    assertThat(got.stream().map(r -> new String(r.body(), java.nio.charset.StandardCharsets.UTF_8)).distinct())
        .hasSize(1);
    assertThat(sim.deliveries(id)).hasSize(4).allSatisfy(a -> assertThat(a.statusCode()).isEqualTo(200))
        .extracting(DeliveryAttempt::copy).containsExactlyInAnyOrder(1, 2, 3, 4);
  }

  @Test
  void outOfOrderDeliversAStaleProcessingWebhookAfterTheTerminalOne() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.ok());
    String id = new Api(sim).create(body(receiver.url("/h"), List.of("completed"), "out_of_order")).path("id").asText();

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    List<WebhookReceiver.Received> got = receiver.received();
    assertThat(got).hasSize(2);
    assertThat(Api.JSON.readTree(got.get(0).body()).path("status").asText()).isEqualTo("succeeded");
    JsonNode stale = Api.JSON.readTree(got.get(1).body());
    assertThat(stale.path("status").asText()).isEqualTo("processing");
    assertThat(stale.path("id").asText()).isEqualTo(id);
    assertThat(got.get(1).header("webhook-id")).isNotEqualTo(got.get(0).header("webhook-id"));
    WebhookVerifier.create(sim.webhookSecret()).verifyMultiValued(got.get(1).headers(), got.get(1).body());
    assertThat(sim.deliveries(id)).extracting(DeliveryAttempt::stale).containsExactly(false, true);
  }

  @Test
  void outcomeFaultsEndThePredictionAsTheySay() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.ok());
    Api api = new Api(sim);
    Map<String, String> expected = Map.of("fail", "failed", "cancel", "canceled", "abort", "aborted",
        "no_output", "succeeded");
    Map<String, String> ids = new HashMap<>();
    for (String fault : expected.keySet()) {
      ids.put(fault, api.create(body(receiver.url("/" + fault), List.of("completed"), fault)).path("id").asText());
    }

    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    Map<String, JsonNode> hooks = new HashMap<>();
    for (WebhookReceiver.Received r : receiver.received()) {
      hooks.put(r.path().substring(1), Api.JSON.readTree(r.body()));
    }
    assertThat(hooks).hasSize(4);
    expected.forEach((fault, status) -> assertThat(hooks.get(fault).path("status").asText()).as(fault).isEqualTo(status));
    assertThat(hooks.get("fail").path("error").asText()).contains("simulate: fail");
    assertThat(hooks.get("abort").has("started_at")).isFalse();
    assertThat(hooks.get("cancel").path("started_at").asText()).isNotEmpty();
    assertThat(hooks.get("no_output").get("output").isNull()).isTrue();
    assertThat(sim.statusCounts()).containsEntry(PredictionStatus.FAILED, 1L).containsEntry(PredictionStatus.CANCELED, 1L)
        .containsEntry(PredictionStatus.ABORTED, 1L).containsEntry(PredictionStatus.SUCCEEDED, 1L);
  }

  @Test
  void faultRatesAreDrawnFromTheSeedSoRunsRepeat() throws Exception {
    List<List<Boolean>> failPatterns = new ArrayList<>();
    for (int run = 0; run < 2; run++) {
      try (ReplicateSimulator sim = ReplicateSimulator.builder().seed(7).processingTime(Duration.ZERO)
          .faultRate(Fault.FAIL, 0.5).faultRate(Fault.SILENT, 1.0).start()) {
        Api api = new Api(sim);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
          ids.add(api.create(Map.of("input", Map.of())).path("id").asText());
        }
        assertThat(sim.awaitWebhooks(WAIT)).isTrue();
        List<Set<Fault>> faults = ids.stream().map(sim::faults).collect(Collectors.toList());
        assertThat(faults).allSatisfy(f -> assertThat(f).contains(Fault.SILENT));
        long failed = faults.stream().filter(f -> f.contains(Fault.FAIL)).count();
        assertThat(failed).isBetween(3L, 17L);
        assertThat(sim.statusCounts().get(PredictionStatus.FAILED)).isEqualTo(failed);
        failPatterns.add(faults.stream().map(f -> f.contains(Fault.FAIL)).collect(Collectors.toList()));
      }
    }
    assertThat(failPatterns.get(0)).isEqualTo(failPatterns.get(1));
  }

  @Test
  void noMoreThanMaxConcurrentWebhooksAreInFlightAtOnce() throws Exception {
    // every prediction gets ready about 0.5 s after its creation, so the ten deliveries pile up
    ReplicateSimulator sim = simulator(ReplicateSimulator.builder().processingTime(Duration.ZERO)
        .startDelay(Duration.ofMillis(500)).maxConcurrentWebhooks(2));
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxSeen = new AtomicInteger();
    WebhookReceiver receiver = receiver(WebhookReceiver.answering(r -> {
      maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      inFlight.decrementAndGet();
      return 200;
    }));
    Api api = new Api(sim);
    for (int i = 0; i < 10; i++) {
      api.create(body(receiver.url("/h"), List.of("completed"), null));
    }
    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    assertThat(receiver.received()).hasSize(10);
    assertThat(maxSeen.get()).isEqualTo(2);
    assertThat(sim.deliveries()).allSatisfy(a -> assertThat(a.delivered()).isTrue());
  }

  @Test
  void forgetSettledDropsFinishedPredictionsAndTheirRecords() throws Exception {
    ReplicateSimulator sim = simulator();
    WebhookReceiver receiver = receiver(WebhookReceiver.ok());
    Api api = new Api(sim);
    String id = api.create(body(receiver.url("/h"), List.of("completed"), null)).path("id").asText();
    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    assertThat(sim.deliveries(id)).hasSize(1);

    assertThat(sim.forgetSettled()).isEqualTo(1);

    assertThat(sim.predictionCount()).isZero();
    assertThat(sim.deliveries()).isEmpty();
    assertThat(sim.deliveries(id)).isEmpty();
    assertThat(sim.prediction(id)).isEmpty();
    assertThat(api.get("/predictions/" + id).status()).isEqualTo(404);
    assertThat(sim.forgetSettled()).isZero();
  }

  @Test
  void noWebhookIsSentWithoutAWebhookUrlAndAwaitStillReturns() throws Exception {
    ReplicateSimulator sim = simulator();
    String id = new Api(sim).create(Map.of("input", Map.of())).path("id").asText();
    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    assertThat(sim.prediction(id).orElseThrow().status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(sim.deliveries()).isEmpty();
  }
}
