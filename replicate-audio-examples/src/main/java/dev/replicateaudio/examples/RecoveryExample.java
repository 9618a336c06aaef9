package dev.replicateaudio.examples;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.Submission;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.webhook.RecoveryReport;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * Webhooks lost, jobs finished anyway: three sound effects are submitted to the local simulator,
 * which never delivers their webhooks (as when an endpoint is down for longer than Replicate's
 * minute of retries). The waiting code keeps waiting; recovery, scheduled every second with a
 * webhook timeout of 2 s, finds the stale jobs, looks the predictions up on "Replicate", stores the
 * audio exactly as the webhook would have, and wakes the waiters.
 *
 * <p>Exit code 0 when every job was recovered.
 */
public final class RecoveryExample {
  private RecoveryExample() {
  }

  public static void main(String[] args) throws Exception {
    int code = run(System.out);
    if (code != 0) {
      System.exit(code);
    }
  }

  public static int run(PrintStream out) throws Exception {
    ReplicateAudioSettings settings = ExampleFfmpeg.resolve(ReplicateAudioSettings.defaults())
        .toBuilder().webhookTimeout(Duration.ofSeconds(2)).build();
    ExecutorService executor = Executors.newFixedThreadPool(4, Threads.named("recovery-example"));
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("recovery-schedule"));
    DatabaseSettings db = DatabaseSettings.builder().url("jdbc:h2:mem:recovery-" + ProcessHandle.current().pid()).build();
    try (ReplicateSimulator replicate = ReplicateSimulator.builder().ffmpeg(settings).start();
        FfmpegRunner ffmpeg = FfmpegRunner.create(settings);
        HikariDataSource dataSource = db.createDataSource();
        ReplicateClient client = ReplicateClient.builder().apiToken(replicate.apiToken()).baseUrl(replicate.baseUrl()).build();
        OkHttpAudioDownloader downloader = OkHttpAudioDownloader.builder(settings)
            .allowedHosts("127.0.0.1").allowPlainHttp(true).build()) {
      SchemaInstaller.install(dataSource);
      Jdbi jdbi = Jdbi.create(dataSource);
      JdbiGenerationJobStore jobs = JdbiGenerationJobStore.create(jdbi);
      ReplicateAudio audio = ReplicateAudio.builder()
          .settings(settings).predictionClient(client).downloader(downloader)
          .jobStore(jobs).audioStore(JdbiAudioStore.create(jdbi)).transactions(JdbiTransactionRunner.create(jdbi))
          .postProcessors(AudioPostProcessors.defaults(ffmpeg, settings))
          // nobody listens here, and the simulator loses these webhooks anyway
          .webhookBaseUrl(URI.create("http://127.0.0.1:9/hooks/replicate"))
          .executor(executor)
          .hardDeadline(Duration.ofMinutes(1))
          .build();

      List<Submission> submissions = new ArrayList<>();
      for (int i = 1; i <= 3; i++) {
        PredictionRequest request = PredictionRequest.forModel("sepal/audiogen")
            .input(Map.of("prompt", "lost webhook " + i, "duration", 1, "simulate", Fault.LOST_WEBHOOK.inputValue()))
            .build();
        submissions.add(audio.submit(ContentKey.soundEffect(i), request).toCompletableFuture().join());
      }
      out.printf(Locale.ROOT, "Submitted %d sound effects whose webhooks will never arrive.%n", submissions.size());
      long start = System.nanoTime();
      var waiting = audio.awaitAll(submissions, Duration.ofSeconds(30)).toCompletableFuture();

      ScheduledFuture<?> schedule = scheduler.scheduleWithFixedDelay(() -> {
        RecoveryReport report = audio.recovery().recoverStale().toCompletableFuture().join();
        if (report.claimed() > 0) {
          out.printf(Locale.ROOT, "  %5.1f s  recovery: %s%n", (System.nanoTime() - start) / 1e9, report);
        }
      }, 1, 1, TimeUnit.SECONDS);
      out.printf(Locale.ROOT, "Waiting for them (webhook timeout %d s; recovery runs every second)...%n",
          settings.webhookTimeout().toSeconds());
      var outcomes = waiting.join();
      schedule.cancel(false);

      int recovered = 0;
      for (Submission s : submissions) {
        CompletionOutcome o = outcomes.get(s.key());
        GenerationJob job = jobs.find(s.predictionId()).orElseThrow();
        boolean stored = o.isSuccess() && JdbiAudioStore.create(jdbi).findAudio(s.key()).isPresent();
        out.printf(Locale.ROOT, "  %-15s %s  %-9s job %-9s attempts %d  audio stored: %s%n", s.key(), s.predictionId(),
            o.status().name().toLowerCase(Locale.ROOT), job.status().name().toLowerCase(Locale.ROOT), job.attempts(),
            stored ? "yes" : "no");
        if (stored) {
          recovered++;
        }
      }
      out.printf(Locale.ROOT, "%d of %d jobs recovered without their webhooks in %.1f s (%d webhooks lost).%n", recovered,
          submissions.size(), (System.nanoTime() - start) / 1e9, replicate.lostWebhooks());
      return recovered == submissions.size() ? 0 : 1;
    } finally {
      scheduler.shutdownNow();
      executor.shutdown();
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    }
  }
}
