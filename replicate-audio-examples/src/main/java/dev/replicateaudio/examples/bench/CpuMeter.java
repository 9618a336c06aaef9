package dev.replicateaudio.examples.bench;

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
 * with {@link ThreadMXBean}; the rest of the process's CPU (garbage collection, the JIT compilers,
 * threads that ended between two samples) as <b>jvm</b>; the child processes waited for (ffmpeg)
 * from {@code /proc/self/stat}; and a PostgreSQL server's processes (the postmaster and its
 * backends, found by the data directory on the postmaster's command line) from {@code /proc}.
 *
 * <p>Linux only for the children and the server (elsewhere they read 0). Thread-safe.
 */
final class CpuMeter {
  private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();
  /** {@code /proc}'s clock ticks per second: 100 on every Linux this runs on (USER_HZ). */
  private static final long NANOS_PER_TICK = 10_000_000L;

  private final Set<Long> harnessThreads = ConcurrentHashMap.newKeySet();
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
    }
    long process = ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
    long[] self = stat(Path.of("/proc/self/stat"));
    long children = self == null ? 0 : (self[3] + self[4]) * NANOS_PER_TICK;
    return new Sample(perThread, endedClientNanos.sum(), process, children, postgresNanos());
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
   */
  record Sample(Map<Long, long[]> threads, long endedClients, long process, long children, long postgres) {
    /** What was spent from {@code before} to this sample. */
    Spent since(Sample before) {
      long library = 0;
      long harness = endedClients - before.endedClients;
      for (Map.Entry<Long, long[]> e : threads.entrySet()) {
        long[] then = before.threads.get(e.getKey());
        long d = e.getValue()[0] - (then == null ? 0 : then[0]);
        if (e.getValue()[1] == 1) {
          harness += d;
        } else {
          library += d;
        }
      }
      long jvm = Math.max(0, (process - before.process) - library - harness);
      return new Spent(library, harness, jvm, children - before.children, postgres - before.postgres);
    }
  }

  /**
   * CPU nanos spent, by whom.
   *
   * @param library the library's Java threads
   * @param harness the benchmark's client and the simulator
   * @param jvm the rest of the JVM: GC, JIT, threads that ended
   * @param children child processes (ffmpeg)
   * @param postgres the PostgreSQL server
   */
  record Spent(long library, long harness, long jvm, long children, long postgres) {
    static final Spent ZERO = new Spent(0, 0, 0, 0, 0);

    Spent plus(Spent o) {
      return new Spent(library + o.library, harness + o.harness, jvm + o.jvm, children + o.children,
          postgres + o.postgres);
    }
  }
}
