package dev.replicateaudio.examples.it;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.examples.JdkWebhookServer;
import dev.replicateaudio.examples.Threads;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.TransactionRunner;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.TestFfmpeg;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * One host, wired as {@code HostWiring} wires it, for the integration tests: the local Replicate
 * simulator (or a shared one), a HikariCP pool on an {@link ItDatabase}, the Jdbi stores (optionally
 * wrapped in fault-injecting decorators), the OkHttp client and downloader, real ffmpeg, the
 * {@link ReplicateAudio} facade, and a {@link JdkWebhookServer} on loopback in front of a
 * {@link WebhookEndpoint}. {@link #close()} stops it all, draining the executors first.
 */
final class ItStack implements AutoCloseable {
  static final String MODEL = "sepal/audiogen";
  static final String WEBHOOK_PATH = "/hooks/replicate";

  final ItDatabase database;
  final ReplicateAudioSettings settings;
  final ReplicateSimulator simulator;
  final HikariDataSource dataSource;
  final Jdbi jdbi;
  /** The real stores, for looking at the database; the pipeline may use decorated ones. */
  final JdbiGenerationJobStore jobs;
  final JdbiAudioStore audioStore;
  final FfmpegRunner ffmpeg;
  final ReplicateClient client;
  final OkHttpAudioDownloader downloader;
  final ExecutorService executor;
  final ExecutorService serverExecutor;
  final JdkWebhookServer server;
  final ReplicateAudio audio;
  final WebhookEndpoint endpoint;

  private final boolean ownsSimulator;
  private final List<AutoCloseable> extra = new ArrayList<>();

  private ItStack(Options o) {
    this.database = Objects.requireNonNull(o.database, "database == null");
    ReplicateAudioSettings.Builder sb = o.ffmpeg.settings().toBuilder();
    o.settings.accept(sb);
    this.settings = sb.build();
    List<AutoCloseable> opened = new ArrayList<>();
    try {
      if (o.sharedSimulator != null) {
        simulator = o.sharedSimulator;
        ownsSimulator = false;
      } else {
        ReplicateSimulator.Builder b = ReplicateSimulator.builder()
            .ffmpeg(settings)
            .startDelay(Duration.ofMillis(10))
            .processingTime(Duration.ofMillis(50))
            .leadSilence(Duration.ofMillis(300))
            .tailSilence(Duration.ofMillis(300))
            .webhookRetryDelays(Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(200),
                Duration.ofMillis(250), Duration.ofMillis(300), Duration.ofMillis(400));
        o.simulator.accept(b);
        simulator = b.start();
        ownsSimulator = true;
        opened.add(simulator);
      }
      dataSource = database.settings(o.poolName).poolSize(o.poolSize).maxOverflow(o.maxOverflow).build()
          .createDataSource();
      opened.add(dataSource);
      SchemaInstaller.install(dataSource);
      jdbi = Jdbi.create(o.dataSourceDecorator.apply(dataSource));
      jobs = JdbiGenerationJobStore.create(jdbi);
      audioStore = JdbiAudioStore.create(jdbi);
      ffmpeg = FfmpegRunner.create(settings);
      opened.add(ffmpeg);
      client = ReplicateClient.builder().apiToken(simulator.apiToken()).baseUrl(simulator.baseUrl()).build();
      opened.add(client);
      downloader = OkHttpAudioDownloader.builder(settings).allowedHosts("127.0.0.1").allowPlainHttp(true).build();
      opened.add(downloader);
      executor = Executors.newFixedThreadPool(o.threads, Threads.named(o.poolName + "-pipeline"));
      opened.add(() -> drain(executor));
      serverExecutor = Executors.newFixedThreadPool(4, Threads.named(o.poolName + "-webhooks"));
      opened.add(() -> drain(serverExecutor));
      // bind first: the facade needs the endpoint's URL and the endpoint needs the facade's processor
      server = JdkWebhookServer.listen(new InetSocketAddress("127.0.0.1", 0), WEBHOOK_PATH, serverExecutor);
      opened.add(server);
      ReplicateAudio.Builder ab = ReplicateAudio.builder()
          .settings(settings)
          .predictionClient(client)
          .downloader(downloader)
          .jobStore(o.jobStoreDecorator.apply(jobs))
          .audioStore(o.audioStoreDecorator.apply(audioStore))
          .transactions(o.transactionsDecorator.apply(JdbiTransactionRunner.create(jdbi)))
          .postProcessors(o.postProcessors.apply(settings, AudioPostProcessors.defaults(ffmpeg, settings).toBuilder())
              .build())
          .webhookBaseUrl(server.url())
          .executor(executor);
      if (o.notifier != null) {
        ab.notifier(o.notifier);
      }
      audio = ab.build();
      opened.add(audio);
      WebhookEndpoint.ResultProcessor processor = o.processorDecorator.apply(audio.processor()::process);
      WebhookEndpoint.Builder eb = WebhookEndpoint.builder(WebhookVerifier.create(client.getDefaultWebhookSecret()),
          processor);
      if (o.acknowledgeAfter == null) {
        eb.waitForProcessing();
      } else {
        eb.acknowledgeAfter(o.acknowledgeAfter);
      }
      endpoint = eb.build();
      server.serve(endpoint);
    } catch (RuntimeException e) {
      closeAll(opened, e);
      throw e;
    }
  }

  static Options on(ItDatabase database) {
    return new Options(database);
  }

  /** Closes {@code resource} with this stack, before the executors are drained. */
  <T extends AutoCloseable> T closeWith(T resource) {
    extra.add(resource);
    return resource;
  }

  /** A sound effect request: a tone of {@code toneSeconds} in {@code format} with the simulator's silence around it. */
  static PredictionRequest request(String prompt, String format, double toneSeconds, Fault... faults) {
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("prompt", prompt);
    input.put("duration", toneSeconds);
    input.put("output_format", format);
    if (faults.length > 0) {
      input.put("simulate", Arrays.stream(faults).map(Fault::inputValue).collect(Collectors.toList()));
    }
    return PredictionRequest.forModel(MODEL).input(input).build();
  }

  // ---- looking at the database (through the real stores or plain SQL, never the decorators) ----

  /** Every job row, by prediction id. */
  Map<String, JobRow> jobRows() {
    return jdbi.withHandle(h -> h.createQuery("SELECT prediction_id, content_type, content_id, status, attempts,"
            + " last_error FROM ra_generation_jobs")
        .map((rs, ctx) -> new JobRow(rs.getString("prediction_id"),
            new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
            JobStatus.valueOf(rs.getString("status")), rs.getInt("attempts"), rs.getString("last_error")))
        .collect(Collectors.toMap(JobRow::predictionId, r -> r, (a, b) -> a, LinkedHashMap::new)));
  }

  /** Result rows per prediction id: their statuses, oldest first. */
  Map<String, List<CompletionStatus>> resultRows() {
    Map<String, List<CompletionStatus>> rows = new LinkedHashMap<>();
    jdbi.useHandle(h -> h.createQuery("SELECT prediction_id, status FROM ra_generation_results ORDER BY id")
        .map((rs, ctx) -> Map.entry(rs.getString(1), CompletionStatus.valueOf(rs.getString(2))))
        .forEach(e -> rows.computeIfAbsent(e.getKey(), k -> new ArrayList<>()).add(e.getValue())));
    return rows;
  }

  /** Content keys that have a row in {@code ra_audio}. */
  List<ContentKey> audioKeys() {
    return jdbi.withHandle(h -> h.createQuery("SELECT content_type, content_id FROM ra_audio ORDER BY content_type,"
            + " content_id")
        .map((rs, ctx) -> new ContentKey(rs.getString(1), rs.getLong(2)))
        .list());
  }

  /**
   * What makes the database consistent, for every job and audio row: a SUCCEEDED job has its audio
   * and exactly one SUCCEEDED result row; a FAILED job has no audio and exactly one FAILED or
   * CANCELED result row; an unfinished job has neither; every audio row belongs to a SUCCEEDED job.
   * Assumes one job per content key.
   *
   * @return a description of each violation; empty when consistent
   */
  List<String> inconsistencies() {
    Map<String, JobRow> jobRows = jobRows();
    Map<String, List<CompletionStatus>> results = resultRows();
    List<ContentKey> audioKeys = audioKeys();
    List<String> problems = new ArrayList<>();
    for (JobRow job : jobRows.values()) {
      List<CompletionStatus> r = results.getOrDefault(job.predictionId(), List.of());
      boolean hasAudio = audioKeys.contains(job.key());
      switch (job.status()) {
        case SUCCEEDED:
          if (!hasAudio || !r.equals(List.of(CompletionStatus.SUCCEEDED))) {
            problems.add(job + ": succeeded with audio=" + hasAudio + " and results " + r);
          }
          break;
        case FAILED:
          if (hasAudio || r.size() != 1 || r.get(0) == CompletionStatus.SUCCEEDED) {
            problems.add(job + ": failed with audio=" + hasAudio + " and results " + r);
          }
          break;
        default:
          if (hasAudio || !r.isEmpty()) {
            problems.add(job + ": unfinished with audio=" + hasAudio + " and results " + r);
          }
      }
    }
    for (ContentKey key : audioKeys) {
      boolean owned = jobRows.values().stream().anyMatch(j -> j.key().equals(key) && j.status() == JobStatus.SUCCEEDED);
      if (!owned) {
        problems.add("audio of " + key + " without a succeeded job");
      }
    }
    for (String id : results.keySet()) {
      if (!jobRows.containsKey(id)) {
        problems.add("result rows " + results.get(id) + " of unknown prediction " + id);
      }
    }
    return problems;
  }

  /** Connections the pool has lent out right now. */
  int activeConnections() {
    return dataSource.getHikariPoolMXBean().getActiveConnections();
  }

  /**
   * Stops everything: the simulator (no more webhooks), the webhook server, the executors (waiting
   * for work in flight), the facade, the HTTP clients, ffmpeg and the pool.
   */
  @Override
  public void close() {
    List<AutoCloseable> order = new ArrayList<>();
    if (ownsSimulator) {
      order.add(simulator);
    }
    order.add(server);
    order.addAll(extra);
    order.add(() -> drain(serverExecutor));
    order.add(() -> drain(executor));
    order.add(audio);
    order.add(downloader);
    order.add(client);
    order.add(ffmpeg);
    order.add(dataSource);
    RuntimeException failure = new IllegalStateException("closing the test stack failed");
    for (AutoCloseable c : order) {
      try {
        c.close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  /** Shuts {@code executor} down and waits for the work in flight. */
  static void drain(ExecutorService executor) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      executor.shutdownNow();
      throw new IllegalStateException("executor still busy 30 s after shutdown");
    }
  }

  private static void closeAll(List<AutoCloseable> opened, RuntimeException e) {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception suppressed) {
        e.addSuppressed(suppressed);
      }
    }
  }


  /** One row of {@code ra_generation_jobs}. */
  record JobRow(String predictionId, ContentKey key, JobStatus status, int attempts, String lastError) {
  }

  /** What to build; every knob has a default fit for fast tests. Not thread-safe. */
  static final class Options {
    private final ItDatabase database;
    private TestFfmpeg.Build ffmpeg = TestFfmpeg.preferred();
    private Consumer<ReplicateAudioSettings.Builder> settings = b -> { };
    private Consumer<ReplicateSimulator.Builder> simulator = b -> { };
    private ReplicateSimulator sharedSimulator;
    private UnaryOperator<DataSource> dataSourceDecorator = UnaryOperator.identity();
    private UnaryOperator<AudioStore> audioStoreDecorator = UnaryOperator.identity();
    private UnaryOperator<GenerationJobStore> jobStoreDecorator = UnaryOperator.identity();
    private UnaryOperator<TransactionRunner> transactionsDecorator = UnaryOperator.identity();
    private UnaryOperator<WebhookEndpoint.ResultProcessor> processorDecorator = UnaryOperator.identity();
    private java.util.function.BiFunction<ReplicateAudioSettings, AudioPostProcessors.Builder,
        AudioPostProcessors.Builder> postProcessors = (settings, b) -> b;
    private Duration acknowledgeAfter;
    private WebhookCompletionNotifier notifier;
    private String poolName = "it";
    private int poolSize = 2;
    private int maxOverflow = 6;
    private int threads = 8;

    private Options(ItDatabase database) {
      this.database = database;
    }

    /** The ffmpeg build of the pipeline and the simulator; default {@link TestFfmpeg#preferred()}. */
    Options ffmpeg(TestFfmpeg.Build build) {
      this.ffmpeg = build;
      return this;
    }

    Options settings(Consumer<ReplicateAudioSettings.Builder> settings) {
      this.settings = settings;
      return this;
    }

    Options simulator(Consumer<ReplicateSimulator.Builder> simulator) {
      this.simulator = simulator;
      return this;
    }

    /** Uses {@code simulator} and leaves it open on close. */
    Options sharedSimulator(ReplicateSimulator simulator) {
      this.sharedSimulator = simulator;
      return this;
    }

    /** Wraps the pool that Jdbi (and so every store and the inspection queries) uses. */
    Options dataSource(UnaryOperator<DataSource> decorator) {
      this.dataSourceDecorator = decorator;
      return this;
    }

    Options audioStore(UnaryOperator<AudioStore> decorator) {
      this.audioStoreDecorator = decorator;
      return this;
    }

    Options jobStore(UnaryOperator<GenerationJobStore> decorator) {
      this.jobStoreDecorator = decorator;
      return this;
    }

    Options transactions(UnaryOperator<TransactionRunner> decorator) {
      this.transactionsDecorator = decorator;
      return this;
    }

    /** Changes the post-processors (the defaults on the stack's ffmpeg, given with the stack's settings). */
    Options postProcessors(java.util.function.BiFunction<ReplicateAudioSettings, AudioPostProcessors.Builder,
        AudioPostProcessors.Builder> change) {
      this.postProcessors = change;
      return this;
    }

    /** Wraps what the webhook endpoint runs (the facade's processor). */
    Options processor(UnaryOperator<WebhookEndpoint.ResultProcessor> decorator) {
      this.processorDecorator = decorator;
      return this;
    }

    /** The endpoint answers 202 after {@code timeout}, as in production; default: it waits for processing. */
    Options acknowledgeAfter(Duration timeout) {
      this.acknowledgeAfter = timeout;
      return this;
    }

    Options notifier(WebhookCompletionNotifier notifier) {
      this.notifier = notifier;
      return this;
    }

    Options pool(String name, int size, int overflow) {
      this.poolName = name;
      this.poolSize = size;
      this.maxOverflow = overflow;
      return this;
    }

    Options threads(int threads) {
      this.threads = threads;
      return this;
    }

    ItStack start() {
      return new ItStack(this);
    }
  }
}
