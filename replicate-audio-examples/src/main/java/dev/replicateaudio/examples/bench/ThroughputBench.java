package dev.replicateaudio.examples.bench;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.okhttp.PredictionJson;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.webhook.WebhookUrls;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import okhttp3.ConnectionPool;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Figure 5: webhooks per second end to end on loopback. Each webhook is a signed POST to the
 * {@code JdkWebhookServer}; the endpoint verifies the signature, decodes the prediction, claims the
 * job, downloads 200 KB (a WAV sound effect) from the Replicate simulator's delivery URLs, trims
 * it with ffmpeg or not, stores it and the job's result in one transaction, and wakes the waiter
 * registered for it; the POST is answered when all that is done. {@code c} client threads post in
 * a closed loop. Jobs, waiters, bodies and signatures are made before the clock starts.
 *
 * <p>Next to it, bare ffmpeg: {@code c} threads each running the bare trim command on the same
 * audio (one of those downloads, on disk), as fast as they can. Cells alternate within a round
 * (bare, then the pipeline cells, at each concurrency; the next round in reverse order) and each
 * figure is total webhooks over total time of its cell across rounds. Warmup rounds of every cell
 * kind come first and are not counted (not in the tiny mode), until the JIT compilers have settled
 * (see {@link #warmup}).
 *
 * <p>And next to the webhooks without trim, the database's own ceiling: {@code c} threads each
 * inserting the same 200 KB file with plain JDBC (figure 6's hand-written {@code INSERT}, auto-commit,
 * a connection from the same pool), as fast as they can. A webhook stores that file and more (the
 * claim, the job's state, the result row), so it can't be faster on the same cores; the ratio tells
 * how much of the gap to a goal is the library's.
 */
final class ThroughputBench {
  private static final MediaType JSON = MediaType.get("application/json");
  private static final Duration WAIT = Duration.ofMinutes(10);
  private static final int CLIP_BYTES = 200_000;
  /** Distinct simulated predictions whose outputs the webhooks name, round robin. */
  private static final int URLS = 16;
  /** Warmup ends when the JIT compilers take under this share of the JVM's CPU in a round. */
  static final double JIT_SETTLED_PCT = 2.0;

  private final BenchContext ctx;
  private final Path clip;
  private final AudioMetadata clipMetadata;
  private final List<URI> clipUrls;
  private final OkHttpClient client;
  private final CpuMeter meter;
  private final Map<String, long[]> totals = new LinkedHashMap<>();
  /** CPU spent in the cells of a group (e.g. {@code h2 notrim}), with the webhooks or trims it served. */
  private final Map<String, CpuMeter.Spent> cpu = new LinkedHashMap<>();
  private final Map<String, Long> cpuCount = new LinkedHashMap<>();
  private final String runId = Long.toString(System.currentTimeMillis(), 36);

  ThroughputBench(BenchContext ctx, Path clip, List<URI> clipUrls, CpuMeter meter) {
    this.ctx = ctx;
    this.clip = clip;
    // figure 7 measures webhook cells only, without a clip on disk
    this.clipMetadata = clip == null ? null : AudioMetadata.of(clip, "audio/wav", Duration.ofMillis(2267));
    this.clipUrls = clipUrls;
    this.meter = meter;
    this.client = new OkHttpClient.Builder()
        .connectionPool(new ConnectionPool(32, 1, TimeUnit.MINUTES))
        .callTimeout(Duration.ofMinutes(5))
        .readTimeout(Duration.ofMinutes(5))
        .build();
  }

  /**
   * One ffmpeg the trim cells run with: {@code label} ({@code system} or {@code bundled}) names it in
   * the figure keys; the first of a run is the run's own ffmpeg, whose cells give the plain keys.
   */
  record Flavor(String label, BenchContext ctx) {
  }

  static void run(List<Flavor> flavors, Figures figures, BenchDatabases dbs, ExecutorService executor,
      SimulatorDelivery delivery, CpuMeter meter) throws InterruptedException {
    BenchContext ctx = flavors.get(0).ctx();
    Path dir = ctx.workDir().resolve("throughput");
    TrimOverheadBench.mkdirs(dir);
    List<URI> urls = delivery.wavs(CLIP_BYTES, URLS);
    Path clip = dir.resolve("effect-200k.wav");
    delivery.download(urls.get(0), clip);
    List<ThroughputBench> benches = new ArrayList<>();
    List<BenchPipeline> open = new ArrayList<>();
    try {
      for (Flavor f : flavors) {
        ThroughputBench bench = new ThroughputBench(f.ctx(), clip, urls, meter);
        benches.add(bench);
        open.add(BenchPipeline.start(f.ctx(), dbs.h2(), executor, true));
        open.add(BenchPipeline.start(f.ctx(), dbs.pg(), executor, true));
      }
      List<BenchPipeline> primary = open.subList(0, 2);
      benches.get(0).measure(figures, primary, true);
      for (int i = 1; i < flavors.size(); i++) {
        ctx.out().printf(Locale.ROOT, "  the trim cells again with the %s ffmpeg (%s)%n", flavors.get(i).label(),
            flavors.get(i).ctx().settings().ffmpegPath());
        benches.get(i).measure(figures, open.subList(2 * i, 2 * i + 2), false);
      }
      for (int i = 0; i < flavors.size(); i++) {
        benches.get(i).putShares(figures, flavors.get(i).label(), i == 0);
      }
      benches.get(0).putCpu(figures);
    } finally {
      for (int i = open.size() - 1; i >= 0; i--) {
        open.get(i).close();
      }
      benches.forEach(ThroughputBench::close);
    }
  }

  void close() {
    client.dispatcher().executorService().shutdown();
    client.connectionPool().evictAll();
  }

  /**
   * The cells of one run: {@code all} with every cell (bare, with and without trim); otherwise only
   * the trim cells and bare ffmpeg, for a second ffmpeg.
   */
  private void measure(Figures figures, List<BenchPipeline> pipelines, boolean all) throws InterruptedException {
    Plan plan = ctx.plan();
    if (plan.throughputWarmupRounds() > 0) {
      warmup(pipelines, all, plan);
    }
    for (int round = 0; round < plan.throughputRounds(); round++) {
      for (int j = 0; j < Figures.CONCURRENCY.length; j++) {
        int c = Figures.CONCURRENCY[round % 2 == 0 ? j : Figures.CONCURRENCY.length - 1 - j];
        List<Runnable> cells = new ArrayList<>();
        cells.add(() -> bare(c, plan.trimPerCell(c), Figures.bareKey(c)));
        if (all) {
          for (BenchPipeline p : pipelines) {
            cells.add(() -> webhooks(p, false, c, plan.plainPerCell(), Figures.throughputKey(p.db.name(), false, c)));
            cells.add(() -> inserts(p, c, plan.plainPerCell(), Figures.insertKey(p.db.name(), c)));
          }
        }
        for (BenchPipeline p : pipelines) {
          cells.add(() -> webhooks(p, true, c, plan.trimPerCell(c), Figures.throughputKey(p.db.name(), true, c)));
        }
        if (round % 2 == 1) {
          java.util.Collections.reverse(cells);
        }
        cells.forEach(Runnable::run);
      }
    }
  }

  /**
   * Rounds of every kind of cell, not counted, until the JIT compilers have settled: a service that
   * has run for a while is measured, not one that has just started. A round without trim is half a
   * cell's worth of webhooks and of plain inserts per database at c4 and at c16 (c16 reaches code,
   * such as contended paths, that c4 does not), plus a few trims and bare trims. On 2 cores a fixed
   * warmup of one cell's worth at c4 left C2 a backlog: in a JFR recording the first measured H2 cell
   * (c1) still ran 540 compilations. The rounds stop when the compilers took under
   * {@value #JIT_SETTLED_PCT} % of the JVM's CPU in one, or after {@link Plan#throughputWarmupRounds()}.
   */
  private void warmup(List<BenchPipeline> pipelines, boolean all, Plan plan) {
    for (int round = 1; round <= plan.throughputWarmupRounds(); round++) {
      CpuMeter.Sample before = meter.sample();
      for (BenchPipeline p : pipelines) {
        if (all) {
          for (int c : new int[] {4, 16}) {
            webhooks(p, false, c, plan.plainPerCell() / 2, null);
            inserts(p, c, plan.plainPerCell() / 2, null);
          }
        }
        webhooks(p, true, 2, 4, null);
      }
      bare(2, 4, null);
      double jitPct = jitPercent(meter.spent(before, meter.sample()));
      ctx.out().printf(Locale.ROOT, "  warmup round %d: the JIT compilers took %.1f %% of the JVM's CPU%n", round, jitPct);
      if (jitSettled(jitPct)) {
        return;
      }
    }
    ctx.out().printf(Locale.ROOT, "  the JIT compilers had not settled after %d warmup rounds%n",
        plan.throughputWarmupRounds());
  }

  /** The JIT compilers' CPU in {@code s}, in percent of the JVM's (library, harness and the JVM's own threads). */
  static double jitPercent(CpuMeter.Spent s) {
    long all = s.library() + s.harness() + s.jvm();
    return all <= 0 ? 0 : 100.0 * s.jvmKinds().getOrDefault("jit", 0L) / all;
  }

  static boolean jitSettled(double jitPercent) {
    return jitPercent < JIT_SETTLED_PCT;
  }

  /** Puts the throughput figures (when {@code plain}) and the trimmed ÷ bare shares of this ffmpeg. */
  private void putShares(Figures figures, String label, boolean plain) {
    PrintStream out = ctx.out();
    for (Map.Entry<String, long[]> e : totals.entrySet()) {
      double perSecond = perSecond(e.getKey());
      out.printf(Locale.ROOT, "  %-32s %,10.2f /s  (%,d in %.1f s, %s ffmpeg)%n", e.getKey(), perSecond,
          e.getValue()[0], e.getValue()[1] / 1e9, label);
      if (plain) {
        figures.put(e.getKey(), perSecond);
      }
    }
    for (int c : Figures.CONCURRENCY) {
      for (String db : Figures.DATABASES) {
        figures.put(Figures.shareKey(db, c, label), perSecond(Figures.throughputKey(db, true, c))
            / perSecond(Figures.bareKey(c)));
      }
    }
    // where the time of a trimmed webhook goes, against a bare trim: CPU per item, by whom
    CpuMeter.Spent bare = cpu.get("bare");
    if (bare != null) {
      double b = cpuCount.get("bare");
      out.printf(Locale.ROOT, "  CPU per item, %s ffmpeg: bare trim %.1f ms (ffmpeg) + %.1f ms other", label,
          bare.children() / 1e6 / b, bare.other() / 1e6 / b);
      for (String db : Figures.DATABASES) {
        CpuMeter.Spent s = cpu.get(db + " trim");
        if (s != null) {
          double n = cpuCount.get(db + " trim");
          out.printf(Locale.ROOT, "; %s trimmed webhook %.1f ms ffmpeg + %.1f ms library + %.1f ms gc + %.1f ms jit"
                  + " + %.1f ms harness%s + %.1f ms other", db, s.children() / 1e6 / n, s.library() / 1e6 / n,
              s.gc() / 1e6 / n, s.jit() / 1e6 / n,
              s.harness() / 1e6 / n, db.equals("pg") ? String.format(Locale.ROOT, " + %.1f ms server",
                  s.postgres() / 1e6 / n) : "", s.other() / 1e6 / n);
        }
      }
      out.println();
      for (String db : Figures.DATABASES) {
        CpuMeter.Spent s = cpu.get(db + " trim");
        if (s != null) {
          out.printf(Locale.ROOT, "    %s trimmed webhook, %s%n", db, s.details(cpuCount.get(db + " trim")));
        }
      }
    }
  }

  /** The CPU per webhook without trim, by whom, per database. */
  private void putCpu(Figures figures) {
    for (String db : Figures.DATABASES) {
      CpuMeter.Spent s = cpu.get(db + " notrim");
      if (s == null) {
        continue;
      }
      double n = cpuCount.get(db + " notrim");
      double library = s.library() / 1e6 / n;
      double gc = s.gc() / 1e6 / n;
      double jit = s.jit() / 1e6 / n;
      double harness = s.harness() / 1e6 / n;
      double other = s.other() / 1e6 / n;
      ctx.out().printf(Locale.ROOT, "  CPU per webhook without trim, %s: library %.2f ms, gc %.2f ms, jit and the rest"
              + " of the JVM %.2f ms, harness (client, simulator) %.2f ms%s; other processes and the kernel %.2f ms,"
              + " taken by the VM's host %.2f ms%n", db, library, gc, jit, harness,
          db.equals("pg") ? String.format(Locale.ROOT, ", PostgreSQL server %.2f ms", s.postgres() / 1e6 / n) : "",
          other, s.steal() / 1e6 / n);
      ctx.out().printf(Locale.ROOT, "    %s%n", s.details(cpuCount.get(db + " notrim")));
      figures.put(Figures.cpuKey("library", db), library);
      figures.put(Figures.cpuKey("gc", db), gc);
      figures.put(Figures.cpuKey("jit", db), jit);
      figures.put(Figures.cpuKey("harness", db), harness);
      figures.put(Figures.cpuKey("other", db), other);
      if (db.equals("pg")) {
        figures.put(Figures.CPU_PG_SERVER, s.postgres() / 1e6 / n);
      }
      CpuMeter.Spent ins = cpu.get(db + " insert");
      if (ins != null) {
        double m = cpuCount.get(db + " insert");
        ctx.out().printf(Locale.ROOT, "  CPU per plain JDBC insert of the same 200 KB, %s: the inserting threads and the"
                + " database's in the JVM %.2f ms, gc and jit %.2f ms%s; other processes and the kernel %.2f ms%n", db,
            (ins.library() + ins.harness()) / 1e6 / m, ins.jvm() / 1e6 / m, db.equals("pg")
                ? String.format(Locale.ROOT, ", PostgreSQL server %.2f ms", ins.postgres() / 1e6 / m) : "",
            ins.other() / 1e6 / m);
        if (db.equals("pg")) {
          figures.put(Figures.CPU_PG_SERVER_INSERT, ins.postgres() / 1e6 / m);
        }
      }
    }
  }

  private double perSecond(String key) {
    long[] t = totals.get(key);
    if (t == null) {
      return Double.NaN;
    }
    return t[0] / (t[1] / 1e9);
  }

  /**
   * Webhooks per second of {@code n} webhooks posted by {@code c} client threads to {@code p}, not
   * recorded in the figures (the bridge's cost is measured with it).
   */
  double cell(BenchPipeline p, int c, int n) {
    long[] before = totals.getOrDefault("cell", new long[2]).clone();
    webhooks(p, false, c, n, "cell");
    long[] after = totals.get("cell");
    return (after[0] - before[0]) / ((after[1] - before[1]) / 1e9);
  }

  private void record(String key, int count, long nanos) {
    if (key == null) {
      return;
    }
    long[] t = totals.computeIfAbsent(key, k -> new long[2]);
    t[0] += count;
    t[1] += nanos;
  }

  /** One cell: {@code n} signed webhooks posted by {@code c} threads; recorded under {@code key} unless null. */
  private void webhooks(BenchPipeline p, boolean trim, int c, int n, String key) {
    String type = trim ? BenchPipeline.TRIM_TYPE : BenchPipeline.PLAIN_TYPE;
    Request[] requests = new Request[n];
    List<CompletableFuture<CompletionOutcome>> waiters = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      long id = BenchPipeline.nextContentId();
      ContentKey contentKey = ContentKey.of(type, id);
      String predictionId = "bench-" + runId + "-" + id;
      p.jobs.recordSubmitted(contentKey, predictionId);
      byte[] body = PredictionJson.writePrediction(
          Prediction.of(predictionId, PredictionStatus.SUCCEEDED, List.of(clipUrls.get((int) (id % URLS))), null));
      Headers headers = Headers.of(p.verifier.signedHeaders("msg_" + predictionId, Instant.now(), body));
      requests[i] = new Request.Builder()
          .url(WebhookUrls.forContent(p.server.url(), contentKey).toString())
          .headers(headers)
          .post(RequestBody.create(body, JSON))
          .build();
      waiters.add(p.notifier.waitForCompletion(contentKey, predictionId, WAIT));
    }
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    CpuMeter.Sample cpuBefore = key == null ? null : meter.sample();
    long nanos = closedLoop(meter, c, n, i -> {
      try (Response r = client.newCall(requests[i]).execute()) {
        if (r.code() != 200) {
          failures.add("HTTP " + r.code() + ": " + r.body().string().strip());
        }
      } catch (IOException e) {
        failures.add(e.toString());
      }
    });
    if (cpuBefore != null) {
      spent(p.db.name() + (trim ? " trim" : " notrim"), meter.spent(cpuBefore, meter.sample()), n);
    }
    if (!failures.isEmpty()) {
      throw new IllegalStateException(failures.size() + " of " + n + " webhooks failed on " + p.db.name()
          + (trim ? " with trim" : "") + " at concurrency " + c + ", first: " + failures.peek());
    }
    try {
      CompletableFuture.allOf(waiters.toArray(new CompletableFuture<?>[0])).get(1, TimeUnit.MINUTES);
      for (CompletableFuture<CompletionOutcome> w : waiters) {
        if (!w.join().isSuccess()) {
          throw new IllegalStateException("a waiter was woken with " + w.join());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("not every waiter was woken after its webhook was answered", e);
    }
    record(key, n, nanos);
    p.db.truncateAudio();
  }

  private void spent(String group, CpuMeter.Spent s, int n) {
    cpu.merge(group, s, CpuMeter.Spent::plus);
    cpuCount.merge(group, (long) n, Long::sum);
  }

  /** {@code n} bare ffmpeg trims of the clip by {@code c} threads. */
  private void bare(int c, int n, String key) {
    Path outDir = ctx.workDir().resolve("throughput").resolve("bare-out");
    TrimOverheadBench.mkdirs(outDir);
    String filter = dev.replicateaudio.audio.SoundEffectProcessor.create(ctx.ffmpeg(), ctx.settings()).filter();
    timedLoop("bare", key, c, n, i -> BareFfmpeg.trim(ctx.settings().ffmpegPath(), clip,
        outDir.resolve("bare-" + Thread.currentThread().getId() + ".wav"), filter));
  }

  /**
   * {@code n} plain JDBC inserts of the clip into {@code p}'s database by {@code c} threads: the
   * database's ceiling for storing it on these cores.
   */
  private void inserts(BenchPipeline p, int c, int n, String key) {
    timedLoop(p.db.name() + " insert", key, c, n, i -> StoreVsJdbcBench.insert(p.db,
        ContentKey.of(BenchPipeline.PLAIN_TYPE, BenchPipeline.nextContentId()), clip, clipMetadata));
    p.db.truncateAudio();
  }

  /**
   * A closed loop of {@code n} tasks on {@code c} threads whose wall time is recorded under {@code key}
   * and CPU under {@code cpuGroup}; neither when {@code key} is null (a warmup).
   */
  private void timedLoop(String cpuGroup, String key, int c, int n, java.util.function.IntConsumer task) {
    CpuMeter.Sample cpuBefore = key == null ? null : meter.sample();
    long nanos = closedLoop(meter, c, n, task);
    if (cpuBefore != null) {
      spent(cpuGroup, meter.spent(cpuBefore, meter.sample()), n);
    }
    record(key, n, nanos);
  }

  /** Runs {@code task(0..n-1)} on {@code c} fresh threads taking the next index; the wall time once all are done. */
  private static long closedLoop(CpuMeter meter, int c, int n, java.util.function.IntConsumer task) {
    AtomicInteger next = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    Throwable[] failure = new Throwable[1];
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < c; t++) {
      Thread thread = new Thread(() -> {
        try {
          start.await();
          for (int i; (i = next.getAndIncrement()) < n; ) {
            task.accept(i);
          }
        } catch (Throwable e) {
          synchronized (failure) {
            if (failure[0] == null) {
              failure[0] = e;
            }
          }
          next.set(n);
        } finally {
          meter.clientThreadEnds();
        }
      }, "bench-client-" + t);
      thread.setDaemon(true);
      thread.start();
      threads.add(thread);
    }
    long t0 = System.nanoTime();
    start.countDown();
    try {
      for (Thread thread : threads) {
        thread.join(TimeUnit.MINUTES.toMillis(10));
        if (thread.isAlive()) {
          throw new IllegalStateException(thread.getName() + " still runs after 10 minutes");
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
    long elapsed = System.nanoTime() - t0;
    synchronized (failure) {
      if (failure[0] != null) {
        throw new IllegalStateException("a client thread failed", failure[0]);
      }
    }
    return elapsed;
  }
}
