package dev.replicateaudio.examples.bench;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The measured figures under their JSON keys (issue 7), their goals, and the table printed at the
 * end of a run. Not thread-safe: figures are put by the one thread that runs the benchmarks.
 */
final class Figures {
  static final int[] CONCURRENCY = {1, 4, 16};
  static final String[] DATABASES = {"h2", "pg"};
  /** The ffmpeg builds the trimmed ÷ bare shares are measured with: Debian's (on PATH) and org.bytedeco's. */
  static final String[] FFMPEGS = {"system", "bundled"};
  /**
   * Who spends the CPU of a webhook without trim (see {@link CpuMeter}): the library's threads, the
   * garbage collector, the rest of the JVM (mostly the JIT compilers: a warmup cost), the harness; and
   * what the rest of the machine spent meanwhile (other processes, the kernel's own threads), not the
   * library's but taken from the same cores.
   */
  static final String[] CPU_SHARES = {"library", "gc", "jit", "harness", "other"};
  static final String CPU_PG_SERVER = "cpu_ms_per_webhook_pg_server";
  /** The PostgreSQL server's CPU per plain JDBC insert of the 200 KB clip (the database's ceiling). */
  static final String CPU_PG_SERVER_INSERT = "cpu_ms_per_insert_pg_server";

  /** Every key a complete run writes, in the order of the issue. */
  static final List<String> KEYS = keys();

  private final Map<String, Number> values = new LinkedHashMap<>();

  private static List<String> keys() {
    List<String> k = new ArrayList<>(List.of("wake_p50_ms", "wake_p99_ms", "poll500_p50_ms", "poll1000_p50_ms",
        "waiters_100k_heap_mb", "waiters_100k_threads_added", "trim_overhead_ratio",
        "heap_growth_1mb_mb", "heap_growth_10mb_mb", "heap_growth_50mb_mb", "heap_growth_50mb_mariadb_mb",
        "heap_growth_50mb_sqlite_mb"));
    for (String db : DATABASES) {
      for (String trim : new String[] {"notrim", "trim"}) {
        for (int c : CONCURRENCY) {
          k.add(throughputKey(db, trim.equals("trim"), c));
        }
      }
    }
    for (int c : CONCURRENCY) {
      k.add(bareKey(c));
    }
    k.add("store_vs_jdbc_ratio");
    // issue 14
    for (String ffmpeg : FFMPEGS) {
      for (String db : DATABASES) {
        for (int c : CONCURRENCY) {
          k.add(shareKey(db, c, ffmpeg));
        }
      }
    }
    for (String db : DATABASES) {
      for (String who : CPU_SHARES) {
        k.add(cpuKey(who, db));
      }
    }
    k.add(CPU_PG_SERVER);
    // the database's ceiling beside figure 5's webhooks: plain JDBC inserts of the same 200 KB
    for (String db : DATABASES) {
      for (int c : CONCURRENCY) {
        k.add(insertKey(db, c));
      }
    }
    k.add(CPU_PG_SERVER_INSERT);
    k.addAll(List.of("bridge_wake_p50_ms", "bridge_wake_p99_ms", "pg_notify_p50_ms", "pg_notify_p99_ms",
        "webhooks_per_s_pg_nobridge_c16",
        "webhooks_per_s_pg_bridge_c16", "bridge_cost_pg_c16_pct"));
    return List.copyOf(k);
  }

  /** Trimmed webhooks per second ÷ bare ffmpeg trims per second, on {@code db} at {@code c}, with {@code ffmpeg}. */
  static String shareKey(String db, int concurrency, String ffmpeg) {
    return "trim_vs_bare_" + db + "_c" + concurrency + "_" + ffmpeg;
  }

  /** CPU milliseconds per webhook without trim spent by {@code who} (one of {@link #CPU_SHARES}) on {@code db}. */
  static String cpuKey(String who, String db) {
    return "cpu_ms_per_webhook_" + who + "_" + db;
  }

  static String throughputKey(String db, boolean trim, int concurrency) {
    return "webhooks_per_s_" + db + "_" + (trim ? "trim" : "notrim") + "_c" + concurrency;
  }

  /** Plain JDBC inserts per second of the 200 KB clip into {@code db} by {@code concurrency} threads. */
  static String insertKey(String db, int concurrency) {
    return "jdbc_inserts_per_s_" + db + "_c" + concurrency;
  }

  static String bareKey(int concurrency) {
    return "bare_ffmpeg_per_s_c" + concurrency;
  }

