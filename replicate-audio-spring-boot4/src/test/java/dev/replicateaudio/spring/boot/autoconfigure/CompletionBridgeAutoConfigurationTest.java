package dev.replicateaudio.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.PollingCompletionBridge;
import dev.replicateaudio.jdbi.SqlDialect;
import dev.replicateaudio.micrometer.ReplicateAudioMetrics;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Which completion bridge the starter runs for which database, the switch that turns it off, its
 * polling timing from the properties, and the application's own bridge making it back off. The
 * bridge carrying a completion between two applications is {@link PollingBridgeTest} (SQLite) and
 * {@link PostgresBridgeTest}.
 */
class CompletionBridgeAutoConfigurationTest {
  private static final String THREAD_PREFIX = "replicate-audio-poll-bridge-";

  private final ApplicationContextRunner runner = new ApplicationContextRunner()
      .withConfiguration(AutoConfigurations.of(ReplicateAudioMetricsAutoConfiguration.class,
          ReplicateAudioAutoConfiguration.class, ReplicateAudioHealthAutoConfiguration.class))
      .withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new);

  @TempDir Path dir;

  @Test
  void onlyPostgresqlWithItsDriverGetsListenNotifyEveryOtherDatabasePolls() {
    for (SqlDialect dialect : SqlDialect.values()) {
      assertThat(ReplicateAudioBridge.listenNotify(dialect, true)).as(dialect.displayName())
          .isEqualTo(dialect == SqlDialect.POSTGRESQL);
      assertThat(ReplicateAudioBridge.listenNotify(dialect, false)).as(dialect.displayName() + " without pgjdbc")
          .isFalse();
    }
  }

  @Test
  void h2AndSqliteGetThePollingBridgeAsCompletionBridgeStartPicksAndHealthAndMetersShowIt() {
    for (String url : new String[] {TestSupport.h2Url("poll"), "jdbc:sqlite:" + dir.resolve("kind.db")}) {
      runner.withPropertyValues(TestSupport.required("replicate-audio.database.url=" + url)).run(ctx -> {
        assertThat(ctx).hasNotFailed();
        ReplicateAudioBridge ours = ctx.getBean(ReplicateAudioBridge.class);
        assertThat(ours.kind()).as(url).contains(ReplicateAudioBridge.POLLING);
        assertThat(ours.polling()).isPresent();
        assertThat(ours.postgres()).isEmpty();
        PollingCompletionBridge polling = ours.polling().orElseThrow();
        assertThat(threadAlive(polling)).isTrue();
        try (WebhookCompletionNotifier notifier = new WebhookCompletionNotifier();
            CompletionBridge libraryPick = CompletionBridge.start(DatabaseSettings.builder().url(url).build(),
                ctx.getBean(ReplicateAudioDatabase.class).dataSource(), notifier)) {
          assertThat(libraryPick).as("CompletionBridge.start on " + url).isInstanceOf(PollingCompletionBridge.class);
        }

        var health = ctx.getBean(ReplicateAudioHealthIndicator.class).health();
        assertThat(health.getStatus().getCode()).isEqualTo("UP");
        @SuppressWarnings("unchecked")
        Map<String, Object> bridge = (Map<String, Object>) health.getDetails().get("bridge");
        assertThat(bridge).containsEntry("kind", "polling").containsEntry("instanceId", polling.instanceId())
            .containsKeys("pauseMs", "queued", "published", "received", "dropped", "polls", "pollFailures");

        MeterRegistry registry = bind(ctx);
        assertThat(registry.get("replicate.audio.bridge.listening").tags("bridge", "polling").gauge().value())
            .isEqualTo(1);
        assertThat(registry.find("replicate.audio.bridge.polls").tags("bridge", "polling", "outcome", "success")
            .functionCounter()).isNotNull();
        assertThat(registry.find("replicate.audio.bridge.published").tags("bridge", "postgres").functionCounter())
            .isNull();
      });
    }
  }

  @Test
  void theApplicationsDataSourceGetsThePollingBridgeToo() {
    runner.withUserConfiguration(ReplicateAudioAutoConfigurationTest.HostDataSource.class)
        .withPropertyValues(TestSupport.required()).run(ctx -> {
          assertThat(ctx.getBean(ReplicateAudioDatabase.class).ownsPool()).isFalse();
          assertThat(ctx.getBean(ReplicateAudioDatabase.class).dialect()).isEqualTo(SqlDialect.H2);
          assertThat(ctx.getBean(ReplicateAudioBridge.class).kind()).contains("polling");
        });
  }

  @Test
  void bridgeEnabledFalseRunsNoBridgeAndShowsNone() {
    runner.withPropertyValues(TestSupport.required("replicate-audio.database.url=" + TestSupport.h2Url("off"),
        "replicate-audio.bridge.enabled=false")).run(ctx -> {
          assertThat(ctx).hasNotFailed();
          ReplicateAudioBridge ours = ctx.getBean(ReplicateAudioBridge.class);
          assertThat(ours.bridge()).isEmpty();
          assertThat(ours.kind()).isEmpty();
          assertThat(ctx.getBean(ReplicateAudioHealthIndicator.class).health().getDetails()).doesNotContainKey("bridge");
          MeterRegistry registry = bind(ctx);
          assertThat(registry.find("replicate.audio.bridge.published").meters()).isEmpty();
          assertThat(registry.find("replicate.audio.waiters.pending").gauge()).isNotNull();
        });
  }

  @Test
  void thePollingTimingComesFromThePropertiesAndTheIdleDefaultFollowsALongerPollInterval() {
    runner.withPropertyValues(TestSupport.required("replicate-audio.database.url=" + TestSupport.h2Url("timing"),
        "replicate-audio.bridge.poll-interval=30ms", "replicate-audio.bridge.idle-interval=120ms")).run(ctx -> {
          PollingCompletionBridge bridge = ctx.getBean(ReplicateAudioBridge.class).polling().orElseThrow();
          await(() -> bridge.stats().pause().equals(Duration.ofMillis(120)), "idle: backed off to idle-interval");
          var waiter = ctx.getBean(WebhookCompletionNotifier.class).waitForCompletion(ContentKey.speech(1),
              Duration.ofSeconds(30));
          await(() -> bridge.stats().pause().equals(Duration.ofMillis(30)), "a waiter: back to poll-interval");
          waiter.cancel(true);
        });
    ReplicateAudioProperties.Bridge p = new ReplicateAudioProperties.Bridge();
    assertThat(ReplicateAudioBridge.pollInterval(p)).isEqualTo(Duration.ofMillis(250));
    assertThat(ReplicateAudioBridge.idleInterval(p)).isEqualTo(Duration.ofSeconds(2));
    p.setPollInterval(Duration.ofSeconds(5));
    assertThat(ReplicateAudioBridge.idleInterval(p)).isEqualTo(Duration.ofSeconds(5));
  }

  @Test
  void aPollingTimingOutOfRangeIsReportedWithEveryOtherProblem() {
    runner.withPropertyValues("replicate-audio.database.url=" + TestSupport.h2Url("bad-timing"),
        "replicate-audio.bridge.poll-interval=5ms").run(ctx -> {
          ConfigurationException e = ReplicateAudioAutoConfigurationTest.rootConfigurationException(
              ctx.getStartupFailure());
          assertThat(e.problems()).hasSize(4); // token, secret, base URL, poll interval
          assertThat(e.getMessage()).contains("replicate-audio.api.token is not set")
              .contains("replicate-audio.bridge.poll-interval: pollInterval interval=")
              .contains("accepted 0.01 s to 60 s");
        });
    runner.withPropertyValues(TestSupport.required("replicate-audio.database.url=" + TestSupport.h2Url("bad-idle"),
        "replicate-audio.bridge.poll-interval=1s", "replicate-audio.bridge.idle-interval=100ms")).run(ctx ->
            assertThat(ReplicateAudioAutoConfigurationTest.rootConfigurationException(ctx.getStartupFailure()).problems())
                .singleElement().asString().startsWith("replicate-audio.bridge.idle-interval: pollInterval idle="));
    runner.withPropertyValues(TestSupport.required("replicate-audio.database.url=" + TestSupport.h2Url("bad-but-off"),
        "replicate-audio.bridge.poll-interval=5ms", "replicate-audio.bridge.enabled=false"))
        .run(ctx -> assertThat(ctx).as("no bridge, nothing to check").hasNotFailed());
  }

  /** An application that runs a bridge of its own on the starter's database. */
  @Configuration(proxyBeanMethods = false)
  static class OwnBridge {
    @Bean
    PollingCompletionBridge applicationBridge(ReplicateAudioDatabase database, WebhookCompletionNotifier notifier) {
      return PollingCompletionBridge.builder(database.dataSource(), notifier)
          .pollInterval(Duration.ofMillis(40), Duration.ofMillis(80)).start();
    }
  }

  @Test
  void theApplicationsOwnBridgeMakesOursBackOffAndIsReportedAndClosedInOrder() {
    PollingCompletionBridge[] own = new PollingCompletionBridge[1];
    runner.withUserConfiguration(OwnBridge.class)
        .withPropertyValues(TestSupport.required("replicate-audio.database.url=" + TestSupport.h2Url("own-bridge")))
        .run(ctx -> {
          assertThat(ctx).hasNotFailed().doesNotHaveBean(ReplicateAudioBridge.class)
              .hasSingleBean(CompletionBridge.class);
          own[0] = ctx.getBean(PollingCompletionBridge.class);
          assertThat(ctx.getBean(ReplicateAudioHealthIndicator.class).health().getDetails().get("bridge").toString())
              .contains("kind=polling").contains("instanceId=" + own[0].instanceId());
          MeterRegistry registry = bind(ctx);
          assertThat(registry.get("replicate.audio.bridge.queued").tags("bridge", "polling").gauge()).isNotNull();
          assertThat(threadAlive(own[0])).isTrue();
          ctx.getBean(ReplicateAudioLifecycle.class).stop();
          assertThat(threadAlive(own[0])).as("closed by the lifecycle's step 5").isFalse();
        });
  }

  private static MeterRegistry bind(ConfigurableApplicationContext ctx) {
    MeterRegistry registry = ctx.getBean(MeterRegistry.class);
    ctx.getBean(ReplicateAudioMetrics.class).bindTo(registry); // what Spring Boot's MeterRegistryPostProcessor does
    return registry;
  }

  private static boolean threadAlive(CompletionBridge bridge) {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().equals(THREAD_PREFIX + bridge.instanceId()));
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 10 s").isLessThan(deadline);
      Thread.sleep(5);
    }
  }
}
