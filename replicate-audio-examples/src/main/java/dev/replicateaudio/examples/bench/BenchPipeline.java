package dev.replicateaudio.examples.bench;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.audio.ProcessedAudio;
import dev.replicateaudio.examples.JdkWebhookServer;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.webhook.WebhookResultProcessor;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The library wired as a host wires it (see {@code HostWiring}), on one benchmark database:
 * Jdbi stores, the OkHttp downloader (allowed to fetch from loopback over plain http), the default
 * post-processors, a notifier, the result processor, and optionally the webhook endpoint on the
 * JDK's HTTP server. The endpoint waits for processing before it answers ({@code waitForProcessing},
 * not the default 202 after 5 s), so a webhook's POST ends when it is processed and a benchmark's
 * client threads are exactly the webhooks in flight.
 *
 * <p>Two content types: {@code sound_effect} trims silence with {@code SoundEffectProcessor} (the
 * library's default); {@value #PLAIN_TYPE} has a host processor that stores the download as it
 * is, without ffmpeg — the "without trim" path.
 */
final class BenchPipeline implements AutoCloseable {
  static final String TRIM_TYPE = ContentKey.SOUND_EFFECT;
  static final String PLAIN_TYPE = "bench_plain";
  private static final AtomicLong CONTENT_IDS = new AtomicLong();

  final BenchDatabases.Db db;
  final JdbiGenerationJobStore jobs;
  final JdbiAudioStore audio;
  final WebhookCompletionNotifier notifier;
  final WebhookResultProcessor processor;
  final WebhookVerifier verifier;
  final JdkWebhookServer server;
  private final OkHttpAudioDownloader downloader;

  private BenchPipeline(BenchContext ctx, BenchDatabases.Db db, ExecutorService executor, boolean withServer) {
    this.db = db;
    this.jobs = JdbiGenerationJobStore.create(db.jdbi());
    this.audio = JdbiAudioStore.create(db.jdbi());
    this.notifier = new WebhookCompletionNotifier();
    this.downloader = OkHttpAudioDownloader.builder(ctx.settings())
        .allowedHosts("127.0.0.1")
        .allowPlainHttp(true)
        .build();
    AudioPostProcessors processors = AudioPostProcessors.defaults(ctx.ffmpeg(), ctx.settings()).toBuilder()
        .register(PLAIN_TYPE, (input, output) -> new ProcessedAudio(input, "audio/wav", null, null))
        .build();
    java.nio.file.Path temp = ctx.workDir().resolve("pipeline-tmp");
    TrimOverheadBench.mkdirs(temp);
    this.processor = WebhookResultProcessor.builder()
        .jobStore(jobs)
        .audioStore(audio)
        .transactions(JdbiTransactionRunner.create(db.jdbi()))
        .downloader(downloader)
        .postProcessors(processors)
        .notifier(notifier)
        .executor(executor)
        .tempDirectory(temp)
        .build();
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    this.verifier = WebhookVerifier.create("whsec_" + Base64.getEncoder().encodeToString(secret));
    this.server = withServer
        ? JdkWebhookServer.start(new InetSocketAddress("127.0.0.1", 0), "/hooks/replicate",
            WebhookEndpoint.builder(verifier, processor).waitForProcessing().build(), executor)
        : null;
  }

  /** A content id not used before in this JVM, so figures sharing a database never collide. */
  static long nextContentId() {
    return CONTENT_IDS.incrementAndGet();
  }

  static BenchPipeline start(BenchContext ctx, BenchDatabases.Db db, ExecutorService executor, boolean withServer) {
    return new BenchPipeline(ctx, db, executor, withServer);
  }

  @Override
  public void close() {
    if (server != null) {
      server.close();
    }
    downloader.close();
    notifier.close();
  }
}
