package dev.replicateaudio.examples.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.examples.ExampleFfmpeg;
import dev.replicateaudio.examples.Threads;
import dev.replicateaudio.ffmpeg.BundledFfmpeg;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The benchmark harness of issue 7: measures the library's published performance figures on this
 * machine, prints them as a table against their goals, writes them to
 * {@code replicate-audio-examples/target/benchmark-results.json} and renders the charts into
 * {@code docs/}.
 *
 * <pre>
 * mvn -q -B -DskipTests -pl replicate-audio-examples -am package exec:java \
 *     -Dexec.mainClass=dev.replicateaudio.examples.bench.BenchmarkRunner -Dexec.args="--mode full"
 * </pre>
 *
 * <p>Options: {@code --mode quick|full} (default quick: under 3 minutes on 2 cores; full: stable
 * numbers in about 10 minutes; {@code tiny}: seconds, for the smoke test), {@code --json FILE},
 * {@code --charts DIR} (default: {@code docs/} in the full mode, none in the others) or {@code --no-charts}, {@code --figures 1,2,...} (a subset, for profiling;
 * the JSON then holds only those), {@code --ffmpeg bundled} (the ffmpeg inside
 * {@code org.bytedeco:ffmpeg} even when one is installed; default {@code auto}: the installed one,
 * else the bundled one), {@code --no-fork}.
 *
 * <p>The figures are measured in a JVM of their own, started by this main with fixed flags
 * ({@code -Xms1g -Xmx1g -XX:+UseG1GC}, headless, its temp directory under {@code target/}): the
 * heap figures then measure our objects, not Maven's, on a heap that does not resize, and the
 * numbers do not depend on how Maven was started. {@code --no-fork} measures in the calling JVM.
 *
 * <p>The run fails (exception, non-zero exit) when a figure can't be measured; a missed goal is
 * reported in the table, not a failure.
 */
public final class BenchmarkRunner {
  /**
   * TCP_NODELAY for the JDK's HTTP servers (the webhook receiver, the delivery server): without it
   * every response waits 40 ms for a delayed ACK (see {@code JdkWebhookServer}).
   */
  static final String NODELAY = "sun.net.httpserver.nodelay";
  /** The flags of the measuring JVM. */
  static final List<String> JVM_FLAGS = List.of("-Xms1g", "-Xmx1g", "-XX:+UseG1GC", "-Djava.awt.headless=true",
      "-Duser.language=en", "-Duser.country=US", "-Duser.timezone=UTC",
      "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-D" + NODELAY + "=true");
  private static final Set<Integer> ALL_FIGURES = Set.of(1, 2, 3, 4, 5, 6, 7);

  private BenchmarkRunner() {
  }

