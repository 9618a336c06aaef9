package dev.replicateaudio.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every example main runs to a successful end, offline, and leaves no temp file or process behind. */
@ExtendWith(LeakCheckExtension.class)
class ExampleMainsTest {

  private static Map<String, String> ffmpegEnv() {
    Map<String, String> env = new HashMap<>();
    var settings = TestFfmpeg.settings();
    env.put("REPLICATE_FFMPEG_PATH", settings.ffmpegPath());
    env.put("REPLICATE_FFPROBE_PATH", settings.ffprobePath());
    return env;
  }

  @Test
  void quickstartProcessesTheWholeBatchAndPrintsTheTable() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code = SoundEffectsPipeline.run(ffmpegEnv(), new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);

    assertThat(code).as(out).isZero();
    assertThat(out).contains("local simulator at http://127.0.0.1:")
        .contains("[9/9]")
        .contains("9 of 9 succeeded");
    assertThat(out.lines().filter(l -> l.startsWith("sound_effect:")).count()).isEqualTo(8);
    assertThat(out.lines().filter(l -> l.startsWith("background_music:1") && l.contains("succeeded"))).hasSize(1);
    // sound effects were trimmed: 0.5 s of silence at each end is gone
    assertThat(out).containsPattern("sound_effect:1 .*succeeded +2\\.00 -> 1\\.00");
  }

  @Test
  void springBootQuickstartRunsTheBatchThroughTheStarterAndReadsItsActuator() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code = SpringBootQuickstart.run(ffmpegEnv(), new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);

    assertThat(code).as(out).isZero();
    assertThat(out).contains("9 of 9 succeeded").contains("/actuator/health: UP")
        .contains("replicate_audio_completions_total{origin=\"local\",status=\"succeeded\"} 9.0")
        .containsPattern("replicate_audio_ffmpeg_runs_seconds_count\\{outcome=\"success\",tool=\"ffmpeg\"} [1-9]");
    // every webhook answered 2xx: 200 once processed, or 202 when processing outlasted acknowledge-after
    // (a loaded machine); the 9 completions above show each was processed either way
    Matcher answers = Pattern.compile("replicate_audio_webhook_requests_seconds_count\\{status=\"(\\d+)\"} (\\d+)")
        .matcher(out);
    Map<String, Integer> byStatus = new TreeMap<>();
    while (answers.find()) {
      byStatus.merge(answers.group(1), Integer.parseInt(answers.group(2)), Integer::sum);
    }
    assertThat(byStatus.keySet()).as(out).isNotEmpty().isSubsetOf("200", "202");
    assertThat(byStatus.values().stream().mapToInt(Integer::intValue).sum()).as(out).isEqualTo(9);
  }

  @Test
  void recoveryExampleFinishesJobsWhoseWebhooksWereLost() throws Exception {
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    int code = RecoveryExample.run(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);

    assertThat(code).as(out).isZero();
    assertThat(out).contains("3 of 3 jobs recovered without their webhooks").contains("(3 webhooks lost)");
  }

  @Test
  void hostWiringServesWebhooksAndGeneratesAudio() throws Exception {
    try (ReplicateSimulator replicate = ReplicateSimulator.builder().ffmpeg(TestFfmpeg.settings()).start()) {
      int port;
      try (ServerSocket free = new ServerSocket(0)) {
        port = free.getLocalPort();
      }
      Map<String, String> env = ffmpegEnv();
      env.put("REPLICATE_API_TOKEN", replicate.apiToken());
      env.put("REPLICATE_BASE_URL", replicate.baseUrl());
      env.put("REPLICATE_WEBHOOK_BASE_URL", "http://127.0.0.1:" + port + "/hooks/replicate");
      env.put("REPLICATE_DOWNLOAD_ALLOWED_HOSTS", "127.0.0.1");
      env.put("PORT", Integer.toString(port));
      env.put("DATABASE_URL", "jdbc:h2:mem:host-wiring-" + System.nanoTime());

      try (HostWiring.Host host = HostWiring.start(env)) {
        CompletionOutcome outcome = host.audio().generate(ContentKey.soundEffect(42),
                PredictionRequest.forModel("sepal/audiogen").input(Map.of("prompt", "door creak", "duration", 1)).build(),
                Duration.ofSeconds(60))
            .toCompletableFuture().join();
        assertThat(outcome.isSuccess()).as(outcome.toString()).isTrue();
        assertThat(host.webhooks().received()).isGreaterThanOrEqualTo(1);
      }
    }
  }
}