  /**
   * Records a measured value.
   *
   * @throws IllegalArgumentException for a key outside {@link #KEYS} or a value that is not finite
   * @throws IllegalStateException when the key was recorded already
   */
  void put(String key, double value) {
    check(key);
    if (!Double.isFinite(value)) {
      throw new IllegalArgumentException("figure " + key + " was not measured: " + value);
    }
    if (values.putIfAbsent(key, round(value)) != null) {
      throw new IllegalStateException("figure " + key + " was recorded twice");
    }
  }

  /** Records a count. */
  void putCount(String key, long value) {
    check(key);
    if (values.putIfAbsent(key, value) != null) {
      throw new IllegalStateException("figure " + key + " was recorded twice");
    }
  }

  private static void check(String key) {
    if (!KEYS.contains(key)) {
      throw new IllegalArgumentException("not a figure key: " + key);
    }
  }

  /** The value of {@code key}; NaN when not measured (yet). */
  double get(String key) {
    Number n = values.get(key);
    return n == null ? Double.NaN : n.doubleValue();
  }

  boolean has(String key) {
    return values.containsKey(key);
  }

  /** The figures measured so far, in the order of {@link #KEYS}. */
  Map<String, Number> values() {
    Map<String, Number> ordered = new LinkedHashMap<>();
    for (String k : KEYS) {
      if (values.containsKey(k)) {
        ordered.put(k, values.get(k));
      }
    }
    return Collections.unmodifiableMap(ordered);
  }

  /**
   * The keys not measured yet. The trimmed ÷ bare shares count as measured when those of one ffmpeg
   * are: a machine without ffmpeg on PATH has only the bundled one.
   */
  List<String> missing() {
    List<String> m = new ArrayList<>();
    boolean anyFfmpeg = false;
    for (String ffmpeg : FFMPEGS) {
      boolean all = true;
      for (String db : DATABASES) {
        for (int c : CONCURRENCY) {
          all &= values.containsKey(shareKey(db, c, ffmpeg));
        }
      }
      anyFfmpeg |= all;
    }
    for (String k : KEYS) {
      if (!values.containsKey(k) && !(anyFfmpeg && k.startsWith("trim_vs_bare_"))) {
        m.add(k);
      }
    }
    return m;
  }

  /** Four significant digits: more than the machine's noise supports. */
  static double round(double v) {
    if (v == 0) {
      return 0;
    }
    return new BigDecimal(v).round(new MathContext(4)).doubleValue();
  }

  /** A row of the table: what, how much, the goal, and whether it is met (null: no goal). */
  record Row(String figure, String value, String goal, Boolean met) {
    Row {
      Objects.requireNonNull(figure, "figure == null");
    }
  }

