package dev.replicateaudio.webhook;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.audio.AudioPostProcessor;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.audio.ProcessedAudio;
import dev.replicateaudio.internal.SharedTempDirectory;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.AudioDownloader;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.DownloadedAudio;
import dev.replicateaudio.port.FileStamp;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StaleClaimException;
import dev.replicateaudio.port.TransactionRunner;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import java.io.IOException;

import java.io.UncheckedIOException;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;

import java.nio.file.Path;


import java.time.Clock;
import java.time.Duration;
import java.time.Instant;

import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;

/**
 * Turns a prediction delivered by a webhook into stored audio and a woken waiter (the seed's
 * {@code process_webhook_result}), fully asynchronously.
 *
 * <pre>{@code
 * WebhookResultProcessor processor = WebhookResultProcessor.builder()
 *     .jobStore(jobStore).audioStore(audioStore).transactions(transactions)
 *     .downloader(downloader)
 *     .postProcessors(AudioPostProcessors.defaults(ffmpeg, settings))
 *     .notifier(notifier)
 *     .executor(hostExecutor)
 *     .build();
 * processor.process(key, prediction).thenAccept(outcome -> ...);
 * }</pre>
 *
 * <p>What {@link #process} does:
 * <ul>
 *   <li>A non-terminal status is acknowledged with no work: the stage holds a
 *       {@link CompletionStatus#PENDING} outcome.
 *   <li>A terminal one first claims the job in the {@link GenerationJobStore}, so that duplicate and
 *       late deliveries do nothing: they get the outcome already recorded (or PENDING while another
 *       instance is processing it), never a different one. Concurrent duplicates in this JVM share
 *       one processing run and all get its outcome.
 *   <li>Succeeded: the output is downloaded into private temp files, post-processed by the
 *       {@link AudioPostProcessor} of the content type, then stored, the job marked succeeded and a
 *       result row logged in one transaction; then waiters are notified.
 *   <li>Failed, canceled or aborted; succeeded with no output or with {@code data_removed}: the job
 *       fails, a result row is logged, and waiters are woken with the reason.
 *   <li>A permanent failure while processing (audio too large, corrupt, silent) fails the job and
 *       wakes waiters with the reason; the stage completes normally with a FAILED outcome.
 *   <li>A transient failure (download timeout or 5xx, database unavailable) releases the claim so
 *       the job can be retried, and the stage fails with a retryable
 *       {@link WebhookProcessingException}: the webhook endpoint answers 5xx and Replicate delivers
 *       again. After {@code maxAttempts} claims, a transient failure fails the job for good.
 * </ul>
 * Nothing is fired and forgotten: notification is part of the returned stage, and temp files are
 * deleted before it completes. Blocking work (database, ffmpeg, hashing) runs on the host's
 * {@link Executor}. Cancelling the returned stage does not stop processing that has begun.
 *
 * <p>This class is thread-safe.
 */
public final class WebhookResultProcessor {
  /** Default for {@link Builder#maxAttempts}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 5;

  private static final Logger LOG = System.getLogger(WebhookResultProcessor.class.getName());
  private static final List<String> AUDIO_EXTENSIONS = List.of("wav", "mp3", "flac", "ogg", "oga", "opus", "m4a", "aac");

  private final GenerationJobStore jobStore;
  private final AudioStore audioStore;
  private final TransactionRunner transactions;
  private final AudioDownloader downloader;
  private final AudioPostProcessors postProcessors;
  private final WebhookCompletionNotifier notifier;
  private final Executor executor;
  private final Clock clock;
  private final int maxAttempts;
  /**
   * The private temp files of each webhook: the webhooks running at the same time share one
   * directory, deleted when the last of them ends.
   */
  private final SharedTempDirectory tempFiles;
  private final ConcurrentHashMap<String, CompletableFuture<CompletionOutcome>> inFlight = new ConcurrentHashMap<>();

