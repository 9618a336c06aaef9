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
    assertThat(r.path("duration_s").isNumber()).isTrue();
    // without the growth checks no idle pause is taken: nothing to compare, so no growth figure
    assertThat(r.path("settle_s").asDouble()).isZero();
    assertThat(out).doesNotContain("idle baseline");
    for (String figure : List.of("threads_growth", "fds_growth", "heap_retained_growth_mb", "idle_baseline",
        "idle_end")) {
      assertThat(r.path(figure).isNull()).as(figure).isTrue();
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
    assertThat(SoakRunner.Options.parse(new String[0], Map.of()).settle()).isEqualTo(SoakRunner.DEFAULT_SETTLE);
    assertThat(SoakRunner.Options.parse(new String[] {"--settle", "PT2M"}, Map.of()).settle())
        .isEqualTo(Duration.ofMinutes(2));
    assertThat(SoakRunner.Options.parse(new String[] {"--no-growth-limits"}, Map.of()).settle()).isZero();
    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[] {"--settle", "0"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("--settle='0' is not a duration");
    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[] {"--settle", "30", "--no-growth-limits"},
        Map.of())).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--settle 30 s has no use with --no-growth-limits: the idle pauses it times are taken only for"
            + " the growth checks");
    assertThatThrownBy(() -> SoakRunner.Options.parse(new String[] {"--fast"}, Map.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageStartingWith("unknown argument '--fast'");
  }

  @Test
  void aBusyPoolThatShrinksWhenIdleIsNoGrowthThoughItsFloorUnderLoadRose() {
    SimulatedSoak soak = new SimulatedSoak(0);
    soak.load(60);
    SoakRunner.Idle baseline = soak.settle(120);
    List<SoakRunner.Sample> underLoad = soak.load(600);
    SoakRunner.Idle end = soak.settle(120);

    // the shape the floor check (3 samples at each end, under load) failed on: the pool's size, not a leak
    assertThat(floorRise(underLoad)).isGreaterThan(SoakRunner.MAX_THREADS_GROWTH);
    // idle, with the default settle, the pool is back to nothing at both ends
    assertThat(end.threads() - baseline.threads()).isZero();
    assertThat(SoakRunner.growthFailures(baseline, end)).isEmpty();
  }

  @Test
  void threadsLeakedUnderLoadFailTheCheckAndTheFailureNamesThePool() {
    SimulatedSoak soak = new SimulatedSoak(120);
    soak.load(60);
    SoakRunner.Idle baseline = soak.settle(120);
    soak.load(600);
    SoakRunner.Idle end = soak.settle(120);

    assertThat(SoakRunner.growthFailures(baseline, end)).containsExactly("threads_growth is 5, the limit is 2"
        + " (idle end minus idle baseline; more threads in soak-leak-# +5)");
  }

  @Test
  void descriptorsOrRetainedHeapGrownBetweenTheIdleSamplesFailTheCheck() {
    SoakRunner.Idle baseline = new SoakRunner.Idle(150, 80, 140, 55.0, Map.of("main", 1));
    assertThat(SoakRunner.growthFailures(baseline, new SoakRunner.Idle(900, 82, 145, 62.9, Map.of("main", 1))))
        .as("at the limits").isEmpty();
    assertThat(SoakRunner.growthFailures(baseline, new SoakRunner.Idle(900, 79, 146, 54.0, Map.of("main", 1))))
        .containsExactly("fds_growth is 6, the limit is 5 (idle end minus idle baseline)");
    assertThat(SoakRunner.growthFailures(baseline, new SoakRunner.Idle(900, 80, 140, 63.0, Map.of("main", 1))))
        .containsExactly("heap_retained_growth_mb is 8.00, the limit is below 8 (idle end minus idle baseline)");
  }

  @Test
  void threadsAreCountedByPoolWithTheirNumbersFolded() throws Exception {
    java.util.concurrent.CountDownLatch stop = new java.util.concurrent.CountDownLatch(1);
    List<Thread> threads = List.of(new Thread(() -> await(stop), "soak-test-pool-7-thread-12"),
        new Thread(() -> await(stop), "soak-test-pool-7-thread-3"));
    Map<String, Integer> before = SoakRunner.threadsByPool();
    threads.forEach(Thread::start);
    try {
      Map<String, Integer> during = SoakRunner.threadsByPool();
      assertThat(during).containsEntry("soak-test-pool-#-thread-#", 2);
      assertThat(SoakRunner.changes(before, during, true)).contains("soak-test-pool-#-thread-# +2");
      assertThat(SoakRunner.changes(during, before, false)).contains("soak-test-pool-#-thread-# -2");
    } finally {
      stop.countDown();
      for (Thread t : threads) {
        t.join();
      }
    }
  }

  private static void await(java.util.concurrent.CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The old check: the lowest of the last 3 samples under load minus the lowest of the first 3. */
  private static int floorRise(List<SoakRunner.Sample> s) {
    return s.subList(s.size() - 3, s.size()).stream().mapToInt(SoakRunner.Sample::threads).min().getAsInt()
        - s.subList(0, 3).stream().mapToInt(SoakRunner.Sample::threads).min().getAsInt();
  }

  private static SoakRunner.Sample sample(double seconds, int threads) {
    return new SoakRunner.Sample(seconds, 0, 0, 0, 0, 0, 0, threads, 0, 0, 0, 0, 0, 0, Map.of());
  }

  /**
   * A soak's threads second by second, as the runner samples them: a fixed part; a cached pool that
   * keeps an idle thread {@value #KEEP_ALIVE_S} s (as OkHttp's dispatcher does), reuses the latest
   * idle one, and serves a load with bursts every 37 s that gets busier after 500 s; and, with {@code
   * leakEvery}, a pool that gains a thread every {@code leakEvery} s and never lets one go.
   */
  private static final class SimulatedSoak {
    private static final int FIXED = 60;
    private static final int KEEP_ALIVE_S = 60;
    private final int leakEvery;
    /** The pool's idle threads, by the second each went idle, latest last. */
    private final List<Integer> idleSince = new java.util.ArrayList<>();
    private int busy;
    private int leaked;
    private int t;

    SimulatedSoak(int leakEvery) {
      this.leakEvery = leakEvery;
    }

    /** {@code seconds} under load; the samples taken every 10 s. */
    List<SoakRunner.Sample> load(int seconds) {
      List<SoakRunner.Sample> samples = new java.util.ArrayList<>();
      for (int end = t + seconds; t < end; t++) {
        serve(8 + (t % 37 < 5 ? 20 : 0) + (t >= 500 ? 6 : 0));
        if (leakEvery > 0 && t % leakEvery == leakEvery - 1) {
          leaked++;
        }
        if (t % 10 == 9) {
          samples.add(sample(t, threads()));
        }
      }
      return samples;
    }

    /** The drain (nothing more to do) and {@link SoakRunner#DEFAULT_SETTLE} idle; the idle sample then. */
    SoakRunner.Idle settle(int fds) {
      for (long end = t + SoakRunner.DEFAULT_SETTLE.toSeconds(); t < end; t++) {
        serve(0);
      }
      return new SoakRunner.Idle(t, threads(), fds, 50,
          Map.of("main", 1, "OkHttp Dispatcher", busy + idleSince.size(), "soak-leak-#", leaked));
    }

    private void serve(int demand) {
      idleSince.removeIf(since -> t - since >= KEEP_ALIVE_S);
      for (; busy < demand; busy++) {
        if (!idleSince.isEmpty()) {
          idleSince.remove(idleSince.size() - 1);
        }
      }
      for (; busy > demand; busy--) {
        idleSince.add(t);
      }
    }

    private int threads() {
      return FIXED + busy + idleSince.size() + leaked;
    }
  }
}
