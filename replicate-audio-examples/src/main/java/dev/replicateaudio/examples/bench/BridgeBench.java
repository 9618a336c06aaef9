package dev.replicateaudio.examples.bench;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.HdrHistogram.Histogram;

/**
 * Figure 7 (issue 14): the {@link PostgresCompletionBridge} between two instances on one PostgreSQL.
 *
 * <p><b>Wake across instances</b> ({@code bridge_wake_p50_ms}, {@code bridge_wake_p99_ms}): instance
 * A and instance B each have their own notifier and bridge (each bridge its own two connections, as
 * {@link PostgresCompletionBridge#start(dev.replicateaudio.jdbi.DatabaseSettings, WebhookCompletionNotifier)}
 * makes them), on one channel. A thread on B blocks in {@code get()} on a wait for a new key; once it
 * is parked, A's notifier is told the key completed; the latency runs from that call to B's thread
 * running again: the queue to A's sender, {@code pg_notify}, the server, B's listener, B's notifier,
 * the hand-off. Samples one after the other; the first tenth is warmup.
 *
 * <p><b>Cost</b> ({@code bridge_cost_pg_c16_pct}): webhooks per second without trim on PostgreSQL at
 * concurrency 16 (figure 5's cell) with the pipeline's notifier bridged (and a second instance
 * listening, so every completion is sent, delivered and injected) against the same cell with no
 * bridge, alternated in one run (without, with, with, without, …), each side's total webhooks over
 * its total time; the cost is {@code 100 × (1 − with ÷ without)}.
 *
 * <p>Beside the wakes, alternated with them in blocks, PostgreSQL's own floor
 * ({@code pg_notify_p50_ms}, {@code pg_notify_p99_ms}): a plain {@code pg_notify} on one JDBC
 * connection to a thread blocked in the driver's {@code getNotifications} on another, no library
 * code: what the bridge adds is the difference.
 */
final class BridgeBench {
  private static final long HIGHEST_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final Duration WAIT = Duration.ofMinutes(1);
  private static final int CONCURRENCY = 16;

  private BridgeBench() {
  }

  static void run(BenchContext ctx, Figures figures, BenchDatabases dbs, ExecutorService executor,
      SimulatorDelivery delivery, CpuMeter meter) throws InterruptedException {
    BenchDatabases.Db pg = dbs.pg();
    String channel = "ra_bench_" + Long.toString(System.nanoTime(), 36);
    wake(ctx, figures, pg, channel);
    cost(ctx, figures, pg, channel, executor, delivery, meter);
  }

  private static PostgresCompletionBridge bridge(BenchDatabases.Db pg, String instance, String channel,
      WebhookCompletionNotifier notifier) {
    return PostgresCompletionBridge.builder(pg.settings().toBuilder().poolName("bench-" + instance).build(), notifier)
        .channel(channel)
        .start();
  }

  private static void wake(BenchContext ctx, Figures figures, BenchDatabases.Db pg, String channel)
      throws InterruptedException {
    int n = ctx.plan().bridgeWakes();
    int blocks = 4; // bridge, raw, raw, bridge, ...: the same share of the run's noise on each side
    int perBlock = Math.max(1, n / blocks);
    Histogram bridged = new Histogram(HIGHEST_NANOS, 3);
    Histogram raw = new Histogram(HIGHEST_NANOS, 3);
    WebhookCompletionNotifier a = new WebhookCompletionNotifier();
    WebhookCompletionNotifier b = new WebhookCompletionNotifier();
    try (PostgresCompletionBridge bridgeA = bridge(pg, "a", channel, a);
        PostgresCompletionBridge bridgeB = bridge(pg, "b", channel, b);
        RawNotify plain = new RawNotify(pg, channel + "_raw")) {
      awaitListening(a, b);
      bridgeBlock(a, b, Math.max(1, n / 10), null); // warmup
      plain.block(Math.max(1, n / 10), null);
      for (int i = 0; i < blocks; i++) {
        if (i % 4 == 0 || i % 4 == 3) {
          bridgeBlock(a, b, perBlock, bridged);
        } else {
          plain.block(perBlock, raw);
        }
        if (i % 4 == 0 || i % 4 == 3) {
          plain.block(perBlock, raw);
        } else {
          bridgeBlock(a, b, perBlock, bridged);
        }
      }
      if (bridgeA.stats().dropped() > 0 || bridgeB.stats().dropped() > 0) {
        throw new IllegalStateException("a bridge dropped completions: " + bridgeA.stats() + ", " + bridgeB.stats());
      }
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("plain LISTEN/NOTIFY failed", e);
    } finally {
      a.close();
      b.close();
    }
    double p50 = bridged.getValueAtPercentile(50) / 1e6;
    double p99 = bridged.getValueAtPercentile(99) / 1e6;
    ctx.out().printf(Locale.ROOT, "  wake on instance B after a completion on A, through PostgreSQL: p50 %.2f ms,"
        + " p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%,d)%n", p50, bridged.getValueAtPercentile(90) / 1e6, p99,
        bridged.getMaxValue() / 1e6, bridged.getTotalCount());
    ctx.out().printf(Locale.ROOT, "  beside it, plain NOTIFY on one connection to a thread blocked in getNotifications"
            + " on another (JDBC, no library): p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms (n=%,d)%n",
        raw.getValueAtPercentile(50) / 1e6, raw.getValueAtPercentile(90) / 1e6, raw.getValueAtPercentile(99) / 1e6,
        raw.getMaxValue() / 1e6, raw.getTotalCount());
    figures.put("bridge_wake_p50_ms", p50);
    figures.put("bridge_wake_p99_ms", p99);
    figures.put("pg_notify_p50_ms", raw.getValueAtPercentile(50) / 1e6);
    figures.put("pg_notify_p99_ms", raw.getValueAtPercentile(99) / 1e6);
  }