  private WebhookResultProcessor(Builder b) {
    this.jobStore = Objects.requireNonNull(b.jobStore, "jobStore == null");
    this.audioStore = Objects.requireNonNull(b.audioStore, "audioStore == null");
    this.transactions = Objects.requireNonNull(b.transactions, "transactions == null");
    this.downloader = Objects.requireNonNull(b.downloader, "downloader == null");
    this.postProcessors = Objects.requireNonNull(b.postProcessors, "postProcessors == null");
    this.notifier = Objects.requireNonNull(b.notifier, "notifier == null");
    this.executor = Objects.requireNonNull(b.executor, "executor == null");
    this.clock = b.clock;
    this.maxAttempts = b.maxAttempts;
    this.tempFiles = new SharedTempDirectory(b.tempDirectory);
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
   * Processes a prediction delivered for {@code key}.
   *
   * @param key the content item the webhook URL names
   * @param prediction the delivered prediction
   * @return a stage that completes with the outcome (PENDING for a non-terminal status or a job
   *     being processed elsewhere), or fails with a {@link WebhookProcessingException}
   */
  public CompletionStage<CompletionOutcome> process(ContentKey key, Prediction prediction) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(prediction, "prediction == null");
    if (!prediction.isTerminal()) {
      LOG.log(Level.DEBUG, "prediction {0} for {1} is {2}: acknowledged, nothing to do",
          prediction.id(), key, prediction.status().apiValue());
      return CompletableFuture.completedFuture(CompletionOutcome.pending(prediction.id()));
    }
    Instant arrived = clock.instant();
    return deduplicated(prediction.id(), () -> claimAndProcess(key, prediction, arrived));
  }

  /**
   * Finishes a job that recovery has already claimed, with the prediction it fetched from Replicate.
   * Non-terminal predictions are not handled here.
   */
  CompletionStage<CompletionOutcome> processClaimed(GenerationJob job, Prediction prediction) {
    Instant arrived = clock.instant();
    return deduplicated(prediction.id(), () -> CompletableFuture
        .supplyAsync(() -> stillHeld(job), executor)
        .thenCompose(held -> held
            ? processClaimedJob(job, prediction, arrived)
            : CompletableFuture.supplyAsync(() -> alreadyHandled(job.predictionId(), job.key()), executor)));
  }

  /**
   * Whether {@code claim} is still the job's latest claim and unfinished. Recovery asks before it
   * starts the work: while it looked the prediction up, the webhook run it presumed dead may have
   * finished the job (the finishing moves would fence it out anyway, but only after the work).
   */
  private boolean stillHeld(GenerationJob claim) {
    Optional<GenerationJob> now = jobStore.find(claim.predictionId());
    boolean held = now.isPresent() && now.get().status() == JobStatus.PROCESSING
        && now.get().attempts() == claim.attempts();
    if (!held) {
      LOG.log(Level.DEBUG, "prediction {0}: the job moved on since it was claimed (now {1}); nothing to do",
          claim.predictionId(), now.map(j -> j.status() + ", attempt " + j.attempts()).orElse("gone"));
    }
    return held;
  }

  /**
   * Fails a job that recovery has claimed and given up on (it ran past the hard deadline): the job
   * fails, a result row is logged and waiters are woken with {@code reason}.
   */
  CompletionStage<CompletionOutcome> failClaimed(GenerationJob job, String reason) {
    Instant arrived = clock.instant();
    return deduplicated(job.predictionId(),
        () -> finishFailed(job, CompletionOutcome.failed(job.predictionId(), reason), arrived));
  }

  /**
   * Gives a claimed job back (PROCESSING → PENDING) without failing it, with {@code note} as its
   * last error (null keeps the last error); nothing to do when another claimant has moved it on.
   */
  CompletionStage<Void> releaseClaimed(GenerationJob job, String note) {
    return CompletableFuture.runAsync(() -> {
      try {
        jobStore.release(job.predictionId(), note);
      } catch (StaleClaimException e) {
        LOG.log(Level.DEBUG, "prediction {0}: not released, the job moved on ({1})", job.predictionId(),
            e.actualStatus());
      }
    }, executor);
  }

