package dev.replicateaudio.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.testing.TestFfmpeg;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Pins the public names: what a Prometheus scrape shows for every meter, compared with
 * {@code prometheus-scrape.txt}. A rename breaks dashboards; update the snapshot only on purpose
 * (and say so in CHANGELOG.md).
 */
class PrometheusScrapeTest {
  @Test
  void theScrapeShowsExactlyTheSnapshotsNamesTypesAndTags() throws IOException {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ReplicateAudioMetrics metrics = ReplicateAudioMetrics.create();
    try (WebhookCompletionNotifier notifier = new WebhookCompletionNotifier();
        FfmpegRunner ffmpeg = FfmpegRunner.create(TestFfmpeg.settings(), metrics.ffmpegListener())) {
      metrics.watch(ffmpeg).watch(notifier)
          .watchBridge(CompletionBridges.POSTGRES, () -> new BridgeStats(1, 2, 3, 4, 5, true, 6))
          .watchBridge(CompletionBridges.POLLING, () -> new BridgeStats(1, 2, 3, 0, 0, true, 4, 5, 6));
      metrics.bindTo(registry);
      List<String> actual = shape(registry.scrape());
      String expected;
      try (InputStream in = getClass().getResourceAsStream("prometheus-scrape.txt")) {
        expected = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      assertThat(String.join("\n", actual)).as("scrape shape; the actual one is printed above")
          .isEqualTo(expected.strip());
    }
  }

  /** The scrape without values and help texts: TYPE lines and series names with their labels, sorted. */
  static List<String> shape(String scrape) {
    List<String> lines = scrape.lines()
        .filter(l -> l.startsWith("# TYPE replicate_audio_") || l.startsWith("replicate_audio_"))
        .map(l -> l.startsWith("#") ? l : l.substring(0, l.lastIndexOf(' ')))
        .sorted()
        .collect(Collectors.toList());
    System.out.println(String.join("\n", lines));
    return lines;
  }
}
