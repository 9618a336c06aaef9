package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.FakeAudioDownloader;
import dev.replicateaudio.testing.FakePredictionClient;
import dev.replicateaudio.testing.InMemoryStorage;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Recovery runs reach the {@link RecoveryListener} given to the facade; the base URL may come from a supplier. */
class RecoveryListenerTest {
  private static final PredictionRequest REQUEST = PredictionRequest.forModel("sepal/audiogen")
      .input(Map.of("prompt", "door")).build();

  private ExecutorService executor;
  private InMemoryStorage storage;
  private FakePredictionClient client;
  private final List<Object> events = new CopyOnWriteArrayList<>();
  private final AtomicReference<URI> base = new AtomicReference<>(URI.create("https://a.example/hooks"));

  @BeforeEach
  void setUp() {
    executor = Executors.newFixedThreadPool(2);
    storage = new InMemoryStorage();
    client = new FakePredictionClient();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private ReplicateAudio audio(RecoveryListener listener) {
    return ReplicateAudio.builder()
        .settings(ReplicateAudioSettings.defaults().toBuilder().webhookTimeout(Duration.ofMillis(1)).build())
        .predictionClient(client).downloader(new FakeAudioDownloader(executor, 1000))
        .jobStore(storage).audioStore(storage).transactions(storage)
        .postProcessors(AudioPostProcessors.builder().build())
        .webhookBaseUrl(base::get).executor(executor).recoveryListener(listener)
        .build();
  }

  private final RecoveryListener recording = new RecoveryListener() {
    @Override
    public void runFinished(RecoveryReport report, Duration elapsed) {
      events.add(report);
    }

    @Override
    public void runFailed(Throwable failure, Duration elapsed) {
      events.add(failure);
    }
  };

  @Test
  void eachRunIsReportedWithItsReportOrItsFailure() throws Exception {
    try (ReplicateAudio audio = audio(recording)) {
      audio.submit(ContentKey.soundEffect(1), REQUEST).toCompletableFuture().join();
      Thread.sleep(5);
      RecoveryReport report = audio.recovery().recoverStale().toCompletableFuture().join();
      assertThat(report.stillRunning()).isEqualTo(1);

      storage.failNext("claimStale", 1, () -> new dev.replicateaudio.port.StorageException("db down", null));
      assertThat(audio.recovery().recoverStale().toCompletableFuture().handle((r, e) -> e).join()).isNotNull();
    }
    assertThat(events).hasSize(2);
    assertThat(events.get(0)).isEqualTo(report(1));
    assertThat((Throwable) events.get(1)).isInstanceOf(dev.replicateaudio.port.StorageException.class)
        .hasMessageContaining("db down");
  }

  private static RecoveryReport report(int stillRunning) {
    return new RecoveryReport(stillRunning, 0, 0, 0, stillRunning, 0);
  }

  @Test
  void aThrowingListenerDoesNotFailTheRun() {
    RecoveryListener throwing = new RecoveryListener() {
      @Override
      public void runFinished(RecoveryReport report, Duration elapsed) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (ReplicateAudio audio = audio(throwing)) {
      assertThat(audio.recovery().recoverStale().toCompletableFuture().join()).isEqualTo(RecoveryReport.EMPTY);
    }
  }

  @Test
  void theWebhookBaseUrlSupplierIsAskedOnEverySubmission() {
    try (ReplicateAudio audio = audio(RecoveryListener.NONE)) {
      audio.submit(ContentKey.soundEffect(1), REQUEST).toCompletableFuture().join();
      base.set(URI.create("http://127.0.0.1:4567/hooks"));
      audio.submit(ContentKey.soundEffect(2), REQUEST).toCompletableFuture().join();
    }
    assertThat(client.requests()).extracting(r -> r.webhook().toString()).containsExactly(
        "https://a.example/hooks?content_type=sound_effect&content_id=1",
        "http://127.0.0.1:4567/hooks?content_type=sound_effect&content_id=2");
  }
}