  private CompletionStage<CompletionOutcome> deduplicated(String predictionId,
      java.util.function.Supplier<CompletionStage<CompletionOutcome>> work) {
    CompletableFuture<CompletionOutcome> mine = new CompletableFuture<>();
    CompletableFuture<CompletionOutcome> running = inFlight.putIfAbsent(predictionId, mine);
    if (running != null) {
      LOG.log(Level.DEBUG, "prediction {0} is being processed already: joining that run", predictionId);
      return running.minimalCompletionStage();
    }
    CompletionStage<CompletionOutcome> stage;
    try {
      stage = work.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((outcome, failure) -> {
      inFlight.remove(predictionId, mine);
      if (failure != null) {
        mine.completeExceptionally(unwrap(failure));
      } else {
        mine.complete(outcome);
      }
    });
    return mine.minimalCompletionStage();
  }

  private CompletionStage<CompletionOutcome> claimAndProcess(ContentKey key, Prediction prediction, Instant arrived) {
    String id = prediction.id();
    return CompletableFuture
        .supplyAsync(() -> jobStore.claim(id, key), executor)
        .handle((claimed, failure) -> {
          if (failure != null) {
            return CompletableFuture.<CompletionOutcome>failedFuture(new WebhookProcessingException(
                "Could not claim the job of prediction " + id + " for " + key + ": " + message(failure)
                    + "; answer 5xx so Replicate retries", id, isRetryable(failure), unwrap(failure)));
          }
          if (claimed.isPresent()) {
            return processClaimedJob(claimed.get(), prediction, arrived);
          }
          return CompletableFuture.supplyAsync(() -> alreadyHandled(id, key), executor);
        })
        .thenCompose(stage -> stage);
  }

  /** The answer for a delivery whose job could not be claimed: the outcome already given, or PENDING. */
  private CompletionOutcome alreadyHandled(String id, ContentKey key) {
    Optional<GenerationJob> job = jobStore.find(id);
    if (job.isEmpty()) {
      // released and gone between claim and find: nothing more we can say now
      return CompletionOutcome.pending(id);
    }
    GenerationJob j = job.get();
    if (!j.key().equals(key)) {
      throw new WebhookProcessingException("Webhook for prediction " + id + " names " + key
          + " but the prediction was submitted for " + j.key() + "; ignored", id, false, null);
    }
    switch (j.status()) {
      case SUCCEEDED:
        LOG.log(Level.DEBUG, "duplicate delivery of prediction {0}: already succeeded", id);
        return CompletionOutcome.succeeded(id);
      case FAILED:
        LOG.log(Level.DEBUG, "duplicate delivery of prediction {0}: already failed", id);
        List<ResultRecord> results = jobStore.results(id);
        if (!results.isEmpty()) {
          ResultRecord last = results.get(results.size() - 1);
          if (last.status() == CompletionStatus.CANCELED) {
            return CompletionOutcome.canceled(id, last.error());
          }
          if (last.error() != null) {
            return CompletionOutcome.failed(id, last.error());
          }
        }
        return CompletionOutcome.failed(id, j.lastError() == null ? "generation failed" : j.lastError());
      default:
        LOG.log(Level.DEBUG, "delivery of prediction {0} while its job is {1}: acknowledged", id, j.status());
        return CompletionOutcome.pending(id);
    }
  }

  private CompletionStage<CompletionOutcome> processClaimedJob(GenerationJob job, Prediction prediction, Instant arrived) {
    String id = prediction.id();
    ContentKey key = job.key();
    PredictionStatus status = prediction.status();
    if (status == PredictionStatus.SUCCEEDED) {
      if (prediction.dataRemoved()) {
        return finishFailed(job, CompletionOutcome.failed(id, "Replicate removed the prediction's output"
            + " (data_removed) before it was downloaded"), arrived);
      }
      Optional<URI> output = audioOutput(prediction.outputUrls());
      if (output.isEmpty()) {
        return finishFailed(job, CompletionOutcome.failed(id, "prediction succeeded but has no output"), arrived);
      }
      return succeed(job, output.get(), arrived);
    }
    CompletionOutcome outcome;
    switch (status) {
      case FAILED:
        outcome = CompletionOutcome.failed(id, prediction.errorMessage().filter(e -> !e.isBlank())
            .orElse("prediction failed on Replicate without an error message"));
        break;
      case CANCELED:
        outcome = CompletionOutcome.canceled(id, prediction.errorMessage().filter(e -> !e.isBlank())
            .orElse("prediction was canceled"));
        break;
      case ABORTED:
        outcome = CompletionOutcome.canceled(id, "prediction was aborted: its deadline (Cancel-After) passed before it started");
        break;
      default:
        throw new IllegalArgumentException("not a terminal status: " + status);
    }
    return finishFailed(job, outcome, arrived);
  }

  private CompletionStage<CompletionOutcome> succeed(GenerationJob job, URI output, Instant arrived) {
    String id = job.predictionId();
    ContentKey key = job.key();
    String extension = extensionOf(output);
    SharedTempDirectory.Reservation temp;
    try {
      temp = tempFiles.reserve("-download" + extension, "-processed" + extension);
    } catch (RuntimeException e) {
      return handleFailure(job, e, arrived);
    }
    CompletionStage<ResultRecord> stored;
    try {
      stored = downloader.download(output, temp.path(0))
          // post-processing and storing run in one task: one hand-off to the executor, not two
          .thenApplyAsync(downloaded -> store(job, postProcess(key, downloaded, temp.path(1)), arrived), executor);
    } catch (RuntimeException e) {
      stored = CompletableFuture.failedFuture(e);
    }
    return stored
        .handle((record, failure) -> {
          RuntimeException closeFailure = closeQuietly(temp);
          if (failure == null && closeFailure != null) {
            LOG.log(Level.WARNING, "could not delete temp files of prediction " + id, closeFailure);
          }
          if (failure != null) {
            if (closeFailure != null) {
              unwrap(failure).addSuppressed(closeFailure);
            }
            return handleFailure(job, failure, arrived);
          }
          notifyWaiters(key, CompletionOutcome.succeeded(id));
          return CompletableFuture.completedFuture(CompletionOutcome.succeeded(id));
        })
        .thenCompose(stage -> stage);
  }

  /**
   * Post-processes the download and describes the audio to store. The SHA-256 is computed once: a
   * pass-through keeps the one the downloader computed while writing (when the file still has the
   * stamp it had before processing); a new file is hashed here. The store then checks the stamp and
   * the length instead of hashing again.
   */
  private ReadyAudio postProcess(ContentKey key, DownloadedAudio downloaded, Path output) {
    FileStamp beforeProcessing = downloaded.sha256() == null ? null : FileStamp.of(downloaded.file());
    AudioPostProcessor processor = postProcessors.forType(key.contentType());
    ProcessedAudio processed = processor.process(downloaded.file(), output);
    Path file = processed.file();
    if (beforeProcessing != null && beforeProcessing.sizeBytes() == downloaded.sizeBytes()
        && file.equals(downloaded.file()) && FileStamp.of(file).equals(beforeProcessing)) {
      return new ReadyAudio(processed, new AudioMetadata(processed.mimeType(), downloaded.sizeBytes(),
          downloaded.sha256(), processed.finalDuration()), beforeProcessing);
    }
    FileStamp hashedAs = FileStamp.of(file);
    return new ReadyAudio(processed, AudioMetadata.of(file, processed.mimeType(), processed.finalDuration()), hashedAs);
  }

  /** Processed audio with its metadata, and the file's stamp when its SHA-256 was computed. */
  private record ReadyAudio(ProcessedAudio processed, AudioMetadata metadata, FileStamp hashedAs) {
  }

  private ResultRecord store(GenerationJob job, ReadyAudio ready, Instant arrived) {
    ProcessedAudio processed = ready.processed();
    AudioMetadata metadata = ready.metadata();
    return transactions.inTransaction(() -> {
      audioStore.storeAudio(job.key(), processed.file(), metadata, ready.hashedAs());
      ResultRecord record = new ResultRecord(job.predictionId(), job.key(), CompletionStatus.SUCCEEDED, null,
          metadata.sizeBytes(), processed.originalDuration(), processed.finalDuration(),
          elapsedSince(arrived), clock.instant());
      jobStore.finish(record);
      return record;
    });
  }

  /** Records a failed or canceled outcome (job failed + result row, one transaction), then wakes waiters. */
  private CompletionStage<CompletionOutcome> finishFailed(GenerationJob job, CompletionOutcome outcome, Instant arrived) {
    return CompletableFuture
        .supplyAsync(() -> transactions.inTransaction(() -> {
          jobStore.finish(new ResultRecord(job.predictionId(), job.key(), outcome.status(), outcome.error(),
              0, null, null, elapsedSince(arrived), clock.instant()));
          return outcome;
        }), executor)
        .handle((recorded, failure) -> {
          if (unwrap(failure) instanceof StaleClaimException) {
            return lostClaim(job, failure);
          }
          if (failure != null) {
            // could not record the outcome: nothing is lost as long as the job can be retried
            return releaseAndFail(job, failure);
          }
          notifyWaiters(job.key(), recorded);
          return CompletableFuture.completedFuture(recorded);
        })
        .thenCompose(stage -> stage);
  }

  private CompletionStage<CompletionOutcome> handleFailure(GenerationJob job, Throwable failure, Instant arrived) {
    Throwable cause = unwrap(failure);
    String id = job.predictionId();
    if (cause instanceof StaleClaimException) {
      return lostClaim(job, cause);
    }
    if (isRetryable(cause)) {
      if (job.attempts() < maxAttempts) {
        return releaseAndFail(job, cause);
      }
      return finishFailed(job, CompletionOutcome.failed(id, "gave up after " + job.attempts()
          + " attempts; last error: " + message(cause)), arrived);
    }
    return finishFailed(job, CompletionOutcome.failed(id, message(cause)), arrived);
  }

  private CompletionStage<CompletionOutcome> releaseAndFail(GenerationJob job, Throwable failure) {
    Throwable cause = unwrap(failure);
    String id = job.predictionId();
    return CompletableFuture
        .runAsync(() -> jobStore.release(id, message(cause)), executor)
        .handle((ignored, releaseFailure) -> {
          if (unwrap(releaseFailure) instanceof StaleClaimException) {
            return lostClaim(job, releaseFailure);
          }
          WebhookProcessingException e = new WebhookProcessingException("Processing prediction " + id + " for "
              + job.key() + " failed transiently (attempt " + job.attempts() + " of " + maxAttempts + "): "
              + message(cause) + (releaseFailure == null
                  ? "; the job was released for retry"
                  : "; the job could not be released and recovery will reclaim it"),
              id, true, cause);
          if (releaseFailure != null) {
            e.addSuppressed(unwrap(releaseFailure));
          }
          return CompletableFuture.<CompletionOutcome>failedFuture(e);
        })
        .thenCompose(stage -> stage);
  }

  /**
   * This run's claim was overtaken: another claimant finished or released the job first, and this
   * run's writes were rolled back with the refused move. Its answer is the recorded outcome (or
   * PENDING); it wakes nobody, the winner did. (One case looks the same from here: this run's own
   * commit went through but its acknowledgement was lost, and the release that followed found the job
   * finished. Its waiters are then not woken by this instance; they time out to the recorded outcome
   * when they wait through {@code ReplicateAudio.await}.)
   */
  private CompletionStage<CompletionOutcome> lostClaim(GenerationJob job, Throwable failure) {
    LOG.log(Level.INFO, "prediction {0} ({1}): the job moved on without this run (attempt {2}): another claimant"
        + " finished or released it first, or this run''s own commit went through unacknowledged; answering with"
        + " the recorded outcome: {3}", job.predictionId(), job.key(), job.attempts(), message(failure));
    return CompletableFuture.supplyAsync(() -> alreadyHandled(job.predictionId(), job.key()), executor);
  }

  private void notifyWaiters(ContentKey key, CompletionOutcome outcome) {
    try {
      notifier.notifyCompletion(key, outcome);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "notifying waiters of " + key + " failed", e);
    }
  }




