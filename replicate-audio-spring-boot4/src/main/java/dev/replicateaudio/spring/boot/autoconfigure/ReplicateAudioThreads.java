package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.internal.Daemons;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The threads the starter creates for the pipeline: a fixed pool for blocking work
 * ({@code replicate-audio-worker-N}) and one scheduler thread for recovery
 * ({@code replicate-audio-recovery-1}), all daemons. Not an {@code Executor} bean, so that Spring
 * Boot's own task executor is not replaced. Thread-safe.
 */
public final class ReplicateAudioThreads implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReplicateAudioThreads.class);

  private final ExecutorService executor;
  private final ScheduledExecutorService scheduler;

  ReplicateAudioThreads(int threads) {
    this.executor = Executors.newFixedThreadPool(threads, Daemons.threadFactory("replicate-audio-worker"));
    ScheduledThreadPoolExecutor s = new ScheduledThreadPoolExecutor(1, Daemons.threadFactory("replicate-audio-recovery"));
    s.setRemoveOnCancelPolicy(true);
    s.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.scheduler = s;
  }

  /**
   * Runs the pipeline's blocking work (database, ffmpeg waits, hashing).
   *
   * @return the worker pool
   */
  public ExecutorService executor() {
    return executor;
  }

  /**
   * Runs the recovery schedule.
   *
   * @return the scheduler
   */
  public ScheduledExecutorService scheduler() {
    return scheduler;
  }

  /** Stops both, waiting up to {@code timeout} for running tasks; then interrupts what is left. */
  void shutdown(Duration timeout) {
    scheduler.shutdownNow();
    executor.shutdown();
    try {
      if (!executor.awaitTermination(Math.max(1, timeout.toMillis()), TimeUnit.MILLISECONDS)) {
        LOG.warn("Timed out after {} ms waiting for replicate-audio worker threads; interrupting them",
            timeout.toMillis());
        executor.shutdownNow();
      }
    } catch (InterruptedException e) {
      executor.shutdownNow();
      Thread.currentThread().interrupt();
    }
  }

  /** {@link #shutdown} with a 5 s wait; idempotent. */
  @Override
  public void close() {
    if (!executor.isShutdown() || !scheduler.isShutdown()) {
      shutdown(Duration.ofSeconds(5));
    }
  }
}
