package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.webhook.RecoveryReport;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Starts recovery's schedule, and stops the pipeline in order once the web server has drained
 * (phase {@value #PHASE}: after Spring Boot's graceful web server shutdown, before the beans are
 * destroyed): (1) refuse new webhooks (503); (2) cancel recovery's schedule and wait for a run in
 * progress; (3) wait for in-flight processing, up to {@code replicate-audio.shutdown.timeout}
 * (jobs still running then keep their claim and are finished by recovery later); (4) close the
 * notifier, so parked waiters complete instead of hanging; (5) close the completion bridge;
 * (6) close the ffmpeg runner, killing what still runs; (7) stop the worker and scheduler threads.
 * Bean destruction then closes the facade, the HTTP clients and, last, our own pool.
 *
 * <p>Thread-safe.
 */
public final class ReplicateAudioLifecycle implements SmartLifecycle {
  /** The phase: 4096 below Spring's default, after the web server's graceful shutdown. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 4096;

  private static final Logger LOG = LoggerFactory.getLogger(ReplicateAudioLifecycle.class);

  private final ReplicateAudio audio;
  private final ReplicateAudioThreads threads;
  private final InFlight inFlight;
  private final WebhookCompletionNotifier notifier;
  private final List<AutoCloseable> bridges;
  private final FfmpegRunner ffmpeg;
  private final ReplicateAudioProperties.Recovery recovery;
  private final Duration timeout;
  private final AtomicBoolean running = new AtomicBoolean();
  private final AtomicBoolean accepting = new AtomicBoolean(true);
  private final AtomicReference<CompletableFuture<RecoveryReport>> currentRun = new AtomicReference<>();
  private volatile ScheduledFuture<?> schedule;

  ReplicateAudioLifecycle(ReplicateAudio audio, ReplicateAudioThreads threads, InFlight inFlight,
      WebhookCompletionNotifier notifier, List<AutoCloseable> bridges, FfmpegRunner ffmpeg,
      ReplicateAudioProperties.Recovery recovery, Duration timeout) {
    this.audio = audio;
    this.threads = threads;
    this.inFlight = inFlight;
    this.notifier = notifier;
    this.bridges = List.copyOf(bridges);
    this.ffmpeg = ffmpeg;
    this.recovery = recovery;
    this.timeout = timeout;
  }

  /**
   * Whether new webhooks are accepted (false once stopping began).
   *
   * @return true while running
   */
  public boolean isAccepting() {
    return accepting.get();
  }

  @Override
  public void start() {
    if (!running.compareAndSet(false, true)) {
      return;
    }
    accepting.set(true);
    if (recovery.isEnabled()) {
      schedule = threads.scheduler().scheduleWithFixedDelay(this::recoverOnce,
          recovery.getInitialDelay().toMillis(), recovery.getInterval().toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /** One scheduled recovery run; the next waits for its end (fixed delay). */
  private void recoverOnce() {
    CompletableFuture<RecoveryReport> run;
    try {
      run = audio.recovery().recoverStale().toCompletableFuture();
    } catch (RuntimeException e) {
      LOG.warn("Webhook recovery run failed to start", e);
      return;
    }
    currentRun.set(run);
    try {
      RecoveryReport report = run.join();
      if (report.claimed() > 0) {
        LOG.info("Webhook recovery: {}", report);
      }
    } catch (RuntimeException e) {
      LOG.warn("Webhook recovery run failed; retrying in {}", recovery.getInterval(), e);
    } finally {
      currentRun.compareAndSet(run, null);
    }
  }

  @Override
  public void stop() {
    if (!running.compareAndSet(true, false)) {
      return;
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    accepting.set(false);                                           // (1)
    ScheduledFuture<?> s = schedule;                                 // (2)
    if (s != null) {
      s.cancel(false);
    }
    CompletableFuture<RecoveryReport> run = currentRun.get();
    if (run != null) {
      try {
        run.get(left(deadline), TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        LOG.warn("Shutdown: a recovery run still runs after {}; its jobs stay claimed for the next run", timeout);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (Exception e) {
        // the run failed: logged by recoverOnce
      }
    }
    try {                                                            // (3)
      if (!inFlight.awaitIdle(Duration.ofNanos(left(deadline)))) {
        LOG.warn("Shutdown: {} webhook(s) still processing after {}; recovery will finish them after a restart",
            inFlight.running(), timeout);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    closeQuietly("notifier", notifier);                              // (4)
    for (AutoCloseable bridge : bridges) {                           // (5)
      closeQuietly("completion bridge", bridge);
    }
    closeQuietly("ffmpeg runner", ffmpeg);                           // (6)
    threads.shutdown(Duration.ofNanos(Math.max(left(deadline), TimeUnit.SECONDS.toNanos(1))));  // (7)
  }

  private static long left(long deadline) {
    return Math.max(0, deadline - System.nanoTime());
  }

  private static void closeQuietly(String what, AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      LOG.warn("Shutdown: closing the {} failed", what, e);
    }
  }

  @Override
  public boolean isRunning() {
    return running.get();
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  @Override
  public String toString() {
    return "ReplicateAudioLifecycle{running=" + running.get() + ", inFlight=" + inFlight.running() + "}";
  }
}
