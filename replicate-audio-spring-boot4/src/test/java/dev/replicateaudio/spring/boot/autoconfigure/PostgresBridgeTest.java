package dev.replicateaudio.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.micrometer.ReplicateAudioMetrics;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.testing.Ci;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** On PostgreSQL the starter runs the completion bridge: two applications on one database wake each other's waiters. */
class PostgresBridgeTest {
  private static EmbeddedPostgres postgres;

  @BeforeAll
  static void startPostgres() {
    try {
      postgres = EmbeddedPostgres.builder().start();
    } catch (Exception e) {
      throw Ci.unavailable("can't start an embedded PostgreSQL server", e);
    }
  }

  @AfterAll
  static void stopPostgres() throws Exception {
    if (postgres != null) {
      postgres.close();
    }
  }

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ReplicateAudioMetricsAutoConfiguration.class,
            ReplicateAudioAutoConfiguration.class, ReplicateAudioHealthAutoConfiguration.class))
        .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(TestSupport.required("replicate-audio.database.url=" + postgres.getJdbcUrl("postgres", "postgres"),
            "replicate-audio.bridge.channel=spring_test"));
  }

  @Test
  void twoApplicationsOnOneDatabaseShareCompletionsAndShowTheBridge() {
    runner().run(a -> runner().run(b -> {
      assertThat(a).hasNotFailed();
      assertThat(b).hasNotFailed();
      ReplicateAudioBridge bridgeA = a.getBean(ReplicateAudioBridge.class);
      assertThat(bridgeA.postgres()).isPresent();
      assertThat(bridgeA.kind()).contains(ReplicateAudioBridge.POSTGRES);
      assertThat(bridgeA.polling()).isEmpty();
      assertThat(a.getBean(ReplicateAudioDatabase.class).isPostgres()).isTrue();
      awaitListening(bridgeA);
      awaitListening(b.getBean(ReplicateAudioBridge.class));

      ContentKey key = ContentKey.speech(5);
      CompletableFuture<CompletionOutcome> onB = b.getBean(WebhookCompletionNotifier.class)
          .waitForCompletion(key, Duration.ofSeconds(20));
      a.getBean(WebhookCompletionNotifier.class).notifyCompletion(key, CompletionOutcome.succeeded("p-bridge"));
      assertThat(onB.get(20, TimeUnit.SECONDS).predictionId()).isEqualTo("p-bridge");

      var health = a.getBean(ReplicateAudioHealthIndicator.class).health();
      assertThat(health.getStatus().getCode()).isEqualTo("UP");
      assertThat(health.getDetails().get("bridge").toString()).contains("kind=postgres").contains("listening=true")
          .contains("spring_test");

      MeterRegistry registry = a.getBean(MeterRegistry.class);
      a.getBean(ReplicateAudioMetrics.class).bindTo(registry); // what Spring Boot's MeterRegistryPostProcessor does
      assertThat(registry.get("replicate.audio.bridge.listening").tags("bridge", "postgres").gauge().value()).isEqualTo(1);
      // the sender counts after PostgreSQL took the notification, which B may have received already
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (registry.get("replicate.audio.bridge.published").functionCounter().count() < 1
          && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(registry.get("replicate.audio.bridge.published").functionCounter().count()).isEqualTo(1);
    }));
  }

  private static void awaitListening(ReplicateAudioBridge bridge) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
    while (!bridge.postgres().orElseThrow().stats().listening()) {
      assertThat(System.nanoTime()).as("bridge listening within 20 s").isLessThan(deadline);
      Thread.sleep(20);
    }
  }
}