  /** {@code n} wakes of a thread waiting on B for a completion on A; recorded into {@code into} unless null. */
  private static void bridgeBlock(WebhookCompletionNotifier a, WebhookCompletionNotifier b, int n, Histogram into)
      throws InterruptedException {
    long[] notifiedAt = new long[n];
    long[] latencies = new long[n];
    AtomicInteger registered = new AtomicInteger(-1);
    Throwable[] failure = new Throwable[1];
    long base = System.nanoTime();
    Thread waiter = new Thread(() -> {
      try {
        for (int i = 0; i < n; i++) {
          CompletableFuture<CompletionOutcome> f = b.waitForCompletion(ContentKey.of("bench_bridge", base + i), WAIT);
          registered.set(i);
          CompletionOutcome outcome = f.get();
          long woke = System.nanoTime();
          if (!outcome.isSuccess()) {
            throw new IllegalStateException("woken with " + outcome);
          }
          synchronized (notifiedAt) {
            latencies[i] = woke - notifiedAt[i];
          }
        }
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, "bench-client-bridge-waiter");
    waiter.setDaemon(true);
    waiter.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60) + n * TimeUnit.MILLISECONDS.toNanos(50);
    for (int i = 0; i < n; i++) {
      while (registered.get() != i || waiter.getState() != Thread.State.WAITING) {
        if (!waiter.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException("the waiter on instance B stopped or stalled at sample " + i, failure[0]);
        }
        Thread.onSpinWait();
      }
      synchronized (notifiedAt) {
        notifiedAt[i] = System.nanoTime();
      }
      a.notifyCompletion(ContentKey.of("bench_bridge", base + i), CompletionOutcome.succeeded("bench-bridge-" + i));
    }
    waiter.join(TimeUnit.SECONDS.toMillis(60));
    if (waiter.isAlive() || failure[0] != null) {
      throw new IllegalStateException("the waiter on instance B failed", failure[0]);
    }
    if (into != null) {
      for (long l : latencies) {
        into.recordValue(Math.max(0, Math.min(l, HIGHEST_NANOS)));
      }
    }
  }

  /**
   * PostgreSQL's own floor for the bridge's wake: {@code NOTIFY} on one plain JDBC connection, a
   * thread blocked in the driver's {@code getNotifications(timeout)} on another, the time from before
   * the statement to that thread having the notification. No library code.
   */
  private static final class RawNotify implements AutoCloseable {
    private final java.sql.Connection listen;
    private final java.sql.Connection send;
    private final String channel;

    RawNotify(BenchDatabases.Db pg, String channel) throws java.sql.SQLException {
      this.channel = channel;
      this.listen = pg.dataSource().getConnection();
      this.send = pg.dataSource().getConnection();
      listen.setAutoCommit(true);
      send.setAutoCommit(true);
      try (java.sql.Statement st = listen.createStatement()) {
        st.execute("LISTEN " + channel);
      }
    }

    void block(int n, Histogram into) throws java.sql.SQLException, InterruptedException {
      org.postgresql.PGConnection pgListen = listen.unwrap(org.postgresql.PGConnection.class);
      long[] arrived = new long[n];
      AtomicInteger received = new AtomicInteger();
      Throwable[] failure = new Throwable[1];
      Thread listener = new Thread(() -> {
        try {
          while (received.get() < n) {
            org.postgresql.PGNotification[] got = pgListen.getNotifications(1000);
            long now = System.nanoTime();
            if (got != null) {
              for (org.postgresql.PGNotification g : got) {
                int i = Integer.parseInt(g.getParameter());
                arrived[i] = now;
                received.incrementAndGet();
              }
            }
          }
        } catch (Throwable t) {
          failure[0] = t;
        }
      }, "bench-client-notify-listener");
      listener.setDaemon(true);
      listener.start();
      long[] sentAt = new long[n];
      try (java.sql.PreparedStatement notify = send.prepareStatement("SELECT pg_notify(?, ?)")) {
        for (int i = 0; i < n; i++) {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
          while (received.get() != i) {
            if (!listener.isAlive() && received.get() != i || System.nanoTime() > deadline) {
              throw new IllegalStateException("the plain LISTEN thread stopped or stalled at sample " + i, failure[0]);
            }
            Thread.onSpinWait();
          }
          Thread.sleep(1); // the listener is back in getNotifications
          notify.setString(1, channel);
          notify.setString(2, Integer.toString(i));
          sentAt[i] = System.nanoTime();
          notify.execute();
          while (received.get() <= i) {
            // the listener ends right after counting the last one: read the count again once it is gone
            if (!listener.isAlive() && received.get() <= i || System.nanoTime() > deadline) {
              throw new IllegalStateException("plain NOTIFY " + i + " never arrived", failure[0]);
            }
            Thread.onSpinWait();
          }
        }
      }
      listener.join(TimeUnit.SECONDS.toMillis(30));
      if (listener.isAlive() || failure[0] != null) {
        throw new IllegalStateException("the plain LISTEN thread failed", failure[0]);
      }
      if (into != null) {
        for (int i = 0; i < n; i++) {
          into.recordValue(Math.max(0, Math.min(arrived[i] - sentAt[i], HIGHEST_NANOS)));
        }
      }
    }

    @Override
    public void close() throws java.sql.SQLException {
      try (java.sql.Statement st = listen.createStatement()) {
        st.execute("UNLISTEN *");
      } finally {
        listen.close();
        send.close();
      }
    }
  }

  /** Until a completion on A reaches B: both listen (LISTEN is done on the listener's own thread). */
  private static void awaitListening(WebhookCompletionNotifier a, WebhookCompletionNotifier b)
      throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (long i = 0; ; i++) {
      ContentKey key = ContentKey.of("bench_bridge_ready", System.nanoTime() + i);
      CompletableFuture<CompletionOutcome> f = b.waitForCompletion(key, WAIT);
      a.notifyCompletion(key, CompletionOutcome.succeeded("ready"));
      try {
        f.get(200, TimeUnit.MILLISECONDS);
        return;
      } catch (java.util.concurrent.TimeoutException e) {
        f.cancel(false);
      } catch (java.util.concurrent.ExecutionException e) {
        throw new IllegalStateException("the bridge's readiness wait failed", e);
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the bridges did not carry a completion within 30 s");
      }
    }
  }