  private Duration elapsedSince(Instant start) {
    Duration d = Duration.between(start, clock.instant());
    return d.isNegative() ? Duration.ZERO : d;
  }

  /** The first output that looks like audio (by extension or data: media type), else the first output. */
  static Optional<URI> audioOutput(List<URI> outputs) {
    for (URI uri : outputs) {
      String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
      if (scheme.equals("data")) {
        String ssp = uri.getRawSchemeSpecificPart();
        if (ssp != null && ssp.regionMatches(true, 0, "audio/", 0, 6)) {
          return Optional.of(uri);
        }
      } else if (AUDIO_EXTENSIONS.contains(extensionOf(uri).replace(".", ""))) {
        return Optional.of(uri);
      }
    }
    return outputs.isEmpty() ? Optional.empty() : Optional.of(outputs.get(0));
  }

  /** {@code .mp3} for {@code https://host/x/out.mp3}; {@code ""} when there is no usable extension. */
  static String extensionOf(URI uri) {
    String path = uri.getPath();
    if (path == null) {
      return "";
    }
    int slash = path.lastIndexOf('/');
    int dot = path.lastIndexOf('.');
    if (dot <= slash || path.length() - dot > 6) {
      return "";
    }
    String ext = path.substring(dot + 1).toLowerCase(Locale.ROOT);
    if (ext.isEmpty()) {
      return "";
    }
    for (int i = 0; i < ext.length(); i++) { // [a-z0-9]{1,5}, without compiling a regex per webhook
      char c = ext.charAt(i);
      if ((c < 'a' || c > 'z') && (c < '0' || c > '9')) {
        return "";
      }
    }
    return "." + ext;
  }

