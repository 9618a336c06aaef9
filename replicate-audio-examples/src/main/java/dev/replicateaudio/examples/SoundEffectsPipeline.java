package dev.replicateaudio.examples;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.OkHttpClient;
import org.jdbi.v3.core.Jdbi;

/**
 * The quickstart: the seed's sound-effects pipeline end to end. A batch of 8 sound effects and 1
 * background music is submitted, Replicate's webhooks are received by a JDK HTTP server, verified,
 * downloaded, trimmed (sound effects) or validated (music), stored in H2, and the waiting code is
 * woken event by event; then a table shows what happened to each item.
 *
 * <p>Without configuration it runs offline against {@link ReplicateSimulator} on loopback. With
 * {@code REPLICATE_API_TOKEN} and a public {@code REPLICATE_WEBHOOK_BASE_URL} (whose port forwards to
 * {@code PORT}, default 8080) it talks to the real Replicate, using {@code REPLICATE_SFX_MODEL}
 * (default {@value #DEFAULT_SFX_MODEL}) and {@code REPLICATE_MUSIC_MODEL} (default
 * {@code meta/musicgen:<version>}); {@code owner/name:version} selects a version, {@code owner/name} an
 * official model. {@code DATABASE_URL} and {@code DB_*} choose the database (default: H2 in memory).
 *
 * <p>Exit code 0 when every item succeeded, 1 otherwise.
 */
public final class SoundEffectsPipeline {
  static final String DEFAULT_SFX_MODEL = "stability-ai/stable-audio-2.5";
  static final String DEFAULT_MUSIC_MODEL =
      "meta/musicgen:671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb";
  static final String WEBHOOK_PATH = "/hooks/replicate";

  static final List<String> SOUND_EFFECTS = List.of(
      "wooden door creaking open", "glass bottle shattering", "footsteps on gravel", "thunder rumbling far away",
      "coins dropping on a table", "laser blaster shot", "cat meowing once", "old telephone ringing");
  static final String MUSIC = "calm lo-fi piano loop for a puzzle game";

  private SoundEffectsPipeline() {
  }

