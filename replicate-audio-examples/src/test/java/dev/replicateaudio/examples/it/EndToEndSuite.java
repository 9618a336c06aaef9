package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.examples.Threads;
import dev.replicateaudio.examples.simulator.DeliveryAttempt;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.jdbi.StoredAudio;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * End to end over real HTTP on loopback: the Replicate simulator creates predictions and POSTs
 * signed webhooks to a {@code JdkWebhookServer}, whose {@code WebhookEndpoint} runs the pipeline
 * (download with OkHttp, trim with real ffmpeg, store with Jdbi), and the code waiting in
 * {@code ReplicateAudio.generate/generateAll} wakes. Each test gets a fresh database; subclasses
 * choose H2 or PostgreSQL.
 */
@ExtendWith(LeakCheckExtension.class)
abstract class EndToEndSuite {
  static final Duration WAIT = Duration.ofSeconds(60);
  /** The simulator's silence before and after each tone (ItStack's default). */
  static final double PADDING_SECONDS = 0.6;

  ItDatabase db;

  @TempDir
  Path tmp;

  abstract ItDatabase newDatabase();

  @BeforeEach
  void createDatabase() {
    db = newDatabase();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void soundEffectsAreTrimmedStoredAndReadableBackAndMusicIsStoredAsGenerated() throws Exception {
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    Map<ContentKey, Double> tones = new LinkedHashMap<>();
    Map<ContentKey, String> formats = new LinkedHashMap<>();
    addSfx(batch, tones, formats, 1, "wooden door creaking", "wav", 1.0);
    addSfx(batch, tones, formats, 2, "glass bottle shattering", "mp3", 0.5);
    addSfx(batch, tones, formats, 3, "footsteps on gravel", "wav", 0.25);
    addSfx(batch, tones, formats, 4, "laser blaster shot", "mp3", 1.5);
    ContentKey music = ContentKey.backgroundMusic(1);
    batch.put(music, request("calm lo-fi piano loop", "mp3", 2.0));

    try (ItStack it = ItStack.on(db).start()) {
      // a waiter that starts before anything is submitted, on the keys alone
      CompletableFuture<Map<ContentKey, CompletionOutcome>> early = it.audio.notifier().waitForAll(batch.keySet(), WAIT);

      CompletableFuture<Map<ContentKey, CompletionOutcome>> generated = it.audio.generateAll(batch, WAIT)
          .toCompletableFuture();

      assertThat(generated).succeedsWithin(WAIT);
      Map<ContentKey, CompletionOutcome> outcomes = generated.join();
      assertThat(outcomes).containsOnlyKeys(batch.keySet());
      assertThat(outcomes.values()).allSatisfy(o -> assertThat(o.status()).as(o.toString())
          .isEqualTo(CompletionStatus.SUCCEEDED));
      assertThat(early).succeedsWithin(WAIT).isEqualTo(outcomes);
      assertThat(it.server.received()).as("webhooks received over HTTP").isGreaterThanOrEqualTo(batch.size());

      for (Map.Entry<ContentKey, Double> e : tones.entrySet()) {
        ContentKey key = e.getKey();
        String id = outcomes.get(key).predictionId();
        double tone = e.getValue();
        GenerationJob job = it.jobs.find(id).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(job.attempts()).isEqualTo(1);
        assertThat(job.key()).isEqualTo(key);

        StoredAudio stored = it.audioStore.findAudio(key).orElseThrow();
        String format = formats.get(key);
        assertThat(stored.metadata().mimeType()).isEqualTo(format.equals("wav") ? "audio/wav" : "audio/mpeg");
        List<ResultRecord> results = it.jobs.results(id);
        assertThat(results).singleElement().satisfies(r -> {
          assertThat(r.status()).isEqualTo(CompletionStatus.SUCCEEDED);
          assertThat(r.error()).isNull();
          assertThat(r.audioBytes()).isEqualTo(stored.metadata().sizeBytes());
          assertThat(seconds(r.originalDuration())).as("generated length of " + key)
              .isCloseTo(tone + PADDING_SECONDS, within(0.08));
          assertThat(seconds(r.finalDuration())).as("trimmed length of " + key).isCloseTo(tone, within(0.08));
        });

        // byte for byte: the stream out of the database has the recorded size and SHA-256 ...
        assertThat(it.audioStore.readAudio(key, (info, in) -> sha256(in))).contains(
            stored.metadata().sizeBytes() + ":" + stored.metadata().sha256());
        // ... and the copy is audio of the trimmed length, as ffprobe (through the core runner) reads it
        Path copy = tmp.resolve(key.contentType() + "-" + key.contentId() + "." + format);
        assertThat(it.audioStore.copyAudioTo(key, copy)).isPresent();
        AudioInfo info = it.ffmpeg.probe(copy);
        assertThat(info.formatName()).isEqualTo(format);
        assertThat(seconds(info.duration())).as("stored length of " + key).isCloseTo(tone, within(0.08));
        // the recorded duration is the decoded one; an mp3 header also counts the encoder's padding
        assertThat(seconds(stored.metadata().duration())).isCloseTo(tone, within(0.08));
      }

      // music is validated, not trimmed: the database holds exactly the bytes the simulator serves
      String musicId = outcomes.get(music).predictionId();
      URI output = it.simulator.prediction(musicId).orElseThrow().outputUrls().get(0);
      byte[] served = HttpClient.newHttpClient().send(HttpRequest.newBuilder(output).build(),
          HttpResponse.BodyHandlers.ofByteArray()).body();
      StoredAudio storedMusic = it.audioStore.findAudio(music).orElseThrow();
      assertThat(storedMusic.metadata().sizeBytes()).isEqualTo(served.length);
      assertThat(storedMusic.metadata().sha256()).isEqualTo(sha256(served));
      Path musicCopy = tmp.resolve("music.mp3");
      it.audioStore.copyAudioTo(music, musicCopy);
      assertThat(Files.readAllBytes(musicCopy)).isEqualTo(served);
      assertThat(seconds(it.ffmpeg.probe(musicCopy).duration())).isCloseTo(2.0 + PADDING_SECONDS, within(0.08));
      assertThat(it.jobs.results(musicId)).singleElement().satisfies(r -> {
        assertThat(r.originalDuration()).isEqualTo(r.finalDuration());
        assertThat(r.audioBytes()).isEqualTo(served.length);
      });

      assertThat(it.inconsistencies()).isEmpty();
      assertThat(it.audio.notifier().pendingWaiters()).isZero();
      assertThat(it.activeConnections()).isZero();
    }
  }

  @Test
  void failedCanceledAndUnusableGenerationsAreRecordedAndWakeTheirWaitersWithTheReason() {
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    Map<ContentKey, CompletionStatus> expected = new LinkedHashMap<>();
    Map<ContentKey, String> reason = new LinkedHashMap<>();
    int id = 10;
    for (Object[] row : new Object[][] {
        {Fault.FAIL, CompletionStatus.FAILED, "simulated"},
        {Fault.CANCEL, CompletionStatus.CANCELED, "canceled"},
        {Fault.ABORT, CompletionStatus.CANCELED, "aborted"},
        {Fault.NO_OUTPUT, CompletionStatus.FAILED, "no output"},
        {Fault.SILENT, CompletionStatus.FAILED, "silent"},
        {Fault.CORRUPT, CompletionStatus.FAILED, ""},
        {Fault.GARBAGE, CompletionStatus.FAILED, ""}}) {
      ContentKey key = ContentKey.soundEffect(++id);
      Fault fault = (Fault) row[0];
      batch.put(key, request("sound " + fault.inputValue(), id % 2 == 0 ? "wav" : "mp3", 0.5, fault));
      expected.put(key, (CompletionStatus) row[1]);
      reason.put(key, (String) row[2]);
    }
    try (ItStack it = ItStack.on(db).start()) {
      CompletableFuture<Map<ContentKey, CompletionOutcome>> generated = it.audio.generateAll(batch, WAIT)
          .toCompletableFuture();

      assertThat(generated).succeedsWithin(WAIT);
      Map<ContentKey, CompletionOutcome> outcomes = generated.join();
      for (ContentKey key : batch.keySet()) {
        CompletionOutcome o = outcomes.get(key);
        assertThat(o.status()).as(key + ": " + o).isEqualTo(expected.get(key));
        assertThat(o.error()).as(key + ": " + o).containsIgnoringCase(reason.get(key));
        GenerationJob job = it.jobs.find(o.predictionId()).orElseThrow();
        assertThat(job.status()).isEqualTo(JobStatus.FAILED);
        assertThat(job.lastError()).isEqualTo(o.error());
        assertThat(it.jobs.results(o.predictionId())).singleElement().satisfies(r -> {
          assertThat(r.status()).isEqualTo(expected.get(key));
          assertThat(r.error()).isEqualTo(o.error());
          assertThat(r.audioBytes()).isZero();
        });
      }
      assertThat(it.audioKeys()).isEmpty();
      assertThat(it.inconsistencies()).isEmpty();
    }
  }

  @Test
  void lostWebhooksAreRecoveredAudioIsStoredAndWaitersWake() throws Exception {
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    for (int i = 1; i <= 3; i++) {
      batch.put(ContentKey.soundEffect(20 + i), request("lost webhook " + i, i == 2 ? "mp3" : "wav", 0.5,
          Fault.LOST_WEBHOOK));
    }
    batch.put(ContentKey.soundEffect(30), request("delivered webhook", "wav", 0.5));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("it-recovery"));
    try (ItStack it = ItStack.on(db).settings(s -> s.webhookTimeout(Duration.ofSeconds(1))).start()) {
      it.closeWith(scheduler::shutdownNow);
      ScheduledFuture<?> recovery = it.audio.recovery().scheduleOn(scheduler, Duration.ofSeconds(1));
      it.closeWith(() -> recovery.cancel(false));

      CompletableFuture<Map<ContentKey, CompletionOutcome>> generated = it.audio.generateAll(batch, WAIT)
          .toCompletableFuture();

      assertThat(generated).succeedsWithin(WAIT);
      Map<ContentKey, CompletionOutcome> outcomes = generated.join();
      assertThat(outcomes.values()).allSatisfy(o -> assertThat(o.isSuccess()).as(o.toString()).isTrue());
      assertThat(it.simulator.lostWebhooks()).isGreaterThanOrEqualTo(3);
      for (ContentKey key : batch.keySet()) {
        String id = outcomes.get(key).predictionId();
        boolean lost = key.contentId() != 30;
        if (lost) {
          assertThat(it.simulator.deliveries(id)).as("webhooks of " + key).isEmpty();
        }
        assertThat(it.jobs.find(id).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);
        assertThat(it.jobs.results(id)).singleElement().extracting(ResultRecord::status)
            .isEqualTo(CompletionStatus.SUCCEEDED);
        assertThat(it.audioStore.findAudio(key)).isPresent();
      }
      assertThat(it.simulator.requestCounts().getOrDefault(
          dev.replicateaudio.examples.simulator.ReplicateSimulator.ROUTE_GET, 0L))
          .as("recovery looked the predictions up").isGreaterThanOrEqualTo(3);
      assertThat(it.inconsistencies()).isEmpty();
    }
  }