  private static RuntimeException closeQuietly(SharedTempDirectory.Reservation temp) {
    try {
      temp.close();
      return null;
    } catch (RuntimeException e) {
      return e;
    }
  }

  static Throwable unwrap(Throwable t) {
    Throwable c = t;
    while ((c instanceof CompletionException || c instanceof ExecutionException) && c.getCause() != null) {
      c = c.getCause();
    }
    return c;
  }

  /**
   * Transient: a retryable {@link ReplicateAudioException}, an I/O error, a timeout or an
   * interruption. Permanent: a non-retryable {@link ReplicateAudioException}. Anything else (a bug
   * in a host's processor, say) is treated as transient, bounded by {@code maxAttempts}.
   */
  static boolean isRetryable(Throwable t) {
    Throwable c = unwrap(t);
    if (c instanceof ReplicateAudioException) {
      return ((ReplicateAudioException) c).isRetryable();
    }
    if (c instanceof CancellationException) {
      return true;
    }
    return c instanceof IOException || c instanceof UncheckedIOException || c instanceof TimeoutException
        || c instanceof InterruptedException || !(c instanceof IllegalArgumentException);
  }

  private static String message(Throwable t) {
    Throwable c = unwrap(t);
    String m = c.getMessage();
    return m == null || m.isBlank() ? c.getClass().getSimpleName() : m;
  }