  private static void cost(BenchContext ctx, Figures figures, BenchDatabases.Db pg, String channel,
      ExecutorService executor, SimulatorDelivery delivery, CpuMeter meter) throws InterruptedException {
    Plan plan = ctx.plan();
    PrintStream out = ctx.out();
    List<URI> urls = delivery.wavs(200_000, 16);
    Path dir = ctx.workDir().resolve("bridge");
    TrimOverheadBench.mkdirs(dir);
    ThroughputBench bench = new ThroughputBench(ctx, null, urls, meter);
    long[] without = new long[2];
    long[] with = new long[2];
    try (BenchPipeline p = BenchPipeline.start(ctx, pg, executor, true)) {
      bench.cell(p, 4, Math.min(100, plan.bridgePerCell())); // warmup
      for (int i = 0; i < 2 * plan.bridgePairs(); i++) {
        boolean bridged = i % 4 == 1 || i % 4 == 2; // without, with, with, without, ...
        int n = plan.bridgePerCell();
        double perSecond;
        if (bridged) {
          WebhookCompletionNotifier other = new WebhookCompletionNotifier();
          try (PostgresCompletionBridge mine = bridge(pg, "cost-a", channel, p.notifier);
              PostgresCompletionBridge theirs = bridge(pg, "cost-b", channel, other)) {
            awaitListening(p.notifier, other);
            perSecond = bench.cell(p, CONCURRENCY, n);
            if (mine.stats().dropped() > 0) {
              throw new IllegalStateException("the bridge dropped completions: " + mine.stats());
            }
          } finally {
            other.close();
          }
        } else {
          perSecond = bench.cell(p, CONCURRENCY, n);
        }
        long[] side = bridged ? with : without;
        side[0] += n;
        side[1] += Math.round(n / perSecond * 1e9);
      }
    } finally {
      bench.close();
    }
    double w = with[0] / (with[1] / 1e9);
    double wo = without[0] / (without[1] / 1e9);
    double cost = 100 * (1 - w / wo);
    out.printf(Locale.ROOT, "  PostgreSQL without trim at c16: %,.1f /s without the bridge, %,.1f /s with it"
        + " (%d webhooks each side): cost %.1f %%%n", wo, w, with[0], cost);
    figures.put("webhooks_per_s_pg_nobridge_c16", wo);
    figures.put("webhooks_per_s_pg_bridge_c16", w);
    figures.put("bridge_cost_pg_c16_pct", cost);
  }
}
