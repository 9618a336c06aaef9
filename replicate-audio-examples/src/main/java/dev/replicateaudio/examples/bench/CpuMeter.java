package dev.replicateaudio.examples.bench;

import dev.replicateaudio.examples.Threads;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * CPU time by who spends it (issue 14), so the library's share of a webhook is not hidden by the
 * load generator: the JVM's threads split by name into the <b>harness</b> (the benchmark's client
 * threads {@code bench-client-*}, the Replicate simulator's {@code replicate-simulator-*} threads and
 * its HTTP server's dispatcher, and the benchmark's main thread) and the <b>library</b> (every other
 * Java thread: the receiver, the processing executor, the pool, H2, OkHttp, the bridges), measured
 * with {@link ThreadMXBean}; the rest of the process's CPU as <b>jvm</b>, split from
 * {@code /proc/self/task} into the garbage collector's threads and the rest (the JIT compilers
 * mostly, and threads that ended between two samples); the child processes waited for (ffmpeg)
 * from {@code /proc/self/stat}; and a PostgreSQL server's processes (the postmaster and its
 * backends, found by the data directory on the postmaster's command line) from {@code /proc}. And
 * what the rest of the machine spent meanwhile, from {@code /proc/stat}: <b>other</b> (other
 * processes and the kernel's own threads, such as the file system's journal and discards) and
 * <b>steal</b> (time the virtual machine's host gave these cores to someone else), so a cell that
 * shared its cores with something outside the benchmark says so.
 *
 * <p>Linux only for the children, the server and the machine (elsewhere they read 0). Thread-safe.
 */
final class CpuMeter {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** {@code /proc}'s clock ticks per second: 100 on every Linux this runs on (USER_HZ). */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final Set<Long> harnessThreads = ConcurrentHashMap.newKeySet();
  /** Thread id → its name with the numbers made {@code #}, to sum a pool's threads. */
  private final Map<Long, String> names = new ConcurrentHashMap<>();
  private final LongAdder endedClientNanos = new LongAdder();
  private volatile Path postgresDataDir;

  CpuMeter() {
    if (THREADS.isThreadCpuTimeSupported() && !THREADS.isThreadCpuTimeEnabled()) {
      THREADS.setThreadCpuTimeEnabled(true);
    }
  }

  /** Whether this JVM measures per-thread CPU time (HotSpot on Linux does). */
  static boolean supported() {
    return THREADS.isThreadCpuTimeSupported();
  }

  /** The ids of the live threads now, to tell which threads a start created. */
  static Set<Long> liveThreadIds() {
    Set<Long> ids = new java.util.HashSet<>();
    for (long id : THREADS.getAllThreadIds()) {
      ids.add(id);
    }
    return ids;
  }

  /** Counts the threads started since {@code before} as the harness's (the simulator's HTTP dispatcher). */
  void harnessThreadsSince(Set<Long> before) {
    for (long id : THREADS.getAllThreadIds()) {
      if (!before.contains(id)) {
        harnessThreads.add(id);
      }
    }
  }

  /** Measures the PostgreSQL server whose data directory is {@code dir} too. */
  void postgres(Path dir) {
    this.postgresDataDir = dir.toAbsolutePath();
  }

  /** Called by a client thread as it ends: its CPU would be lost with it. */
  void clientThreadEnds() {
    long t = THREADS.getCurrentThreadCpuTime();
    if (t > 0) {
      endedClientNanos.add(t);
    }
  }

  static boolean isHarness(String threadName) {
    return threadName.startsWith("bench-client-") || threadName.startsWith("replicate-simulator-")
        || threadName.equals("main");
  }

  /** A reading of every counter. */
  Sample sample() {
    Map<Long, long[]> perThread = new HashMap<>();
    long[] ids = THREADS.getAllThreadIds();
    java.lang.management.ThreadInfo[] infos = THREADS.getThreadInfo(ids);
    for (int i = 0; i < ids.length; i++) {
      if (infos[i] == null) {
        continue; // ended meanwhile
      }
      String name = infos[i].getThreadName();
      if (name.startsWith("bench-client-")) {
        continue; // counted by clientThreadEnds: they live within one cell
      }
      long cpu = THREADS.getThreadCpuTime(ids[i]);
      if (cpu < 0) {
        continue;
      }
      boolean harness = isHarness(name) || harnessThreads.contains(ids[i]);
      perThread.put(ids[i], new long[] {cpu, harness ? 1 : 0});
      names.putIfAbsent(ids[i], Threads.pool(name));
    }
    long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    long[] self = stat(Path.of("/proc/self/stat"));
    long children = self == null ? 0 : (self[3] + self[4]) * NANOS_PER_TICK;
    long[] machine = machine();
    return new Sample(perThread, endedClientNanos.sum(), process, children, postgresNanos(), jvmThreads(),
        machine[0], machine[1]);
  }

  /**
   * {busy, steal} CPU nanos of the whole machine since boot, from the first line of
   * {@code /proc/stat}: busy is user, nice, system, irq and softirq (guest time is within user); {0, 0}
   * when unreadable.
   */
  static long[] machine() {
    try (java.io.BufferedReader r = Files.newBufferedReader(Path.of("/proc/stat"), StandardCharsets.US_ASCII)) {
      return parseStatCpuLine(r.readLine());
    } catch (IOException | RuntimeException e) {
      return new long[2];
    }
  }

  /** {busy, steal} nanos of a {@code /proc/stat} {@code cpu} line; {0, 0} when it is not one. */
  static long[] parseStatCpuLine(String line) {
    if (line == null || !line.startsWith("cpu ")) {
      return new long[2];
    }
    String[] f = line.trim().split("\\s+");
    long[] t = new long[9];
    for (int i = 1; i < f.length && i < t.length; i++) {
      t[i] = Long.parseLong(f[i]);
    }
    // cpu user nice system idle iowait irq softirq steal ...
    long busy = t[1] + t[2] + t[3] + t[6] + t[7];
    return new long[] {busy * NANOS_PER_TICK, t[8] * NANOS_PER_TICK};
  }

  /**
   * CPU nanos of the JVM's own threads by kind, from {@code /proc/self/task}: {@code gc} (the
   * collector's and the VM thread, which runs the safepoints), {@code jit} (the compilers).
   */
  private static Map<String, Long> jvmThreads() {
    Map<String, Long> kinds = new HashMap<>();
    Path tasks = Path.of("/proc/self/task");
    if (!Files.isDirectory(tasks)) {
      return kinds;
    }
    try (DirectoryStream<Path> ts = Files.newDirectoryStream(tasks)) {
      for (Path t : ts) {
        String stat;
        try {
          stat = new String(Files.readAllBytes(t.resolve("stat")), StandardCharsets.US_ASCII);
        } catch (IOException ended) {
          continue;
        }
        int open = stat.indexOf('(');
        int close = stat.lastIndexOf(')');
        if (open < 0 || close < open) {
          continue;
        }
        String comm = stat.substring(open + 1, close);
        String kind = comm.startsWith("GC Thread") || comm.startsWith("G1 ") || comm.equals("VM Thread") ? "gc"
            : comm.startsWith("C1 Compiler") || comm.startsWith("C2 Compiler") ? "jit" : null;
        if (kind == null) {
          continue;
        }
        String[] f = stat.substring(close + 2).split(" ");
        long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
        kinds.merge(kind, ticks * NANOS_PER_TICK, Long::sum);
      }
    } catch (IOException | RuntimeException e) {
      return kinds;
    }
    return kinds;
  }

  /** utime + stime of the PostgreSQL processes, plus the CPU of backends that ended (the postmaster's cutime + cstime). */
  private long postgresNanos() {
    Path dir = postgresDataDir;
    if (dir == null || !Files.isDirectory(Path.of("/proc"))) {
      return 0;
    }
    String needle = dir.toString();
    Map<Long, long[]> stats = new HashMap<>();
    long postmaster = -1;
    try (DirectoryStream<Path> procs = Files.newDirectoryStream(Path.of("/proc"), p -> p.getFileName().toString()
        .chars().allMatch(Character::isDigit))) {
      for (Path p : procs) {
        long[] s = stat(p.resolve("stat"));
        if (s == null) {
          continue;
        }
        long pid = Long.parseLong(p.getFileName().toString());
        stats.put(pid, s);
        if (postmaster < 0) {
          try {
            String cmd = new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
            if (cmd.contains("postgres") && cmd.contains(needle) && !cmd.contains("pg_ctl")) {
              postmaster = pid;
            }
          } catch (IOException gone) {
            // ended meanwhile
          }
        }
      }
    } catch (IOException e) {
      return 0;
    }
    if (postmaster < 0) {
      return 0;
    }
    long[] pm = stats.get(postmaster);
    long ticks = pm[1] + pm[2] + pm[3] + pm[4];
    for (long[] s : stats.values()) {
      if (s[0] == postmaster) {
        ticks += s[1] + s[2];
      }
    }
    return ticks * NANOS_PER_TICK;
  }

  /** {ppid, utime, stime, cutime, cstime} of a {@code /proc/PID/stat}, in clock ticks; null when unreadable. */
  private static long[] stat(Path file) {
    String s;
    try {
      s = new String(Files.readAllBytes(file), StandardCharsets.US_ASCII);
    } catch (IOException | RuntimeException e) {
      return null;
    }
    int close = s.lastIndexOf(')');
    if (close < 0) {
      return null;
    }
    String[] f = s.substring(close + 2).split(" ");
    if (f.length < 15) {
      return null;
    }
    try {
      return new long[] {Long.parseLong(f[1]), Long.parseLong(f[11]), Long.parseLong(f[12]), Long.parseLong(f[13]),
          Long.parseLong(f[14])};
    } catch (NumberFormatException e) {
      return null;
    }
  }

  /**
   * One reading.
   *
   * @param threads thread id → {cpu nanos, 1 if the harness's}
   * @param endedClients CPU nanos of the client threads that ended so far
   * @param process the JVM's CPU nanos
   * @param children CPU nanos of the child processes waited for
   * @param postgres CPU nanos of the PostgreSQL server's processes (0 when not measured)
   * @param jvmKinds CPU nanos of the JVM's own threads by kind (gc, jit)
   * @param machine busy CPU nanos of the whole machine (every core), steal excluded
   * @param steal CPU nanos the virtual machine's host took from these cores
   */
  record Sample(Map<Long, long[]> threads, long endedClients, long process, long children, long postgres,
      Map<String, Long> jvmKinds, long machine, long steal) {
  }

  /** What was spent from {@code before} to {@code after}. */
  Spent spent(Sample before, Sample after) {
    long library = 0;
    long harness = after.endedClients - before.endedClients;
    Map<String, Long> byName = new HashMap<>();
    for (Map.Entry<Long, long[]> e : after.threads.entrySet()) {
      long[] then = before.threads.get(e.getKey());
      long d = e.getValue()[0] - (then == null ? 0 : then[0]);
      if (e.getValue()[1] == 1) {
        harness += d;
      } else {
        library += d;
        byName.merge(names.getOrDefault(e.getKey(), "?"), d, Long::sum);
      }
    }
    long jvm = Math.max(0, (after.process - before.process) - library - harness);
    Map<String, Long> kinds = new HashMap<>();
    for (Map.Entry<String, Long> e : after.jvmKinds.entrySet()) {
      kinds.put(e.getKey(), e.getValue() - before.jvmKinds.getOrDefault(e.getKey(), 0L));
    }
    long children = after.children - before.children;
    long postgres = after.postgres - before.postgres;
    long other = Math.max(0, (after.machine - before.machine) - (after.process - before.process) - children - postgres);
    return new Spent(library, harness, jvm, children, postgres, byName, kinds, other, after.steal - before.steal);
  }

  /**
   * CPU nanos spent, by whom.
   *
   * @param library the library's Java threads
   * @param harness the benchmark's client and the simulator
   * @param jvm the rest of the JVM: GC, JIT, threads that ended
   * @param children child processes (ffmpeg)
   * @param postgres the PostgreSQL server
   * @param libraryThreads the library's share by thread name (numbers made {@code #})
   * @param jvmKinds part of the jvm share by kind: {@code gc}, {@code jit}
   * @param other the rest of the machine: other processes and the kernel's own threads
   * @param steal what the virtual machine's host took from these cores
   */
  record Spent(long library, long harness, long jvm, long children, long postgres, Map<String, Long> libraryThreads,
      Map<String, Long> jvmKinds, long other, long steal) {
    /** The garbage collector's threads (and the VM thread's safepoints); within {@link #jvm}. */
    long gc() {
      return Math.min(jvm, jvmKinds.getOrDefault("gc", 0L));
    }

    /** The rest of {@link #jvm}: the JIT compilers mostly (a warmup cost), threads that ended. */
    long jit() {
      return jvm - gc();
    }

    Spent plus(Spent o) {
      return new Spent(library + o.library, harness + o.harness, jvm + o.jvm, children + o.children,
          postgres + o.postgres, merge(libraryThreads, o.libraryThreads), merge(jvmKinds, o.jvmKinds), other + o.other,
          steal + o.steal);
    }

    private static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
      Map<String, Long> m = new HashMap<>(a);
      b.forEach((k, v) -> m.merge(k, v, Long::sum));
      return m;
    }

    /** For people: per item ({@code n} of them), the gc and jit parts and the busiest library threads. */
    String details(long n) {
      StringBuilder sb = new StringBuilder(String.format(java.util.Locale.ROOT, "the JIT compilers %.2f ms;"
          + " the library's busiest threads:", jvmKinds.getOrDefault("jit", 0L) / 1e6 / n));
      libraryThreads.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(6)
          .forEach(e -> sb.append(String.format(java.util.Locale.ROOT, " %s %.2f ms,",
              e.getKey().length() > 40 ? e.getKey().substring(0, 40) + "…" : e.getKey(), e.getValue() / 1e6 / n)));
      sb.setLength(sb.length() - 1);
      return sb.toString();
    }
  }
}