  /**
   * What to run and where results go.
   *
   * @param plan the mode's sample counts
   * @param json where the results go
   * @param charts the directory for the PNG charts; null for none
   * @param fork whether to measure in a new JVM
   * @param forked whether this is that JVM (it exits when done)
   * @param figures which figures to measure, 1 to 6
   * @param bundledFfmpeg whether to use the ffmpeg bundled in org.bytedeco:ffmpeg even when one is
   *     installed (by default the examples' choice: the installed one, else the bundled one)
   */
  record Options(Plan plan, Path json, Path charts, boolean fork, boolean forked, Set<Integer> figures,
      boolean bundledFfmpeg) {
    static Options parse(String... args) {
      Plan plan = Plan.QUICK;
      Path json = null;
      Path charts = null;
      boolean noCharts = false;
      boolean fork = true;
      boolean forked = false;
      boolean bundled = false;
      Set<Integer> figures = new LinkedHashSet<>(List.of(1, 2, 3, 4, 5, 6, 7));
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--mode":
            plan = Plan.named(value(args, ++i, a));
            break;
          case "--json":
            json = Path.of(value(args, ++i, a));
            break;
          case "--charts":
            charts = Path.of(value(args, ++i, a));
            break;
          case "--no-charts":
            noCharts = true;
            break;
          case "--no-fork":
            fork = false;
            break;
          case "--ffmpeg":
            String which = value(args, ++i, a);
            if (!which.equals("bundled") && !which.equals("auto")) {
              throw new IllegalArgumentException("--ffmpeg must be auto or bundled, was '" + which + "'");
            }
            bundled = which.equals("bundled");
            break;
          case "--forked":
            forked = true;
            fork = false;
            break;
          case "--figures":
            figures = figures(value(args, ++i, a));
            break;
          default:
            throw new IllegalArgumentException("unknown argument '" + a + "'; accepted: --mode quick|full|tiny,"
                + " --json FILE, --charts DIR, --no-charts, --figures 1,2,..., --ffmpeg auto|bundled, --no-fork");
        }
      }
      Optional<Path> module = moduleDirectory();
      if (json == null) {
        json = module.map(m -> m.resolve("target").resolve("benchmark-results.json")).orElseThrow(() ->
            new IllegalArgumentException("can't tell where replicate-audio-examples is; pass --json FILE"));
      }
      if (noCharts) {
        charts = null;
      } else if (charts == null && plan == Plan.FULL) {
        // only a full run replaces the published charts; quick and tiny runs draw none unless asked
        charts = module.map(m -> m.toAbsolutePath().getParent().resolve("docs")).orElseThrow(() ->
            new IllegalArgumentException("can't tell where the repository is; pass --charts DIR or --no-charts"));
      }
      return new Options(plan, json.toAbsolutePath(), charts == null ? null : charts.toAbsolutePath(), fork, forked,
          Set.copyOf(figures), bundled);
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }

    private static Set<Integer> figures(String list) {
      Set<Integer> f = new LinkedHashSet<>();
      for (String part : list.split(",")) {
        int n;
        try {
          n = Integer.parseInt(part.strip());
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--figures takes numbers from 1 to 7, was '" + list + "'", e);
        }
        if (!ALL_FIGURES.contains(n)) {
          throw new IllegalArgumentException("--figures takes numbers from 1 to 7, was '" + list + "'");
        }
        f.add(n);
      }
      return f;
    }

    /** The arguments that make a forked JVM do what these options say. */
    List<String> forkedArgs() {
      List<String> a = new ArrayList<>(List.of("--forked", "--mode", plan.name(), "--json", json.toString()));
      if (charts == null) {
        a.add("--no-charts");
      } else {
        a.addAll(List.of("--charts", charts.toString()));
      }
      a.add("--figures");
      a.add(String.join(",", figures.stream().sorted().map(String::valueOf).toList()));
      a.addAll(List.of("--ffmpeg", bundledFfmpeg ? "bundled" : "auto"));
      return a;
    }
  }

  /**
   * Runs the benchmarks (see the class description).
   *
   * @throws IllegalStateException when the measuring JVM fails (it printed why)
   */
  public static void main(String[] args) throws Exception {
    Options options = Options.parse(args);
    if (options.fork()) {
      int exit = fork(options);
      if (exit != 0) {
        throw new IllegalStateException("the benchmark JVM exited with code " + exit + " (see its output above)");
      }
      return;
    }
    if (options.forked()) {
      int status = 0;
      try {
        run(options, System.out);
      } catch (Throwable t) {
        t.printStackTrace();
        status = 1;
      }
      System.out.flush();
      System.exit(status); // this JVM exists only for the benchmark
    }
    run(options, System.out);
  }

  /** Starts a JVM with {@link #JVM_FLAGS} running the benchmark; returns its exit code. */
  static int fork(Options options) throws IOException, InterruptedException {
    Path tmp = moduleDirectory().map(m -> m.resolve("target").resolve("bench-tmp"))
        .orElse(Path.of(System.getProperty("java.io.tmpdir")));
    Files.createDirectories(tmp);
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(JVM_FLAGS);
    command.add("-Djava.io.tmpdir=" + tmp.toAbsolutePath());
    command.add("-cp");
    command.add(classpath());
    command.add(BenchmarkRunner.class.getName());
    command.addAll(options.forkedArgs());
    Process child = new ProcessBuilder(command).inheritIO().start();
    Thread stopChild = new Thread(child::destroy, "bench-stop-child");
    Runtime.getRuntime().addShutdownHook(stopChild);
    try {
      return child.waitFor();
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(stopChild);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
    }
  }

  /** This class's classpath: the class loader's URLs (exec:java), else {@code java.class.path}. */
  static String classpath() {
    ClassLoader cl = BenchmarkRunner.class.getClassLoader();
    if (cl instanceof URLClassLoader && ((URLClassLoader) cl).getURLs().length > 0) {
      List<String> paths = new ArrayList<>();
      for (URL url : ((URLClassLoader) cl).getURLs()) {
        try {
          paths.add(Path.of(url.toURI()).toString());
        } catch (URISyntaxException | IllegalArgumentException e) {
          throw new IllegalStateException("can't use classpath entry " + url, e);
        }
      }
      return String.join(File.pathSeparator, paths);
    }
    return System.getProperty("java.class.path");
  }

  /**
   * {@code replicate-audio-examples}, found from where this class was loaded ({@code target/classes});
   * the benchmark's and the soak's default output places hang off it.
   *
   * @return the module's directory; empty when the classes come from a jar or elsewhere
   */
  public static Optional<Path> moduleDirectory() {
    try {
      Path location = Path.of(BenchmarkRunner.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      Path target = location.getParent();
      if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
          && Files.isRegularFile(target.getParent().resolve("pom.xml"))) {
        return Optional.of(target.getParent());
      }
    } catch (URISyntaxException | RuntimeException e) {
      // not a file location
    }
    return Optional.empty();
  }

  /**
   * Measures the chosen figures in this JVM, prints progress and the table to {@code out}, writes
   * the JSON and the charts.
   *
   * @return the figures
   * @throws IllegalStateException when a figure could not be measured
   */
  static Figures run(Options options, PrintStream out) throws Exception {
    if (System.getProperty("java.awt.headless") == null) {
      System.setProperty("java.awt.headless", "true");
    }
    if (System.getProperty(NODELAY) == null) {
      System.setProperty(NODELAY, "true"); // read when the JVM's first HTTP server starts
    }
    long started = System.nanoTime();
    double loadAtStart = MachineInfo.loadAverage();
    Instant date = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    Plan plan = options.plan();
    Figures figures = new Figures();
    Map<String, Map<String, Double>> wakeChart = null;
    Path workDir = Files.createTempDirectory("replicate-audio-bench-");
    ReplicateAudioSettings settings = ffmpeg(options).toBuilder().maxFileSize(100_000_000L).build();
    ExecutorService executor = Executors.newFixedThreadPool(32, Threads.named("bench-pipeline"));
    String ffmpegVersion;
    List<String> databases;
    CpuMeter meter = new CpuMeter();
    SimulatorDelivery[] simulator = new SimulatorDelivery[1]; // started when first needed, after figure 2
    java.util.function.Supplier<SimulatorDelivery> delivery = () -> {
      if (simulator[0] == null) {
        Set<Long> before = CpuMeter.liveThreadIds();
        simulator[0] = SimulatorDelivery.start(settings);
        meter.harnessThreadsSince(before); // its HTTP server's dispatcher thread
      }
      return simulator[0];
    };
    List<FfmpegRunner> otherRunners = new ArrayList<>();
    try (FfmpegRunner ffmpeg = FfmpegRunner.create(settings);
        BenchDatabases dbs = new BenchDatabases(workDir, out)) {
      ffmpegVersion = ffmpeg.version().replaceAll(" Copyright.*", "");
      out.printf(Locale.ROOT, "replicate-audio benchmark, mode %s: %d cores, %.1f GiB max heap, %s (%s),"
              + " load average %.2f%n", plan.name(), Runtime.getRuntime().availableProcessors(),
          Runtime.getRuntime().maxMemory() / (1024.0 * 1024 * 1024), ffmpegVersion,
          MachineInfo.onPath(settings.ffmpegPath()), loadAtStart);
      BenchContext ctx = new BenchContext(plan, workDir, settings, ffmpeg, out);
      Set<Integer> chosen = options.figures();
      // 2 first: its thread count must see the notifier's shared timeout thread start
      if (chosen.contains(2)) {
        figure(out, 2, "100,000 concurrent waiters", () -> WaiterScaleBench.run(figures, out));
      }
      if (chosen.contains(1)) {
        Object[] chart = new Object[1];
        figure(out, 1, "wake latency, event-driven vs polling", () -> chart[0] = WakeLatencyBench.run(plan, figures,
            out));
        @SuppressWarnings("unchecked")
        Map<String, Map<String, Double>> c = (Map<String, Map<String, Double>>) chart[0];
        wakeChart = c;
      }
      if (chosen.contains(3)) {
        figure(out, 3, "trimAudio vs the bare ffmpeg command", () -> TrimOverheadBench.run(ctx, figures));
      }
      if (chosen.contains(6)) {
        figure(out, 6, "storeAudio vs a plain JDBC insert", () -> StoreVsJdbcBench.run(ctx, figures, dbs));
      }
      if (chosen.contains(4)) {
        figure(out, 4, "heap vs file size, end to end",
            () -> HeapFlatBench.run(ctx, figures, dbs, executor, delivery.get()));
      }
      if (chosen.contains(5)) {
        List<ThroughputBench.Flavor> flavors = new ArrayList<>();
        String label = ffmpegLabel(settings);
        flavors.add(new ThroughputBench.Flavor(label, ctx));
        if (plan.bothFfmpegs()) {
          Optional<ReplicateAudioSettings> other = otherFfmpeg(settings, label);
          if (other.isPresent()) {
            FfmpegRunner runner = FfmpegRunner.create(other.get());
            otherRunners.add(runner);
            flavors.add(new ThroughputBench.Flavor(label.equals("system") ? "bundled" : "system",
                new BenchContext(plan, workDir, other.get(), runner, out)));
          } else {
            out.println("  (no " + (label.equals("system") ? "bundled" : "system") + " ffmpeg here: the trim cells"
                + " run with the " + label + " one only)");
          }
        }
        meter.postgres(dbs.pgDataDirectory());
        figure(out, 5, "webhooks per second, end to end on loopback",
            () -> ThroughputBench.run(flavors, figures, dbs, executor, delivery.get(), meter));
      }
      if (chosen.contains(7)) {
        figure(out, 7, "completion bridge on PostgreSQL: wake across instances, cost at c16",
            () -> BridgeBench.run(ctx, figures, dbs, executor, delivery.get(), meter));
      }
      databases = dbs.labels();
    } finally {
      if (simulator[0] != null) {
        simulator[0].close();
      }
      otherRunners.forEach(FfmpegRunner::close);
      executor.shutdownNow();
      executor.awaitTermination(10, TimeUnit.SECONDS);
      deleteTree(workDir);
    }
    if (options.figures().equals(ALL_FIGURES) && !figures.missing().isEmpty()) {
      throw new IllegalStateException("figures not measured: " + figures.missing());
    }

    Map<String, Object> json = new LinkedHashMap<>();
    json.put("mode", plan.name());
    json.put("date", date.toString());
    json.put("machine", MachineInfo.describe(ffmpegVersion, settings.ffmpegPath(), databases, loadAtStart));
    json.putAll(figures.values());
    writeJson(options.json(), json);

    String subtitle = String.format(Locale.ROOT, "%s, mode %s: %d cores, %s, %s", date.toString().substring(0, 10),
        plan.name(), Runtime.getRuntime().availableProcessors(), System.getProperty("java.runtime.version"),
        ffmpegVersion);
    List<Path> charts = new ArrayList<>();
    if (options.charts() != null) {
      if (wakeChart != null) {
        charts.add(Charts.wakeLatency(options.charts(), wakeChart, subtitle));
      }
      if (options.figures().contains(5)) {
        charts.add(Charts.throughput(options.charts(), Charts.throughputLines(figures), subtitle));
      }
    }
    out.println();
    out.print(figures.table());
    out.printf(Locale.ROOT, "%nmode %s, %s, load average %.2f at the start and %.2f at the end; %.0f s in all%n",
        plan.name(), date, loadAtStart, MachineInfo.loadAverage(), (System.nanoTime() - started) / 1e9);
    out.println("results: " + options.json());
    charts.forEach(c -> out.println("chart:   " + c));
    return figures;
  }

  /** The examples' ffmpeg (installed, else bundled), or the bundled one when asked for. */
  private static ReplicateAudioSettings ffmpeg(Options options) {
    ReplicateAudioSettings defaults = ReplicateAudioSettings.defaults();
    if (!options.bundledFfmpeg()) {
      return ExampleFfmpeg.resolve(defaults);
    }
    return BundledFfmpeg.locate().orElseThrow(() -> new IllegalStateException("--ffmpeg bundled: no bundled ffmpeg"
        + " for " + BundledFfmpeg.platform() + " on the classpath")).applyTo(defaults);
  }

  /** {@code bundled} when {@code settings} run the ffmpeg of org.bytedeco:ffmpeg, else {@code system}. */
  static String ffmpegLabel(ReplicateAudioSettings settings) {
    Optional<BundledFfmpeg> bundled = BundledFfmpeg.locate();
    return bundled.isPresent() && bundled.get().ffmpegPath().toString().equals(settings.ffmpegPath())
        ? "bundled" : "system";
  }

  /** The ffmpeg that is not {@code label}'s: the bundled one, or the one on PATH when there is one. */
  private static Optional<ReplicateAudioSettings> otherFfmpeg(ReplicateAudioSettings settings, String label) {
    ReplicateAudioSettings defaults = ReplicateAudioSettings.defaults();
    if (label.equals("system")) {
      return BundledFfmpeg.locate().map(b -> b.applyTo(settings));
    }
    if (ExampleFfmpeg.exists(defaults.ffmpegPath()) && ExampleFfmpeg.exists(defaults.ffprobePath())) {
      return Optional.of(settings.toBuilder().ffmpegPath(defaults.ffmpegPath()).ffprobePath(defaults.ffprobePath())
          .build());
    }
    return Optional.empty();
  }

  @FunctionalInterface
  private interface Step {
    void run() throws Exception;
  }

  private static void figure(PrintStream out, int n, String title, Step step) throws Exception {
    out.printf(Locale.ROOT, "Figure %d: %s%n", n, title);
    long t = System.nanoTime();
    step.run();
    out.printf(Locale.ROOT, "  (%.1f s)%n", (System.nanoTime() - t) / 1e9);
  }

  static void writeJson(Path file, Map<String, Object> json) throws IOException {
    Files.createDirectories(file.toAbsolutePath().getParent());
    Path part = file.resolveSibling(file.getFileName() + ".part");
    new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(part.toFile(), json);
    Files.move(part, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      });
    } catch (IOException e) {
      throw new UncheckedIOException("can't delete " + dir, e);
    }
  }
}
