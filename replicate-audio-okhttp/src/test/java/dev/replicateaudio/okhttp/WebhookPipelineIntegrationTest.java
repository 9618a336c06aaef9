package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.notify.WebhookNotifierFactory;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.InMemoryStorage;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import dev.replicateaudio.webhook.WebhookResultProcessor;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * A signed webhook through the whole pipeline with real parts: {@link WebhookEndpoint} →
 * {@link WebhookVerifier} → {@link PredictionJson} → the core's {@link WebhookResultProcessor} →
 * {@link OkHttpAudioDownloader} over HTTP → ffmpeg → storage (the core's in-memory fake) → the
 * notifier waking a waiter.
 */
@ExtendWith(LeakCheckExtension.class)
class WebhookPipelineIntegrationTest {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final Duration WAIT = Duration.ofSeconds(60);

  @TempDir static Path fixturesDir;
  private static ReplicateAudioSettings settings;
  private static FfmpegRunner runner;
  private static byte[] soundEffect;

  @StartStop final MockWebServer delivery = new MockWebServer();

  private final WebhookVerifier verifier = WebhookVerifier.create(SECRET);
  private final OkHttpClient http = new OkHttpClient();
  private ExecutorService executor;
  private InMemoryStorage storage;
  private WebhookCompletionNotifier notifier;
  private OkHttpAudioDownloader downloader;
  private WebhookEndpoint endpoint;

  @BeforeAll
  static void fixtures() throws Exception {
    settings = TestFfmpeg.settings();
    runner = FfmpegRunner.create(settings);
    // 1 s of tone between 1 s of silence on each side
    soundEffect = Files.readAllBytes(AudioFixtures.in(fixturesDir, runner).toneWithSilence(AudioFormat.WAV, 1, 1, 1));
  }

  @AfterAll
  static void closeRunner() {
    runner.close();
  }

  @BeforeEach
  void wire() {
    executor = Executors.newFixedThreadPool(2);
    storage = new InMemoryStorage();
    notifier = WebhookNotifierFactory.createNotifier();
    downloader = OkHttpAudioDownloader.builder(settings.toBuilder().maxFileSize(1_000_000).build())
        .okHttpClient(http).allowedHosts("localhost").allowPlainHttp(true).build();
    WebhookResultProcessor processor = WebhookResultProcessor.builder()
        .jobStore(storage).audioStore(storage).transactions(storage)
        .downloader(downloader)
        .postProcessors(AudioPostProcessors.defaults(runner, settings))
        .notifier(notifier)
        .executor(executor)
        .build();
    endpoint = WebhookEndpoint.create(verifier, processor);
  }

  @AfterEach
  void release() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
    notifier.close();
    downloader.close();
    http.dispatcher().executorService().shutdown();
    http.connectionPool().evictAll();
  }

  private WebhookResponse deliver(String query, Prediction prediction) {
    byte[] body = PredictionJson.writePrediction(prediction);
    Map<String, List<String>> headers = new HashMap<>();
    verifier.signedHeaders("msg_" + System.nanoTime(), Instant.now(), body).forEach((k, v) -> headers.put(k, List.of(v)));
    return endpoint.handleAsync(headers, query, body).orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  private Prediction succeeded(String id) {
    URI output = delivery.url("/xezq/" + id + "/out.wav").uri();
    return Prediction.of(id, PredictionStatus.SUCCEEDED, List.of(output), null);
  }

  private static MockResponse wav(byte[] bytes) {
    return new MockResponse.Builder().setHeader("Content-Type", "audio/wav").body(new Buffer().write(bytes)).build();
  }

  @Test
  void aSignedWebhookIsDownloadedTrimmedStoredAndWakesTheWaiter() {
    ContentKey key = ContentKey.soundEffect(42);
    storage.recordSubmitted(key, "pred1");
    CompletableFuture<CompletionOutcome> waiter = notifier.waitForCompletion(key, WAIT);
    delivery.enqueue(wav(soundEffect));

    WebhookResponse answer = deliver("content_type=sound_effect&content_id=42", succeeded("pred1"));

    assertThat(answer).isEqualTo(new WebhookResponse(200, "accepted: SUCCEEDED"));
    assertThat(waiter).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("pred1"));
    InMemoryStorage.StoredAudio stored = storage.audio(key).orElseThrow();
    assertThat(stored.metadata().mimeType()).isEqualTo("audio/wav");
    assertThat(stored.bytes().length).isBetween(1, soundEffect.length / 2);
    assertThat(storage.find("pred1").orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);

    // Replicate delivers the same terminal webhook again: acknowledged, nothing stored twice
    WebhookResponse again = deliver("content_type=sound_effect&content_id=42", succeeded("pred1"));

    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(storage.storeCalls()).isEqualTo(1);
    assertThat(delivery.getRequestCount()).isEqualTo(1);
  }

  @Test
  void aTransientDownloadFailureAnswers503AndTheRetriedWebhookSucceeds() {
    ContentKey key = ContentKey.soundEffect(7);
    storage.recordSubmitted(key, "pred2");
    delivery.enqueue(new MockResponse.Builder().code(503).body("busy").build());

    WebhookResponse first = deliver("content_type=sound_effect&content_id=7", succeeded("pred2"));

    assertThat(first.statusCode()).isEqualTo(503);
    assertThat(storage.find("pred2").orElseThrow().status()).isEqualTo(JobStatus.PENDING);

    delivery.enqueue(wav(soundEffect));
    WebhookResponse retried = deliver("content_type=sound_effect&content_id=7", succeeded("pred2"));

    assertThat(retried).isEqualTo(new WebhookResponse(200, "accepted: SUCCEEDED"));
    assertThat(storage.audio(key)).isPresent();
  }

  @Test
  void audioOverTheCapIsAPermanentFailureAcknowledgedWith200() {
    ContentKey key = ContentKey.soundEffect(8);
    storage.recordSubmitted(key, "pred3");
    CompletableFuture<CompletionOutcome> waiter = notifier.waitForCompletion(key, WAIT);
    delivery.enqueue(wav(new byte[1_000_001]));

    WebhookResponse answer = deliver("content_type=sound_effect&content_id=8", succeeded("pred3"));

    assertThat(answer).isEqualTo(new WebhookResponse(200, "accepted: FAILED"));
    assertThat(waiter).succeedsWithin(WAIT).satisfies(o -> {
      assertThat(o.status()).isEqualTo(CompletionStatus.FAILED);
      assertThat(o.error()).contains("larger than the limit of 1000000 bytes");
    });
    assertThat(storage.find("pred3").orElseThrow().status()).isEqualTo(JobStatus.FAILED);
  }

  @Test
  void aWebhookWhoseQueryNamesAnotherContentItemGets400AndChangesNothing() {
    storage.recordSubmitted(ContentKey.soundEffect(9), "pred4");

    WebhookResponse answer = deliver("content_type=sound_effect&content_id=10", succeeded("pred4"));

    assertThat(answer).isEqualTo(new WebhookResponse(400, "webhook does not match its job"));
    assertThat(storage.find("pred4").orElseThrow().status()).isEqualTo(JobStatus.PENDING);
    assertThat(delivery.getRequestCount()).isZero();
  }
}
