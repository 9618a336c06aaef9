package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.audio.AudioPostProcessor;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.audio.InvalidAudioException;
import dev.replicateaudio.audio.ProcessedAudio;
import dev.replicateaudio.audio.SilentAudioException;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.FakeAudioDownloader;
import dev.replicateaudio.testing.InMemoryStorage;
import dev.replicateaudio.testing.RecordingCompletionListener;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebhookResultProcessorTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final URI AUDIO = URI.create("https://replicate.delivery/abc/output.wav");
  private static final ContentKey SFX = ContentKey.soundEffect(1);

  @TempDir Path dir;
  private ExecutorService executor;
  private InMemoryStorage storage;
  private FakeAudioDownloader downloader;
  private WebhookCompletionNotifier notifier;
  private final RecordingCompletionListener recorded = new RecordingCompletionListener();
  private Path tempBase;
  private Path source;
  private final List<String> processedTypes = new ArrayList<>();
  private volatile RuntimeException processorFailure;

  @BeforeEach
  void setUp() throws IOException {
    executor = Executors.newFixedThreadPool(4);
    storage = new InMemoryStorage();
    downloader = new FakeAudioDownloader(executor, 1_000_000);
    notifier = WebhookCompletionNotifier.builder().listener(recorded).build();
    tempBase = dir.resolve("temp");
    source = Files.write(dir.resolve("source.wav"), "RIFF-fake-audio-bytes".getBytes());
    downloader.serve(AUDIO, source);
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private WebhookResultProcessor processor() {
    return processor(WebhookResultProcessor.DEFAULT_MAX_ATTEMPTS);
  }

  private WebhookResultProcessor processor(int maxAttempts) {
    AudioPostProcessor copying = (input, output) -> {
      synchronized (processedTypes) {
        processedTypes.add(input.getFileName().toString());
      }
      RuntimeException failure = processorFailure;
      if (failure != null) {
        throw failure;
      }
      try {
        Files.copy(input, output, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ProcessedAudio(output, "audio/wav", Duration.ofSeconds(3), Duration.ofSeconds(1));
    };
    return processorWith(copying, maxAttempts);
  }

  private WebhookResultProcessor processorWith(AudioPostProcessor postProcessor) {
    return processorWith(postProcessor, WebhookResultProcessor.DEFAULT_MAX_ATTEMPTS);
  }

  private WebhookResultProcessor processorWith(AudioPostProcessor postProcessor, int maxAttempts) {
    return WebhookResultProcessor.builder()
        .jobStore(storage).audioStore(storage).transactions(storage)
        .downloader(downloader)
        .postProcessors(AudioPostProcessors.builder().fallback(postProcessor).build())
        .notifier(notifier)
        .executor(executor)
        .tempDirectory(tempBase)
        .maxAttempts(maxAttempts)
        .build();
  }

  private static Prediction succeeded(String id, URI... outputs) {
    return Prediction.of(id, PredictionStatus.SUCCEEDED, List.of(outputs), null);
  }

  private static CompletionOutcome await(CompletionStage<CompletionOutcome> stage) {
    return stage.toCompletableFuture().orTimeout(WAIT.toSeconds(), TimeUnit.SECONDS).join();
  }

  private void assertNoTempFilesLeft() throws IOException {
    if (Files.exists(tempBase)) {
      try (Stream<Path> s = Files.list(tempBase)) {
        assertThat(s.toList()).as("temp directories left behind").isEmpty();
      }
    }
  }

  private GenerationJob job(String id) {
    return storage.find(id).orElseThrow();
  }

  @Test
  void nonTerminalStatusesAreAcknowledgedWithoutWork() throws IOException {
    storage.recordSubmitted(SFX, "p1");
    for (PredictionStatus s : List.of(PredictionStatus.STARTING, PredictionStatus.PROCESSING)) {
      CompletionOutcome outcome = await(processor().process(SFX, Prediction.of("p1", s, List.of(), null)));
      assertThat(outcome.status()).isEqualTo(CompletionStatus.PENDING);
    }
    assertThat(job("p1").status()).isEqualTo(JobStatus.PENDING);
    assertThat(job("p1").attempts()).isZero();
    assertThat(downloader.downloads()).isZero();
    assertThat(recorded.notified()).isEmpty();
    assertNoTempFilesLeft();
  }

  @Test
  void succeededPredictionIsDownloadedProcessedStoredLoggedAndNotified() throws IOException {
    storage.recordSubmitted(SFX, "p1");
    CompletionOutcome outcome = await(processor().process(SFX, succeeded("p1", AUDIO)));

    assertThat(outcome).isEqualTo(CompletionOutcome.succeeded("p1"));
    InMemoryStorage.StoredAudio stored = storage.audio(SFX).orElseThrow();
    assertThat(stored.bytes()).isEqualTo(Files.readAllBytes(source));
    assertThat(stored.metadata().mimeType()).isEqualTo("audio/wav");
    assertThat(stored.metadata().sizeBytes()).isEqualTo(Files.size(source));
    assertThat(stored.metadata().sha256()).hasSize(64);
    assertThat(job("p1").status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(job("p1").attempts()).isEqualTo(1);
    List<ResultRecord> results = storage.results("p1");
    assertThat(results).singleElement().satisfies(r -> {
      assertThat(r.status()).isEqualTo(CompletionStatus.SUCCEEDED);
      assertThat(r.audioBytes()).isEqualTo(Files.size(source));
      assertThat(r.originalDuration()).isEqualTo(Duration.ofSeconds(3));
      assertThat(r.finalDuration()).isEqualTo(Duration.ofSeconds(1));
    });
    assertThat(recorded.notified()).containsExactly(Map.entry(SFX, CompletionOutcome.succeeded("p1")));
    assertThat(processedTypes).singleElement().asString().endsWith(".wav");
    assertNoTempFilesLeft();
  }

  @Test
  void theAudioIsHashedOnceAPassThroughKeepsTheDownloadersHashAndAChangedFileIsHashedAgain() throws IOException {
    String downloadersHash = "ab".repeat(32); // not the file's: tells that it was taken as it came
    downloader.reportSha256(downloadersHash);
    String sourceHash = AudioMetadata.of(source, "audio/wav", null).sha256();

    storage.recordSubmitted(SFX, "p-pass");
    await(processorWith((input, output) -> new ProcessedAudio(input, "audio/wav", null, null))
        .process(SFX, succeeded("p-pass", AUDIO)));
    assertThat(storage.audio(SFX).orElseThrow().metadata().sha256()).as("pass-through").isEqualTo(downloadersHash);

    ContentKey rewritten = ContentKey.soundEffect(2);
    storage.recordSubmitted(rewritten, "p-in-place");
    await(processorWith((input, output) -> {
      try {
        Files.write(input, "-changed".getBytes(), java.nio.file.StandardOpenOption.APPEND);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ProcessedAudio(input, "audio/wav", null, null);
    }).process(rewritten, succeeded("p-in-place", AUDIO)));
    InMemoryStorage.StoredAudio changed = storage.audio(rewritten).orElseThrow();
    assertThat(changed.bytes()).endsWith("-changed".getBytes());
    assertThat(changed.metadata().sha256()).as("a processor that changed its input in place")
        .isEqualTo(sha256(changed.bytes()));

    ContentKey copied = ContentKey.soundEffect(3);
    storage.recordSubmitted(copied, "p-copied");
    await(processor().process(copied, succeeded("p-copied", AUDIO)));
    assertThat(storage.audio(copied).orElseThrow().metadata().sha256()).as("a new file").isEqualTo(sourceHash);
    assertThat(storage.results("p-copied")).singleElement().satisfies(r ->
        assertThat(r.status()).isEqualTo(CompletionStatus.SUCCEEDED));
    assertNoTempFilesLeft();
  }

  private static String sha256(byte[] bytes) {
    try {
      return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void predictionNeverRecordedIsProcessedAndRecorded() {
    CompletionOutcome outcome = await(processor().process(SFX, succeeded("unknown", AUDIO)));
    assertThat(outcome.isSuccess()).isTrue();
    assertThat(job("unknown").status()).isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void failedPredictionFailsTheJobWithReplicatesError() throws IOException {
    storage.recordSubmitted(SFX, "p1");
    Prediction failed = Prediction.of("p1", PredictionStatus.FAILED, List.of(), "CUDA out of memory");
    CompletionOutcome outcome = await(processor().process(SFX, failed));

    assertThat(outcome).isEqualTo(CompletionOutcome.failed("p1", "CUDA out of memory"));
    assertThat(job("p1").status()).isEqualTo(JobStatus.FAILED);
    assertThat(job("p1").lastError()).isEqualTo("CUDA out of memory");
    assertThat(storage.results("p1")).singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(CompletionStatus.FAILED));
    assertThat(storage.audioCount()).isZero();
    assertThat(recorded.notified()).containsExactly(Map.entry(SFX, outcome));
    assertNoTempFilesLeft();
  }

  @Test
  void canceledAndAbortedPredictionsEndCanceled() {
    storage.recordSubmitted(SFX, "c1");
    storage.recordSubmitted(SFX, "a1");
    CompletionOutcome canceled = await(processor().process(SFX, Prediction.of("c1", PredictionStatus.CANCELED, List.of(), null)));
    CompletionOutcome aborted = await(processor().process(SFX, Prediction.of("a1", PredictionStatus.ABORTED, List.of(), null)));

    assertThat(canceled.status()).isEqualTo(CompletionStatus.CANCELED);
    assertThat(canceled.error()).isEqualTo("prediction was canceled");
    assertThat(aborted.status()).isEqualTo(CompletionStatus.CANCELED);
    assertThat(aborted.error()).contains("aborted").contains("Cancel-After");
    assertThat(job("c1").status()).isEqualTo(JobStatus.FAILED);
    assertThat(job("a1").status()).isEqualTo(JobStatus.FAILED);
    assertThat(storage.results("a1")).singleElement()
        .satisfies(r -> assertThat(r.status()).isEqualTo(CompletionStatus.CANCELED));
  }

  @Test
  void succeededWithoutOutputOrWithDataRemovedFails() {
    storage.recordSubmitted(SFX, "empty");
    storage.recordSubmitted(SFX, "removed");
    CompletionOutcome empty = await(processor().process(SFX, succeeded("empty")));
    Prediction removed = new Prediction("removed", PredictionStatus.SUCCEEDED, List.of(), null, null, null, null,
        null, true, null);
    CompletionOutcome gone = await(processor().process(SFX, removed));

    assertThat(empty).isEqualTo(CompletionOutcome.failed("empty", "prediction succeeded but has no output"));
    assertThat(gone.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(gone.error()).contains("data_removed");
    assertThat(downloader.downloads()).isZero();
  }

  @Test
  void tooLargeAudioFailsPermanently() throws IOException {
    storage.recordSubmitted(SFX, "p1");
    downloader.failNext(AUDIO, 1, () -> new AudioTooLargeException(AUDIO.toString(), 60_000_000, 50_000_000));
    CompletionOutcome outcome = await(processor().process(SFX, succeeded("p1", AUDIO)));

    assertThat(outcome.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(outcome.error()).contains("larger than the limit of 50000000 bytes");
    assertThat(job("p1").status()).isEqualTo(JobStatus.FAILED);
    assertThat(recorded.notified()).containsExactly(Map.entry(SFX, outcome));
    assertThat(processedTypes).isEmpty();
    assertNoTempFilesLeft();
  }

  @Test
  void corruptAndSilentAudioFailPermanently() throws IOException {
    storage.recordSubmitted(SFX, "corrupt");
    storage.recordSubmitted(SFX, "silent");
    processorFailure = new InvalidAudioException("input is truncated: decoded 0.16 s of 2.53 s");
    CompletionOutcome corrupt = await(processor().process(SFX, succeeded("corrupt", AUDIO)));
    processorFailure = new SilentAudioException("audio is silent at -60dB");
    CompletionOutcome silent = await(processor().process(SFX, succeeded("silent", AUDIO)));

    assertThat(corrupt).isEqualTo(CompletionOutcome.failed("corrupt", "input is truncated: decoded 0.16 s of 2.53 s"));
    assertThat(silent).isEqualTo(CompletionOutcome.failed("silent", "audio is silent at -60dB"));
    assertThat(storage.audioCount()).isZero();
    assertThat(job("silent").status()).isEqualTo(JobStatus.FAILED);
    assertNoTempFilesLeft();
  }

  @Test
  void transientDownloadFailureReleasesTheJobAndASecondDeliverySucceeds() throws IOException {
    storage.recordSubmitted(SFX, "p1");
    downloader.failNext(AUDIO, 1, () -> FakeAudioDownloader.timeout(AUDIO));
    WebhookResultProcessor processor = processor();

    assertThatThrownBy(() -> await(processor.process(SFX, succeeded("p1", AUDIO))))
        .hasCauseInstanceOf(WebhookProcessingException.class)
        .cause().hasMessageContaining("timed out").hasMessageContaining("released for retry")
        .satisfies(e -> assertThat(((WebhookProcessingException) e).isRetryable()).isTrue());
    assertThat(job("p1").status()).isEqualTo(JobStatus.PENDING);
    assertThat(job("p1").lastError()).contains("timed out");
    assertThat(recorded.notified()).isEmpty();
    assertThat(storage.results("p1")).isEmpty();
    assertNoTempFilesLeft();

    CompletionOutcome retried = await(processor.process(SFX, succeeded("p1", AUDIO)));
    assertThat(retried.isSuccess()).isTrue();
    assertThat(job("p1").attempts()).isEqualTo(2);
    assertThat(recorded.notified()).hasSize(1);
  }

  @Test
  void databaseFailureWhileStoringRollsBackAndReleases() throws IOException {
    storage.recordSubmitted(SFX, "p1");
    storage.failNext("logResult", 1, () -> new StorageException("connection refused (injected)", null));
    WebhookResultProcessor processor = processor();

    assertThatThrownBy(() -> await(processor.process(SFX, succeeded("p1", AUDIO))))
        .cause().isInstanceOf(WebhookProcessingException.class).hasMessageContaining("connection refused");
    assertThat(storage.audioCount()).as("audio write rolled back").isZero();
    assertThat(storage.rollbacks()).isEqualTo(1);
    assertThat(job("p1").status()).isEqualTo(JobStatus.PENDING);
    assertThat(storage.results("p1")).isEmpty();
    assertNoTempFilesLeft();

    assertThat(await(processor.process(SFX, succeeded("p1", AUDIO))).isSuccess()).isTrue();
    assertThat(storage.audioCount()).isEqualTo(1);
  }

  @Test
  void commitFailureOfAFailedOutcomeReleasesTheJob() {
    storage.recordSubmitted(SFX, "p1");
    storage.failNext("commit", 1, () -> new StorageException("commit failed (injected)", null));
    Prediction failed = Prediction.of("p1", PredictionStatus.FAILED, List.of(), "boom");

    assertThatThrownBy(() -> await(processor().process(SFX, failed)))
        .cause().isInstanceOf(WebhookProcessingException.class);
    assertThat(job("p1").status()).isEqualTo(JobStatus.PENDING);
    assertThat(recorded.notified()).isEmpty();
    assertThat(await(processor().process(SFX, failed)).status()).isEqualTo(CompletionStatus.FAILED);
  }

  @Test
  void claimFailureIsRetryableAndChangesNothing() {
    storage.recordSubmitted(SFX, "p1");
    storage.failNext("claim", 1, () -> new StorageException("pool exhausted (injected)", null));

    assertThatThrownBy(() -> await(processor().process(SFX, succeeded("p1", AUDIO))))
        .cause().isInstanceOf(WebhookProcessingException.class).hasMessageContaining("pool exhausted")
        .satisfies(e -> assertThat(((WebhookProcessingException) e).isRetryable()).isTrue());
    assertThat(job("p1").status()).isEqualTo(JobStatus.PENDING);
    assertThat(downloader.downloads()).isZero();
  }

  @Test
  void transientFailuresStopAfterMaxAttempts() {
    storage.recordSubmitted(SFX, "p1");
    downloader.failNext(AUDIO, 100, () -> FakeAudioDownloader.timeout(AUDIO));
    WebhookResultProcessor processor = processor(2);

    assertThatThrownBy(() -> await(processor.process(SFX, succeeded("p1", AUDIO)))).isNotNull();
    CompletionOutcome last = await(processor.process(SFX, succeeded("p1", AUDIO)));

    assertThat(last.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(last.error()).startsWith("gave up after 2 attempts; last error:").contains("timed out");
    assertThat(job("p1").status()).isEqualTo(JobStatus.FAILED);
    assertThat(recorded.notified()).containsExactly(Map.entry(SFX, last));
  }

  @Test
  void duplicateAndLateDeliveriesNeverChangeTheOutcome() {
    storage.recordSubmitted(SFX, "ok");
    storage.recordSubmitted(SFX, "bad");
    storage.recordSubmitted(SFX, "cxl");
    WebhookResultProcessor processor = processor();
    await(processor.process(SFX, succeeded("ok", AUDIO)));
    await(processor.process(SFX, Prediction.of("bad", PredictionStatus.FAILED, List.of(), "model error")));
    await(processor.process(SFX, Prediction.of("cxl", PredictionStatus.CANCELED, List.of(), null)));

    // a late failed delivery of a succeeded prediction, a duplicate of each, an out-of-order "processing"
    assertThat(await(processor.process(SFX, Prediction.of("ok", PredictionStatus.FAILED, List.of(), "late"))))
        .isEqualTo(CompletionOutcome.succeeded("ok"));
    assertThat(await(processor.process(SFX, succeeded("bad", AUDIO))))
        .isEqualTo(CompletionOutcome.failed("bad", "model error"));
    assertThat(await(processor.process(SFX, Prediction.of("cxl", PredictionStatus.CANCELED, List.of(), null))))
        .isEqualTo(CompletionOutcome.canceled("cxl", "prediction was canceled"));
    assertThat(await(processor.process(SFX, Prediction.of("ok", PredictionStatus.PROCESSING, List.of(), null))).status())
        .isEqualTo(CompletionStatus.PENDING);

    assertThat(storage.storeCalls()).isEqualTo(1);
    assertThat(storage.allResults()).hasSize(3);
    assertThat(recorded.notified()).hasSize(3);
    assertThat(job("ok").status()).isEqualTo(JobStatus.SUCCEEDED);
  }

  @Test
  void hundredConcurrentDuplicateDeliveriesStoreOnceLogOnceNotifyOnceAndAnswerEveryone() throws Exception {
    storage.recordSubmitted(SFX, "p1");
    WebhookResultProcessor processor = processor();
    int callers = 100;
    ExecutorService webhookThreads = Executors.newFixedThreadPool(16);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<CompletableFuture<CompletionOutcome>> answers = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        answers.add(CompletableFuture.supplyAsync(() -> {
          try {
            start.await();
          } catch (InterruptedException e) {
            throw new IllegalStateException(e);
          }
          return processor.process(SFX, succeeded("p1", AUDIO));
        }, webhookThreads).thenCompose(s -> s));
      }
      start.countDown();
      CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);

      for (CompletableFuture<CompletionOutcome> a : answers) {
        assertThat(a.join().status()).isIn(CompletionStatus.SUCCEEDED, CompletionStatus.PENDING);
      }
      assertThat(answers.stream().filter(a -> a.join().isSuccess()).count()).isGreaterThanOrEqualTo(1);
      assertThat(storage.storeCalls()).isEqualTo(1);
      assertThat(storage.results("p1")).hasSize(1);
      assertThat(recorded.notified()).hasSize(1);
      assertThat(downloader.downloads()).isEqualTo(1);
      assertNoTempFilesLeft();
    } finally {
      webhookThreads.shutdownNow();
    }
  }

  @Test
  void webhooksProcessedAtTheSameTimeShareOneTempDirectoryAndLeaveNothing() throws Exception {
    ContentKey other = ContentKey.soundEffect(2);
    storage.recordSubmitted(SFX, "p1");
    storage.recordSubmitted(other, "p2");
    CyclicBarrier bothProcessing = new CyclicBarrier(2);
    List<Path> inputs = new ArrayList<>();
    AudioPostProcessor meeting = (input, output) -> {
      synchronized (inputs) {
        inputs.add(input);
      }
      try {
        bothProcessing.await(10, TimeUnit.SECONDS); // both webhooks hold their temp files here
        Files.copy(input, output);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
      return new ProcessedAudio(output, "audio/wav", Duration.ofSeconds(3), Duration.ofSeconds(1));
    };
    WebhookResultProcessor processor = processorWith(meeting);

    CompletionStage<CompletionOutcome> first = processor.process(SFX, succeeded("p1", AUDIO));
    CompletionStage<CompletionOutcome> second = processor.process(other, succeeded("p2", AUDIO));

    assertThat(await(first)).isEqualTo(CompletionOutcome.succeeded("p1"));
    assertThat(await(second)).isEqualTo(CompletionOutcome.succeeded("p2"));
    assertThat(inputs).hasSize(2);
    assertThat(inputs.get(0)).isNotEqualTo(inputs.get(1));
    assertThat(inputs.get(0).getParent()).isEqualTo(inputs.get(1).getParent());
    assertThat(inputs.get(0).getParent().getParent()).isEqualTo(tempBase);
    assertThat(storage.audio(SFX).orElseThrow().bytes()).isEqualTo(Files.readAllBytes(source));
    assertThat(storage.audio(other).orElseThrow().bytes()).isEqualTo(Files.readAllBytes(source));
    assertNoTempFilesLeft();
  }

  @Test
  void webhookWhoseKeyDoesNotMatchTheJobIsRefusedAndChangesNothing() {
    storage.recordSubmitted(SFX, "p1");
    ContentKey other = ContentKey.speech(9);

    assertThatThrownBy(() -> await(processor().process(other, succeeded("p1", AUDIO))))
        .cause().isInstanceOf(WebhookProcessingException.class)
        .hasMessageContaining("names speech:9 but the prediction was submitted for sound_effect:1")
        .satisfies(e -> assertThat(((WebhookProcessingException) e).isRetryable()).isFalse());
    assertThat(job("p1").status()).isEqualTo(JobStatus.PENDING);
    assertThat(job("p1").attempts()).isZero();
  }

  @Test
  void picksTheAudioOutputAmongSeveral() {
    URI video = URI.create("https://replicate.delivery/x/waveform.mp4");
    URI mp3 = URI.create("https://replicate.delivery/x/out.mp3");
    URI data = URI.create("data:audio/wav;base64,UklGRg==");
    assertThat(WebhookResultProcessor.audioOutput(List.of(video, mp3))).contains(mp3);
    assertThat(WebhookResultProcessor.audioOutput(List.of(video, data))).contains(data);
    assertThat(WebhookResultProcessor.audioOutput(List.of(video))).contains(video);
    assertThat(WebhookResultProcessor.audioOutput(List.of())).isEmpty();
    assertThat(WebhookResultProcessor.extensionOf(mp3)).isEqualTo(".mp3");
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/a.b/file"))).isEmpty();
    assertThat(WebhookResultProcessor.extensionOf(data)).isEmpty();
  }

  @Test
  void extensionIsOneToFiveLettersOrDigitsLowerCased() {
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/OUT.FLAC"))).isEqualTo(".flac");
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/a.m4a"))).isEqualTo(".m4a");
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/a.abcde"))).isEqualTo(".abcde");
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/a.abcdef"))).isEmpty();
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/a."))).isEmpty();
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/a.m-3"))).isEmpty();
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/a.mp%C3%A9"))).isEmpty();
    assertThat(WebhookResultProcessor.extensionOf(URI.create("https://h/x/noextension"))).isEmpty();
  }
}
