package dev.replicateaudio.webhook;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.prediction.Prediction;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Finishes jobs whose webhook never came (the seed's {@code services/webhook_recovery.py}).
 *
 * <p>Replicate retries a terminal webhook for about a minute only, so an endpoint that was down
 * longer loses it. {@link #recoverStale()} claims jobs pending for longer than
 * {@code webhookTimeout}, asks Replicate for each prediction, and finishes terminal ones through the
 * same {@link WebhookResultProcessor} that webhooks use (so audio is stored and waiters woken exactly
 * as if the webhook had arrived). A prediction still running past the hard deadline is canceled on
 * Replicate and its job failed, waking waiters with the reason; one still running before it is
 * released to wait for its webhook. Claims are atomic in the job store, so several instances may run
 * recovery at once without taking the same job.
 *
 * <pre>{@code
 * WebhookRecovery recovery = WebhookRecovery.builder()
 *     .jobStore(jobStore).predictionClient(client).processor(processor)
 *     .settings(settings).executor(hostExecutor)
 *     .build();
 * ScheduledFuture<?> task = recovery.scheduleOn(hostScheduler, Duration.ofMinutes(1));
 * }</pre>
 *
 * <p>Replicate deletes API predictions' outputs an hour after completion: run recovery often enough
 * (every minute or few) that a lost webhook is recovered well within that hour.
 *
 * <p>This class is thread-safe.
 */
public final class WebhookRecovery {
  /** Default for {@link Builder#hardDeadline}: predictions time out on Replicate after 30 minutes by default. */
  public static final Duration DEFAULT_HARD_DEADLINE = Duration.ofMinutes(45);
  /** Default for {@link Builder#batchSize}. */
  public static final int DEFAULT_BATCH_SIZE = 100;

  private static final Logger LOG = System.getLogger(WebhookRecovery.class.getName());

  private final GenerationJobStore jobStore;
  private final PredictionClient client;
  private final WebhookResultProcessor processor;
  private final Executor executor;
  private final Clock clock;
  private final Duration staleAfter;
  private final Duration hardDeadline;
  private final int batchSize;
  private final RecoveryListener listener;

  private WebhookRecovery(Builder b) {
    this.jobStore = Objects.requireNonNull(b.jobStore, "jobStore == null");
    this.client = Objects.requireNonNull(b.client, "predictionClient == null");
    this.processor = Objects.requireNonNull(b.processor, "processor == null");
    this.executor = Objects.requireNonNull(b.executor, "executor == null");
    this.clock = b.clock;
    this.staleAfter = b.staleAfter;
    this.hardDeadline = b.hardDeadline;
    this.batchSize = b.batchSize;
    this.listener = b.listener;
    if (hardDeadline.compareTo(staleAfter) <= 0) {
      throw new IllegalArgumentException("hardDeadline (" + SettingParsers.describe(hardDeadline)
          + ") must be longer than the webhook timeout (" + SettingParsers.describe(staleAfter) + ")");
    }
  }

  /**
   * A builder with the defaults and no parts.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Claims up to {@code batchSize} stale jobs and settles each one.
   *
   * @return a stage completing when every claimed job is settled, with counts; it fails only when
   *     the stale jobs can't be claimed at all (the database is unavailable)
   */
  public CompletionStage<RecoveryReport> recoverStale() {
    if (listener == RecoveryListener.NONE) {
      return sweep();
    }
    long start = System.nanoTime();
    CompletionStage<RecoveryReport> run;
    try {
      run = sweep();
    } catch (RuntimeException e) {
      run = CompletableFuture.failedFuture(e);
    }
    return run.whenComplete((report, failure) -> {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
      try {
        if (failure == null) {
          listener.runFinished(report, elapsed);
        } else {
          listener.runFailed(WebhookResultProcessor.unwrap(failure), elapsed);
        }
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "RecoveryListener " + listener + " threw; ignored", e);
      }
    });
  }

  private CompletionStage<RecoveryReport> sweep() {
    Instant now = clock.instant();
    Instant cutoff = now.minus(staleAfter);
    return CompletableFuture
        .supplyAsync(() -> jobStore.claimStale(cutoff, batchSize), executor)
        .thenCompose(jobs -> {
          if (!jobs.isEmpty()) {
            LOG.log(Level.DEBUG, "recovering {0} stale job(s)", jobs.size());
          }
          List<CompletableFuture<RecoveryReport>> settled = new ArrayList<>(jobs.size());
          for (GenerationJob job : jobs) {
            settled.add(settle(job, now).toCompletableFuture());
          }
          return CompletableFuture.allOf(settled.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            RecoveryReport total = new RecoveryReport(jobs.size(), 0, 0, 0, 0, 0);
            for (CompletableFuture<RecoveryReport> r : settled) {
              total = total.plus(r.join());
            }
            return total;
          });
        });
  }

  private CompletionStage<RecoveryReport> settle(GenerationJob job, Instant now) {
    String id = job.predictionId();
    CompletionStage<RecoveryReport> stage;
    try {
      stage = client.getPredictionAsync(id).thenCompose(prediction -> settle(job, prediction, now));
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    return stage.exceptionallyCompose(failure -> onError(job, failure));
  }

  private CompletionStage<RecoveryReport> settle(GenerationJob job, Prediction prediction, Instant now) {
    if (prediction.isTerminal()) {
      return processor.processClaimed(job, prediction).thenApply(WebhookRecovery::count);
    }
    Duration age = Duration.between(job.createdAt(), now);
    if (age.compareTo(hardDeadline) >= 0) {
      String reason = "no result after " + SettingParsers.describe(age.withNanos(0)) + " (hard deadline "
          + SettingParsers.describe(hardDeadline) + "; Replicate status " + prediction.status().apiValue()
          + "): prediction canceled by recovery";
      return client.cancelPredictionAsync(job.predictionId())
          .handle((canceled, cancelFailure) -> {
            if (cancelFailure != null) {
              LOG.log(Level.WARNING, "could not cancel prediction " + job.predictionId()
                  + " on Replicate; failing its job anyway", WebhookResultProcessor.unwrap(cancelFailure));
            }
            return null;
          })
          .thenCompose(ignored -> processor.failClaimed(job, reason))
          // failed as asked, or (its claim overtaken) whatever the job's recorded outcome is
          .thenApply(outcome -> outcome.status() == CompletionStatus.FAILED ? new RecoveryReport(0, 0, 0, 1, 0, 0)
              : count(outcome));
    }
    return processor.releaseClaimed(job, null)
        .thenApply(ignored -> new RecoveryReport(0, 0, 0, 0, 1, 0));
  }

  private CompletionStage<RecoveryReport> onError(GenerationJob job, Throwable failure) {
    Throwable cause = WebhookResultProcessor.unwrap(failure);
    if (cause instanceof WebhookProcessingException) {
      // the processor has released the job already (or recovery will reclaim it)
      LOG.log(Level.DEBUG, "recovery of {0} failed transiently: {1}", job.predictionId(), cause.getMessage());
      return CompletableFuture.completedFuture(new RecoveryReport(0, 0, 0, 0, 0, 1));
    }
    boolean retryable = WebhookResultProcessor.isRetryable(cause);
    if (!retryable) {
      // Replicate refused the lookup for good (for example 404: it does not know the prediction)
      String reason = "recovery could not look up the prediction: " + cause.getMessage();
      return processor.failClaimed(job, reason)
          .thenApply(WebhookRecovery::count)
          .exceptionally(e -> new RecoveryReport(0, 0, 0, 0, 0, 1));
    }
    LOG.log(Level.DEBUG, "recovery of {0} failed transiently: {1}", job.predictionId(), cause.getMessage());
    return processor.releaseClaimed(job, "recovery: " + cause.getMessage())
        .handle((ignored, e) -> new RecoveryReport(0, 0, 0, 0, 0, 1));
  }

  private static RecoveryReport count(CompletionOutcome outcome) {
    switch (outcome.status()) {
      case SUCCEEDED:
        return new RecoveryReport(0, 1, 0, 0, 0, 0);
      case FAILED:
      case CANCELED:
        return new RecoveryReport(0, 0, 1, 0, 0, 0);
      default:
        // PENDING: another worker holds the job
        return new RecoveryReport(0, 0, 0, 0, 1, 0);
    }
  }

  /**
   * Runs {@link #recoverStale()} on {@code scheduler} every {@code interval}, first after one
   * interval; never two runs at once (a run that is still going makes the next tick skip). Failures
   * are logged at WARNING and the schedule continues. Cancel the returned future to stop it; the
   * scheduler belongs to the host.
   *
   * @param scheduler the host's scheduler
   * @param interval the delay between the end of one run and the start of the next; at least 1 s
   * @return the schedule's future
   * @throws IllegalArgumentException when {@code interval} is under 1 s
   */
  public ScheduledFuture<?> scheduleOn(ScheduledExecutorService scheduler, Duration interval) {
    Objects.requireNonNull(scheduler, "scheduler == null");
    Objects.requireNonNull(interval, "interval == null");
    if (interval.compareTo(Duration.ofSeconds(1)) < 0) {
      throw new IllegalArgumentException("interval must be at least 1 s, was " + interval);
    }
    AtomicBoolean running = new AtomicBoolean();
    return scheduler.scheduleWithFixedDelay(() -> {
      if (!running.compareAndSet(false, true)) {
        return;
      }
      try {
        recoverStale().whenComplete((report, failure) -> {
          running.set(false);
          if (failure != null) {
            LOG.log(Level.WARNING, "webhook recovery run failed; retrying in " + SettingParsers.describe(interval),
                WebhookResultProcessor.unwrap(failure));
          } else if (report.claimed() > 0) {
            LOG.log(Level.INFO, "webhook recovery: {0}", report);
          }
        });
      } catch (RuntimeException e) {
        running.set(false);
        LOG.log(Level.WARNING, "webhook recovery run failed", e);
      }
    }, interval.toMillis(), interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  /** Builds a {@link WebhookRecovery}. Not thread-safe. */
  public static final class Builder {
    private GenerationJobStore jobStore;
    private PredictionClient client;
    private WebhookResultProcessor processor;
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private Duration staleAfter = ReplicateAudioSettings.DEFAULT_WEBHOOK_TIMEOUT;
    private Duration hardDeadline = DEFAULT_HARD_DEADLINE;
    private int batchSize = DEFAULT_BATCH_SIZE;
    private RecoveryListener listener = RecoveryListener.NONE;

    private Builder() {
    }

    /**
     * Told about every run (metrics, health); see {@link RecoveryListener}. Default: none.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(RecoveryListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * The job store to claim stale jobs from. Required.
     *
     * @param jobStore the job store
     * @return this builder
     */
    public Builder jobStore(GenerationJobStore jobStore) {
      this.jobStore = Objects.requireNonNull(jobStore, "jobStore == null");
      return this;
    }

    /**
     * Looks predictions up on Replicate, and cancels them past the hard deadline. Required.
     *
     * @param client the client
     * @return this builder
     */
    public Builder predictionClient(PredictionClient client) {
      this.client = Objects.requireNonNull(client, "client == null");
      return this;
    }

    /**
     * Finishes the jobs whose prediction has ended, as a webhook would. Required.
     *
     * @param processor the pipeline
     * @return this builder
     */
    public Builder processor(WebhookResultProcessor processor) {
      this.processor = Objects.requireNonNull(processor, "processor == null");
      return this;
    }

    /**
     * Runs the job store's blocking calls.
     *
     * @param executor the host's executor. Required.
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * Takes {@code webhookTimeout}: how long a job may wait for its webhook before recovery looks it up.
     *
     * @param settings the settings; default {@link ReplicateAudioSettings#defaults()}
     * @return this builder
     */
    public Builder settings(ReplicateAudioSettings settings) {
      Objects.requireNonNull(settings, "settings == null");
      this.staleAfter = settings.webhookTimeout();
      return this;
    }

    /**
     * How long after submission a prediction that is still running is canceled and its job failed.
     * Default 45 minutes; must be longer than the webhook timeout.
     *
     * @param hardDeadline the deadline, positive
     * @return this builder
     * @throws IllegalArgumentException when it is not positive
     */
    public Builder hardDeadline(Duration hardDeadline) {
      Objects.requireNonNull(hardDeadline, "hardDeadline == null");
      if (hardDeadline.isNegative() || hardDeadline.isZero()) {
        throw new IllegalArgumentException("hardDeadline must be positive, was " + hardDeadline);
      }
      this.hardDeadline = hardDeadline;
      return this;
    }

    /**
     * How many stale jobs one run claims at most. Default {@value #DEFAULT_BATCH_SIZE}; from 1 to 10,000.
     *
     * @param batchSize the most jobs per run
     * @return this builder
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder batchSize(int batchSize) {
      if (batchSize < 1 || batchSize > 10_000) {
        throw new IllegalArgumentException("batchSize must be from 1 to 10000, was " + batchSize);
      }
      this.batchSize = batchSize;
      return this;
    }

    /**
     * The clock that decides which jobs are stale; default the UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Builds the recovery.
     *
     * @return a new recovery
     * @throws NullPointerException when a required part is missing
     * @throws IllegalArgumentException when the hard deadline is not longer than the webhook timeout
     */
    public WebhookRecovery build() {
      return new WebhookRecovery(this);
    }
  }
}
