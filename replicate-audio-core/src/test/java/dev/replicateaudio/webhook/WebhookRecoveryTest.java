package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessor;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.audio.ProcessedAudio;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.FakeAudioDownloader;
import dev.replicateaudio.testing.FakePredictionClient;
import dev.replicateaudio.testing.InMemoryStorage;
import dev.replicateaudio.testing.RecordingCompletionListener;
import dev.replicateaudio.testing.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookRecoveryTest {
  private static final Duration WEBHOOK_TIMEOUT = Duration.ofSeconds(300);
  private static final URI AUDIO = URI.create("https://replicate.delivery/abc/out.wav");

  @TempDir Path dir;
  private ExecutorService executor;
  private MutableClock clock;
  private InMemoryStorage storage;
  private FakePredictionClient client;
  private FakeAudioDownloader downloader;
  private WebhookCompletionNotifier notifier;
  private final RecordingCompletionListener recorded = new RecordingCompletionListener();
  private WebhookResultProcessor processor;

  @BeforeEach
  void setUp() throws IOException {
    executor = Executors.newFixedThreadPool(4);
    clock = MutableClock.startingNow();
    storage = new InMemoryStorage(clock);
    client = new FakePredictionClient();
    downloader = new FakeAudioDownloader(executor, 1_000_000);
    downloader.serve(AUDIO, Files.write(dir.resolve("a.wav"), new byte[] {1, 2, 3, 4}));
    notifier = WebhookCompletionNotifier.builder().listener(recorded).build();
    AudioPostProcessor copy = (in, out) -> {
      try {
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ProcessedAudio(out, "audio/wav", null, null);
    };
    processor = WebhookResultProcessor.builder()
        .jobStore(storage).audioStore(storage).transactions(storage)
        .downloader(downloader).postProcessors(AudioPostProcessors.builder().fallback(copy).build())
        .notifier(notifier).executor(executor).clock(clock).tempDirectory(dir.resolve("tmp"))
        .build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private WebhookRecovery recovery() {
    return WebhookRecovery.builder()
        .jobStore(storage).predictionClient(client).processor(processor).executor(executor).clock(clock)
        .settings(ReplicateAudioSettings.builder().webhookTimeout(WEBHOOK_TIMEOUT).build())
        .hardDeadline(Duration.ofMinutes(45))
        .build();
  }

  private String submit(ContentKey key) {
    String id = client.createWebhookPredictionAsync(dev.replicateaudio.prediction.PredictionRequest
        .forModel("sepal/audiogen").webhook(URI.create("https://example.com/hook")).build())
        .toCompletableFuture().join().id();
    storage.recordSubmitted(key, id);
    return id;
  }

  private static RecoveryReport run(WebhookRecovery recovery) {
    return recovery.recoverStale().toCompletableFuture().orTimeout(20, TimeUnit.SECONDS).join();
  }

  @Test
  void lostWebhookOfASucceededPredictionIsRecovered() {
    ContentKey key = ContentKey.soundEffect(1);
    String id = submit(key);
    client.complete(id, AUDIO);

    clock.advance(Duration.ofSeconds(100));
    assertThat(run(recovery())).as("not stale yet").isEqualTo(RecoveryReport.EMPTY);

    clock.advance(Duration.ofSeconds(201));
    RecoveryReport report = run(recovery());

    assertThat(report).isEqualTo(new RecoveryReport(1, 1, 0, 0, 0, 0));
    assertThat(storage.find(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(storage.audio(key)).isPresent();
    assertThat(recorded.notified()).containsExactly(Map.entry(key, CompletionOutcome.succeeded(id)));
  }

  @Test
  void lostWebhookOfAFailedPredictionFailsTheJob() {
    ContentKey key = ContentKey.speech(2);
    String id = submit(key);
    client.fail(id, "voice not found");
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));

    assertThat(run(recovery())).isEqualTo(new RecoveryReport(1, 0, 1, 0, 0, 0));
    assertThat(recorded.notified()).containsExactly(Map.entry(key, CompletionOutcome.failed(id, "voice not found")));
  }

  @Test
  void predictionStillRunningIsReleasedUntilTheHardDeadlineThenCanceledAndFailed() {
    ContentKey key = ContentKey.backgroundMusic(3);
    String id = submit(key);
    client.set(Prediction.of(id, PredictionStatus.PROCESSING, List.of(), null));
    WebhookRecovery recovery = recovery();

    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    assertThat(run(recovery)).isEqualTo(new RecoveryReport(1, 0, 0, 0, 1, 0));
    assertThat(storage.find(id).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
    assertThat(run(recovery)).as("released jobs wait another webhook timeout").isEqualTo(RecoveryReport.EMPTY);

    clock.advance(Duration.ofMinutes(45));
    RecoveryReport report = run(recovery);

    assertThat(report).isEqualTo(new RecoveryReport(1, 0, 0, 1, 0, 0));
    assertThat(client.canceledIds()).containsExactly(id);
    assertThat(storage.find(id).orElseThrow().status()).isEqualTo(JobStatus.FAILED);
    assertThat(recorded.notified()).singleElement().satisfies(e -> {
      assertThat(e.getValue().status()).isEqualTo(CompletionStatus.FAILED);
      assertThat(e.getValue().error()).contains("hard deadline").contains("canceled by recovery");
    });
  }

  @Test
  void replicateUnavailableLeavesTheJobForTheNextRun() {
    String id = submit(ContentKey.soundEffect(4));
    client.complete(id, AUDIO);
    client.failNext("get", 1, FakePredictionClient::unavailable);
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));

    assertThat(run(recovery())).isEqualTo(new RecoveryReport(1, 0, 0, 0, 0, 1));
    assertThat(storage.find(id).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
    assertThat(storage.find(id).orElseThrow().lastError()).contains("503");

    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    assertThat(run(recovery())).isEqualTo(new RecoveryReport(1, 1, 0, 0, 0, 0));
  }

  @Test
  void predictionUnknownToReplicateFailsTheJob() {
    storage.recordSubmitted(ContentKey.soundEffect(5), "never-created");
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));

    assertThat(run(recovery())).isEqualTo(new RecoveryReport(1, 0, 1, 0, 0, 0));
    assertThat(storage.find("never-created").orElseThrow().lastError()).contains("404");
  }

  @Test
  void databaseDownFailsTheRun() {
    submit(ContentKey.soundEffect(6));
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    storage.failNext("claimStale", 1, () -> new StorageException("database unavailable (injected)", null));

    assertThatThrownBy(() -> run(recovery())).hasRootCauseMessage("database unavailable (injected)");
  }

  @Test
  void concurrentRecoverersNeverTakeTheSameJob() {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) {
      String id = submit(ContentKey.soundEffect(100 + i));
      client.complete(id, AUDIO);
      ids.add(id);
    }
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    List<CompletableFuture<RecoveryReport>> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      WebhookRecovery r = WebhookRecovery.builder()
          .jobStore(storage).predictionClient(client).processor(processor).executor(executor).clock(clock)
          .batchSize(20).build();
      runs.add(CompletableFuture.supplyAsync(() -> run(r)));
    }
    RecoveryReport total = RecoveryReport.EMPTY;
    for (CompletableFuture<RecoveryReport> run : runs) {
      total = total.plus(run.join());
    }

    assertThat(total.claimed()).isEqualTo(60);
    assertThat(total.succeeded()).isEqualTo(60);
    assertThat(storage.storeCalls()).isEqualTo(60);
    Set<String> notified = new HashSet<>();
    recorded.notified().forEach(e -> notified.add(e.getValue().predictionId()));
    assertThat(notified).containsExactlyInAnyOrderElementsOf(ids);
    assertThat(recorded.notified()).hasSize(60);
  }

  @Test
  void scheduledRecoveryRunsOnTheHostScheduler() throws Exception {
    String id = submit(ContentKey.soundEffect(7));
    client.complete(id, AUDIO);
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      ScheduledFuture<?> task = recovery().scheduleOn(scheduler, Duration.ofSeconds(1));
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
      while (storage.find(id).orElseThrow().status() != JobStatus.SUCCEEDED && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      task.cancel(false);
      assertThat(storage.find(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    } finally {
      scheduler.shutdownNow();
    }
    assertThatThrownBy(() -> recovery().scheduleOn(scheduler, Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 1 s");
  }

  @Test
  void hardDeadlineMustExceedTheWebhookTimeout() {
    assertThatThrownBy(() -> WebhookRecovery.builder().jobStore(storage).predictionClient(client)
        .processor(processor).executor(executor).hardDeadline(Duration.ofSeconds(60)).build())
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("hardDeadline (60 s) must be longer than the webhook timeout (300 s)");
  }
}
