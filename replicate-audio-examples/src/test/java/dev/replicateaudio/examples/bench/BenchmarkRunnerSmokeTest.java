package dev.replicateaudio.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicateaudio.jdbi.testing.LocalMariaDb;
import dev.replicateaudio.testing.Ci;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs the whole harness in its tiny mode: every figure measured, written and charted. */
class BenchmarkRunnerSmokeTest {
  /** Issue 7's keys, written out here so that a key the harness drops fails this test. */
  private static final List<String> KEYS = keys();

  private static List<String> keys() {
    List<String> k = new ArrayList<>(List.of("wake_p50_ms", "wake_p99_ms", "poll500_p50_ms", "poll1000_p50_ms",
        "waiters_100k_heap_mb", "waiters_100k_threads_added", "trim_overhead_ratio", "heap_growth_1mb_mb",
        "heap_growth_10mb_mb", "heap_growth_50mb_mb", "heap_growth_50mb_mariadb_mb", "heap_growth_50mb_sqlite_mb",
        "store_vs_jdbc_ratio"));
    for (String db : List.of("h2", "pg")) {
      for (String trim : List.of("notrim", "trim")) {
        for (int c : new int[] {1, 4, 16}) {
          k.add("webhooks_per_s_" + db + "_" + trim + "_c" + c);
        }
      }
    }
    for (int c : new int[] {1, 4, 16}) {
      k.add("bare_ffmpeg_per_s_c" + c);
    }
    // issue 14: the tiny run trims with the bundled ffmpeg only
    for (String db : List.of("h2", "pg")) {
      for (int c : new int[] {1, 4, 16}) {
        k.add("trim_vs_bare_" + db + "_c" + c + "_bundled");
      }
      for (String who : List.of("library", "gc", "jit", "harness", "other")) {
        k.add("cpu_ms_per_webhook_" + who + "_" + db);
      }
    }
    // the database's ceiling beside the webhooks: plain JDBC inserts of the same 200 KB
    for (String db : List.of("h2", "pg")) {
      for (int c : new int[] {1, 4, 16}) {
        k.add("jdbc_inserts_per_s_" + db + "_c" + c);
      }
    }
    k.add("cpu_ms_per_insert_pg_server");
    k.addAll(List.of("cpu_ms_per_webhook_pg_server", "bridge_wake_p50_ms", "bridge_wake_p99_ms", "pg_notify_p50_ms",
        "pg_notify_p99_ms",
        "webhooks_per_s_pg_nobridge_c16", "webhooks_per_s_pg_bridge_c16", "bridge_cost_pg_c16_pct"));
    return k;
  }

