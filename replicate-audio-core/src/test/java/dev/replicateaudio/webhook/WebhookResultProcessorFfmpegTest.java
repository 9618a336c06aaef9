package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.FakeAudioDownloader;
import dev.replicateaudio.testing.InMemoryStorage;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.RecordingCompletionListener;
import dev.replicateaudio.testing.TestFfmpeg;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The pipeline with in-memory port fakes and a real ffmpeg: every content type and every failure kind. */
@ExtendWith(LeakCheckExtension.class)
class WebhookResultProcessorFfmpegTest {
  @TempDir static Path fixturesDir;
  private static ReplicateAudioSettings settings;
  private static FfmpegRunner runner;
  private static AudioFixtures fixtures;
  private static Path sfxWav;
  private static Path sfxMp3;
  private static Path music;

  private ExecutorService executor;
  private InMemoryStorage storage;
  private FakeAudioDownloader downloader;
  private final RecordingCompletionListener recorded = new RecordingCompletionListener();
  private WebhookResultProcessor processor;

  @BeforeAll
  static void fixtures() {
    settings = TestFfmpeg.settings();
    runner = FfmpegRunner.create(settings);
    fixtures = AudioFixtures.in(fixturesDir, runner);
    sfxWav = fixtures.toneWithSilence(AudioFormat.WAV, 1, 1, 1);
    sfxMp3 = fixtures.toneWithSilence(AudioFormat.MP3, 1, 1, 1);
    music = fixtures.toneWithSilence(AudioFormat.MP3, 0.5, 2, 0.5);
  }

  @AfterAll
  static void closeRunner() {
    runner.close();
  }

  @BeforeEach
  void setUp() {
    executor = Executors.newFixedThreadPool(4);
    storage = new InMemoryStorage();
    downloader = new FakeAudioDownloader(executor, settings.maxFileSize());
    processor = WebhookResultProcessor.builder()
        .jobStore(storage).audioStore(storage).transactions(storage)
        .downloader(downloader)
        .postProcessors(AudioPostProcessors.defaults(runner, settings))
        .notifier(WebhookCompletionNotifier.builder().listener(recorded).build())
        .executor(executor)
        .build();
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    executor.shutdownNow();
    assertThat(executor.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
  }

  private CompletionOutcome deliver(ContentKey key, String id, Path audio, String fileName) {
    URI uri = URI.create("https://replicate.delivery/" + id + "/" + fileName);
    downloader.serve(uri, audio);
    Prediction p = Prediction.of(id, PredictionStatus.SUCCEEDED, List.of(uri), null);
    return processor.process(key, p).toCompletableFuture().orTimeout(60, TimeUnit.SECONDS).join();
  }

  private ResultRecord result(String id) {
    return storage.results(id).get(0);
  }

  @Test
  void soundEffectsAreTrimmedToTheirSoundInTheirOwnFormat() throws Exception {
    ContentKey wavKey = ContentKey.soundEffect(1);
    ContentKey mp3Key = ContentKey.soundEffect(2);

    assertThat(deliver(wavKey, "wav", sfxWav, "output.wav").isSuccess()).isTrue();
    assertThat(deliver(mp3Key, "mp3", sfxMp3, "output.mp3").isSuccess()).isTrue();

    InMemoryStorage.StoredAudio wav = storage.audio(wavKey).orElseThrow();
    assertThat(wav.metadata().mimeType()).isEqualTo("audio/wav");
    assertThat(wav.bytes().length).isLessThan((int) Files.size(sfxWav) / 2);
    assertThat(result("wav").originalDuration().toMillis()).isCloseTo(3000, within(60L));
    assertThat(result("wav").finalDuration().toMillis()).isCloseTo(1000, within(50L));
    assertThat(wav.metadata().duration()).isEqualTo(result("wav").finalDuration());

    InMemoryStorage.StoredAudio mp3 = storage.audio(mp3Key).orElseThrow();
    assertThat(mp3.metadata().mimeType()).isEqualTo("audio/mpeg");
    assertThat(result("mp3").finalDuration().toMillis()).isCloseTo(1000, within(80L));
    assertThat(result("mp3").audioBytes()).isEqualTo(mp3.bytes().length);
  }

  @Test
  void backgroundMusicAndSpeechAreValidatedAndStoredAsGenerated() throws Exception {
    ContentKey musicKey = ContentKey.backgroundMusic(1);
    ContentKey speechKey = ContentKey.speech(1);

    assertThat(deliver(musicKey, "music", music, "music.mp3").isSuccess()).isTrue();
    assertThat(deliver(speechKey, "speech", sfxWav, "speech.wav").isSuccess()).isTrue();

    assertThat(storage.audio(musicKey).orElseThrow().bytes()).isEqualTo(Files.readAllBytes(music));
    assertThat(storage.audio(speechKey).orElseThrow().bytes()).isEqualTo(Files.readAllBytes(sfxWav));
    assertThat(result("music").finalDuration()).isEqualTo(result("music").originalDuration());
  }

  @Test
  void silentCorruptAndUnknownAudioFailTheJobAndWakeWaiters() throws Exception {
    ContentKey silentKey = ContentKey.soundEffect(10);
    ContentKey truncatedKey = ContentKey.soundEffect(11);
    ContentKey garbageKey = ContentKey.backgroundMusic(12);

    CompletionOutcome silent = deliver(silentKey, "silent", fixtures.silence(AudioFormat.WAV, 2), "s.wav");
    CompletionOutcome truncated = deliver(truncatedKey, "truncated", fixtures.truncated(sfxMp3, 0.3), "t.mp3");
    CompletionOutcome garbage = deliver(garbageKey, "garbage", fixtures.randomBytes(".mp3", 40_000), "g.mp3");

    assertThat(silent.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(silent.error()).containsIgnoringCase("silent");
    assertThat(truncated.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(garbage.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(storage.audioCount()).isZero();
    assertThat(storage.allJobs()).allSatisfy(j -> assertThat(j.status()).isEqualTo(JobStatus.FAILED));
    assertThat(recorded.notified()).containsExactly(
        Map.entry(silentKey, silent), Map.entry(truncatedKey, truncated), Map.entry(garbageKey, garbage));
  }

  @Test
  void oversizedAudioFailsBeforeFfmpegRuns() {
    FakeAudioDownloader small = new FakeAudioDownloader(executor, 1_000);
    WebhookResultProcessor p = WebhookResultProcessor.builder()
        .jobStore(storage).audioStore(storage).transactions(storage).downloader(small)
        .postProcessors(AudioPostProcessors.defaults(runner, settings))
        .notifier(new WebhookCompletionNotifier()).executor(executor).build();
    URI uri = URI.create("https://replicate.delivery/big/out.wav");
    small.serve(uri, sfxWav);

    CompletionOutcome outcome = p.process(ContentKey.soundEffect(1),
        Prediction.of("big", PredictionStatus.SUCCEEDED, List.of(uri), null)).toCompletableFuture().join();

    assertThat(outcome.status()).isEqualTo(CompletionStatus.FAILED);
    assertThat(outcome.error()).contains("larger than the limit of 1000 bytes");
  }
}
