package dev.replicateaudio.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.Submission;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.TestFfmpeg;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Closing the application while a webhook is still being processed (after its early 202): the
 * processing finishes and is stored before the pool closes, its waiter gets the outcome, a waiter
 * with nothing coming completes instead of hanging, and the starter's threads are gone.
 */
class OrderlyShutdownTest {
  @TempDir Path dir;

  @Test
  void inFlightProcessingFinishesBeforeTheNotifierAndThePoolClose() throws Exception {
    Path wav;
    try (FfmpegRunner ffmpeg = FfmpegRunner.create(TestFfmpeg.settings())) {
      wav = AudioFixtures.in(dir, ffmpeg).toneWithSilence(AudioFormat.WAV, 0.2, 0.4, 0.2);
    }
    String database = TestSupport.h2Url("shutdown");
    try (FakeReplicate replicate = new FakeReplicate(wav)) {
      replicate.downloadDelayMillis.set(1500);
      String[] props = WebhookServerTest.properties(replicate, database);
      String[] all = java.util.Arrays.copyOf(props, props.length + 1);
      all[props.length] = "replicate-audio.webhook.acknowledge-after=100ms";
      ConfigurableApplicationContext context = new SpringApplicationBuilder(WebhookServerTest.App.class)
          .properties(all).run();
      int port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
      ReplicateAudio audio = context.getBean(ReplicateAudio.class);
      HikariDataSource pool = (HikariDataSource) context.getBean(ReplicateAudioDatabase.class).dataSource();
      String bridgeId = context.getBean(ReplicateAudioBridge.class).polling().orElseThrow().instanceId(); // H2: polling
      ContentKey key = ContentKey.soundEffect(1);
      Submission submission = audio.submit(key, PredictionRequest.forModel("sepal/audiogen")
          .input(Map.of("prompt", "door")).build()).toCompletableFuture().join();
      CompletableFuture<CompletionOutcome> waiter = audio.await(submission, Duration.ofSeconds(60)).toCompletableFuture();
      CompletableFuture<CompletionOutcome> forgotten = audio.notifier()
          .waitForCompletion(ContentKey.soundEffect(99), Duration.ofSeconds(60));

      byte[] body = replicate.succeeded(submission.predictionId(), "slow.wav").getBytes(StandardCharsets.UTF_8);
      HttpRequest.Builder post = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + WebhookServerTest.PATH
          + "?content_type=sound_effect&content_id=1")).POST(HttpRequest.BodyPublishers.ofByteArray(body));
      TestSupport.sign("msg_s", Instant.now(), body).forEach(post::header);
      HttpResponse<String> answer = HttpClient.newHttpClient().send(post.build(), HttpResponse.BodyHandlers.ofString());
      assertThat(answer.statusCode()).as(answer.body()).isEqualTo(202);
      assertThat(pool.isClosed()).isFalse();

      long start = System.nanoTime();
      context.close();
      long closeMillis = (System.nanoTime() - start) / 1_000_000;

      assertThat(pool.isClosed()).isTrue();
      assertThat(waiter.get(1, TimeUnit.SECONDS).isSuccess()).as("processing finished before the notifier closed")
          .isTrue();
      assertThat(forgotten).isCompletedExceptionally();
      try (Connection c = DriverManager.getConnection(database);
          ResultSet rs = c.createStatement().executeQuery(
              "SELECT status FROM ra_generation_jobs WHERE prediction_id = '" + submission.predictionId() + "'")) {
        assertThat(rs.next()).isTrue();
        assertThat(rs.getString(1)).as("stored before the pool closed").isEqualToIgnoringCase("SUCCEEDED");
      }
      assertThat(Thread.getAllStackTraces().keySet()).noneMatch(t -> t.isAlive()
          && (t.getName().startsWith("replicate-audio-worker") || t.getName().startsWith("replicate-audio-recovery")
          || t.getName().equals("replicate-audio-poll-bridge-" + bridgeId)));
      assertThat(closeMillis).as("close waited for the download, not for the shutdown timeout")
          .isLessThan(20_000);
    }
  }
}
