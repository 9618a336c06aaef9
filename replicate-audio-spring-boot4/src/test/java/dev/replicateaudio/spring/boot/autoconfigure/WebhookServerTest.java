package dev.replicateaudio.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.Submission;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.TestFfmpeg;
import jakarta.servlet.Filter;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.web.util.ContentCachingRequestWrapper;

/**
 * A real application on an embedded Tomcat (ephemeral port), H2, real ffmpeg, Replicate played by
 * MockWebServer: signed, tampered, stale, oversized, keyless and duplicate webhooks get their
 * answers, the metrics and the health show them, and Spring Security lets the webhook through only
 * with the snippet README documents.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebhookServerTest {
  static final String PATH = "/hooks/replicate";

  /** The application: auto-configuration only, and README's Spring Security snippet. */
  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class App {
    // --- README, "Spring Boot": let Replicate's webhooks through Spring Security ---
    @Bean
    SecurityFilterChain security(HttpSecurity http) throws Exception {
      String webhook = "/hooks/replicate"; // replicate-audio.webhook.path
      http.authorizeHttpRequests(a -> a.requestMatchers(HttpMethod.POST, webhook).permitAll()
              .anyRequest().authenticated())
          .csrf(csrf -> csrf.ignoringRequestMatchers(webhook))
          .httpBasic(Customizer.withDefaults());
      return http.build();
    }
    // --- end of snippet ---

    /** A filter that wraps the request and reads its parameters, as many applications have: the body stays raw. */
    @Bean
    Filter cachingFilter() {
      return (request, response, chain) -> {
        ContentCachingRequestWrapper wrapped = new ContentCachingRequestWrapper(
            (jakarta.servlet.http.HttpServletRequest) request, 1 << 20);
        wrapped.getParameterMap();
        chain.doFilter(wrapped, response);
      };
    }
  }

  /** The same application without the snippet: Spring Boot's default security. */
  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  static class AppWithoutSnippet {
  }

  private Path dir;
  private FakeReplicate replicate;
  private ConfigurableApplicationContext context;
  private int port;
  private final HttpClient http = HttpClient.newHttpClient();

  static String[] properties(FakeReplicate replicate, String database) {
    return TestSupport.required(
        "server.port=0",
        "spring.main.banner-mode=off",
        "spring.security.user.name=ops",
        "spring.security.user.password=ops-password",
        "management.endpoints.web.exposure.include=health,prometheus",
        "management.endpoint.health.show-details=always",
        "replicate-audio.api.base-url=" + replicate.apiBaseUrl(),
        "replicate-audio.webhook.base-url=http://127.0.0.1:${local.server.port}" + PATH,
        "replicate-audio.webhook.max-body-size=64KB",
        "replicate-audio.webhook.acknowledge-after=20s",
        "replicate-audio.download.allowed-hosts=" + replicate.host() + ",127.0.0.1",
        "replicate-audio.database.url=" + database);
  }

  @BeforeAll
  void start() throws IOException {
    dir = Files.createTempDirectory("webhook-server-test");
    Path wav;
    try (FfmpegRunner ffmpeg = FfmpegRunner.create(TestFfmpeg.settings())) {
      wav = AudioFixtures.in(dir, ffmpeg).toneWithSilence(AudioFormat.WAV, 0.3, 0.6, 0.3);
    }
    replicate = new FakeReplicate(wav);
    context = new SpringApplicationBuilder(App.class)
        .properties(properties(replicate, TestSupport.h2Url("server")))
        .run();
    port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
  }

  @AfterAll
  void stop() throws IOException {
    if (context != null) {
      context.close();
    }
    if (replicate != null) {
      replicate.close();
    }
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  private HttpResponse<String> post(String query, byte[] body, Map<String, String> headers) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + PATH
        + (query == null ? "" : "?" + query))).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    headers.forEach(r::header);
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> get(String path, boolean authenticated) throws Exception {
    HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path));
    if (authenticated) {
      r.header("Authorization", "Basic " + Base64.getEncoder()
          .encodeToString("ops:ops-password".getBytes(StandardCharsets.UTF_8)));
    }
    return http.send(r.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String query(ContentKey key) {
    return "content_type=" + key.contentType() + "&content_id=" + key.contentId();
  }

  @Test
  void everyKindOfWebhookGetsItsAnswerAndTheMetricsAndHealthShowIt() throws Exception {
    ReplicateAudio audio = context.getBean(ReplicateAudio.class);
    GenerationJobStore jobs = context.getBean(GenerationJobStore.class);
    ContentKey key = ContentKey.soundEffect(7);
    Submission submission = audio.submit(key, PredictionRequest.forModel("sepal/audiogen")
        .input(Map.of("prompt", "door")).build()).toCompletableFuture().join();
    assertThat(replicate.server.takeRequest().getBody().utf8())
        .contains("\"webhook\":\"http://127.0.0.1:" + port + PATH + "?content_type=sound_effect&content_id=7\"");
    CompletableFuture<CompletionOutcome> waiter = audio.await(submission, Duration.ofSeconds(30)).toCompletableFuture();
    byte[] body = replicate.succeeded(submission.predictionId(), "out.wav").getBytes(StandardCharsets.UTF_8);

    // signed: stored, trimmed, waiter woken
    HttpResponse<String> ok = post(query(key), body, TestSupport.sign("msg_1", Instant.now(), body));
    assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
    assertThat(waiter.get(30, java.util.concurrent.TimeUnit.SECONDS).isSuccess()).isTrue();
    assertThat(jobs.find(submission.predictionId()).orElseThrow().status()).isEqualTo(JobStatus.SUCCEEDED);

    // duplicate delivery: answered 200, processed once
    HttpResponse<String> again = post(query(key), body, TestSupport.sign("msg_2", Instant.now(), body));
    assertThat(again.statusCode()).isEqualTo(200);
    assertThat(jobs.results(submission.predictionId())).hasSize(1);
    assertThat(replicate.downloads.get()).isEqualTo(1);

    // tampered: one byte changed after signing
    byte[] tampered = body.clone();
    Map<String, String> signature = TestSupport.sign("msg_3", Instant.now(), body);
    tampered[tampered.length - 2] = (byte) ' ';
    assertThat(post(query(key), tampered, signature).statusCode()).isEqualTo(401);
    // stale: signed ten minutes ago
    assertThat(post(query(key), body, TestSupport.sign("msg_4", Instant.now().minusSeconds(600), body)).statusCode())
        .isEqualTo(401);
    // oversized: over replicate-audio.webhook.max-body-size
    byte[] huge = new byte[65 * 1024];
    java.util.Arrays.fill(huge, (byte) ' ');
    assertThat(post(query(key), huge, TestSupport.sign("msg_5", Instant.now(), huge)).statusCode()).isEqualTo(413);
    // no content key in the query
    assertThat(post(null, body, TestSupport.sign("msg_6", Instant.now(), body)).statusCode()).isEqualTo(400);
    assertThat(replicate.downloads.get()).isEqualTo(1);

    // Spring Security: the webhook path is open, the rest is not
    assertThat(get("/actuator/prometheus", false).statusCode()).isEqualTo(401);
    HttpResponse<String> health = get("/actuator/health/replicateAudio", true);
    assertThat(health.statusCode()).as(health.body()).isEqualTo(200);
    assertThat(health.body()).contains("\"status\":\"UP\"").contains("\"database\"").contains("\"pool\"")
        .contains("\"waiters\"").contains("\"ffmpeg\"").contains("\"recovery\"")
        .doesNotContain(TestSupport.TOKEN).doesNotContain(TestSupport.SECRET.substring(6));

    String scrape = get("/actuator/prometheus", true).body();
    assertThat(scrape)
        .contains("replicate_audio_webhook_requests_seconds_count{status=\"200\"} 2\n")
        .contains("replicate_audio_webhook_requests_seconds_count{status=\"401\"} 2\n")
        .contains("replicate_audio_webhook_requests_seconds_count{status=\"413\"} 1\n")
        .contains("replicate_audio_webhook_requests_seconds_count{status=\"400\"} 1\n")
        .contains("replicate_audio_webhook_processing_seconds_count{outcome=\"succeeded\"} 2\n")
        .contains("replicate_audio_download_seconds_count{outcome=\"success\"} 1\n")
        .contains("replicate_audio_completions_total{origin=\"local\",status=\"succeeded\"} 1.0")
        .contains("replicate_audio_waits_total{status=\"succeeded\"} 1.0")
        .contains("hikaricp_connections{pool=\"replicate-audio\"}")
        .contains("replicate_audio_waiters_pending 0.0");
    assertThat(scrape).containsPattern("replicate_audio_ffmpeg_runs_seconds_count\\{outcome=\"success\",tool=\"ffmpeg\"} [1-9]");
  }

  @Test
  void withoutTheSnippetSpringSecurityRefusesTheWebhookBeforeAnythingRuns() throws Exception {
    try (ConfigurableApplicationContext plain = new SpringApplicationBuilder(AppWithoutSnippet.class)
        .properties(properties(replicate, TestSupport.h2Url("plain"))).run()) {
      int plainPort = Integer.parseInt(plain.getEnvironment().getProperty("local.server.port"));
      byte[] body = replicate.succeeded("pred-x", "out.wav").getBytes(StandardCharsets.UTF_8);
      HttpRequest.Builder r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plainPort + PATH + "?"
          + query(ContentKey.soundEffect(1)))).POST(HttpRequest.BodyPublishers.ofByteArray(body));
      TestSupport.sign("msg_x", Instant.now(), body).forEach(r::header);
      int status = http.send(r.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
      assertThat(status).isIn(401, 403);
      assertThat(plain.getBean(GenerationJobStore.class).find("pred-x")).isEmpty();
    }
  }
}
