package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.audio.AudioPostProcessor;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.audio.ProcessedAudio;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.FakeAudioDownloader;
import dev.replicateaudio.testing.FakePredictionClient;
import dev.replicateaudio.testing.InMemoryStorage;
import dev.replicateaudio.webhook.WebhookUrls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReplicateAudioTest {
  private static final URI AUDIO = URI.create("https://replicate.delivery/abc/out.wav");
  private static final URI HOOK = URI.create("https://example.com/hooks/replicate");
  private static final PredictionRequest REQUEST = PredictionRequest.forModel("sepal/audiogen")
      .input(Map.of("prompt", "door creak")).build();

  @TempDir Path dir;
  private ExecutorService executor;
  private InMemoryStorage storage;
  private FakePredictionClient client;
  private ReplicateAudio audio;

  @BeforeEach
  void setUp() throws IOException {
    executor = Executors.newFixedThreadPool(4);
    storage = new InMemoryStorage();
    client = new FakePredictionClient();
    FakeAudioDownloader downloader = new FakeAudioDownloader(executor, 1_000_000);
    downloader.serve(AUDIO, Files.write(dir.resolve("a.wav"), new byte[] {1, 2, 3}));
    AudioPostProcessor copy = (in, out) -> {
      try {
        Files.copy(in, out, StandardCopyOption.REPLACE_EXISTING);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new ProcessedAudio(out, "audio/wav", null, null);
    };
    audio = ReplicateAudio.builder()
        .predictionClient(client).downloader(downloader)
        .jobStore(storage).audioStore(storage).transactions(storage)
        .postProcessors(AudioPostProcessors.builder().fallback(copy).build())
        .webhookBaseUrl(HOOK).executor(executor).tempDirectory(dir.resolve("tmp"))
        .build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    audio.close();
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  /** Plays Replicate: every created prediction finishes with {@code result} and its webhook is delivered. */
  private void replicateAnswers(java.util.function.Function<String, Prediction> result) {
    client.onCreate((request, created) -> {
      ContentKey key = WebhookUrls.contentKey(request.webhook()).orElseThrow();
      Prediction done = client.set(result.apply(created.id()));
      CompletableFuture.runAsync(() -> audio.processor().process(key, done), executor);
    });
  }

  @Test
  void generateSubmitsWithAPerItemWebhookAndResolvesWhenTheWebhookIsProcessed() {
    replicateAnswers(id -> Prediction.of(id, PredictionStatus.SUCCEEDED, List.of(AUDIO), null));
    ContentKey key = ContentKey.soundEffect(42);

    CompletionOutcome outcome = audio.generate(key, REQUEST, Duration.ofSeconds(20)).toCompletableFuture().join();

    assertThat(outcome.isSuccess()).isTrue();
    assertThat(client.requests()).singleElement().satisfies(r -> {
      assertThat(r.webhook()).isEqualTo(URI.create(HOOK + "?content_type=sound_effect&content_id=42"));
      assertThat(r.input()).containsEntry("prompt", "door creak");
    });
    assertThat(storage.find(outcome.predictionId()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(storage.audio(key)).isPresent();
  }

  @Test
  void webhookArrivingBeforeTheJobIsRecordedStillResolvesTheWaiter() {
    ContentKey key = ContentKey.speech(1);
    client.onCreate((request, created) -> {
      // delivered and processed synchronously, before submit() records the job
      Prediction done = client.set(Prediction.of(created.id(), PredictionStatus.FAILED, List.of(), "bad voice"));
      audio.processor().process(key, done).toCompletableFuture().join();
    });

    CompletionOutcome outcome = audio.generate(key, REQUEST, Duration.ofSeconds(20)).toCompletableFuture().join();

    assertThat(outcome.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(outcome.error()).isEqualTo("bad voice");
    assertThat(storage.allJobs()).singleElement().satisfies(j -> assertThat(j.status()).isEqualTo(JobStatus.FAILED));
  }

  @Test
  void generateTimesOutWithATimedOutOutcomeAndTheJobStaysPending() {
    CompletionOutcome outcome = audio.generate(ContentKey.soundEffect(1), REQUEST, Duration.ofMillis(200))
        .toCompletableFuture().join();

    assertThat(outcome.status()).isEqualTo(CompletionStatus.TIMED_OUT);
    assertThat(outcome.error()).isEqualTo("no result within 0.2 s");
    assertThat(storage.find(outcome.predictionId()).orElseThrow().status()).isEqualTo(JobStatus.PENDING);
  }

  @Test
  void awaitFallsBackToTheJobStoreWhenTheCompletionWasNotSeenHere() {
    Submission s = audio.submit(ContentKey.soundEffect(5), REQUEST).toCompletableFuture().join();
    // finished by another instance: this notifier never heard of it
    storage.claim(s.predictionId(), s.key());
    storage.markSucceeded(s.predictionId());

    CompletionOutcome outcome = audio.await(s, Duration.ofMillis(100)).toCompletableFuture().join();

    assertThat(outcome).isEqualTo(CompletionOutcome.succeeded(s.predictionId()));
  }

  @Test
  void generateAllKeepsEveryResultItGot() {
    client.onCreate((request, created) -> {
      ContentKey key = WebhookUrls.contentKey(request.webhook()).orElseThrow();
      if (key.contentId() == 3) {
        return; // lost: never finishes
      }
      Prediction done = key.contentId() == 2
          ? client.fail(created.id(), "nsfw")
          : client.complete(created.id(), AUDIO);
      CompletableFuture.runAsync(() -> audio.processor().process(key, done), executor);
    });
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    for (long id = 1; id <= 4; id++) {
      batch.put(ContentKey.soundEffect(id), REQUEST);
    }
    client.failNext("create", 1, FakePredictionClient::unavailable); // the first submission fails

    Map<ContentKey, CompletionOutcome> outcomes = audio.generateAll(batch, Duration.ofSeconds(2))
        .toCompletableFuture().join();

    assertThat(outcomes.keySet()).containsExactlyElementsOf(batch.keySet());
    assertThat(outcomes.get(ContentKey.soundEffect(1)).status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(outcomes.get(ContentKey.soundEffect(1)).error()).startsWith("submission failed:").contains("503");
    assertThat(outcomes.get(ContentKey.soundEffect(2)).error()).isEqualTo("nsfw");
    assertThat(outcomes.get(ContentKey.soundEffect(3)).status()).isEqualTo(CompletionStatus.TIMED_OUT);
    assertThat(outcomes.get(ContentKey.soundEffect(4)).isSuccess()).isTrue();
  }

  @Test
  void predictionIsCanceledWhenItsJobCannotBeRecorded() {
    storage.failNext("recordSubmitted", 1, () -> new StorageException("database down (injected)", null));

    assertThatThrownBy(() -> audio.submit(ContentKey.soundEffect(9), REQUEST).toCompletableFuture().join())
        .hasRootCauseMessage("database down (injected)");
    assertThat(client.canceledIds()).hasSize(1);
    assertThat(storage.allJobs()).isEmpty();
  }

  @Test
  void requestWithItsOwnWebhookIsRefused() {
    PredictionRequest withHook = REQUEST.toBuilder().webhook(URI.create("https://elsewhere.example/h")).build();
    assertThatThrownBy(() -> audio.submit(ContentKey.soundEffect(1), withHook))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("leave it unset");
  }

  @Test
  void webhookUrlNamesTheContentItem() {
    assertThat(audio.webhookUrl(ContentKey.backgroundMusic(7)))
        .hasToString("https://example.com/hooks/replicate?content_type=background_music&content_id=7");
  }
}
