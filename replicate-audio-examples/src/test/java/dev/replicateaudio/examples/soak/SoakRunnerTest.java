package dev.replicateaudio.examples.soak;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The soak main runs for seconds, as a smoke test (the README's command runs it for minutes, the
 * lead's for an hour): every kind of job of the mix, no leak, every job in its state, the results
 * file and the charts drawn from it.
 */
@ExtendWith(LeakCheckExtension.class)
class SoakRunnerTest {
  @TempDir Path dir;

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("REPLICATE_FFMPEG_PATH", TestFfmpeg.settings().ffmpegPath());
    env.put("REPLICATE_FFPROBE_PATH", TestFfmpeg.settings().ffprobePath());
    return env;
  }

  @Test
  void aShortSoakEndsEveryJobAsItsFaultDictatesLeavesNothingBehindAndWritesItsResults() throws Exception {
    Path results = dir.resolve("soak-results.json");
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();

    int status = SoakRunner.run(new String[] {"--duration", "PT15S", "--warmup", "5", "--sample-interval", "2",
        "--concurrency", "12", "--min-jobs", "68", "--no-growth-limits", "--out", results.toString()}, env(),
        new PrintStream(buffer, true, StandardCharsets.UTF_8));
    String out = buffer.toString(StandardCharsets.UTF_8);

    assertThat(status).as(out).isZero();
    assertThat(out).contains("PASS: no leak, no job in the wrong state").containsPattern("\\[ +\\d+s\\] jobs \\d+ done");
    JsonNode r = new ObjectMapper().readTree(results.toFile());
    assertThat(r.path("jobs_total").asLong()).as(out).isGreaterThanOrEqualTo(68); // at least one deck
    for (String zero : List.of("jobs_wrong_state", "stored_twice", "temp_files_left", "child_processes_left",
        "connections_lent_left", "waiters_left")) {
      assertThat(r.path(zero).isIntegralNumber()).as(zero).isTrue();
      assertThat(r.path(zero).asLong()).as(zero).isZero();
    }
    for (String figure : List.of("duration_s", "threads_growth", "fds_growth", "heap_retained_growth_mb")) {
      assertThat(r.path(figure).isNumber()).as(figure).isTrue();
    }
    assertThat(r.path("jobs_by_kind").size()).as("every kind of job of the mix ran").isEqualTo(
        FaultMix.standard(1).kinds().size());
    assertThat(r.path("samples").size()).isGreaterThan(5);
    assertThat(r.path("samples").get(0).path("jobs_by_state").isObject()).isTrue();

    List<Path> charts = SoakChart.render(new String[] {results.toString(), "--out", dir.toString()},
        new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    assertThat(charts).extracting(p -> p.getFileName().toString())
        .containsExactly(SoakChart.HEAP_FILE, SoakChart.RESOURCES_FILE);
    for (Path chart : charts) {
      byte[] png = Files.readAllBytes(chart);
      assertThat(png.length).isGreaterThan(10_000);
      assertThat(new String(png, 1, 3, StandardCharsets.ISO_8859_1)).isEqualTo("PNG");
    }
  }

  @Test
  void theDurationComesFromTheArgumentsOrSoakDurationOrTheDefault() {
    Map<String, String> env = new HashMap<>();
    assertThat(SoakRunner.Options.parse(new String[0], env).duration()).isEqualTo(SoakRunner.DEFAULT_DURATION);
    assertThat(SoakRunner.Options.parse(new String[0], env).warmup()).isEqualTo(Duration.ofSeconds(60));
    env.put(SoakRunner.ENV_DURATION, "PT24H");
    assertThat(SoakRunner.Options.parse(new String[0], env).duration()).isEqualTo(Duration.ofHours(24));
    assertThat(SoakRunner.Options.parse(new String[] {"--duration", "90"}, env).duration())
        .isEqualTo(Duration.ofSeconds(90));
    assertThat(SoakRunner.Options.parse(new String[] {"--duration", "90"}, env).warmup())
        .isEqualTo(Duration.ofMillis(22_500));

    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[] {"--duration", "ten minutes"}, env))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--duration='ten minutes' is not a duration from 1 s to 30 days: seconds (e.g. 300 or 2.5)"
            + " or ISO-8601 (e.g. PT5M)");
    env.put(SoakRunner.ENV_DURATION, "-5");
    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[0], env)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("SOAK_DURATION='-5' is not a duration");
    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[] {"--warmup", "60", "--duration", "60"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("--warmup 60 s must be shorter than the duration 60 s");
    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[] {"--fast"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown argument '--fast'");
  }

  @Test
  void growthIsTheRiseOfTheFloorNotABurst() {
    List<SoakRunner.Sample> samples = List.of(sample(100), sample(140), sample(101), sample(150), sample(102),
        sample(101), sample(180));
    assertThat(SoakRunner.floorGrowth(samples, SoakRunner.Sample::threads)).isEqualTo(1);
    List<SoakRunner.Sample> leaking = List.of(sample(100), sample(101), sample(102), sample(110), sample(111),
        sample(112));
    assertThat(SoakRunner.floorGrowth(leaking, SoakRunner.Sample::threads)).isEqualTo(10);
  }

  private static SoakRunner.Sample sample(int threads) {
    return new SoakRunner.Sample(0, 0, 0, 0, 0, 0, 0, threads, 0, 0, 0, 0, 0, 0, Map.of());
  }
}
