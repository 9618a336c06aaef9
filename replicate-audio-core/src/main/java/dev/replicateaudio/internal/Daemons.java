package dev.replicateaudio.internal;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The library's few shared background threads, all daemons with descriptive names, created on
 * first use and never shut down (they hold no resources while idle).
 */
public final class Daemons {
  private Daemons() {
  }

  /** A thread factory naming threads {@code <prefix>-1}, {@code <prefix>-2}, ... as daemons. */
  public static ThreadFactory threadFactory(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  /**
   * One scheduler thread shared by every ffmpeg timeout and kill: tasks must be quick and never
   * block. Cancelled tasks are removed at once.
   */
  public static ScheduledExecutorService scheduler() {
    return SchedulerHolder.INSTANCE;
  }

  /**
   * The default executor for short blocking steps around ffmpeg processes (starting one, reading
   * its log file, deleting its temp directory): up to 64 daemon threads that end after 30 s idle.
   */
  public static ExecutorService ffmpegExecutor() {
    return ExecutorHolder.INSTANCE;
  }

  private static final class SchedulerHolder {
    static final ScheduledExecutorService INSTANCE = create();

    private static ScheduledExecutorService create() {
      ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, threadFactory("replicate-audio-scheduler"));
      s.setRemoveOnCancelPolicy(true);
      s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
      return Executors.unconfigurableScheduledExecutorService(s);
    }
  }

  private static final class ExecutorHolder {
    static final ExecutorService INSTANCE = create();

    private static ExecutorService create() {
      ThreadPoolExecutor e = new ThreadPoolExecutor(64, 64, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
          threadFactory("replicate-audio-ffmpeg"));
      e.allowCoreThreadTimeOut(true);
      return Executors.unconfigurableExecutorService(e);
    }
  }
}
