package dev.replicateaudio.examples.soak;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.replicateaudio.examples.bench.Charts;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Draws a soak run's time series from its results file ({@link SoakRunner}) with the benchmark's
 * {@link Charts}: {@value #HEAP_FILE} (the heap after a full GC, with the limit above the idle
 * baseline's retained heap) and {@value #RESOURCES_FILE} (threads, file descriptors, child processes,
 * temp directories, lent connections, parked waiters, jobs in flight).
 *
 * <pre>
 * mvn -q -B -DskipTests -pl replicate-audio-examples -am package exec:java \
 *     -Dexec.mainClass=dev.replicateaudio.examples.soak.SoakChart
 * </pre>
 *
 * <p>Arguments: {@code [RESULTS_JSON] [--out DIR]}; by default
 * {@code replicate-audio-examples/target/soak-results.json} and the repository's {@code docs/}.
 */
public final class SoakChart {
  /** The heap chart's file name. */
  public static final String HEAP_FILE = "soak-heap.png";
  /** The resources chart's file name. */
  public static final String RESOURCES_FILE = "soak-resources.png";

  private SoakChart() {
  }

  /**
   * Draws the charts; exits 2 on bad arguments or an unreadable file.
   *
   * @param args {@code [RESULTS_JSON] [--out DIR]}
   */
  public static void main(String[] args) {
    System.setProperty("java.awt.headless", "true");
    try {
      render(args, System.out);
    } catch (IllegalArgumentException | IOException e) {
      System.err.println("soak chart: " + e.getMessage());
      System.exit(2);
    }
  }

  /** Draws both charts; returns their files. */
  static List<Path> render(String[] args, PrintStream out) throws IOException {
    Path results = null;
    Path dir = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--out")) {
        if (++i >= args.length) {
          throw new IllegalArgumentException("--out needs a directory");
        }
        dir = Path.of(args[i]);
      } else if (results == null && !args[i].startsWith("--")) {
        results = Path.of(args[i]);
      } else {
        throw new IllegalArgumentException("unknown argument '" + args[i] + "'; accepted: [RESULTS_JSON] [--out DIR]");
      }
    }
    Path module = SoakRunner.moduleDirectory().orElse(null);
    if (results == null) {
      if (module == null) {
        throw new IllegalArgumentException("can't tell where replicate-audio-examples is; name the results file");
      }
      results = module.resolve("target").resolve("soak-results.json");
    }
    if (dir == null) {
      if (module == null) {
        throw new IllegalArgumentException("can't tell where the repository is; pass --out DIR");
      }
      dir = module.toAbsolutePath().getParent().resolve("docs");
    }
    if (!Files.isRegularFile(results)) {
      throw new IllegalArgumentException("no results file at " + results + ": run SoakRunner first");
    }
    JsonNode r = new ObjectMapper().readTree(results.toFile());
    JsonNode samples = r.path("samples");
    if (!samples.isArray() || samples.size() == 0) {
      throw new IllegalArgumentException(results + " holds no samples");
    }
    String subtitle = String.format(Locale.ROOT, "%s, %s, %.0f s: %d jobs, %d in the wrong state, %d stored twice;"
            + " %d cores, load %.1f at the end", r.path("database").asText("?"), r.path("started_at").asText(""),
        r.path("duration_s").asDouble(), r.path("jobs_total").asLong(), r.path("jobs_wrong_state").asLong(),
        r.path("stored_twice").asLong(), r.path("machine").path("cores").asInt(),
        r.path("machine").path("load_average_end").asDouble());

    Map<String, List<double[]>> heap = new LinkedHashMap<>();
    heap.put("heap after full GC (MB)", series(samples, "heap_after_gc_mb"));
    Map<String, Double> marks = new LinkedHashMap<>();
    // the idle baseline; a results file from before it (#14) had the level after the warm-up, under load
    JsonNode idle = r.path("idle_baseline").path("heap_retained_mb");
    JsonNode base = idle.isNumber() ? idle : r.path("heap_retained_after_warmup_mb");
    if (base.isNumber()) {
      marks.put(idle.isNumber() ? "idle baseline" : "after warm-up", base.asDouble());
      marks.put("limit: +" + (int) SoakRunner.MAX_HEAP_GROWTH_MB + " MB",
          base.asDouble() + SoakRunner.MAX_HEAP_GROWTH_MB);
    }
    Path heapChart = Charts.lines(dir.resolve(HEAP_FILE), "Soak: retained heap", subtitle, "MB", heap, marks);

    Map<String, List<double[]>> resources = new LinkedHashMap<>();
    resources.put("threads", series(samples, "threads"));
    resources.put("open file descriptors", series(samples, "fds"));
    resources.put("jobs in flight", series(samples, "in_flight"));
    resources.put("parked waiters", series(samples, "waiters"));
    resources.put("temp directories", series(samples, "temp_dirs"));
    resources.put("child processes", series(samples, "child_processes"));
    resources.put("connections lent", series(samples, "connections_lent"));
    Path resourcesChart = Charts.lines(dir.resolve(RESOURCES_FILE), "Soak: resources held (0 jobs in flight: idle,"
        + " the last point after the run)", subtitle, "count", resources, Map.of());
    out.println("wrote " + heapChart + " and " + resourcesChart);
    return List.of(heapChart, resourcesChart);
  }

  private static List<double[]> series(JsonNode samples, String field) {
    List<double[]> points = new ArrayList<>();
    for (JsonNode s : samples) {
      points.add(new double[] {s.path("t_s").asDouble(), s.path(field).asDouble()});
    }
    return points;
  }
}