  @Test
  void tinyRunWritesEveryFigureAsAFiniteNumberWithTheMachineAndRendersTheCharts(@TempDir Path dir) throws Exception {
    if (LocalMariaDb.findServer().isEmpty()) {
      throw Ci.unavailable("the benchmark's heap figure on MariaDB needs mariadbd installed",
          new java.io.IOException("no mariadbd"));
    }
    Path json = dir.resolve("benchmark-results.json");
    Path charts = dir.resolve("charts");
    ByteArrayOutputStream printed = new ByteArrayOutputStream();
    // the bundled ffmpeg starts in a fifth of the time of Debian's: the same run, faster
    BenchmarkRunner.Options options = BenchmarkRunner.Options.parse("--mode", "tiny", "--no-fork",
        "--ffmpeg", "bundled", "--json", json.toString(), "--charts", charts.toString());

    BenchmarkRunner.run(options, new PrintStream(new TeeOutputStream(printed, System.out), true,
        StandardCharsets.UTF_8));

    JsonNode root = new ObjectMapper().readTree(json.toFile());
    for (String key : KEYS) {
      assertThat(root.get(key)).as(key).isNotNull();
      assertThat(root.get(key).isNumber()).as(key + " is a number: " + root.get(key)).isTrue();
      assertThat(Double.isFinite(root.get(key).asDouble())).as(key + " is finite").isTrue();
    }
    List<String> names = new ArrayList<>();
    root.fieldNames().forEachRemaining(names::add);
    assertThat(names).containsExactlyInAnyOrderElementsOf(concat(KEYS, List.of("mode", "date", "machine")));
    assertThat(root.get("mode").asText()).isEqualTo("tiny");
    assertThat(root.get("date").asText()).matches("\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z");
    JsonNode machine = root.get("machine");
    assertThat(machine.get("cores").asInt()).isPositive();
    assertThat(machine.get("memory_mb").asLong()).isPositive();
    assertThat(machine.get("jdk").asText()).isNotBlank();
    assertThat(machine.get("ffmpeg").asText()).startsWith("ffmpeg version");
    assertThat(root.get("waiters_100k_threads_added").isIntegralNumber()).isTrue();
    assertThat(root.get("poll1000_p50_ms").asDouble()).isGreaterThan(root.get("wake_p50_ms").asDouble());
    assertIssue14FiguresArePlausible(root);

    for (String chart : Charts.files()) {
      byte[] png = Files.readAllBytes(charts.resolve(chart));
      assertThat(png.length).as(chart).isGreaterThan(10_000);
      assertThat(new String(png, 1, 3, StandardCharsets.US_ASCII)).as(chart).isEqualTo("PNG");
    }
    String table = printed.toString(StandardCharsets.UTF_8);
    assertThat(table).contains("figure", "goal", "met?", "store_vs_jdbc_ratio", "heap_growth_50mb_mb");
    try (Stream<Path> left = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("replicate-audio-bench-"));
    }
  }

  /** The figures of issue 14 agree with each other and with the machine. */
  private static void assertIssue14FiguresArePlausible(JsonNode root) {
    int cores = Runtime.getRuntime().availableProcessors();
    for (String db : List.of("h2", "pg")) {
      for (int c : new int[] {1, 4, 16}) {
        double share = root.get("trim_vs_bare_" + db + "_c" + c + "_bundled").asDouble();
        double ratio = root.get("webhooks_per_s_" + db + "_trim_c" + c).asDouble()
            / root.get("bare_ffmpeg_per_s_c" + c).asDouble();
        assertThat(share).as("trim_vs_bare_%s_c%d_bundled is the ratio of the two rates", db, c)
            .isCloseTo(ratio, org.assertj.core.data.Percentage.withPercentage(1));
      }
      double library = root.get("cpu_ms_per_webhook_library_" + db).asDouble();
      double jvm = root.get("cpu_ms_per_webhook_gc_" + db).asDouble()
          + root.get("cpu_ms_per_webhook_jit_" + db).asDouble();
      double harness = root.get("cpu_ms_per_webhook_harness_" + db).asDouble();
      assertThat(library).as("the library's CPU per webhook on " + db).isPositive();
      assertThat(harness).as("the client and simulator do work for every webhook on " + db).isPositive();
      assertThat(jvm).isNotNegative();
      assertThat(root.get("cpu_ms_per_webhook_other_" + db).asDouble()).as("the rest of the machine's CPU on " + db)
          .isNotNegative();
      // the cells ran no faster than their slowest rate: all the JVM's CPU fits in cores x that time
      double slowest = Double.MAX_VALUE;
      for (int c : new int[] {1, 4, 16}) {
        slowest = Math.min(slowest, root.get("webhooks_per_s_" + db + "_notrim_c" + c).asDouble());
      }
      assertThat(library + jvm + harness).as("CPU per webhook on " + db + " within what " + cores + " cores give")
          .isLessThanOrEqualTo(1.1 * cores * 1000 / slowest);
    }
    if (new java.io.File("/proc/self/stat").exists()) {
      assertThat(root.get("cpu_ms_per_webhook_pg_server").asDouble()).as("PostgreSQL's own CPU per webhook")
          .isPositive();
      assertThat(root.get("cpu_ms_per_insert_pg_server").asDouble()).as("PostgreSQL's own CPU per plain insert")
          .isPositive();
    }
    for (String db : List.of("h2", "pg")) {
      for (int c : new int[] {1, 4, 16}) {
        assertThat(root.get("jdbc_inserts_per_s_" + db + "_c" + c).asDouble()).as("plain inserts on %s at c%d", db, c)
            .isPositive();
      }
    }
    double p50 = root.get("bridge_wake_p50_ms").asDouble();
    assertThat(p50).isPositive().isLessThanOrEqualTo(root.get("bridge_wake_p99_ms").asDouble());
    assertThat(root.get("pg_notify_p50_ms").asDouble()).isPositive()
        .isLessThanOrEqualTo(root.get("pg_notify_p99_ms").asDouble());
    double with = root.get("webhooks_per_s_pg_bridge_c16").asDouble();
    double without = root.get("webhooks_per_s_pg_nobridge_c16").asDouble();
    assertThat(with).isPositive();
    assertThat(root.get("bridge_cost_pg_c16_pct").asDouble()).isCloseTo(100 * (1 - with / without),
        org.assertj.core.data.Offset.offset(0.2));
  }

  /** Keeps what the run prints and shows it in the test's output too. */
  private static final class TeeOutputStream extends java.io.OutputStream {
    private final java.io.OutputStream a;
    private final java.io.OutputStream b;

    TeeOutputStream(java.io.OutputStream a, java.io.OutputStream b) {
      this.a = a;
      this.b = b;
    }

    @Override
    public void write(int c) throws java.io.IOException {
      a.write(c);
      b.write(c);
    }

    @Override
    public void write(byte[] bytes, int off, int len) throws java.io.IOException {
      a.write(bytes, off, len);
      b.write(bytes, off, len);
    }

    @Override
    public void flush() throws java.io.IOException {
      a.flush();
      b.flush();
    }
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
