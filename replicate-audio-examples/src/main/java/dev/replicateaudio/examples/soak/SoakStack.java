package dev.replicateaudio.examples.soak;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.audio.SoundEffectProcessor;
import dev.replicateaudio.examples.JdkWebhookServer;
import dev.replicateaudio.examples.Threads;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.jdbi.SqlDialect;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * The host the soak drives, wired as {@code HostWiring} wires one: the local Replicate simulator
 * over loopback HTTP, a HikariCP pool on the soak's database, the Jdbi stores, the OkHttp client and
 * downloader, real ffmpeg, the {@link ReplicateAudio} facade, a {@link JdkWebhookServer} in front of
 * a {@link WebhookEndpoint} (202 after 5 s, as in production) and recovery on a schedule, running
 * during the whole storm. Besides: three ffmpeg wrapper scripts (hang, crash, flood of stderr) behind
 * their own content types, and an audio store that ends its own database session in the middle of
 * the first store transaction of {@link FaultMix#DB_KILL} jobs. Not thread-safe to build or close;
 * its parts are shared by the soak's threads.
 */
final class SoakStack implements AutoCloseable {
  static final String WEBHOOK_PATH = "/hooks/replicate";

  final ReplicateAudioSettings settings;
  final ReplicateSimulator simulator;
  final DatabaseSettings databaseSettings;
  final HikariDataSource dataSource;
  final SqlDialect dialect;
  final Jdbi jdbi;
  final JdbiGenerationJobStore jobs;
  final JdbiAudioStore audioStore;
  final FfmpegRunner ffmpeg;
  final List<FfmpegRunner> faultyFfmpeg = new ArrayList<>();
  final ReplicateClient client;
  final OkHttpAudioDownloader downloader;
  final ExecutorService executor;
  final ExecutorService serverExecutor;
  final ScheduledExecutorService scheduler;
  final JdkWebhookServer server;
  final ReplicateAudio audio;
  final WebhookEndpoint endpoint;
  final Path scripts;
  private final ScheduledFuture<?> recovery;
  private final Set<ContentKey> killed = ConcurrentHashMap.newKeySet();
  private final List<AutoCloseable> opened = new ArrayList<>();

  SoakStack(ReplicateAudioSettings baseSettings, DatabaseSettings database, Path workDirectory) {
    this.settings = baseSettings.toBuilder()
        .webhookTimeout(Duration.ofSeconds(5))
        .downloadTimeout(Duration.ofSeconds(3))
        .maxFileSize(2_000_000)
        .build();
    try {
      simulator = ReplicateSimulator.builder()
          .ffmpeg(settings)
          .startDelay(Duration.ofMillis(10))
          .processingTime(Duration.ofMillis(50))
          .leadSilence(Duration.ofMillis(200))
          .tailSilence(Duration.ofMillis(200))
          .oversizedBytes(3_000_000)
          .hangTime(Duration.ofSeconds(4)) // just past the download timeout
          .webhookRetryDelays(Duration.ofMillis(100), Duration.ofMillis(150), Duration.ofMillis(200),
              Duration.ofMillis(250), Duration.ofMillis(300), Duration.ofMillis(400))
          .maxConcurrentWebhooks(16)
          .start();
      opened.add(simulator);
      databaseSettings = database;
      dataSource = database.createDataSource();
      opened.add(dataSource);
      SchemaInstaller.install(dataSource);
      try (Connection c = dataSource.getConnection()) {
        dialect = SqlDialect.detect(c);
      }
      jdbi = Jdbi.create(dataSource);
      jobs = JdbiGenerationJobStore.create(jdbi);
      audioStore = JdbiAudioStore.create(jdbi);
      ffmpeg = FfmpegRunner.create(settings);
      opened.add(ffmpeg);
      scripts = Files.createDirectories(workDirectory.resolve("ffmpeg-wrappers"));
      client = ReplicateClient.builder().apiToken(simulator.apiToken()).baseUrl(simulator.baseUrl()).build();
      opened.add(client);
      downloader = OkHttpAudioDownloader.builder(settings).allowedHosts("127.0.0.1").allowPlainHttp(true).build();
      opened.add(downloader);
      executor = Executors.newFixedThreadPool(8, Threads.named("soak-pipeline"));
      opened.add(() -> drain(executor));
      serverExecutor = Executors.newFixedThreadPool(8, Threads.named("soak-webhooks"));
      opened.add(() -> drain(serverExecutor));
      scheduler = Executors.newSingleThreadScheduledExecutor(Threads.named("soak-recovery"));
      opened.add(() -> drain(scheduler));
      server = JdkWebhookServer.listen(new InetSocketAddress("127.0.0.1", 0), WEBHOOK_PATH, serverExecutor);
      opened.add(server);

      AudioPostProcessors.Builder processors = AudioPostProcessors.defaults(ffmpeg, settings).toBuilder();
      processors.register(FaultMix.FFMPEG_HANG, faulty("hang", "sleep 3600\n", Duration.ofSeconds(2)));
      processors.register(FaultMix.FFMPEG_CRASH, faulty("crash", "kill -SEGV $$\n", settings.ffmpegTimeout()));
      processors.register(FaultMix.FFMPEG_FLOOD, faulty("flood",
          "head -c 8000000 /dev/zero | tr '\\000' 'e' >&2\nexit 1\n", settings.ffmpegTimeout()));
      processors.register(FaultMix.DB_KILL, SoundEffectProcessor.create(ffmpeg, settings));

      audio = ReplicateAudio.builder()
          .settings(settings)
          .predictionClient(client)
          .downloader(downloader)
          .jobStore(jobs)
          .audioStore(sessionEnding(audioStore))
          .transactions(JdbiTransactionRunner.create(jdbi))
          .postProcessors(processors.build())
          .webhookBaseUrl(server.url())
          .executor(executor)
          .build();
      opened.add(audio);
      endpoint = WebhookEndpoint.builder(WebhookVerifier.create(client.getDefaultWebhookSecret()), audio.processor())
          .acknowledgeAfter(Duration.ofSeconds(WebhookEndpoint.DEFAULT_ACKNOWLEDGE_AFTER_SECONDS))
          .build();
      server.serve(endpoint);
      // recovery during the storm, as a host schedules it: lost webhooks, jobs released after a 202
      recovery = audio.recovery().scheduleOn(scheduler, Duration.ofSeconds(2));
    } catch (IOException | SQLException e) {
      closeQuietly();
      throw new IllegalStateException("can't start the soak's stack: " + e, e);
    } catch (RuntimeException e) {
      closeQuietly();
      throw e;
    }
  }


  /** A trimming processor whose ffmpeg is a shell script with {@code body}, on a runner of its own. */
  private SoundEffectProcessor faulty(String name, String body, Duration timeout) throws IOException {
    Path script = scripts.resolve("ffmpeg-" + name);
    Files.writeString(script, "#!/bin/sh\n# a stand-in for ffmpeg that misbehaves (soak fault)\n" + body,
        StandardCharsets.UTF_8);
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    FfmpegRunner runner = FfmpegRunner.create(settings.toBuilder().ffmpegPath(script.toString())
        .ffmpegTimeout(timeout).build());
    faultyFfmpeg.add(runner);
    opened.add(runner);
    return SoundEffectProcessor.create(runner, settings);
  }

  /**
   * The audio store, except that the first store of each {@link FaultMix#DB_KILL} key has its
   * database connection (the one holding the open transaction) terminated before writing: on
   * PostgreSQL, MySQL and MariaDB the server ends the session ({@code pg_terminate_backend},
   * {@code KILL CONNECTION}) at another connection's request, as an administrator or an outage
   * would; embedded H2 and SQLite have no server, so the driver's connection is closed under the
   * pool (H2's {@code ABORT_SESSION} would close the whole embedded file database).
   */
  private AudioStore sessionEnding(AudioStore real) {
    return (key, file, metadata) -> {
      if (key.contentType().equals(FaultMix.DB_KILL) && killed.add(key)) {
        if (dialect == SqlDialect.POSTGRESQL || dialect == SqlDialect.MYSQL || dialect == SqlDialect.MARIADB) {
          endSession(jdbi.withHandle(h -> h.createQuery(sessionIdSql()).mapTo(Long.class).one()));
        } else {
          jdbi.useHandle(h -> {
            try {
              h.getConnection().unwrap(Connection.class).close();
            } catch (SQLException e) {
              throw new IllegalStateException("could not close the driver's connection: " + e, e);
            }
          });
        }
      }
      real.storeAudio(key, file, metadata);
    };
  }

  private String sessionIdSql() {
    switch (dialect) {
      case POSTGRESQL: return "SELECT pg_backend_pid()";
      case MYSQL:
      case MARIADB: return "SELECT CONNECTION_ID()";
      default: throw new IllegalStateException("no sessions to end on " + dialect);
    }
  }

  private void endSession(long id) {
    String sql;
    switch (dialect) {
      case POSTGRESQL: sql = "SELECT pg_terminate_backend(?)"; break;
      case MYSQL:
      case MARIADB: sql = "KILL CONNECTION " + id; break;
      default: throw new IllegalStateException("no sessions to end on " + dialect);
    }
    try (Connection c = dataSource.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
      if (sql.indexOf('?') >= 0) {
        ps.setLong(1, id);
      }
      ps.execute();
    } catch (SQLException e) {
      throw new IllegalStateException("could not end database session " + id + ": " + e, e);
    }
  }

  /** Connections the pool has lent out now. */
  int lentConnections() {
    return dataSource.getHikariPoolMXBean().getActiveConnections();
  }

  /** ffmpeg processes running now, across every runner. */
  int runningFfmpeg() {
    int n = ffmpeg.runningProcesses();
    for (FfmpegRunner r : faultyFfmpeg) {
      n += r.runningProcesses();
    }
    return n;
  }

  /** Stops recovery's schedule (the run's end: what is left must finish by itself). */
  void stopRecovery() {
    recovery.cancel(false);
  }

  /**
   * Stops everything: the simulator (no more webhooks), the webhook server, the executors (waiting
   * for work in flight), the facade, the HTTP clients, ffmpeg and the pool.
   */
  @Override
  public void close() {
    recovery.cancel(false);
    RuntimeException failure = new IllegalStateException("closing the soak's stack failed");
    List<AutoCloseable> order = List.of(simulator, server, () -> drain(scheduler), () -> drain(serverExecutor),
        () -> drain(executor), audio, downloader, client, ffmpeg, dataSource);
    for (AutoCloseable c : order) {
      try {
        c.close();
      } catch (Exception e) {
        failure.addSuppressed(e);
      }
    }
    for (FfmpegRunner r : faultyFfmpeg) {
      r.close();
    }
    if (failure.getSuppressed().length > 0) {
      throw failure;
    }
  }

  private void closeQuietly() {
    for (int i = opened.size() - 1; i >= 0; i--) {
      try {
        opened.get(i).close();
      } catch (Exception ignored) {
        // startup failed; the cause is what matters
      }
    }
  }

  private static void drain(ExecutorService executor) throws InterruptedException {
    executor.shutdown();
    if (!executor.awaitTermination(30, TimeUnit.SECONDS)) {
      executor.shutdownNow();
      throw new IllegalStateException("executor still busy 30 s after shutdown");
    }
  }

  static void deleteTree(Path root) {
    if (!Files.exists(root)) {
      return;
    }
    try (var walk = Files.walk(root)) {
      walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