  @Test
  void duplicateAndStaleDeliveriesStoreOnceNotifyOnceAndChangeNothing() throws Exception {
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    batch.put(ContentKey.soundEffect(41), request("duplicated", "wav", 0.5, Fault.DUPLICATE_WEBHOOKS));
    batch.put(ContentKey.soundEffect(42), request("out of order", "mp3", 0.5, Fault.OUT_OF_ORDER));
    batch.put(ContentKey.soundEffect(43), request("both", "wav", 0.5, Fault.DUPLICATE_WEBHOOKS, Fault.OUT_OF_ORDER));
    batch.put(ContentKey.soundEffect(44), request("failed twice", "wav", 0.5, Fault.FAIL, Fault.DUPLICATE_WEBHOOKS));
    Map<ContentKey, AtomicInteger> writes = new ConcurrentHashMap<>();
    Map<ContentKey, AtomicInteger> notifications = new ConcurrentHashMap<>();
    try (ItStack it = ItStack.on(db)
        .simulator(s -> s.duplicateDeliveries(5))
        .audioStore(real -> countingWrites(real, writes))
        .start()) {
      it.audio.notifier().addListener(new CompletionListener() {
        @Override
        public void onCompletion(CompletionEvent event) {
          notifications.computeIfAbsent(event.key(), k -> new AtomicInteger()).incrementAndGet();
        }
      });

      CompletableFuture<Map<ContentKey, CompletionOutcome>> generated = it.audio.generateAll(batch, WAIT)
          .toCompletableFuture();
      assertThat(generated).succeedsWithin(WAIT);
      Map<ContentKey, CompletionOutcome> outcomes = generated.join();
      Map<ContentKey, StoredAudio> storedFirst = new LinkedHashMap<>();
      for (ContentKey key : batch.keySet()) {
        it.audioStore.findAudio(key).ifPresent(a -> storedFirst.put(key, a));
      }
      Map<String, ItStack.JobRow> jobsFirst = it.jobRows();

      // every copy, retry and stale message has been delivered and answered
      assertThat(it.simulator.awaitWebhooks(WAIT)).isTrue();

      assertThat(outcomes.get(ContentKey.soundEffect(44)).status()).isEqualTo(CompletionStatus.FAILED);
      for (ContentKey key : batch.keySet()) {
        CompletionOutcome o = outcomes.get(key);
        boolean failing = key.contentId() == 44;
        assertThat(o.isSuccess()).as(o.toString()).isEqualTo(!failing);
        List<DeliveryAttempt> deliveries = it.simulator.deliveries(o.predictionId());
        assertThat(deliveries).as("deliveries of " + key).allSatisfy(d -> assertThat(d.statusCode())
            .as(d.toString()).isEqualTo(200));
        if (key.contentId() != 42) {
          assertThat(deliveries.stream().filter(d -> d.terminal() && !d.stale()).count())
              .as("concurrent copies of the terminal webhook of " + key).isEqualTo(5);
        }
        if (key.contentId() == 42 || key.contentId() == 43) {
          assertThat(deliveries).as("stale delivery of " + key)
              .anySatisfy(d -> {
                assertThat(d.stale()).isTrue();
                assertThat(d.status()).isNotEqualTo(PredictionStatus.SUCCEEDED);
              });
        }
        assertThat(writes.getOrDefault(key, new AtomicInteger()).get()).as("audio writes of " + key)
            .isEqualTo(failing ? 0 : 1);
        assertThat(notifications.get(key)).as("notifications of " + key).hasValue(1);
        assertThat(it.jobs.results(o.predictionId())).as("result rows of " + key).hasSize(1);
        assertThat(it.jobRows().get(o.predictionId())).as("job of " + key).isEqualTo(jobsFirst.get(o.predictionId()))
            .extracting(ItStack.JobRow::attempts).isEqualTo(1);
        assertThat(it.audioStore.findAudio(key).orElse(null)).as("stored audio of " + key)
            .isEqualTo(storedFirst.get(key));
      }
      assertThat(it.inconsistencies()).isEmpty();
    }
  }

  private static void addSfx(Map<ContentKey, PredictionRequest> batch, Map<ContentKey, Double> tones,
      Map<ContentKey, String> formats, long id, String prompt, String format, double tone) {
    ContentKey key = ContentKey.soundEffect(id);
    batch.put(key, request(prompt, format, tone));
    tones.put(key, tone);
    formats.put(key, format);
  }

  /** An audio store counting every write, whatever its result. */
  static AudioStore countingWrites(AudioStore real, Map<ContentKey, AtomicInteger> writes) {
    return (key, file, metadata) -> {
      writes.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
      real.storeAudio(key, file, metadata);
    };
  }

  static double seconds(Duration d) {
    assertThat(d).isNotNull();
    return d.toNanos() / 1e9;
  }

  static String sha256(InputStream in) throws java.io.IOException {
    try {
      MessageDigest md = MessageDigest.getInstance("SHA-256");
      byte[] buf = new byte[8192];
      long total = 0;
      for (int n; (n = in.read(buf)) > 0; ) {
        md.update(buf, 0, n);
        total += n;
      }
      return total + ":" + HexFormat.of().formatHex(md.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String sha256(byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
