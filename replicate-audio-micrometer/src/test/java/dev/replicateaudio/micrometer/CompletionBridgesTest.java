package dev.replicateaudio.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.PollingCompletionBridge;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** The polling bridge's counters as meters: two real bridges on one H2 database, one of them losing it. */
class CompletionBridgesTest {
  @Test
  void aPollingBridgesCountersAndWhetherItsPollsSucceedReachTheMeters() throws Exception {
    String url = "jdbc:h2:mem:bridges-" + UUID.randomUUID();
    try (HikariDataSource poolA = pool(url, "a"); HikariDataSource poolB = pool(url, "b");
        WebhookCompletionNotifier notifierA = new WebhookCompletionNotifier();
        WebhookCompletionNotifier notifierB = new WebhookCompletionNotifier()) {
      SchemaInstaller.install(poolA);
      try (PollingCompletionBridge a = start(poolA, notifierA); PollingCompletionBridge b = start(poolB, notifierB)) {
        assertThat(CompletionBridges.kind(b)).isEqualTo(CompletionBridges.POLLING).isEqualTo("polling");
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        ReplicateAudioMetrics.create().watchBridge(CompletionBridges.kind(b), CompletionBridges.of(b)).bindTo(registry);
        Supplier<BridgeStats> statsA = CompletionBridges.of(a);

        ContentKey key = ContentKey.speech(3);
        CompletableFuture<CompletionOutcome> onB = notifierB.waitForCompletion(key, Duration.ofSeconds(15));
        notifierA.notifyCompletion(key, CompletionOutcome.succeeded("p-1"));
        assertThat(onB.get(15, TimeUnit.SECONDS).predictionId()).isEqualTo("p-1");
        await(() -> statsA.get().published() == 1, "A published");

        assertThat(registry.get(MetricNames.BRIDGE_RECEIVED).tags("bridge", "polling").functionCounter().count())
            .isEqualTo(1);
        assertThat(registry.get(MetricNames.BRIDGE_LISTENING).tags("bridge", "polling").gauge().value()).isEqualTo(1);
        assertThat(registry.get(MetricNames.BRIDGE_POLLS).tags("outcome", "success").functionCounter().count())
            .isPositive();
        assertThat(registry.get(MetricNames.BRIDGE_POLLS).tags("outcome", "failure").functionCounter().count())
            .isZero();
        assertThat(registry.get(MetricNames.BRIDGE_OUTAGES).tags("connection", "listener").functionCounter().count())
            .isZero();

        poolB.close(); // B's database goes away: its rounds fail
        await(() -> registry.get(MetricNames.BRIDGE_POLLS).tags("outcome", "failure").functionCounter().count() > 0
            && registry.get(MetricNames.BRIDGE_LISTENING).gauge().value() == 0, "B's failed polls show");
        assertThat(statsA.get().listening()).as("A still polls its own pool").isTrue();
      }
    }
  }

  @Test
  void aBridgeOfAnotherKindNeedsItsOwnStats() {
    CompletionBridge other = new CompletionBridge() {
      @Override
      public String instanceId() {
        return "0000000000000001";
      }

      @Override
      public Stats stats() {
        throw new UnsupportedOperationException();
      }

      @Override
      public void close() {
      }
    };
    assertThatThrownBy(() -> CompletionBridges.kind(other)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("no BridgeStats adapter for dev.replicateaudio.micrometer.CompletionBridgesTest$")
        .hasMessageContaining("ReplicateAudioMetrics.watchBridge");
    assertThatThrownBy(() -> CompletionBridges.of(other)).isInstanceOf(IllegalArgumentException.class);
  }

  private static HikariDataSource pool(String url, String name) {
    return DatabaseSettings.builder().url(url).poolName("bridges-" + name).build().createDataSource();
  }

  private static PollingCompletionBridge start(HikariDataSource pool, WebhookCompletionNotifier notifier) {
    return PollingCompletionBridge.builder(pool, notifier).pollInterval(Duration.ofMillis(20), Duration.ofMillis(100))
        .start();
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (!condition.getAsBoolean()) {
      assertThat(System.nanoTime()).as(what + " within 15 s").isLessThan(deadline);
      Thread.sleep(10);
    }
  }
}
