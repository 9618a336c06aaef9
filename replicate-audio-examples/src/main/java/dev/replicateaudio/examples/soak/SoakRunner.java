package dev.replicateaudio.examples.soak;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ManagedTempFiles;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.examples.ExampleFfmpeg;
import dev.replicateaudio.examples.Threads;
import dev.replicateaudio.examples.bench.BenchmarkRunner;
import dev.replicateaudio.examples.bench.HeapSampler;
import dev.replicateaudio.examples.bench.MachineInfo;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.ResultRecord;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * The soak: the whole pipeline ({@link SoakStack}: simulator over loopback HTTP, signed webhooks,
 * the webhook endpoint, downloads, trimming with real ffmpeg, storage, waiters, recovery on its
 * schedule) under a steady mix of every fault ({@link FaultMix}) for {@code --duration}, keeping
 * {@code --concurrency} generations in flight. Every job's end is checked against its fault: the
 * outcome, the job row, its single result row and whether audio is stored.
 *
 * <pre>
 * mvn -q -B -DskipTests -pl replicate-audio-examples -am package exec:java \
 *     -Dexec.mainClass=dev.replicateaudio.examples.soak.SoakRunner -Dexec.args="--duration PT10M"
 * </pre>
 *
 * <p>Every {@code --sample-interval} (default 10 s) it samples the heap after a full GC, live
 * threads, open file descriptors, live child processes, this JVM's temp directories, connections
 * lent by the pool, parked waiters and jobs by state, and prints one line. At the end it writes
 * {@code replicate-audio-examples/target/soak-results.json} (or {@code --out}) and exits non-zero
 * when a job ended in the wrong state or was stored twice, when anything was left behind (temp
 * files, child processes, lent connections, waiters), or when threads, file descriptors or the
 * retained heap grew past their limits (2, 5, 8 MB) between two idle samples: the idle baseline
 * and the idle end. At the end of the warm-up it stops starting generations, waits for those in
 * flight, lets the process sit idle for {@code --settle} (so that the pools that follow the load
 * shrink back), takes the idle baseline and resumes the load; at the end it drains the same way and
 * waits the same settle before the idle end. Samples taken under load only draw the charts: a
 * cached pool's size under load (OkHttp's dispatcher, the JDK's process reapers) is not a leak.
 *
 * <p>Options: {@code --duration} (the time under load, seconds or ISO-8601; default {@code
 * SOAK_DURATION}, else 10 minutes; the two idle pauses come on top), {@code --warmup} (default a
 * quarter of the duration, at most 60 s), {@code --settle} (default {@link #DEFAULT_SETTLE}), {@code
 * --sample-interval}, {@code --concurrency} (default 16), {@code --min-jobs N} (the storm goes on past
 * the duration until N jobs have started, so a short run covers the whole mix however slow the
 * machine; default 0), {@code --out FILE}, {@code --seed}, {@code --no-growth-limits} (for runs too
 * short for growth to mean anything: no idle pause then, and no growth figures). The database is
 * {@code DATABASE_URL} (with {@code DB_USER}, {@code DB_PASSWORD}: any of the five), else an H2 file
 * under {@code target/soak}.
 */
public final class SoakRunner {
  /** Default run length. */
  public static final Duration DEFAULT_DURATION = Duration.ofMinutes(10);
  /** The environment variable giving the default run length. */
  public static final String ENV_DURATION = "SOAK_DURATION";
  static final int MAX_THREADS_GROWTH = 2;
  static final int MAX_FDS_GROWTH = 5;
  static final double MAX_HEAP_GROWTH_MB = 8;
  /**
   * Default {@code --settle}: 120 s idle before each idle sample. The pools that grow and shrink with
   * the load keep an idle thread at most 60 s (OkHttp's dispatcher and task runner, Okio's watchdog,
   * the JDK's process reaper; the simulator's pools 10 s, HikariCP's adder and closer 5 s), but some
   * start their 60 s only once the JDK HttpServer has closed the idle connections (30 s idle, checked
   * every 10 s): up to 100 s after the drain. A 6-minute H2 soak saw the last such thread go 82 to 90 s
   * after each drain.
   */
  public static final Duration DEFAULT_SETTLE = Duration.ofSeconds(120);
  private static final Duration JOB_TIMEOUT = Duration.ofMinutes(3);
  private static final int MAX_WRONG_LISTED = 50;
  private static final String LOG_LEVEL_PROPERTY = "org.slf4j.simpleLogger.defaultLogLevel";
  /** Held so that its level stays set (java.util.logging keeps loggers weakly). */
  private static final java.util.logging.Logger CORE_LOGGER = java.util.logging.Logger.getLogger("dev.replicateaudio");
  /** The JDK HttpServer's limit, in seconds, on writing one response; -1 (none) by default. */
  static final String MAX_RESPONSE_TIME_PROPERTY = "sun.net.httpserver.maxRspTime";
  /** The JDK HttpServer's limit, in seconds, on reading one request; -1 (none) by default. */
  static final String MAX_REQUEST_TIME_PROPERTY = "sun.net.httpserver.maxReqTime";

  private SoakRunner() {
  }

  /**
   * Runs the soak and exits with its status: 0 when nothing leaked and every job ended right, 1
   * otherwise, 2 for bad arguments.
   *
   * @param args see the class description
   */
  public static void main(String[] args) {
    // every transient failure of the storm is a WARN line of the library: by default show errors only
    // (-Dorg.slf4j.simpleLogger.defaultLogLevel=warn shows them)
    if (System.getProperty(LOG_LEVEL_PROPERTY) == null) {
      System.setProperty(LOG_LEVEL_PROPERTY, "error");
      // under exec:java the core's System.Logger reaches java.util.logging, not slf4j: quiet it the same way
      CORE_LOGGER.setLevel(java.util.logging.Level.SEVERE);
    }
    int status;
    try {
      status = run(args, System.getenv(), System.out);
    } catch (IllegalArgumentException e) {
      System.err.println("soak: " + e.getMessage());
      status = 2;
    } catch (Exception e) {
      e.printStackTrace();
      status = 1;
    }
    System.exit(status);
  }

  /** The run's options. */
  record Options(Duration duration, Duration warmup, Duration settle, Duration sampleInterval, int concurrency,
      Path out, long seed, boolean growthLimits, int minJobs) {

    static Options parse(String[] args, Map<String, String> env) {
      Duration duration = null;
      Duration warmup = null;
      Duration settle = null;
      Duration interval = Duration.ofSeconds(10);
      int concurrency = 16;
      Path out = null;
      long seed = 13;
      boolean limits = true;
      int minJobs = 0;
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--duration": duration = duration(a, value(args, ++i, a)); break;
          case "--warmup": warmup = duration(a, value(args, ++i, a)); break;
          case "--settle": settle = duration(a, value(args, ++i, a)); break;
          case "--sample-interval": interval = duration(a, value(args, ++i, a)); break;
          case "--concurrency":
            concurrency = SettingParsers.parseInt(value(args, ++i, a)).filter(n -> n >= 1 && n <= 256)
                .orElseThrow(() -> new IllegalArgumentException("--concurrency takes 1 to 256"));
            break;
          case "--min-jobs":
            minJobs = SettingParsers.parseInt(value(args, ++i, a)).filter(n -> n >= 0 && n <= 10_000_000)
                .orElseThrow(() -> new IllegalArgumentException("--min-jobs takes 0 to 10000000"));
            break;
          case "--out": out = Path.of(value(args, ++i, a)); break;
          case "--seed":
            try {
              seed = Long.parseLong(value(args, ++i, a));
            } catch (NumberFormatException e) {
              throw new IllegalArgumentException("--seed takes a whole number");
            }
            break;
          case "--no-growth-limits": limits = false; break;
          default:
            throw new IllegalArgumentException("unknown argument '" + SettingParsers.printable(a) + "'; accepted:"
                + " --duration D, --warmup D, --settle D, --sample-interval D, --concurrency N, --min-jobs N,"
                + " --out FILE, --seed N, --no-growth-limits (D: seconds or ISO-8601, e.g. 600 or PT10M)");
        }
      }
      if (duration == null) {
        String fromEnv = env.get(ENV_DURATION);
        duration = fromEnv == null || fromEnv.isBlank() ? DEFAULT_DURATION : duration(ENV_DURATION, fromEnv);
      }
      if (warmup == null) {
        warmup = Collections.min(List.of(duration.dividedBy(4), Duration.ofSeconds(60)));
      }
      if (!limits && settle != null) {
        throw new IllegalArgumentException("--settle " + SettingParsers.describe(settle) + " has no use with"
            + " --no-growth-limits: the idle pauses it times are taken only for the growth checks");
      }
      settle = limits ? (settle == null ? DEFAULT_SETTLE : settle) : Duration.ZERO;
      if (warmup.compareTo(duration) >= 0) {
        throw new IllegalArgumentException("--warmup " + SettingParsers.describe(warmup)
            + " must be shorter than the duration " + SettingParsers.describe(duration));
      }
      if (interval.compareTo(Duration.ofMillis(500)) < 0) {
        throw new IllegalArgumentException("--sample-interval must be at least 0.5 s");
      }
      if (out == null) {
        out = moduleDirectory().map(m -> m.resolve("target").resolve("soak-results.json"))
            .orElse(Path.of("soak-results.json"));
      }
      return new Options(duration, warmup, settle, interval, concurrency, out.toAbsolutePath(), seed, limits,
          minJobs);
    }

    private static Duration duration(String option, String text) {
      Optional<Duration> d = SettingParsers.parseDuration(text);
      if (d.isEmpty() || d.get().isNegative() || d.get().isZero() || d.get().compareTo(Duration.ofDays(30)) > 0) {
        throw new IllegalArgumentException(option + "='" + SettingParsers.printable(text) + "' is not a duration from"
            + " 1 s to 30 days: " + SettingParsers.TIMEOUT_FORMS);
      }
      return d.get();
    }

    private static String value(String[] args, int i, String option) {
      if (i >= args.length) {
        throw new IllegalArgumentException(option + " needs a value");
      }
      return args[i];
    }
  }

  /** One sample of the resources, every {@code --sample-interval}. */
  record Sample(double seconds, long jobsStarted, long jobsDone, int inFlight, long wrong, long storedTwice,
      double heapAfterGcMb, int threads, int fds, int childProcesses, int tempDirectories, int lentConnections,
      int waiters, int ffmpegRunning, Map<String, Long> jobsByState) {
  }

  /**
   * Runs the soak, printing progress to {@code out}.
   *
   * @return the exit status: 0 when every check passed, 1 otherwise
   */
  static int run(String[] args, Map<String, String> env, PrintStream out) throws Exception {
    Options o = Options.parse(args, env);
    // The JDK's HttpServer (the simulator's and the webhook receiver's) keeps a connection whose response
    // ended short (the simulator's disconnect and hang_download faults do that on purpose) in its set of
    // responding connections forever, unless a response time limit lets its timer close and drop it.
    // Read once per JVM, when the first HttpServer starts: set before the stack starts.
    System.setProperty(MAX_RESPONSE_TIME_PROPERTY, System.getProperty(MAX_RESPONSE_TIME_PROPERTY, "15"));
    System.setProperty(MAX_REQUEST_TIME_PROPERTY, System.getProperty(MAX_REQUEST_TIME_PROPERTY, "15"));
    if (System.getProperty(ReplicateSimulator.NODELAY_PROPERTY) == null) {
      System.setProperty(ReplicateSimulator.NODELAY_PROPERTY, "true");
    }
    return new Run(o, env, out).call();
  }

  /** One soak run. */
  private static final class Run {
    private final Options o;
    private final Map<String, String> env;
    private final PrintStream out;
    private final AtomicLong started = new AtomicLong();
    private final AtomicLong done = new AtomicLong();
    private final AtomicLong wrong = new AtomicLong();
    private final AtomicLong storedTwice = new AtomicLong();
    private final Map<String, AtomicLong> doneByKind = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<String> wrongJobs = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> checkedPredictions = new ConcurrentLinkedQueue<>();
    private final List<Sample> samples = Collections.synchronizedList(new ArrayList<>());
    private final Map<String, Long> webhookAnswers = new ConcurrentHashMap<>();
    private final java.util.Set<String> tallied = ConcurrentHashMap.newKeySet();
    private final long pid = ProcessHandle.current().pid();
    /** Child processes that ran before the soak (a database server started in this JVM, say): not the soak's. */
    private final java.util.Set<Long> preexisting = descendants().map(ProcessHandle::pid)
        .collect(java.util.stream.Collectors.toSet());
    private long startNanos;

    Run(Options o, Map<String, String> env, PrintStream out) {
      this.o = o;
      this.env = env;
      this.out = out;
    }

    int call() throws Exception {
      Path work = o.out().getParent().resolve("soak");
      SoakStack.deleteTree(work);
      Files.createDirectories(work);
      DatabaseSettings database = database(work);
      ReplicateAudioSettings settings = ExampleFfmpeg.resolve(ReplicateAudioSettings.fromEnvironment(env));
      out.printf(Locale.ROOT, "replicate-audio soak: %s under load (warm-up %s), %d generations in flight, samples"
              + " every %s; %s%n", SettingParsers.describe(o.duration()), SettingParsers.describe(o.warmup()),
          o.concurrency(), SettingParsers.describe(o.sampleInterval()), o.growthLimits()
              ? "growth measured between two idle samples, each " + SettingParsers.describe(o.settle())
                  + " after a drain (at the warm-up's end and the run's)"
              : "no growth limits, no idle pause");
      out.printf(Locale.ROOT, "  database: %s%n  ffmpeg:   %s%n", database.maskedUrl(), settings.ffmpegPath());
      ManagedTempFiles.sweepOrphans();
      Map<String, Object> results;
      try (SoakStack stack = new SoakStack(settings, database, work)) {
        FaultMix mix = FaultMix.standard(o.seed());
        out.printf(Locale.ROOT, "  mix:      %d kinds of job per deck of %d: %s%n", mix.kinds().size(),
            mix.kinds().stream().mapToInt(FaultMix.Kind::perDeck).sum(),
            mix.kinds().stream().map(FaultMix.Kind::label).reduce((a, b) -> a + ", " + b).orElse(""));
        results = storm(stack, mix);
      }
      write(results);
      @SuppressWarnings("unchecked")
      List<String> failures = (List<String>) results.get("failures");
      out.printf(Locale.ROOT, "%nwrote %s%n", o.out());
      if (failures.isEmpty()) {
        out.println("PASS: no leak, no job in the wrong state");
        return 0;
      }
      failures.forEach(f -> out.println("FAIL: " + f));
      return 1;
    }

    private DatabaseSettings database(Path work) {
      String url = env.get(DatabaseSettings.ENV_URL);
      if (url != null && !url.isBlank()) {
        DatabaseSettings fromEnv = DatabaseSettings.fromEnvironment(env);
        return fromEnv.toBuilder().poolName("soak").poolSize(Math.max(fromEnv.poolSize(), 4))
            .maxOverflow(Math.max(fromEnv.maxOverflow(), 6)).build();
      }
      // a file, not memory: a day of stored audio would not fit in the heap; a bounded page cache (4 MB)
      return DatabaseSettings.builder().url("jdbc:h2:file:" + work.resolve("h2").resolve("soak").toAbsolutePath()
          + ";CACHE_SIZE=4096").poolName("soak").poolSize(4).maxOverflow(6).build();
    }

    private Map<String, Object> storm(SoakStack stack, FaultMix mix) throws Exception {
      Semaphore permits = new Semaphore(o.concurrency());
      ExecutorService checker = Executors.newSingleThreadExecutor(Threads.named("soak-check"));
      ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor(Threads.named("soak-sampler"));
      startNanos = System.nanoTime();
      double loadAtStart = MachineInfo.loadAverage();
      AtomicInteger sampleFailures = new AtomicInteger();
      sampler.scheduleAtFixedRate(() -> {
        try {
          Sample s = sample(stack, permits);
          samples.add(s);
          print(s);
          // settled ones are forgotten; the others (a stale webhook still on its way) wait for the next sample
          List<String> checked = drain(checkedPredictions);
          tallyWebhooks(stack, checked);
          stack.simulator.forget(checked);
          checked.stream().filter(id -> stack.simulator.prediction(id).isPresent()).forEach(checkedPredictions::add);
        } catch (RuntimeException e) {
          if (sampleFailures.incrementAndGet() <= 3) {
            out.println("  sample failed: " + e);
          }
        }
      }, o.sampleInterval().toNanos(), o.sampleInterval().toNanos(), TimeUnit.NANOSECONDS);

      List<String> failures = new ArrayList<>();
      // the warm-up under load, then (for the growth checks) the idle baseline: drained, then --settle idle
      load(stack, mix, permits, checker, startNanos + o.warmup().toNanos(), 0);
      long pauseNanos = 0;
      Idle baseline = null;
      if (o.growthLimits()) {
        long pauseStart = System.nanoTime();
        out.printf(Locale.ROOT, "warm-up over after %.0f s: %d started, waiting for %d in flight, then %s idle%n",
            (pauseStart - startNanos) / 1e9, started.get(), o.concurrency() - permits.availablePermits(),
            SettingParsers.describe(o.settle()));
        boolean drained = drain(permits, "the warm-up", failures);
        awaitWebhooks(stack, "the warm-up", failures);
        baseline = idle("idle baseline", System.nanoTime(), threadsByPool());
        if (drained) {
          permits.release(o.concurrency());
        }
        pauseNanos = System.nanoTime() - pauseStart;
      }

      // the storm: keep `concurrency` generations in flight until the time under load is up (and --min-jobs started)
      load(stack, mix, permits, checker, startNanos + o.duration().toNanos() + pauseNanos, o.minJobs());
      double loadSeconds = (System.nanoTime() - startNanos - pauseNanos) / 1e9;
      out.printf(Locale.ROOT, "storm over after %.0f s under load: %d started, waiting for %d in flight%n",
          loadSeconds, started.get(), o.concurrency() - permits.availablePermits());
      drain(permits, "the storm", failures);
      stack.stopRecovery();
      awaitWebhooks(stack, "the storm", failures);
      long quiet = System.nanoTime();
      Map<String, Integer> poolsAtQuiet = threadsByPool();

      // what is left once everything is idle, given a moment (a killed process takes a moment to go)
      Sample end = null;
      for (int i = 0; i < 60; i++) {
        end = sample(stack, permits);
        if (end.tempDirectories() == 0 && end.childProcesses() == 0 && end.lentConnections() == 0
            && end.waiters() == 0) {
          break;
        }
        Thread.sleep(500);
      }
      int tempLeft = tempEntries(true);
      long notFinal = end.jobsByState().entrySet().stream()
          .filter(e -> !e.getKey().equals("SUCCEEDED") && !e.getKey().equals("FAILED"))
          .mapToLong(Map.Entry::getValue).sum();
      print(end);
      // the idle end in the baseline's state: the same settle after the drain, the sampler and checker still there
      Idle idleEnd = o.growthLimits() ? idle("idle end", quiet, poolsAtQuiet) : null;
      sampler.shutdown();
      sampler.awaitTermination(60, TimeUnit.SECONDS);
      checker.shutdown();
      checker.awaitTermination(60, TimeUnit.SECONDS);
      List<Sample> series = new ArrayList<>(samples);
      series.add(end);
      series.sort(java.util.Comparator.comparingDouble(Sample::seconds));
      long jobsWrong = wrong.get() + notFinal;

      checkLimit(failures, "jobs_wrong_state", jobsWrong, 0);
      checkLimit(failures, "stored_twice", storedTwice.get(), 0);
      checkLimit(failures, "temp_files_left", tempLeft, 0);
      checkLimit(failures, "child_processes_left", end.childProcesses(), 0);
      checkLimit(failures, "connections_lent_left", end.lentConnections(), 0);
      checkLimit(failures, "waiters_left", end.waiters(), 0);
      if (o.growthLimits()) {
        out.printf(Locale.ROOT, "growth, idle end minus idle baseline: threads %+d, fds %+d, retained heap %+.2f MB%n",
            idleEnd.threadsSince(baseline), idleEnd.fdsSince(baseline), idleEnd.heapSinceMb(baseline));
        failures.addAll(growthFailures(baseline, idleEnd));
      }

      Map<String, Object> r = new LinkedHashMap<>();
      r.put("duration_s", round(loadSeconds));
      r.put("warmup_s", round(o.warmup().toMillis() / 1000.0));
      r.put("settle_s", round(o.settle().toMillis() / 1000.0));
      r.put("idle_pause_s", round(pauseNanos / 1e9));
      r.put("jobs_total", done.get());
      r.put("jobs_started", started.get());
      r.put("jobs_per_s", round(done.get() / loadSeconds));
      r.put("jobs_wrong_state", jobsWrong);
      r.put("jobs_not_final", notFinal);
      r.put("stored_twice", storedTwice.get());
      r.put("temp_files_left", tempLeft);
      r.put("child_processes_left", end.childProcesses());
      r.put("connections_lent_left", end.lentConnections());
      r.put("waiters_left", end.waiters());
      // without the growth checks there is no idle baseline: the growth figures are null, not measured
      r.put("threads_growth", baseline == null ? null : idleEnd.threadsSince(baseline));
      r.put("fds_growth", baseline == null ? null : idleEnd.fdsSince(baseline));
      r.put("heap_retained_growth_mb", baseline == null ? null : round(idleEnd.heapSinceMb(baseline)));
      r.put("idle_baseline", baseline == null ? null : idleJson(baseline));
      r.put("idle_end", idleEnd == null ? null : idleJson(idleEnd));
      r.put("limits", Map.of("threads_growth", MAX_THREADS_GROWTH, "fds_growth", MAX_FDS_GROWTH,
          "heap_retained_growth_mb_below", MAX_HEAP_GROWTH_MB, "enforced", o.growthLimits()));
      r.put("failures", failures);
      r.put("wrong_jobs", new ArrayList<>(wrongJobs));
      r.put("jobs_by_kind", counts(doneByKind));
      r.put("jobs_by_state_end", end.jobsByState());
      r.put("concurrency", o.concurrency());
      r.put("database", stack.dialect.displayName());
      tallyWebhooks(stack, stack.simulator.predictionIds());
      r.put("webhook_attempts_by_answer", new TreeMap<>(webhookAnswers));
      r.put("started_at", Instant.now().minusNanos(System.nanoTime() - startNanos)
          .truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString());
      r.put("machine", MachineInfo.describe(stack.ffmpeg.version(), stack.settings.ffmpegPath(),
          List.of(stack.dialect.displayName()), loadAtStart));
      List<Map<String, Object>> json = new ArrayList<>();
      for (Sample s : series) {
        json.add(sampleJson(s));
      }
      r.put("samples", json);
      return r;
    }

    /**
     * Keeps {@code concurrency} generations in flight until {@code untilNanos} (and until {@code minJobs}
     * have started), each checked against its fault when it ends.
     */
    private void load(SoakStack stack, FaultMix mix, Semaphore permits, ExecutorService checker, long untilNanos,
        int minJobs) throws InterruptedException {
      while (System.nanoTime() - untilNanos < 0 || started.get() < minJobs) {
        if (!permits.tryAcquire(100, TimeUnit.MILLISECONDS)) {
          continue;
        }
        FaultMix.Job job = mix.next();
        started.incrementAndGet();
        stack.audio.generate(job.key(), job.request(), JOB_TIMEOUT).whenComplete((outcome, failure) -> {
          try {
            checker.execute(() -> {
              try {
                check(stack, job, outcome, failure);
              } finally {
                permits.release();
              }
            });
          } catch (RuntimeException e) {
            permits.release();
          }
        });
      }
    }

    /** Waits until no generation is in flight (every permit back); false, and a failure, past the job timeout. */
    private boolean drain(Semaphore permits, String after, List<String> failures) throws InterruptedException {
      boolean drained = permits.tryAcquire(o.concurrency(), JOB_TIMEOUT.toSeconds() + 30, TimeUnit.SECONDS);
      if (!drained) {
        failures.add("generations still in flight " + JOB_TIMEOUT.toSeconds() + " s after " + after);
      }
      return drained;
    }

    private static void awaitWebhooks(SoakStack stack, String after, List<String> failures)
        throws InterruptedException {
      if (!stack.simulator.awaitWebhooks(Duration.ofSeconds(90))) {
        failures.add("the simulator still had webhooks to deliver 90 s after " + after);
      }
    }

    /**
     * Waits until {@code --settle} has passed since {@code quietNanos} (nothing in flight since then),
     * then samples threads, file descriptors and the retained heap, and prints them with the pools
     * that shrank meanwhile.
     */
    private Idle idle(String name, long quietNanos, Map<String, Integer> poolsAtQuiet) throws InterruptedException {
      long left = quietNanos + o.settle().toNanos() - System.nanoTime();
      if (left > 0) {
        TimeUnit.NANOSECONDS.sleep(left);
      }
      Map<String, Integer> pools = threadsByPool();
      Idle idle = new Idle(round((System.nanoTime() - startNanos) / 1e9),
          ManagementFactory.getThreadMXBean().getThreadCount(), openFds(), round(HeapSampler.settledUsed() / 1e6),
          pools);
      String shrank = changes(poolsAtQuiet, pools, false);
      out.printf(Locale.ROOT, "[%6.0fs] %s, %s idle: threads %d, fds %d, retained heap %.1f MB | threads in the"
              + " settle: %s%n", idle.seconds(), name, SettingParsers.describe(o.settle()), idle.threads(),
          idle.fds(), idle.heapRetainedMb(), shrank.isEmpty() ? "no change" : shrank);
      return idle;
    }

    private static Map<String, Object> idleJson(Idle idle) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("t_s", idle.seconds());
      m.put("threads", idle.threads());
      m.put("fds", idle.fds());
      m.put("heap_retained_mb", idle.heapRetainedMb());
      m.put("threads_by_pool", idle.threadsByPool());
      return m;
    }

    private void check(SoakStack stack, FaultMix.Job job, CompletionOutcome outcome, Throwable failure) {
      FaultMix.Expect e = job.kind().expect();
      List<String> problems = new ArrayList<>();
      try {
        if (failure != null) {
          problems.add("the waiting stage failed: " + failure);
        } else {
          boolean errorOk = e.error() == null ? outcome.error() == null
              : outcome.error() != null && outcome.error().toLowerCase(Locale.ROOT).contains(e.error());
          if (outcome.status() != e.outcome() || !errorOk) {
            problems.add("outcome " + outcome.status() + " (" + outcome.error() + "), expected " + e.outcome()
                + (e.error() == null ? "" : " with '" + e.error() + "'"));
          }
          String predictionId = outcome.predictionId();
          if (predictionId == null) {
            problems.add("no prediction id");
          } else {
            Optional<GenerationJob> row = stack.jobs.find(predictionId);
            List<ResultRecord> results = stack.jobs.results(predictionId);
            boolean audio = stack.audioStore.findAudio(job.key()).isPresent();
            if (row.isEmpty() || row.get().status() != e.job() || !row.get().key().equals(job.key())) {
              problems.add("job row " + row.map(j -> j.status() + " " + j.key()).orElse("missing") + ", expected "
                  + e.job());
            }
            if (results.size() != 1 || results.get(0).status() != e.outcome()) {
              problems.add("result rows " + results.stream().map(ResultRecord::status)
                  .collect(java.util.stream.Collectors.toList()) + ", expected [" + e.outcome() + "]");
            }
            if (results.stream().filter(x -> x.status() == dev.replicateaudio.CompletionStatus.SUCCEEDED).count() > 1
                || results.size() > 1) {
              storedTwice.incrementAndGet();
            }
            if (audio != e.audio()) {
              problems.add("audio " + (audio ? "stored" : "missing"));
            }
            checkedPredictions.add(predictionId);
          }
        }
      } catch (RuntimeException ex) {
        problems.add("checking failed: " + ex);
      }
      done.incrementAndGet();
      doneByKind.computeIfAbsent(job.kind().label(), k -> new AtomicLong()).incrementAndGet();
      if (!problems.isEmpty()) {
        wrong.incrementAndGet();
        String line = job.key() + " [" + job.kind().label() + "]: " + String.join("; ", problems);
        if (wrongJobs.size() < MAX_WRONG_LISTED) {
          wrongJobs.add(line);
          out.println("  WRONG " + line);
        }
      }
    }

    private Sample sample(SoakStack stack, Semaphore permits) {
      Map<String, Long> byState = new TreeMap<>();
      stack.jdbi.useHandle(h -> h.createQuery("SELECT status, COUNT(*) FROM ra_generation_jobs GROUP BY status")
          .map((rs, ctx) -> Map.entry(rs.getString(1), rs.getLong(2))).forEach(en -> byState.put(en.getKey(), en.getValue())));
      return new Sample(round((System.nanoTime() - startNanos) / 1e9), started.get(), done.get(),
          (int) (started.get() - done.get()), wrong.get(), storedTwice.get(),
          round(HeapSampler.usedAfterGc() / 1e6), ManagementFactory.getThreadMXBean().getThreadCount(), openFds(),
          childProcesses(), tempEntries(false), stack.lentConnections(), stack.audio.notifier().pendingWaiters(),
          stack.runningFfmpeg(), byState);
    }

    private void print(Sample s) {
      out.printf(Locale.ROOT, "[%6.0fs] jobs %d done (%.1f/s), %d in flight | wrong %d, stored twice %d | heap %.1f MB,"
              + " threads %d, fds %d, children %d, temp dirs %d, lent %d, waiters %d | %s%n",
          s.seconds(), s.jobsDone(), s.seconds() > 0 ? s.jobsDone() / s.seconds() : 0, s.inFlight(), s.wrong(),
          s.storedTwice(), s.heapAfterGcMb(), s.threads(), s.fds(), s.childProcesses(), s.tempDirectories(),
          s.lentConnections(), s.waiters(), s.jobsByState());
    }

    /** This JVM's directories (and, with {@code all}, every entry inside them) under the library's temp root. */
    private int tempEntries(boolean all) {
      Path root = ManagedTempFiles.defaultBaseDirectory();
      if (!Files.isDirectory(root)) {
        return 0;
      }
      int n = 0;
      try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root, "ra-" + pid + "-*")) {
        for (Path d : dirs) {
          n++;
          if (all && Files.isDirectory(d)) {
            try (Stream<Path> inside = Files.walk(d)) {
              n += (int) inside.count() - 1;
            } catch (IOException | UncheckedIOException e) {
              // deleted meanwhile
            }
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return n;
    }

    private int childProcesses() {
      try (Stream<ProcessHandle> s = descendants()) {
        return (int) s.filter(p -> !preexisting.contains(p.pid())).count();
      }
    }

    private static Stream<ProcessHandle> descendants() {
      return ProcessHandle.current().descendants().filter(ProcessHandle::isAlive);
    }

    private static int openFds() {
      try (Stream<Path> s = Files.list(Path.of("/proc/self/fd"))) {
        return (int) s.count();
      } catch (IOException | UncheckedIOException e) {
        return -1;
      }
    }

    private void write(Map<String, Object> results) throws IOException {
      Files.createDirectories(o.out().getParent());
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(o.out().toFile(), results);
    }

    private static Map<String, Object> sampleJson(Sample s) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("t_s", s.seconds());
      m.put("jobs_started", s.jobsStarted());
      m.put("jobs_done", s.jobsDone());
      m.put("in_flight", s.inFlight());
      m.put("jobs_wrong_state", s.wrong());
      m.put("stored_twice", s.storedTwice());
      m.put("heap_after_gc_mb", s.heapAfterGcMb());
      m.put("threads", s.threads());
      m.put("fds", s.fds());
      m.put("child_processes", s.childProcesses());
      m.put("temp_dirs", s.tempDirectories());
      m.put("connections_lent", s.lentConnections());
      m.put("waiters", s.waiters());
      m.put("ffmpeg_running", s.ffmpegRunning());
      m.put("jobs_by_state", s.jobsByState());
      return m;
    }

    /** Adds the webhook attempts of {@code predictionIds} to the tally, once each (before they are forgotten). */
    private void tallyWebhooks(SoakStack stack, List<String> predictionIds) {
      for (String id : predictionIds) {
        if (tallied.add(id)) {
          stack.simulator.deliveries(id).forEach(d -> webhookAnswers.merge(d.statusCode() == 0 ? "no answer"
              : Integer.toString(d.statusCode()), 1L, Long::sum));
        }
      }
      if (tallied.size() > 100_000) {
        tallied.clear(); // forgotten predictions never come back; this only guards the tally against doubles
      }
    }

    private static Map<String, Long> counts(Map<String, AtomicLong> m) {
      Map<String, Long> sorted = new TreeMap<>();
      m.forEach((k, v) -> sorted.put(k, v.get()));
      return sorted;
    }

    private static List<String> drain(ConcurrentLinkedQueue<String> q) {
      List<String> items = new ArrayList<>();
      for (String s; (s = q.poll()) != null; ) {
        items.add(s);
      }
      return items;
    }
  }

  /** The process at rest, {@code --settle} after the generations in flight finished. */
  record Idle(double seconds, int threads, int fds, double heapRetainedMb, Map<String, Integer> threadsByPool) {
    /** Threads added since {@code baseline}: {@code threads_growth}. */
    int threadsSince(Idle baseline) {
      return threads - baseline.threads;
    }

    /** File descriptors added since {@code baseline}: {@code fds_growth}. */
    int fdsSince(Idle baseline) {
      return fds - baseline.fds;
    }

    /** Retained heap added since {@code baseline}, MB: {@code heap_retained_growth_mb}. */
    double heapSinceMb(Idle baseline) {
      return heapRetainedMb - baseline.heapRetainedMb;
    }
  }

  /**
   * The growth checks: threads, file descriptors and the retained heap of the idle end against the
   * idle baseline; a failure names the pools (threads by name, digits folded) that grew.
   */
  static List<String> growthFailures(Idle baseline, Idle end) {
    List<String> failures = new ArrayList<>();
    String grew = changes(baseline.threadsByPool(), end.threadsByPool(), true);
    checkLimit(failures, "threads_growth", end.threadsSince(baseline), MAX_THREADS_GROWTH,
        " (idle end minus idle baseline" + (grew.isEmpty() ? "" : "; more threads in " + grew) + ")");
    checkLimit(failures, "fds_growth", end.fdsSince(baseline), MAX_FDS_GROWTH,
        " (idle end minus idle baseline)");
    double heap = end.heapSinceMb(baseline);
    if (Double.isNaN(heap) || heap >= MAX_HEAP_GROWTH_MB) {
      failures.add(String.format(Locale.ROOT, "heap_retained_growth_mb is %.2f, the limit is below %.0f (idle end"
          + " minus idle baseline)", heap, MAX_HEAP_GROWTH_MB));
    }
    return failures;
  }

  /** Live threads by name, every run of digits folded to {@code #}, so a pool's threads count together. */
  static Map<String, Integer> threadsByPool() {
    Map<String, Integer> pools = new TreeMap<>();
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      pools.merge(Threads.pool(t.getName()), 1, Integer::sum);
    }
    return pools;
  }

  /**
   * The pools whose thread count differs from {@code before} to {@code after} ("name +2, other -1"),
   * or with {@code grewOnly} those that grew; "" when none.
   */
  static String changes(Map<String, Integer> before, Map<String, Integer> after, boolean grewOnly) {
    Map<String, Integer> diff = new TreeMap<>();
    after.forEach((k, v) -> diff.merge(k, v, Integer::sum));
    before.forEach((k, v) -> diff.merge(k, -v, Integer::sum));
    return diff.entrySet().stream().filter(e -> grewOnly ? e.getValue() > 0 : e.getValue() != 0)
        .map(e -> String.format(Locale.ROOT, "%s %+d", e.getKey(), e.getValue()))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  private static void checkLimit(List<String> failures, String figure, long value, long max) {
    checkLimit(failures, figure, value, max, "");
  }

  private static void checkLimit(List<String> failures, String figure, long value, long max, String detail) {
    if (value > max) {
      failures.add(figure + " is " + value + (max == 0 ? "" : ", the limit is " + max) + detail);
    }
  }

  private static double round(double v) {
    return Double.isNaN(v) ? v : Math.round(v * 100) / 100.0;
  }

  /** {@code replicate-audio-examples}, found from where the examples' classes were loaded. */
  static Optional<Path> moduleDirectory() {
    return BenchmarkRunner.moduleDirectory();
  }

}
