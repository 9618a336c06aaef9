package dev.replicateaudio.examples;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
import org.jdbi.v3.core.Jdbi;

/**
 * The code a host writes to wire core + okhttp + jdbi and expose the webhook endpoint. Run it to
 * serve webhooks on {@code PORT} (default 8080) until stopped:
 *
 * <pre>
 * REPLICATE_API_TOKEN=r8_... REPLICATE_WEBHOOK_BASE_URL=https://my.host/hooks/replicate \
 * DATABASE_URL=jdbc:postgresql://db/app DB_USER=app DB_PASSWORD=... \
 *   mvn -q -pl replicate-audio-examples exec:java -Dexec.mainClass=dev.replicateaudio.examples.HostWiring
 * </pre>
 *
 * <p>{@link #start} is what goes into a host's startup code; the returned {@link Host} holds what
 * must be closed at shutdown, in order.
 */
public final class HostWiring {
  private HostWiring() {
  }

  /** Everything the host started; {@link #close()} stops it in reverse order. */
  public record Host(ReplicateAudio audio, JdkWebhookServer webhooks, List<AutoCloseable> resources)
      implements AutoCloseable {
    @Override
    public void close() throws Exception {
      Exception first = null;
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception e) {
          if (first == null) {
            first = e;
          } else {
            first.addSuppressed(e);
          }
        }
      }
      if (first != null) {
        throw first;
      }
    }
  }

  public static Host start(Map<String, String> env) {
    List<AutoCloseable> resources = new ArrayList<>();
    try {
      // --- configuration: REPLICATE_*, DATABASE_URL and DB_* (see README's configuration table)
      ReplicateAudioSettings settings = ExampleFfmpeg.resolve(ReplicateAudioSettings.fromEnvironment(env));
      URI webhookBase = URI.create(Objects.requireNonNull(env.get("REPLICATE_WEBHOOK_BASE_URL"),
          "set REPLICATE_WEBHOOK_BASE_URL to the public URL of this host's webhook endpoint"));

      // --- threads the host owns: blocking work (JDBC, ffmpeg) and recovery's schedule
      ExecutorService executor = Executors.newFixedThreadPool(8);
      resources.add(executor::shutdown);
      ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
      resources.add(scheduler::shutdown);

      // --- database: pooled, schema installed (or apply the SQL files with Flyway/Liquibase)
      HikariDataSource dataSource = DatabaseSettings.fromEnvironment(env).createDataSource();
      resources.add(dataSource);
      SchemaInstaller.install(dataSource);
      Jdbi jdbi = Jdbi.create(dataSource);

      // --- Replicate and downloads over one shared OkHttpClient
      OkHttpClient http = new OkHttpClient();
      ReplicateClient replicate = ReplicateClient.builder().environment(env).okHttpClient(http)
          .baseUrl(env.getOrDefault("REPLICATE_BASE_URL", ReplicateClient.DEFAULT_BASE_URL)).build();
      resources.add(replicate);
      OkHttpAudioDownloader downloader = downloader(settings, http, env);
      resources.add(downloader);
      FfmpegRunner ffmpeg = FfmpegRunner.create(settings);
      resources.add(ffmpeg);

      // --- the library
      ReplicateAudio audio = ReplicateAudio.builder()
          .settings(settings)
          .predictionClient(replicate)
          .downloader(downloader)
          .jobStore(JdbiGenerationJobStore.create(jdbi))
          .audioStore(JdbiAudioStore.create(jdbi))
          .transactions(JdbiTransactionRunner.create(jdbi))
          .postProcessors(AudioPostProcessors.defaults(ffmpeg, settings))
          .webhookBaseUrl(webhookBase)
          .executor(executor)
          .build();
      resources.add(audio);
      ScheduledFuture<?> recovery = audio.recovery().scheduleOn(scheduler, Duration.ofMinutes(1));
      resources.add(() -> recovery.cancel(false));

      // --- the webhook endpoint: verify, decode, process, answer
      WebhookEndpoint endpoint = WebhookEndpoint.create(
          WebhookVerifier.create(replicate.getDefaultWebhookSecret()), audio.processor());
      int port = Integer.parseInt(env.getOrDefault("PORT", "8080"));
      JdkWebhookServer webhooks = JdkWebhookServer.start(new InetSocketAddress(port), webhookBase.getPath(),
          endpoint, executor);
      resources.add(webhooks);
      return new Host(audio, webhooks, List.copyOf(resources));
    } catch (RuntimeException e) {
      for (int i = resources.size() - 1; i >= 0; i--) {
        try {
          resources.get(i).close();
        } catch (Exception suppressed) {
          e.addSuppressed(suppressed);
        }
      }
      throw e;
    }
  }

  /**
   * Downloads only from Replicate's delivery hosts over https, unless
   * {@code REPLICATE_DOWNLOAD_ALLOWED_HOSTS} names others (the local simulator: {@code 127.0.0.1},
   * which is then allowed over plain http).
   */
  static OkHttpAudioDownloader downloader(ReplicateAudioSettings settings, OkHttpClient http, Map<String, String> env) {
    OkHttpAudioDownloader.Builder b = OkHttpAudioDownloader.builder(settings).okHttpClient(http);
    String hosts = env.get("REPLICATE_DOWNLOAD_ALLOWED_HOSTS");
    if (hosts != null && !hosts.isBlank()) {
      List<String> list = List.of(hosts.trim().split("\\s*,\\s*"));
      b.allowedHosts(list);
      b.allowPlainHttp(list.stream().allMatch(h -> h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1")));
    }
    return b.build();
  }

  public static void main(String[] args) throws Exception {
    Host host = start(System.getenv());
    System.out.println("Webhooks: POST " + host.webhooks().url() + " (Ctrl-C stops)");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        host.close();
      } catch (Exception e) {
        e.printStackTrace();
      }
    }, "shutdown"));
    new java.util.concurrent.CountDownLatch(1).await(Long.MAX_VALUE, TimeUnit.DAYS);
  }
}
