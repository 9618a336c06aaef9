package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.webhook.WebhookRecovery;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * Run by {@link SecretsNeverLoggedTest} in a JVM of its own with every logger at TRACE: the whole
 * pipeline with known secrets (API token, webhook secret, database passwords), and every failure
 * that could quote one: failed, transient and corrupt jobs, recovery, a wrong token, a wrong webhook
 * secret, bad settings, a database that refuses the password or can't be reached. Every exception
 * is printed with its stack trace and causes; the test then searches all the output.
 */
public final class SecretsInLogsMain {
  static final String TOKEN = "r8_TOKENsecret7Qz2Lw9Vn4Bm6Kc1Hs3";
  static final String WEBHOOK_KEY = "V0VCSE9PS3NlY3JldDBuZUFCQ0RF";
  static final String WEBHOOK_SECRET = "whsec_" + WEBHOOK_KEY;
  static final String DB_PASSWORD = "dbPASSWORDsecret4kq9";
  static final String URL_PASSWORD = "urlPASSWORDsecret8zt1";

  private SecretsInLogsMain() {
  }

  public static void main(String[] args) throws Exception {
    String h2 = "jdbc:h2:mem:secrets-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
    ItDatabase db = new ItDatabase() {
      @Override
      DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(h2).user("app").password(DB_PASSWORD).poolName(poolName);
      }

      @Override
      String kind() {
        return "H2";
      }

      @Override
      String sessionIdSql() {
        throw new UnsupportedOperationException();
      }

      @Override
      void killSession(long id) {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {
      }
    };
    try (ItStack it = ItStack.on(db)
        .settings(s -> s.webhookTimeout(Duration.ofSeconds(1)))
        .simulator(s -> s.apiToken(TOKEN).webhookSecret(WEBHOOK_SECRET))
        .start()) {
      System.out.println("stack: " + it.client + " " + it.downloader + " " + it.endpoint + " "
          + it.database.settings("x").build());
      // jobs: stored, failed, transiently failing (503, retried), corrupt, lost (recovery finishes it)
      List<CompletableFuture<CompletionOutcome>> outcomes = List.of(
          generate(it, 1, request("door", "wav", 0.3)),
          generate(it, 2, request("door", "mp3", 0.3, Fault.FAIL)),
          generate(it, 3, request("door", "wav", 0.3, Fault.HTTP_500)),
          generate(it, 4, request("door", "wav", 0.3, Fault.CORRUPT)),
          generate(it, 5, request("door", "wav", 0.3, Fault.LOST_WEBHOOK)),
          generate(it, 6, request("door", "wav", 0.3, Fault.REDIRECT_PRIVATE)));
      Thread.sleep(1500);
      WebhookRecovery.builder().jobStore(it.jobs).predictionClient(it.client).processor(it.audio.processor())
          .executor(it.executor).settings(it.settings)
          .clock(Clock.offset(Clock.systemUTC(), Duration.ofSeconds(5))).build().recoverStale()
          .toCompletableFuture().join();
      for (CompletableFuture<CompletionOutcome> o : outcomes) {
        System.out.println("outcome: " + o.join());
      }

      // a wrong API token
      try (ReplicateClient wrong = ReplicateClient.builder().apiToken(TOKEN + "x").baseUrl(it.simulator.baseUrl())
          .build()) {
        wrong.getDefaultWebhookSecret();
      } catch (RuntimeException e) {
        e.printStackTrace();
      }
      // a webhook signed with another secret, and one with the right one but a bad body
      WebhookEndpoint endpoint = WebhookEndpoint.create(WebhookVerifier.create(WEBHOOK_SECRET),
          (key, prediction) -> CompletableFuture.completedFuture(CompletionOutcome.succeeded(prediction.id())));
      byte[] body = "{\"id\":\"p1\",\"status\":\"succeeded\"}".getBytes(StandardCharsets.UTF_8);
      Map<String, String> other = WebhookVerifier.create("whsec_" + "QU5PVEhFUnNlY3JldDBuZUFCQ0RF")
          .signedHeaders("msg_1", Instant.now(), body);
      System.out.println("wrong secret: " + endpoint.handle(multi(other), "content_type=speech&content_id=1", body));
      Map<String, String> right = WebhookVerifier.create(WEBHOOK_SECRET).signedHeaders("msg_2", Instant.now(),
          "{broken".getBytes(StandardCharsets.UTF_8));
      System.out.println("bad body: " + endpoint.handle(multi(right), "content_type=speech&content_id=1",
          "{broken".getBytes(StandardCharsets.UTF_8)));
    }

    // secrets given where they do not belong, and bad settings next to good secrets
    printFailure(() -> WebhookVerifier.create(TOKEN));
    printFailure(() -> WebhookVerifier.create(WEBHOOK_SECRET.substring(0, 20) + "!" + WEBHOOK_SECRET.substring(20)));
    printFailure(() -> WebhookVerifier.create("whsec_" + WEBHOOK_KEY.substring(0, 8)));
    printFailure(() -> ReplicateAudioSettings.fromEnvironment(Map.of("REPLICATE_WEBHOOK_TIMEOUT", TOKEN,
        "REPLICATE_FFMPEG_PATH", "ffmpeg\n" + TOKEN)));
    printFailure(() -> DatabaseSettings.fromEnvironment(Map.of("DATABASE_URL",
        "jdbc:postgresql://127.0.0.1:1/app?user=app&password=" + URL_PASSWORD, "DB_PASSWORD", DB_PASSWORD,
        "DB_POOL_SIZE", "many")));
    // a server that can't be reached, with the password in the URL or in DB_PASSWORD, and both, differing
    printFailure(() -> DatabaseSettings.builder().url("jdbc:postgresql://127.0.0.1:1/app?password=" + URL_PASSWORD)
        .user("app").poolTimeout(Duration.ofSeconds(1)).build().createDataSource());
    printFailure(() -> DatabaseSettings.builder().url("jdbc:postgresql://127.0.0.1:1/app")
        .user("app").password(DB_PASSWORD).poolTimeout(Duration.ofSeconds(1)).build().createDataSource());
    printFailure(() -> DatabaseSettings.builder().url("jdbc:mariadb://127.0.0.1:1/app?password=" + URL_PASSWORD)
        .user("app").poolTimeout(Duration.ofSeconds(1)).build().createDataSource());
    printFailure(() -> DatabaseSettings.builder().url("jdbc:mariadb://127.0.0.1:1/app")
        .user("app").password(DB_PASSWORD).poolTimeout(Duration.ofSeconds(1)).build().createDataSource());
    printFailure(() -> DatabaseSettings.builder().url("jdbc:mariadb://127.0.0.1:1/app?password=" + URL_PASSWORD)
        .user("app").password(DB_PASSWORD).build());
    // an H2 database that refuses the password
    printFailure(() -> DatabaseSettings.builder().url(h2).user("app").password(DB_PASSWORD + "x")
        .poolTimeout(Duration.ofSeconds(1)).build().createDataSource());
    System.out.println("SECRETS-MAIN-DONE");
  }

  private static CompletableFuture<CompletionOutcome> generate(ItStack it, long id, dev.replicateaudio.prediction.PredictionRequest r) {
    return it.audio.generate(ContentKey.soundEffect(id), r, Duration.ofSeconds(60)).toCompletableFuture();
  }

  private static Map<String, List<String>> multi(Map<String, String> headers) {
    Map<String, List<String>> m = new java.util.HashMap<>();
    headers.forEach((k, v) -> m.put(k, List.of(v)));
    return m;
  }

  private static void printFailure(java.util.concurrent.Callable<?> call) {
    try {
      Object o = call.call();
      System.out.println("no failure: " + o);
      if (o instanceof AutoCloseable) {
        ((AutoCloseable) o).close();
      }
    } catch (Exception e) {
      e.printStackTrace();
    }
  }
}
