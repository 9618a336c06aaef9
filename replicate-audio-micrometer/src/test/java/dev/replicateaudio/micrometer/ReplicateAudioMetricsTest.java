package dev.replicateaudio.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ffmpeg.FfmpegListener;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadException;
import dev.replicateaudio.testing.TestFfmpeg;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookProcessingException;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class ReplicateAudioMetricsTest {
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ReplicateAudioMetrics metrics = ReplicateAudioMetrics.create();

  private double count(String name, String... tags) {
    return registry.get(name).tags(tags).meters().stream().mapToDouble(m -> {
      for (var measurement : m.measure()) {
        if (measurement.getStatistic().name().equals("COUNT")) {
          return measurement.getValue();
        }
      }
      return Double.NaN;
    }).sum();
  }

  private double gauge(String name, String... tags) {
    return registry.get(name).tags(tags).gauge().value();
  }

  @Test
  void ffmpegRunsAreTimedByToolAndOutcomeAndTheRunnerIsWatched() {
    metrics.bindTo(registry);
    try (FfmpegRunner ffmpeg = FfmpegRunner.create(TestFfmpeg.settings(), metrics.ffmpegListener())) {
      metrics.watch(ffmpeg);
      ffmpeg.version();
      assertThat(gauge(MetricNames.FFMPEG_LIMIT)).isEqualTo(TestFfmpeg.settings().maxConcurrentFfmpeg());
      assertThat(gauge(MetricNames.FFMPEG_RUNNING)).isZero();
      assertThat(gauge(MetricNames.FFMPEG_WAITING)).isZero();
    }
    assertThat(registry.get(MetricNames.FFMPEG_RUNS).tags("tool", "ffmpeg", "outcome", "success").timer().count())
        .isEqualTo(1);
    assertThat(registry.get(MetricNames.FFMPEG_RUNS).tags("tool", "ffmpeg", "outcome", "success").timer()
        .totalTime(java.util.concurrent.TimeUnit.NANOSECONDS)).isPositive();
    assertThat(count(MetricNames.FFMPEG_RUNS, "outcome", "nonzero_exit")).isZero();
  }

  @Test
  void completionsAndWaitsAreCountedByStatusAndOrigin() {
    metrics.bindTo(registry);
    try (WebhookCompletionNotifier notifier = new WebhookCompletionNotifier()) {
      metrics.watch(notifier);
      CompletableFuture<CompletionOutcome> waiting = notifier.waitForCompletion(ContentKey.soundEffect(1),
          Duration.ofSeconds(10));
      assertThat(gauge(MetricNames.WAITERS_PENDING)).isEqualTo(1);
      notifier.notifyCompletion(ContentKey.soundEffect(1), CompletionOutcome.succeeded("p1"));
      assertThat(waiting.join().isSuccess()).isTrue();
      notifier.notifyRemoteCompletion(ContentKey.soundEffect(2), CompletionOutcome.failed("p2", "bad"));
      notifier.waitForCompletion(ContentKey.soundEffect(3), Duration.ofMillis(20)).handle((o, e) -> e).join();

      assertThat(gauge(MetricNames.WAITERS_PENDING)).isZero();
      assertThat(gauge(MetricNames.OUTCOMES_REMEMBERED)).isEqualTo(2);
    }
    assertThat(count(MetricNames.COMPLETIONS, "status", "succeeded", "origin", "local")).isEqualTo(1);
    assertThat(count(MetricNames.COMPLETIONS, "status", "failed", "origin", "remote")).isEqualTo(1);
    assertThat(count(MetricNames.COMPLETIONS)).isEqualTo(2);
    assertThat(count(MetricNames.WAITS, "status", "succeeded")).isEqualTo(1);
    // the notifier tells its listeners about a timed-out wait just after completing the wait's future
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (count(MetricNames.WAITS, "status", "timed_out") < 1 && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    assertThat(count(MetricNames.WAITS, "status", "timed_out")).isEqualTo(1);
  }

  @Test
  void webhookDownloadAndRecoveryEventsLandInTheirMeters() {
    metrics.bindTo(registry);
    metrics.webhookListener().requestAnswered(200, Duration.ofMillis(3));
    metrics.webhookListener().requestAnswered(202, Duration.ofSeconds(5));
    metrics.webhookListener().requestAnswered(418, Duration.ofMillis(1));
    metrics.webhookListener().processingFinished(CompletionOutcome.succeeded("p"), Duration.ofMillis(7));
    metrics.webhookListener().processingFinished(CompletionOutcome.pending("p"), Duration.ofMillis(1));
    metrics.webhookListener().processingFailed(new WebhookProcessingException("db", "p", true, null),
        Duration.ofMillis(2));
    metrics.webhookListener().processingFailed(new IllegalStateException("bug"), Duration.ofMillis(2));
    metrics.downloadListener().downloadSucceeded(1000, Duration.ofMillis(4));
    metrics.downloadListener().downloadSucceeded(3000, Duration.ofMillis(4));
    metrics.downloadListener().downloadFailed(new AudioTooLargeException("u", 99, 10), Duration.ofMillis(1));
    metrics.downloadListener().downloadFailed(new DownloadException("x", 503, true, null), Duration.ofMillis(1));
    metrics.recoveryListener().runFinished(new RecoveryReport(4, 1, 1, 0, 1, 1), Duration.ofMillis(9));
    metrics.recoveryListener().runFailed(new IllegalStateException("db"), Duration.ofMillis(9));

    assertThat(count(MetricNames.WEBHOOK_REQUESTS, "status", "200")).isEqualTo(1);
    assertThat(count(MetricNames.WEBHOOK_REQUESTS, "status", "202")).isEqualTo(1);
    assertThat(count(MetricNames.WEBHOOK_REQUESTS, "status", "other")).isEqualTo(1);
    assertThat(count(MetricNames.WEBHOOK_PROCESSING, "outcome", "succeeded")).isEqualTo(1);
    assertThat(count(MetricNames.WEBHOOK_PROCESSING, "outcome", "pending")).isEqualTo(1);
    assertThat(count(MetricNames.WEBHOOK_PROCESSING, "outcome", "retryable_error")).isEqualTo(1);
    assertThat(count(MetricNames.WEBHOOK_PROCESSING, "outcome", "error")).isEqualTo(1);
    assertThat(count(MetricNames.DOWNLOADS, "outcome", "success")).isEqualTo(2);
    assertThat(count(MetricNames.DOWNLOADS, "outcome", "too_large")).isEqualTo(1);
    assertThat(count(MetricNames.DOWNLOADS, "outcome", "failed")).isEqualTo(1);
    assertThat(registry.get(MetricNames.DOWNLOAD_SIZE).summary().totalAmount()).isEqualTo(4000);
    assertThat(count(MetricNames.RECOVERY_RUNS, "outcome", "success")).isEqualTo(1);
    assertThat(count(MetricNames.RECOVERY_RUNS, "outcome", "error")).isEqualTo(1);
    assertThat(count(MetricNames.RECOVERY_JOBS)).isEqualTo(4);
    assertThat(count(MetricNames.RECOVERY_JOBS, "result", "still_running")).isEqualTo(1);
  }

  @Test
  void bridgeCountersAreReadFromItsStatsAtEachScrape() {
    AtomicReference<BridgeStats> stats = new AtomicReference<>(new BridgeStats(0, 0, 0, 0, 0, false, 0));
    metrics.watchBridge("postgres", stats::get);
    metrics.bindTo(registry);
    stats.set(new BridgeStats(5, 7, 1, 2, 3, true, 4));
    assertThat(registry.get(MetricNames.BRIDGE_PUBLISHED).tags("bridge", "postgres").functionCounter().count())
        .isEqualTo(5);
    assertThat(registry.get(MetricNames.BRIDGE_RECEIVED).functionCounter().count()).isEqualTo(7);
    assertThat(registry.get(MetricNames.BRIDGE_DROPPED).functionCounter().count()).isEqualTo(1);
    assertThat(registry.get(MetricNames.BRIDGE_OUTAGES).tags("connection", "listener").functionCounter().count())
        .isEqualTo(2);
    assertThat(registry.get(MetricNames.BRIDGE_OUTAGES).tags("connection", "sender").functionCounter().count())
        .isEqualTo(3);
    assertThat(gauge(MetricNames.BRIDGE_LISTENING)).isEqualTo(1);
    assertThat(gauge(MetricNames.BRIDGE_QUEUED)).isEqualTo(4);
    assertThat(count(MetricNames.BRIDGE_POLLS)).as("a push bridge makes no polls").isZero();
  }

  @Test
  void aPollingBridgesRoundsAreCountedByOutcome() {
    AtomicReference<BridgeStats> stats = new AtomicReference<>(new BridgeStats(0, 0, 0, 0, 0, true, 0, 0, 0));
    metrics.watchBridge("polling", stats::get);
    metrics.bindTo(registry);
    stats.set(new BridgeStats(2, 3, 0, 0, 0, false, 1, 40, 6));
    assertThat(registry.get(MetricNames.BRIDGE_POLLS).tags("bridge", "polling", "outcome", "success")
        .functionCounter().count()).isEqualTo(40);
    assertThat(registry.get(MetricNames.BRIDGE_POLLS).tags("bridge", "polling", "outcome", "failure")
        .functionCounter().count()).isEqualTo(6);
    assertThat(gauge(MetricNames.BRIDGE_LISTENING, "bridge", "polling")).isZero();
  }

  @Test
  void eventsBeforeBindingAreNotCountedAndEveryBoundRegistryRecords() {
    metrics.webhookListener().requestAnswered(200, Duration.ofMillis(1));
    SimpleMeterRegistry second = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    metrics.bindTo(second);
    metrics.webhookListener().requestAnswered(200, Duration.ofMillis(1));
    assertThat(registry.get(MetricNames.WEBHOOK_REQUESTS).tags("status", "200").timer().count()).isEqualTo(1);
    assertThat(second.get(MetricNames.WEBHOOK_REQUESTS).tags("status", "200").timer().count()).isEqualTo(1);
  }

  /** A container that collects listeners by type (Spring) must find each hook's view exactly once. */
  @Test
  void eachHookGetsAViewThatImplementsThatHookOnly() {
    List<Object> views = List.of(metrics.ffmpegListener(), metrics.downloadListener(), metrics.webhookListener(),
        metrics.recoveryListener(), metrics.completionListener());
    List<Class<?>> hooks = List.of(FfmpegListener.class, dev.replicateaudio.port.DownloadListener.class,
        dev.replicateaudio.webhook.WebhookListener.class, dev.replicateaudio.webhook.RecoveryListener.class,
        dev.replicateaudio.notify.CompletionListener.class);
    for (Class<?> hook : hooks) {
      assertThat(views.stream().filter(hook::isInstance).count()).as(hook.getSimpleName()).isEqualTo(1);
    }
  }

  @Test
  void commonTagsAreOnEveryMeter() {
    ReplicateAudioMetrics tagged = ReplicateAudioMetrics.create(Tags.of("instance", "a"));
    tagged.bindTo(registry);
    try (WebhookCompletionNotifier notifier = new WebhookCompletionNotifier()) {
      tagged.watch(notifier);
    }
    assertThat(registry.getMeters()).isNotEmpty()
        .allSatisfy(m -> assertThat(m.getId().getTags()).contains(Tag.of("instance", "a")));
  }

  /** Random events never make a tag value outside the documented lists. */
  @Test
  void tagValuesStayInsideTheirListsWhateverHappens() {
    metrics.bindTo(registry);
    try (WebhookCompletionNotifier notifier = new WebhookCompletionNotifier()) {
      metrics.watch(notifier);
      Random random = new Random(42);
      for (int i = 0; i < 2000; i++) {
        metrics.webhookListener().requestAnswered(random.nextInt(1000) - 100, Duration.ofNanos(random.nextInt(1000)));
        metrics.ffmpegListener().runFinished(FfmpegListener.Program.values()[random.nextInt(2)],
            FfmpegListener.Outcome.values()[random.nextInt(4)], Duration.ofMillis(random.nextInt(100)));
        ContentKey key = new ContentKey("type_" + random.nextInt(50), random.nextInt(1000));
        CompletionOutcome outcome = switch (random.nextInt(3)) {
          case 0 -> CompletionOutcome.succeeded("p" + i);
          case 1 -> CompletionOutcome.failed("p" + i, "e" + i);
          default -> CompletionOutcome.canceled("p" + i, "c" + i);
        };
        if (random.nextBoolean()) {
          notifier.notifyCompletion(key, outcome);
        } else {
          notifier.notifyRemoteCompletion(key, outcome);
        }
      }
    }
    Map<String, Set<String>> allowed = Map.of(
        "status", Set.of("200", "202", "400", "401", "413", "500", "503", "other", "succeeded", "failed", "canceled",
            "timed_out"),
        "outcome", Set.of("succeeded", "failed", "canceled", "timed_out", "pending", "retryable_error", "error",
            "success", "too_large", "nonzero_exit", "timeout"),
        "tool", Set.of("ffmpeg", "ffprobe"),
        "origin", Set.of("local", "remote"),
        "result", Set.of("succeeded", "failed", "canceled", "still_running", "error"));
    Map<String, Set<String>> seen = new HashMap<>();
    for (Meter m : registry.getMeters()) {
      for (Tag t : m.getId().getTags()) {
        seen.computeIfAbsent(t.getKey(), k -> new HashSet<>()).add(t.getValue());
      }
    }
    assertThat(allowed.keySet()).containsAll(seen.keySet());
    seen.forEach((k, values) -> assertThat(allowed.get(k)).as(k).containsAll(values));
    assertThat(registry.getMeters().size()).isLessThan(100);
    assertThat(List.copyOf(seen.get("status"))).contains("other");
  }
}
