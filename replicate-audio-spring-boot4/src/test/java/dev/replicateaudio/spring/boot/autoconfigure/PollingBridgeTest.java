package dev.replicateaudio.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.Submission;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.PollingCompletionBridge;
import dev.replicateaudio.jdbi.SqlDialect;
import dev.replicateaudio.micrometer.ReplicateAudioMetrics;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.okhttp.WebhookResponse;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.TestFfmpeg;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Two applications on one SQLite file, each with the starter's own pool: a webhook processed by
 * application A (downloaded, trimmed by ffmpeg, stored) wakes a waiter in application B through the
 * polling bridge, and both show it in their health and meters. After both close, no bridge thread is left.
 */
class PollingBridgeTest {
  @TempDir Path dir;

  private ApplicationContextRunner runner(FakeReplicate replicate, String database) {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReplicateAudioMetricsAutoConfiguration.class,
            ReplicateAudioAutoConfiguration.class, ReplicateAudioHealthAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(TestSupport.required(
            "replicate-audio.database.url=" + database,
            "replicate-audio.api.base-url=" + replicate.apiBaseUrl(),
            "replicate-audio.download.allowed-hosts=" + replicate.host() + ",127.0.0.1",
            "replicate-audio.bridge.poll-interval=50ms",
            "replicate-audio.bridge.idle-interval=400ms"));
  }

  @Test
  void aWebhookProcessedByOneApplicationWakesAWaiterInTheOtherThroughThePollingBridge() throws Exception {
    Path wav;
    try (FfmpegRunner ffmpeg = FfmpegRunner.create(TestFfmpeg.settings())) {
      wav = AudioFixtures.in(dir, ffmpeg).toneWithSilence(AudioFormat.WAV, 0.2, 0.4, 0.2);
    }
    String database = "jdbc:sqlite:" + dir.resolve("shared.db");
    String[] bridgeIds = new String[2];
    try (FakeReplicate replicate = new FakeReplicate(wav)) {
      ApplicationContextRunner runner = runner(replicate, database);
      runner.run(a -> runner.run(b -> {
        assertThat(a).hasNotFailed();
        assertThat(b).hasNotFailed();
        assertThat(b.getBean(ReplicateAudioDatabase.class).dialect()).isEqualTo(SqlDialect.SQLITE);
        PollingCompletionBridge bridgeA = a.getBean(ReplicateAudioBridge.class).polling().orElseThrow();
        PollingCompletionBridge bridgeB = b.getBean(ReplicateAudioBridge.class).polling().orElseThrow();
        bridgeIds[0] = bridgeA.instanceId();
        bridgeIds[1] = bridgeB.instanceId();
        MeterRegistry metersA = bind(a);
        MeterRegistry metersB = bind(b);

        ContentKey key = ContentKey.soundEffect(42);
        Submission submission = a.getBean(ReplicateAudio.class).submit(key, PredictionRequest
            .forModel("sepal/audiogen").input(Map.of("prompt", "door")).build()).toCompletableFuture().join();
        CompletableFuture<CompletionOutcome> onB = b.getBean(WebhookCompletionNotifier.class)
            .waitForCompletion(key, Duration.ofSeconds(30));

        byte[] body = replicate.succeeded(submission.predictionId(), "door.wav").getBytes(StandardCharsets.UTF_8);
        Map<String, List<String>> headers = TestSupport.sign("msg_poll", Instant.now(), body).entrySet().stream()
            .collect(Collectors.toMap(Map.Entry::getKey, e -> List.of(e.getValue())));
        WebhookResponse answer = a.getBean(WebhookEndpoint.class)
            .handle(headers, "content_type=sound_effect&content_id=42", body);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);

        CompletionOutcome outcome = onB.get(30, TimeUnit.SECONDS);
        assertThat(outcome.isSuccess()).isTrue();
        assertThat(outcome.predictionId()).isEqualTo(submission.predictionId());
        assertThat(b.getBean(GenerationJobStore.class).find(submission.predictionId()).orElseThrow().status())
            .as("B reads the job A stored from the same file").isEqualTo(JobStatus.SUCCEEDED);
        assertThat(replicate.downloads.get()).as("processed once, by A").isEqualTo(1);

        // A counts the completion once its INSERT committed, which B may read first
        await(() -> bridgeA.stats().published() == 1, "A's bridge counts its publication");
        assertThat(bridgeB.stats().received()).isEqualTo(1);
        assertThat(bridgeA.stats().received()).as("A skips its own row").isZero();

        var healthA = a.getBean(ReplicateAudioHealthIndicator.class).health();
        var healthB = b.getBean(ReplicateAudioHealthIndicator.class).health();
        assertThat(healthA.getStatus().getCode()).isEqualTo("UP");
        assertThat(healthB.getStatus().getCode()).isEqualTo("UP");
        assertThat(healthA.getDetails().get("bridge").toString()).contains("kind=polling").contains("published=1");
        assertThat(healthB.getDetails().get("bridge").toString()).contains("kind=polling").contains("received=1")
            .contains("pollFailures=0");
        assertThat(healthB.getDetails().get("database").toString()).contains("SQLite");

        assertThat(metersA.get("replicate.audio.bridge.published").tags("bridge", "polling").functionCounter().count())
            .isEqualTo(1);
        assertThat(metersA.get("replicate.audio.completions").tags("origin", "local", "status", "succeeded")
            .counter().count()).isEqualTo(1);
        assertThat(metersB.get("replicate.audio.bridge.received").tags("bridge", "polling").functionCounter().count())
            .isEqualTo(1);
        assertThat(metersB.get("replicate.audio.completions").tags("origin", "remote", "status", "succeeded")
            .counter().count()).isEqualTo(1);
        assertThat(metersB.get("replicate.audio.bridge.listening").tags("bridge", "polling").gauge().value())
            .isEqualTo(1);
        assertThat(metersB.get("replicate.audio.bridge.polls").tags("bridge", "polling", "outcome", "success")
            .functionCounter().count()).isPositive();
      }));
    }
    assertThat(Thread.getAllStackTraces().keySet()).as("bridge threads after both applications closed")
        .noneMatch(t -> t.isAlive() && (t.getName().endsWith(bridgeIds[0]) || t.getName().endsWith(bridgeIds[1])));
  }

  private static MeterRegistry bind(ConfigurableApplicationContext ctx) {
    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
    ctx.getBean(ReplicateAudioMetrics.class).bindTo(registry); // what Spring Boot's MeterRegistryPostProcessor does
    return registry;
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
