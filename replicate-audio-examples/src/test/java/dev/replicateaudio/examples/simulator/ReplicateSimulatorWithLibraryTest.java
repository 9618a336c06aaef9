package dev.replicateaudio.examples.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.PredictionJson;
import dev.replicateaudio.okhttp.ReplicateApiException;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadException;
import dev.replicateaudio.port.DownloadedAudio;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The library's own HTTP client, codec and downloader against the simulator: they must agree. */
class ReplicateSimulatorWithLibraryTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir
  Path dir;

  private ReplicateSimulator sim;
  private WebhookReceiver receiver;
  private ReplicateClient client;
  private OkHttpAudioDownloader downloader;

  @BeforeEach
  void start() {
    sim = ReplicateSimulator.builder().processingTime(Duration.ofMillis(50)).oversizedBytes(2_000_000).start();
    receiver = WebhookReceiver.ok();
    client = ReplicateClient.builder().apiToken(sim.apiToken()).baseUrl(sim.baseUrl()).build();
    ReplicateAudioSettings settings = ReplicateAudioSettings.defaults().toBuilder().maxFileSize(1_000_000).build();
    downloader = OkHttpAudioDownloader.builder(settings).allowedHosts("127.0.0.1").allowPlainHttp(true).build();
  }

  @AfterEach
  void stop() {
    downloader.close();
    client.close();
    receiver.close();
    sim.close();
  }

  private PredictionRequest request(Object simulate) {
    PredictionRequest.Builder b = PredictionRequest.forModel("sepal/audiogen")
        .input("prompt", "a wooden door creaking").input("duration", 1)
        .webhook(receiver.url("/hooks/replicate?content_type=sound_effect&content_id=42"))
        .webhookEventsFilter(WebhookEvent.COMPLETED)
        .cancelAfter(Duration.ofMinutes(5));
    if (simulate != null) {
      b.input("simulate", simulate);
    }
    return b.build();
  }

  private Prediction succeeded(Object simulate) throws InterruptedException {
    Prediction created = client.createWebhookPrediction(request(simulate));
    assertThat(sim.awaitWebhooks(WAIT)).isTrue();
    Prediction done = client.getPrediction(created.id());
    assertThat(done.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    return done;
  }

  @Test
  void theClientCreatesReadsAndParsesPredictionsAndTheWebhookVerifiesAndParses() throws Exception {
    Prediction created = client.createWebhookPrediction(request(null));
    assertThat(created.status()).isEqualTo(PredictionStatus.STARTING);
    assertThat(created.model()).isEqualTo("sepal/audiogen");
    assertThat(created.createdAt()).isNotNull();
    assertThat(client.getDefaultWebhookSecret()).isEqualTo(sim.webhookSecret());

    WebhookReceiver.Received hook = receiver.await(1, WAIT).get(0);
    WebhookVerifier.create(client.getDefaultWebhookSecret()).verifyMultiValued(hook.headers(), hook.body());
    Prediction fromWebhook = PredictionJson.parsePrediction(hook.body());
    assertThat(fromWebhook.id()).isEqualTo(created.id());
    assertThat(fromWebhook.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(fromWebhook.outputUrls()).hasSize(1);

    Prediction polled = client.getPrediction(created.id());
    assertThat(polled).isEqualTo(fromWebhook);
    assertThat(polled).isEqualTo(sim.prediction(created.id()).orElseThrow());
  }

  @Test
  void theDownloaderFetchesTheOutput() throws Exception {
    Prediction done = succeeded(null);
    DownloadedAudio audio = downloader.download(done.firstOutput().orElseThrow(), dir.resolve("out.wav"))
        .get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(audio.sizeBytes()).isEqualTo(44 + 2 * 2 * 44_100);
    assertThat(Files.size(audio.file())).isEqualTo(audio.sizeBytes());
    assertThat(audio.contentType()).startsWith("audio/wav");
  }

  @Test
  void theDownloaderRefusesOversizedBodiesAnnouncedOrNot() throws Exception {
    for (String fault : new String[] {"oversized", "oversized_chunked"}) {
      Prediction done = succeeded(fault);
      CompletableFuture<DownloadedAudio> f = downloader.download(done.firstOutput().orElseThrow(),
          dir.resolve(fault + ".wav"));
      assertThat(f).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(AudioTooLargeException.class);
      assertThat(dir.resolve(fault + ".wav")).doesNotExist();
    }
  }

  @Test
  void theDownloaderReportsDroppedConnectionsAndServerErrors() throws Exception {
    for (String fault : new String[] {"disconnect", "http_500"}) {
      Prediction done = succeeded(fault);
      CompletableFuture<DownloadedAudio> f = downloader.download(done.firstOutput().orElseThrow(),
          dir.resolve(fault + ".wav"));
      assertThat(f).as(fault).failsWithin(WAIT).withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(DownloadException.class);
      assertThat(dir.resolve(fault + ".wav")).doesNotExist();
    }
  }

  @Test
  void theClientSeesCancelValidationAndAuthenticationErrorsAsReplicateWouldSendThem() throws Exception {
    try (ReplicateSimulator slow = ReplicateSimulator.builder().processingTime(Duration.ofSeconds(30)).start();
         ReplicateClient c = ReplicateClient.builder().apiToken(slow.apiToken()).baseUrl(slow.baseUrl()).build();
         ReplicateClient wrongToken = ReplicateClient.builder().apiToken("r8_wrong").baseUrl(slow.baseUrl()).build()) {
      Prediction p = c.createWebhookPrediction(request(null));
      assertThat(c.cancelPrediction(p.id()).status()).isEqualTo(PredictionStatus.CANCELED);

      PredictionRequest bad = PredictionRequest.forModel("sepal/audiogen").input("output_format", "flac")
          .webhook(receiver.url("/h")).build();
      assertThatThrownBy(() -> c.createWebhookPrediction(bad)).isInstanceOf(ReplicateApiException.class)
          .hasMessageContaining("output_format must be one of the following")
          .satisfies(e -> assertThat(((ReplicateApiException) e).statusCode()).isEqualTo(422));

      assertThatThrownBy(() -> wrongToken.getPrediction(p.id())).isInstanceOf(ReplicateApiException.class)
          .satisfies(e -> assertThat(((ReplicateApiException) e).statusCode()).isEqualTo(401));

      assertThatThrownBy(() -> c.getPrediction("nosuchprediction")).isInstanceOf(ReplicateApiException.class)
          .satisfies(e -> assertThat(((ReplicateApiException) e).statusCode()).isEqualTo(404));
    }
  }

  @Test
  void theClientWaitsOutA429AndRetries() {
    try (ReplicateSimulator limited = ReplicateSimulator.builder().rateLimit(1, Duration.ofSeconds(1)).start();
         ReplicateClient c = ReplicateClient.builder().apiToken(limited.apiToken()).baseUrl(limited.baseUrl()).build()) {
      assertThat(c.getDefaultWebhookSecret()).isEqualTo(limited.webhookSecret());
      assertThat(c.getDefaultWebhookSecret()).isEqualTo(limited.webhookSecret()); // throttled once, then retried
      assertThat(limited.requestCounts()).containsEntry("throttled", 1L)
          .containsEntry(ReplicateSimulator.ROUTE_SECRET, 2L);
    }
  }

  @Test
  void aDataUriOutputParsesAsOneOutput() throws Exception {
    Prediction done = succeeded(java.util.List.of("data_uri"));
    assertThat(done.firstOutput().orElseThrow().getScheme()).isEqualTo("data");
    DownloadedAudio audio = downloader.download(done.firstOutput().orElseThrow(), dir.resolve("inline.wav"))
        .get(20, java.util.concurrent.TimeUnit.SECONDS);
    assertThat(audio.sizeBytes()).isEqualTo(44 + 2 * 2 * 44_100);
    assertThat(audio.contentType()).isEqualTo("audio/wav");
  }
}