  public static void main(String[] args) throws Exception {
    int code = run(System.getenv(), System.out);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the pipeline with {@code env} as the environment, writing progress and the table to {@code out}. */
  public static int run(Map<String, String> env, PrintStream out) throws Exception {
    boolean real = notBlank(env.get("REPLICATE_API_TOKEN")) && notBlank(env.get("REPLICATE_WEBHOOK_BASE_URL"));
    ReplicateAudioSettings settings = ExampleFfmpeg.resolve(ReplicateAudioSettings.fromEnvironment(env));
    Map<String, String> dbEnv = new LinkedHashMap<>(env);
    dbEnv.putIfAbsent("DATABASE_URL", "jdbc:h2:mem:quickstart-" + ProcessHandle.current().pid());
    DatabaseSettings dbSettings = DatabaseSettings.fromEnvironment(dbEnv);

    ExecutorService executor = Executors.newFixedThreadPool(4, Threads.named("pipeline"));
    FfmpegRunner ffmpeg = FfmpegRunner.create(settings);
    ReplicateSimulator simulator = real ? null
        : ReplicateSimulator.builder().ffmpeg(settings).processingTime(Duration.ofMillis(300)).start();
    try (HikariDataSource dataSource = dbSettings.createDataSource()) {
      out.printf(Locale.ROOT, "replicate-audio quickstart%n  Replicate: %s%n  ffmpeg:    %s (%s)%n  database:  %s%n",
          real ? "api.replicate.com (REPLICATE_API_TOKEN)" : "local simulator at " + simulator.baseUrl(),
          settings.ffmpegPath(), ffmpeg.version(), dbSettings.maskedUrl());
      SchemaInstaller.install(dataSource);
      Jdbi jdbi = Jdbi.create(dataSource);
      JdbiGenerationJobStore jobs = JdbiGenerationJobStore.create(jdbi);

      OkHttpClient http = new OkHttpClient();
      ReplicateClient.Builder clientBuilder = ReplicateClient.builder().okHttpClient(http).environment(env);
      OkHttpAudioDownloader.Builder downloaderBuilder = OkHttpAudioDownloader.builder(settings).okHttpClient(http);
      if (!real) {
        clientBuilder.apiToken(simulator.apiToken()).baseUrl(simulator.baseUrl());
        downloaderBuilder.allowedHosts("127.0.0.1").allowPlainHttp(true);
      }
      try (ReplicateClient replicate = clientBuilder.build();
          OkHttpAudioDownloader downloader = downloaderBuilder.build()) {
        String secret = replicate.getDefaultWebhookSecret();
        ReplicateAudio.Builder audioBuilder = ReplicateAudio.builder()
            .settings(settings)
            .predictionClient(replicate)
            .downloader(downloader)
            .jobStore(jobs)
            .audioStore(JdbiAudioStore.create(jdbi))
            .transactions(JdbiTransactionRunner.create(jdbi))
            .postProcessors(AudioPostProcessors.defaults(ffmpeg, settings))
            .executor(executor);
        // the endpoint needs the processor and the facade needs the endpoint's URL: bind the server first
        InetSocketAddress bind = real
            ? new InetSocketAddress(Integer.parseInt(env.getOrDefault("PORT", "8080")))
            : new InetSocketAddress("127.0.0.1", 0);
        try (JdkWebhookServer server = JdkWebhookServer.listen(bind, WEBHOOK_PATH, executor)) {
          URI webhookBase = real ? URI.create(env.get("REPLICATE_WEBHOOK_BASE_URL")) : server.url();
          try (ReplicateAudio audio = audioBuilder.webhookBaseUrl(webhookBase).build()) {
            server.serve(WebhookEndpoint.create(WebhookVerifier.create(secret), audio.processor()));
            out.printf(Locale.ROOT, "  webhooks:  %s -> %s%n%n", webhookBase, server.url());
            return runBatch(audio, jobs, env, real, out);
          }
        }
      }
    } finally {
      if (simulator != null) {
        simulator.close();
      }
      ffmpeg.close();
      executor.shutdown();
      if (!executor.awaitTermination(10, TimeUnit.SECONDS)) {
        executor.shutdownNow();
      }
    }
  }

  /** Submits the batch through {@code audio}, waits for it, prints the table; 0 when every item succeeded. */
  static int runBatch(ReplicateAudio audio, GenerationJobStore jobs, Map<String, String> env,
      boolean real, PrintStream out) {
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    Map<ContentKey, String> prompts = new LinkedHashMap<>();
    PredictionTarget sfxModel = PredictionTarget.parse(env.getOrDefault("REPLICATE_SFX_MODEL", DEFAULT_SFX_MODEL));
    PredictionTarget musicModel = PredictionTarget.parse(env.getOrDefault("REPLICATE_MUSIC_MODEL", DEFAULT_MUSIC_MODEL));
    for (int i = 0; i < SOUND_EFFECTS.size(); i++) {
      ContentKey key = ContentKey.soundEffect(i + 1);
      Map<String, Object> input = new LinkedHashMap<>();
      input.put("prompt", SOUND_EFFECTS.get(i));
      input.put("duration", real ? 3 : 1 + (i % 3) * 0.5);
      if (!real) {
        input.put("output_format", i % 2 == 0 ? "wav" : "mp3");
      }
      batch.put(key, sfxModel.request().input(input).build());
      prompts.put(key, SOUND_EFFECTS.get(i));
    }
    ContentKey musicKey = ContentKey.backgroundMusic(1);
    batch.put(musicKey, musicModel.request()
        .input(Map.of("prompt", MUSIC, "duration", real ? 8 : 4, "output_format", "mp3")).build());
    prompts.put(musicKey, MUSIC);

    long start = System.nanoTime();
    Map<ContentKey, Long> finishedAt = new ConcurrentHashMap<>();
    AtomicInteger done = new AtomicInteger();
    CompletionListener progress = new CompletionListener() {
      @Override
      public void onCompletion(CompletionEvent e) {
        finishedAt.putIfAbsent(e.key(), System.nanoTime());
        out.printf(Locale.ROOT, "  [%d/%d] %-18s %-9s %s%n", done.incrementAndGet(), batch.size(), e.key(),
            e.outcome().status().name().toLowerCase(Locale.ROOT), prompts.getOrDefault(e.key(), ""));
      }
    };
    audio.notifier().addListener(progress);
    out.printf(Locale.ROOT, "Submitting %d sound effects and 1 background music; waiting for webhooks (no polling)...%n",
        SOUND_EFFECTS.size());
    Map<ContentKey, CompletionOutcome> outcomes = audio.generateAll(batch).toCompletableFuture().join();
    audio.notifier().removeListener(progress);
    double total = (System.nanoTime() - start) / 1e9;

    List<String[]> rows = new ArrayList<>();
    int succeeded = 0;
    for (Map.Entry<ContentKey, CompletionOutcome> e : outcomes.entrySet()) {
      CompletionOutcome o = e.getValue();
      ResultRecord r = o.predictionId() == null ? null
          : jobs.results(o.predictionId()).stream().reduce((a, b) -> b).orElse(null);
      if (o.isSuccess()) {
        succeeded++;
      }
      Long at = finishedAt.get(e.getKey());
      rows.add(new String[] {
          e.getKey().toString(),
          shorten(prompts.get(e.getKey()), 28),
          o.predictionId() == null ? "-" : o.predictionId(),
          o.status().name().toLowerCase(Locale.ROOT),
          r == null ? "-" : seconds(r.originalDuration()) + " -> " + seconds(r.finalDuration()),
          r == null || r.audioBytes() == 0 ? "-" : String.format(Locale.ROOT, "%,d", r.audioBytes()),
          at == null ? "-" : String.format(Locale.ROOT, "%.2f s", (at - start) / 1e9),
          o.error() == null ? "" : shorten(o.error(), 60)});
    }
    out.println();
    Table.print(out, new String[] {"content", "prompt", "prediction", "status", "duration (s)", "bytes stored",
        "latency", "error"}, rows);
    out.printf(Locale.ROOT, "%n%d of %d succeeded in %.2f s.%n", succeeded, outcomes.size(), total);
    return succeeded == outcomes.size() ? 0 : 1;
  }

  private static String seconds(Duration d) {
    return d == null ? "?" : String.format(Locale.ROOT, "%.2f", d.toNanos() / 1e9);
  }

  private static String shorten(String s, int max) {
    return s.length() <= max ? s : s.substring(0, max - 1) + "…";
  }

  private static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }
}