  /** Every measured figure and derived ratio, with its goal. */
  List<Row> rows() {
    List<Row> rows = new ArrayList<>();
    row(rows, "wake_p50_ms", "%.4f ms", "< 0.1 ms", v -> v < 0.1);
    row(rows, "wake_p99_ms", "%.4f ms", "< 1 ms", v -> v < 1);
    row(rows, "poll500_p50_ms", "%.1f ms", null, null);
    row(rows, "poll1000_p50_ms", "%.1f ms", null, null);
    if (has("wake_p50_ms") && has("poll500_p50_ms")) {
      double x = get("poll500_p50_ms") / get("wake_p50_ms");
      rows.add(new Row("  event vs 0.5 s poller at p50", String.format(Locale.ROOT, "%,.0f x", x), ">= 1,000 x",
          x >= 1000));
    }
    row(rows, "waiters_100k_heap_mb", "%.1f MiB", "< 32 MiB", v -> v < 32);
    row(rows, "waiters_100k_threads_added", "%.0f", "no thread per waiter (<= 1)", v -> v <= 1);
    row(rows, "trim_overhead_ratio", "%.2f", "<= 1.10", v -> v <= 1.10);
    row(rows, "heap_growth_1mb_mb", "%.2f MiB", null, null);
    row(rows, "heap_growth_10mb_mb", "%.2f MiB", null, null);
    row(rows, "heap_growth_50mb_mb", "%.2f MiB", "< 16 MiB", v -> v < 16);
    row(rows, "heap_growth_50mb_mariadb_mb", "%.2f MiB", "< 16 MiB", v -> v < 16);
    row(rows, "heap_growth_50mb_sqlite_mb", "%.2f MiB", "< 16 MiB", v -> v < 16);
    if (has("heap_growth_1mb_mb") && has("heap_growth_50mb_mb")) {
      double slope = (get("heap_growth_50mb_mb") - get("heap_growth_1mb_mb")) / 49.0;
      rows.add(new Row("  growth trend, 1 -> 50 MB", String.format(Locale.ROOT, "%.3f MiB/MB", slope),
          "flat (< 0.05 MiB per MB)", slope < 0.05));
    }
    for (String db : DATABASES) {
      for (int c : CONCURRENCY) {
        String key = throughputKey(db, false, c);
        double goal = c != 16 ? 0 : db.equals("h2") ? 1000 : 500;
        row(rows, key, "%,.1f /s", goal == 0 ? null : String.format(Locale.ROOT, ">= %,.0f /s", goal),
            goal == 0 ? null : v -> v >= goal);
      }
    }
    for (String db : DATABASES) {
      for (String who : CPU_SHARES) {
        row(rows, cpuKey(who, db), "%.2f ms", null, null);
      }
      if (has(cpuKey("library", db)) && has(cpuKey("gc", db))) {
        double plan = get(cpuKey("library", db)) + get(cpuKey("gc", db))
            + (db.equals("pg") && has(CPU_PG_SERVER) ? get(CPU_PG_SERVER) : 0);
        rows.add(new Row("  capacity plan, " + db + ": library + gc" + (db.equals("pg") ? " + server" : ""),
            String.format(Locale.ROOT, "%.2f ms", plan), "", null));
      }
    }
    row(rows, CPU_PG_SERVER, "%.2f ms", null, null);
    for (String db : DATABASES) {
      for (int c : CONCURRENCY) {
        row(rows, insertKey(db, c), "%,.1f /s", null, null);
      }
      if (has(insertKey(db, 16)) && has(throughputKey(db, false, 16))) {
        double share = get(throughputKey(db, false, 16)) / get(insertKey(db, 16));
        rows.add(new Row("  webhooks / plain inserts, " + db + " c16", String.format(Locale.ROOT, "%.2f", share), "",
            null));
      }
    }
    row(rows, CPU_PG_SERVER_INSERT, "%.2f ms", null, null);
    for (int c : CONCURRENCY) {
      row(rows, bareKey(c), "%,.2f /s", null, null);
      for (String db : DATABASES) {
        row(rows, throughputKey(db, true, c), "%,.2f /s", null, null);
      }
    }
    for (String ffmpeg : FFMPEGS) {
      for (String db : DATABASES) {
        for (int c : CONCURRENCY) {
          row(rows, shareKey(db, c, ffmpeg), "%.2f", ">= 0.85", v -> v >= 0.85);
        }
      }
    }
    row(rows, "store_vs_jdbc_ratio", "%.2f", ">= 0.9", v -> v >= 0.9);
    row(rows, "bridge_wake_p50_ms", "%.2f ms", null, null);
    row(rows, "bridge_wake_p99_ms", "%.2f ms", "< 10 ms", v -> v < 10);
    row(rows, "pg_notify_p50_ms", "%.2f ms", null, null);
    row(rows, "pg_notify_p99_ms", "%.2f ms", null, null);
    row(rows, "webhooks_per_s_pg_nobridge_c16", "%,.1f /s", null, null);
    row(rows, "webhooks_per_s_pg_bridge_c16", "%,.1f /s", null, null);
    row(rows, "bridge_cost_pg_c16_pct", "%.1f %%", "< 10 %", v -> v < 10);
    return rows;
  }

  private void row(List<Row> rows, String key, String format, String goal, java.util.function.DoublePredicate met) {
    if (!has(key)) {
      return;
    }
    double v = get(key);
    rows.add(new Row(key, String.format(Locale.ROOT, format, v), goal == null ? "" : goal,
        met == null ? null : met.test(v)));
  }

  /** The rows as a fixed-width text table. */
  String table() {
    List<Row> rows = rows();
    int w0 = "figure".length();
    int w1 = "value".length();
    int w2 = "goal".length();
    for (Row r : rows) {
      w0 = Math.max(w0, r.figure().length());
      w1 = Math.max(w1, r.value().length());
      w2 = Math.max(w2, r.goal().length());
    }
    String fmt = "%-" + w0 + "s  %" + w1 + "s  %-" + w2 + "s  %s%n";
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, fmt, "figure", "value", "goal", "met?"));
    sb.append("-".repeat(w0 + w1 + w2 + 12)).append('\n');
    for (Row r : rows) {
      sb.append(String.format(Locale.ROOT, fmt, r.figure(), r.value(), r.goal(),
          r.met() == null ? "" : r.met() ? "yes" : "NO"));
    }
    return sb.toString();
  }
}