  /** Builds a {@link WebhookResultProcessor}. Every port, the notifier and the executor are required. Not thread-safe. */
  public static final class Builder {
    private GenerationJobStore jobStore;
    private AudioStore audioStore;
    private TransactionRunner transactions;
    private AudioDownloader downloader;
    private AudioPostProcessors postProcessors;
    private WebhookCompletionNotifier notifier;
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private int maxAttempts = DEFAULT_MAX_ATTEMPTS;
    private Path tempDirectory;

    private Builder() {
    }

    /**
     * Claims and finishes jobs. Required.
     *
     * @param jobStore the job store
     * @return this builder
     */
    public Builder jobStore(GenerationJobStore jobStore) {
      this.jobStore = Objects.requireNonNull(jobStore, "jobStore == null");
      return this;
    }

    /**
     * Stores the processed audio. Required.
     *
     * @param audioStore the audio store
     * @return this builder
     */
    public Builder audioStore(AudioStore audioStore) {
      this.audioStore = Objects.requireNonNull(audioStore, "audioStore == null");
      return this;
    }

    /**
     * Runs store, job state and result row in one transaction. Required.
     *
     * @param transactions the transaction runner
     * @return this builder
     */
    public Builder transactions(TransactionRunner transactions) {
      this.transactions = Objects.requireNonNull(transactions, "transactions == null");
      return this;
    }

    /**
     * Downloads the output. Required.
     *
     * @param downloader the downloader
     * @return this builder
     */
    public Builder downloader(AudioDownloader downloader) {
      this.downloader = Objects.requireNonNull(downloader, "downloader == null");
      return this;
    }

    /**
     * Post-processes each content type. Required.
     *
     * @param postProcessors the registry
     * @return this builder
     */
    public Builder postProcessors(AudioPostProcessors postProcessors) {
      this.postProcessors = Objects.requireNonNull(postProcessors, "postProcessors == null");
      return this;
    }

    /**
     * Wakes the waiters once an outcome is recorded. Required.
     *
     * @param notifier the notifier
     * @return this builder
     */
    public Builder notifier(WebhookCompletionNotifier notifier) {
      this.notifier = Objects.requireNonNull(notifier, "notifier == null");
      return this;
    }

    /**
     * Runs the blocking steps (database, ffmpeg, hashing). The host owns it and shuts it down.
     *
     * @param executor the host's executor. Required.
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * The clock for result timestamps and processing times. Default: system UTC.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * How many times a job may be claimed before a transient failure fails it for good. Default
     * {@value #DEFAULT_MAX_ATTEMPTS}; from 1 to 100.
     *
     * @param maxAttempts the most claims per job
     * @return this builder
     * @throws IllegalArgumentException when it is out of range
     */
    public Builder maxAttempts(int maxAttempts) {
      if (maxAttempts < 1 || maxAttempts > 100) {
        throw new IllegalArgumentException("maxAttempts must be from 1 to 100, was " + maxAttempts);
      }
      this.maxAttempts = maxAttempts;
      return this;
    }

    /**
     * Where the webhooks' private temp directories go (webhooks processed at the same time share one,
     * deleted when the last of them ends). Default: {@code ${java.io.tmpdir}/replicate-audio}.
     *
     * @param tempDirectory the base directory
     * @return this builder
     */
    public Builder tempDirectory(Path tempDirectory) {
      this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory == null");
      return this;
    }

    /**
     * Builds the processor.
     *
     * @return a new processor
     * @throws NullPointerException when a required part is missing
     */
    public WebhookResultProcessor build() {
      return new WebhookResultProcessor(this);
    }
  }
}
