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
import dev.replicateaudio.port.GenerationJob;
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
import java.util.concurrent.CountDownLatch;
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
    processor = processor(notifier, WebhookRecoveryTest::copy);
  }

  private WebhookResultProcessor processor(WebhookCompletionNotifier notifier, AudioPostProcessor postProcessor) {
    return WebhookResultProcessor.builder()
        .jobStore(storage).audioStore(storage).transactions(storage)
        .downloader(downloader).postProcessors(AudioPostProcessors.builder().fallback(postProcessor).build())
        .notifier(notifier).executor(executor).clock(clock).tempDirectory(dir.resolve("tmp"))
        .build();
  }

  private static ProcessedAudio copy(Path in, Path out) {
    try {
      Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return new ProcessedAudio(out, "audio/wav", null, null);
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
  void aSlowWebhookRunOvertakenByRecoveryOnAnotherInstanceIsRolledBackAndWakesNobody() throws Exception {
    ContentKey key = ContentKey.soundEffect(7);
    String id = submit(key);
    Prediction done = client.complete(id, AUDIO);
    CountDownLatch processing = new CountDownLatch(1);
    CountDownLatch finish = new CountDownLatch(1);
    RecordingCompletionListener slowSide = new RecordingCompletionListener();
    WebhookResultProcessor slow = processor(WebhookCompletionNotifier.builder().listener(slowSide).build(), (in, out) -> {
      processing.countDown();
      try {
        assertThat(finish.await(20, TimeUnit.SECONDS)).isTrue();
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      return copy(in, out);
    });
    CompletableFuture<CompletionOutcome> webhook = slow.process(key, done).toCompletableFuture();
    assertThat(processing.await(20, TimeUnit.SECONDS)).isTrue();

    // this instance's recovery presumes the webhook run dead and finishes the job first
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    assertThat(run(recovery())).isEqualTo(new RecoveryReport(1, 1, 0, 0, 0, 0));
    finish.countDown();

    assertThat(webhook).succeedsWithin(Duration.ofSeconds(20)).isEqualTo(CompletionOutcome.succeeded(id));
    assertThat(storage.storeCalls()).as("audio writes, the second rolled back").isEqualTo(2);
    assertThat(storage.rollbacks()).isEqualTo(1);
    assertThat(storage.results(id)).as("result rows").hasSize(1);
    assertThat(storage.find(id).orElseThrow()).satisfies(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
      assertThat(job.attempts()).isEqualTo(2);
    });
    assertThat(recorded.notified()).containsExactly(Map.entry(key, CompletionOutcome.succeeded(id)));
    assertThat(slowSide.notified()).as("the overtaken run wakes nobody").isEmpty();
    assertThat(dir.resolve("tmp")).isEmptyDirectory();
  }

  @Test
  void recoveryDoesNoWorkForAJobItsWebhookFinishedWhileRecoveryLookedItUp() {
    ContentKey key = ContentKey.soundEffect(8);
    String id = submit(key);
    Prediction done = client.complete(id, AUDIO);
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));
    GenerationJob claimedByRecovery = storage.claimStale(clock.instant().minus(WEBHOOK_TIMEOUT), 10).get(0);
    // meanwhile the webhook run, claimed before, finishes it
    storage.markSucceeded(id);

    CompletionOutcome outcome = processor.processClaimed(claimedByRecovery, done).toCompletableFuture()
        .orTimeout(20, TimeUnit.SECONDS).join();

    assertThat(outcome).isEqualTo(CompletionOutcome.succeeded(id));
    assertThat(downloader.downloads()).isZero();
    assertThat(storage.storeCalls()).isZero();
    assertThat(storage.results(id)).isEmpty();
    assertThat(recorded.notified()).isEmpty();
  }

  @Test
  void aJobReleasedByRecoveryKeepsItsLastError() {
    ContentKey key = ContentKey.backgroundMusic(9);
    String id = submit(key);
    client.set(Prediction.of(id, PredictionStatus.PROCESSING, List.of(), null));
    storage.claim(id, key);
    storage.release(id, "download timed out");
    clock.advance(WEBHOOK_TIMEOUT.plusSeconds(1));

    assertThat(run(recovery())).isEqualTo(new RecoveryReport(1, 0, 0, 0, 1, 0));
    assertThat(storage.find(id).orElseThrow().lastError()).isEqualTo("download timed out");
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
