package dev.replicateaudio;

import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.AudioDownloader;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.port.TransactionRunner;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.WebhookRecovery;
import dev.replicateaudio.webhook.WebhookResultProcessor;
import dev.replicateaudio.webhook.WebhookUrls;
import java.lang.System.Logger;
import java.lang.System.Logger.Level;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * The front door: submit generations, wait for them without polling, and get the pieces the
 * webhook endpoint and recovery need, all wired from one set of ports.
 *
 * <pre>{@code
 * ReplicateAudio audio = ReplicateAudio.builder()
 *     .settings(settings)
 *     .predictionClient(replicateClient)          // replicate-audio-okhttp
 *     .downloader(downloader)                     // replicate-audio-okhttp
 *     .jobStore(jobStore).audioStore(audioStore)  // replicate-audio-jdbi
 *     .transactions(transactions)
 *     .postProcessors(AudioPostProcessors.defaults(ffmpeg, settings))
 *     .webhookBaseUrl(URI.create("https://example.com/hooks/replicate"))
 *     .executor(hostExecutor)
 *     .build();
 *
 * PredictionRequest request = PredictionRequest.forModel("sepal/audiogen")
 *     .input(Map.of("prompt", "door creaks open", "duration", 3)).build();
 * audio.generate(ContentKey.soundEffect(42), request)
 *     .thenAccept(outcome -> log.info("sound effect 42: {}", outcome.status()));
 * }</pre>
 *
 * <p>{@link #submit} creates the prediction with a webhook URL that names the content item
 * ({@link WebhookUrls}) and records a pending job; the host's webhook endpoint hands deliveries to
 * {@link #processor()}; {@link #generate} and {@link #generateAll} wait on the
 * {@link WebhookCompletionNotifier}, which the processor notifies. Nothing polls. Schedule
 * {@link #recovery()} to finish jobs whose webhook was lost.
 *
 * <p>This class is thread-safe. {@link #close()} closes the notifier if this instance created it.
 */
public final class ReplicateAudio implements AutoCloseable {
  private static final Logger LOG = System.getLogger(ReplicateAudio.class.getName());

  private final ReplicateAudioSettings settings;
  private final PredictionClient client;
  private final GenerationJobStore jobStore;
  private final WebhookCompletionNotifier notifier;
  private final boolean ownsNotifier;
  private final Supplier<URI> webhookBaseUrl;
  private final Executor executor;
  private final Clock clock;
  private final WebhookResultProcessor processor;
  private final WebhookRecovery recovery;

  private ReplicateAudio(Builder b) {
    this.settings = b.settings;
    this.client = Objects.requireNonNull(b.client, "predictionClient == null");
    this.jobStore = Objects.requireNonNull(b.jobStore, "jobStore == null");
    this.webhookBaseUrl = Objects.requireNonNull(b.webhookBaseUrl, "webhookBaseUrl == null");
    this.executor = Objects.requireNonNull(b.executor, "executor == null");
    this.clock = b.clock;
    this.ownsNotifier = b.notifier == null;
    this.notifier = ownsNotifier ? new WebhookCompletionNotifier() : b.notifier;
    WebhookResultProcessor.Builder pb = WebhookResultProcessor.builder()
        .jobStore(jobStore)
        .audioStore(Objects.requireNonNull(b.audioStore, "audioStore == null"))
        .transactions(Objects.requireNonNull(b.transactions, "transactions == null"))
        .downloader(Objects.requireNonNull(b.downloader, "downloader == null"))
        .postProcessors(Objects.requireNonNull(b.postProcessors, "postProcessors == null"))
        .notifier(notifier)
        .executor(executor)
        .clock(clock);
    if (b.tempDirectory != null) {
      pb.tempDirectory(b.tempDirectory);
    }
    this.processor = pb.build();
    WebhookRecovery.Builder rb = WebhookRecovery.builder()
        .jobStore(jobStore).predictionClient(client).processor(processor).executor(executor).clock(clock)
        .settings(settings);
    if (b.hardDeadline != null) {
      rb.hardDeadline(b.hardDeadline);
    }
    rb.listener(b.recoveryListener);
    this.recovery = rb.build();
  }

  /**
   * A builder with the default settings and no parts.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * Creates a prediction for {@code key} that reports back to this service's webhook URL, and
   * records it as a pending job.
   *
   * @param key the content item the audio is for
   * @param request what to run; its webhook must be unset, since the service sets it per content item
   * @return the submission; fails with the client's exception when Replicate refuses the
   *     prediction, or with the store's exception when the job can't be recorded (the prediction is
   *     then canceled, best effort, so nothing runs unrecorded)
   * @throws IllegalArgumentException when {@code request} already has a webhook
   */
  public CompletionStage<Submission> submit(ContentKey key, PredictionRequest request) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(request, "request == null");
    if (request.webhook() != null) {
      throw new IllegalArgumentException("request already has a webhook (" + request.webhook()
          + "); leave it unset: ReplicateAudio sets it per content item from webhookBaseUrl");
    }
    PredictionRequest withHook = request.toBuilder().webhook(webhookUrl(key)).build();
    return client.createWebhookPredictionAsync(withHook)
        .thenComposeAsync(prediction -> {
          try {
            jobStore.recordSubmitted(key, prediction.id());
          } catch (RuntimeException e) {
            LOG.log(Level.DEBUG, "could not record prediction {0} for {1}; canceling it", prediction.id(), key);
            return client.cancelPredictionAsync(prediction.id())
                .handle((ignored, cancelFailure) -> {
                  if (cancelFailure != null) {
                    e.addSuppressed(cancelFailure);
                  }
                  throw e;
                });
          }
          return CompletableFuture.completedFuture(new Submission(key, prediction.id(), clock.instant()));
        }, executor);
  }

  /**
   * {@link #generate(ContentKey, PredictionRequest, Duration)} with the settings' {@code webhookTimeout}.
   *
   * @param key the content item the audio is for
   * @param request what to run, without a webhook
   * @return the outcome, as {@link #generate(ContentKey, PredictionRequest, Duration)} describes
   */
  public CompletionStage<CompletionOutcome> generate(ContentKey key, PredictionRequest request) {
    return generate(key, request, settings.webhookTimeout());
  }

  /**
   * Submits and waits for the result, event-driven.
   *
   * @param key the content item the audio is for
   * @param request what to run, without a webhook
   * @param timeout how long to wait for the result, positive
   * @return the outcome; TIMED_OUT when nothing arrived within {@code timeout} (the job stays
   *     pending: a late webhook or recovery still finishes it)
   */
  public CompletionStage<CompletionOutcome> generate(ContentKey key, PredictionRequest request, Duration timeout) {
    checkTimeout(timeout);
    return submit(key, request).thenCompose(s -> await(s, timeout));
  }

  /**
   * Waits for a submission's outcome: from the notifier, or from the job store when it finished
   * before (or elsewhere than) this instance could see it.
   *
   * @param submission what {@link #submit} returned
   * @param timeout how long to wait, positive
   * @return the outcome; SUCCEEDED or FAILED from the job store when the notifier had nothing by
   *     then, TIMED_OUT when neither knows the result
   */
  public CompletionStage<CompletionOutcome> await(Submission submission, Duration timeout) {
    Objects.requireNonNull(submission, "submission == null");
    checkTimeout(timeout);
    return notifier.waitForCompletion(submission.key(), submission.predictionId(), timeout)
        .handle((outcome, failure) -> {
          if (failure == null) {
            return CompletableFuture.completedFuture(outcome);
          }
          Throwable cause = failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure;
          if (!(cause instanceof TimeoutException)) {
            return CompletableFuture.<CompletionOutcome>failedFuture(cause);
          }
          return CompletableFuture.supplyAsync(() -> fromStore(submission, timeout), executor);
        })
        .thenCompose(stage -> stage);
  }

  private CompletionOutcome fromStore(Submission s, Duration timeout) {
    String timedOut = "no result within " + SettingParsers.describe(timeout);
    Optional<GenerationJob> job;
    try {
      job = jobStore.find(s.predictionId());
    } catch (RuntimeException e) {
      return CompletionOutcome.timedOut(s.predictionId(), timedOut + " (job store unavailable: " + e.getMessage() + ")");
    }
    if (job.isPresent() && job.get().status() == JobStatus.SUCCEEDED) {
      return CompletionOutcome.succeeded(s.predictionId());
    }
    if (job.isPresent() && job.get().status() == JobStatus.FAILED) {
      String error = job.get().lastError();
      return CompletionOutcome.failed(s.predictionId(), error == null ? "generation failed" : error);
    }
    return CompletionOutcome.timedOut(s.predictionId(), timedOut);
  }

  /**
   * {@link #generateAll(Map, Duration)} with the settings' {@code soundEffectsTimeout}.
   *
   * @param requests what to run for each content item, without webhooks
   * @return every key of {@code requests} with its outcome
   */
  public CompletionStage<Map<ContentKey, CompletionOutcome>> generateAll(Map<ContentKey, PredictionRequest> requests) {
    return generateAll(requests, settings.soundEffectsTimeout());
  }

  /**
   * Submits a batch (the seed's "Track 2" sound-effects pipeline) and waits for all of it. A batch
   * never loses the results it did get: items whose submission failed are FAILED with the reason,
   * items with no result within {@code timeout} are TIMED_OUT.
   *
   * @param requests what to run for each content item, without webhooks
   * @param timeout how long to wait for the whole batch, positive
   * @return every key of {@code requests}, in its iteration order, with its outcome
   */
  public CompletionStage<Map<ContentKey, CompletionOutcome>> generateAll(Map<ContentKey, PredictionRequest> requests,
      Duration timeout) {
    Objects.requireNonNull(requests, "requests == null");
    checkTimeout(timeout);
    if (requests.isEmpty()) {
      return CompletableFuture.completedFuture(Map.of());
    }
    List<ContentKey> keys = new ArrayList<>(requests.keySet());
    List<CompletableFuture<CompletionOutcome>> outcomes = new ArrayList<>(keys.size());
    for (ContentKey key : keys) {
      CompletableFuture<CompletionOutcome> one;
      try {
        one = submit(key, requests.get(key)).thenCompose(s -> await(s, timeout)).toCompletableFuture();
      } catch (RuntimeException e) {
        one = CompletableFuture.failedFuture(e);
      }
      outcomes.add(one.handle((outcome, failure) -> outcome != null ? outcome
          : CompletionOutcome.failed(null, "submission failed: " + message(failure))));
    }
    return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<ContentKey, CompletionOutcome> result = new LinkedHashMap<>();
      for (int i = 0; i < keys.size(); i++) {
        result.put(keys.get(i), outcomes.get(i).join());
      }
      return result;
    });
  }

  /**
   * Waits for several submissions; see {@link #generateAll(Map, Duration)}.
   *
   * @param submissions what {@link #submit} returned
   * @param timeout how long to wait for all of them, positive
   * @return each submission's key with its outcome, in the iteration order of {@code submissions}
   */
  public CompletionStage<Map<ContentKey, CompletionOutcome>> awaitAll(Collection<Submission> submissions, Duration timeout) {
    Objects.requireNonNull(submissions, "submissions == null");
    checkTimeout(timeout);
    List<Submission> list = List.copyOf(submissions);
    List<CompletableFuture<CompletionOutcome>> outcomes = new ArrayList<>();
    for (Submission s : list) {
      outcomes.add(await(s, timeout).toCompletableFuture());
    }
    return CompletableFuture.allOf(outcomes.toArray(CompletableFuture[]::new)).thenApply(ignored -> {
      Map<ContentKey, CompletionOutcome> result = new LinkedHashMap<>();
      for (int i = 0; i < list.size(); i++) {
        result.put(list.get(i).key(), outcomes.get(i).join());
      }
      return result;
    });
  }

  /**
   * The webhook pipeline; hand it to the webhook endpoint.
   *
   * @return the processor this instance built
   */
  public WebhookResultProcessor processor() {
    return processor;
  }

  /**
   * Recovery of lost webhooks; schedule it with {@link WebhookRecovery#scheduleOn}.
   *
   * @return the recovery this instance built
   */
  public WebhookRecovery recovery() {
    return recovery;
  }

  /**
   * The notifier that wakes this instance's waiters.
   *
   * @return the builder's notifier, or the one this instance created
   */
  public WebhookCompletionNotifier notifier() {
    return notifier;
  }

  /**
   * The settings this instance runs with.
   *
   * @return the builder's settings
   */
  public ReplicateAudioSettings settings() {
    return settings;
  }

  /**
   * The webhook URL a submission for {@code key} uses.
   *
   * @param key the content item
   * @return the webhook base URL with the key in its query
   */
  public URI webhookUrl(ContentKey key) {
    URI base = webhookBaseUrl.get();
    if (base == null) {
      throw new IllegalStateException("the webhook base URL supplier returned null");
    }
    return WebhookUrls.forContent(base, key);
  }

  /** Closes the notifier if this instance created it; the ports and the executor belong to the host. */
  @Override
  public void close() {
    if (ownsNotifier) {
      notifier.close();
    }
  }

  private static void checkTimeout(Duration timeout) {
    Objects.requireNonNull(timeout, "timeout == null");
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("timeout must be positive, was " + timeout);
    }
  }

  private static String message(Throwable t) {
    Throwable c = t;
    while (c instanceof CompletionException && c.getCause() != null) {
      c = c.getCause();
    }
    return c.getMessage() == null ? c.getClass().getSimpleName() : c.getMessage();
  }

  /**
   * Builds a {@link ReplicateAudio}. Required: prediction client, downloader, job store, audio store,
   * transactions, post-processors, webhook base URL and executor. Not thread-safe.
   */
  public static final class Builder {
    private ReplicateAudioSettings settings = ReplicateAudioSettings.defaults();
    private PredictionClient client;
    private AudioDownloader downloader;
    private GenerationJobStore jobStore;
    private AudioStore audioStore;
    private TransactionRunner transactions;
    private AudioPostProcessors postProcessors;
    private WebhookCompletionNotifier notifier;
    private Supplier<URI> webhookBaseUrl;
    private Executor executor;
    private Clock clock = Clock.systemUTC();
    private Duration hardDeadline;
    private java.nio.file.Path tempDirectory;
    private RecoveryListener recoveryListener =
        RecoveryListener.NONE;

    private Builder() {
    }

    /**
     * Told about every recovery run (metrics, health); see {@link RecoveryListener}. Default: none.
     *
     * @param recoveryListener the listener
     * @return this builder
     */
    public Builder recoveryListener(RecoveryListener recoveryListener) {
      this.recoveryListener = Objects.requireNonNull(recoveryListener, "recoveryListener == null");
      return this;
    }

    /**
     * Timeouts, limits and ffmpeg; default {@link ReplicateAudioSettings#defaults()}.
     *
     * @param settings the settings
     * @return this builder
     */
    public Builder settings(ReplicateAudioSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings == null");
      return this;
    }

    /**
     * Creates and looks up predictions on Replicate. Required.
     *
     * @param client for example {@code ReplicateClient} from replicate-audio-okhttp
     * @return this builder
     */
    public Builder predictionClient(PredictionClient client) {
      this.client = Objects.requireNonNull(client, "client == null");
      return this;
    }

    /**
     * Downloads the outputs. Required.
     *
     * @param downloader for example {@code OkHttpAudioDownloader} from replicate-audio-okhttp
     * @return this builder
     */
    public Builder downloader(AudioDownloader downloader) {
      this.downloader = Objects.requireNonNull(downloader, "downloader == null");
      return this;
    }

    /**
     * Records jobs and their state. Required.
     *
     * @param jobStore for example {@code JdbiGenerationJobStore} from replicate-audio-jdbi
     * @return this builder
     */
    public Builder jobStore(GenerationJobStore jobStore) {
      this.jobStore = Objects.requireNonNull(jobStore, "jobStore == null");
      return this;
    }

    /**
     * Stores the finished audio. Required.
     *
     * @param audioStore for example {@code JdbiAudioStore} from replicate-audio-jdbi
     * @return this builder
     */
    public Builder audioStore(AudioStore audioStore) {
      this.audioStore = Objects.requireNonNull(audioStore, "audioStore == null");
      return this;
    }

    /**
     * Runs the store, the job's state and the result log in one transaction. Required.
     *
     * @param transactions for example {@code JdbiTransactionRunner} from replicate-audio-jdbi
     * @return this builder
     */
    public Builder transactions(TransactionRunner transactions) {
      this.transactions = Objects.requireNonNull(transactions, "transactions == null");
      return this;
    }

    /**
     * The post-processor of each content type. Required.
     *
     * @param postProcessors for example {@link dev.replicateaudio.audio.AudioPostProcessors#defaults}
     * @return this builder
     */
    public Builder postProcessors(AudioPostProcessors postProcessors) {
      this.postProcessors = Objects.requireNonNull(postProcessors, "postProcessors == null");
      return this;
    }

    /**
     * The notifier to wake waiters through; default: a new isolated one, closed by
     * {@link ReplicateAudio#close()}.
     *
     * @param notifier a notifier the host owns (and closes)
     * @return this builder
     */
    public Builder notifier(WebhookCompletionNotifier notifier) {
      this.notifier = Objects.requireNonNull(notifier, "notifier == null");
      return this;
    }

    /**
     * The public URL of the host's webhook endpoint; each submission adds its content key to the
     * query. Required.
     *
     * @param webhookBaseUrl an absolute http or https URL
     * @return this builder
     * @throws IllegalArgumentException when {@link WebhookUrls#forContent} refuses it
     */
    public Builder webhookBaseUrl(URI webhookBaseUrl) {
      Objects.requireNonNull(webhookBaseUrl, "webhookBaseUrl == null");
      WebhookUrls.forContent(webhookBaseUrl, ContentKey.soundEffect(0)); // validates
      this.webhookBaseUrl = () -> webhookBaseUrl;
      return this;
    }

    /**
     * The public URL of the host's webhook endpoint, asked for on every submission: for hosts that
     * learn it only once their server listens (an ephemeral port, say). An invalid URL fails the
     * submission with {@link IllegalArgumentException}.
     *
     * @param webhookBaseUrl gives the URL; called on the submitting thread
     * @return this builder
     */
    public Builder webhookBaseUrl(Supplier<URI> webhookBaseUrl) {
      this.webhookBaseUrl = Objects.requireNonNull(webhookBaseUrl, "webhookBaseUrl == null");
      return this;
    }

    /**
     * Runs blocking work (database, ffmpeg waits). The host owns it and sizes it. Required.
     *
     * @param executor the executor
     * @return this builder
     */
    public Builder executor(Executor executor) {
      this.executor = Objects.requireNonNull(executor, "executor == null");
      return this;
    }

    /**
     * The clock for submission times and recovery's ages; default the UTC system clock.
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Recovery's hard deadline; see {@link WebhookRecovery.Builder#hardDeadline}.
     *
     * @param hardDeadline how long a prediction may run before recovery cancels it
     * @return this builder
     */
    public Builder hardDeadline(Duration hardDeadline) {
      this.hardDeadline = Objects.requireNonNull(hardDeadline, "hardDeadline == null");
      return this;
    }

    /**
     * Where per-job temp directories go; default {@code ${java.io.tmpdir}/replicate-audio}.
     *
     * @param tempDirectory the base directory
     * @return this builder
     */
    public Builder tempDirectory(java.nio.file.Path tempDirectory) {
      this.tempDirectory = Objects.requireNonNull(tempDirectory, "tempDirectory == null");
      return this;
    }

    /**
     * Builds the facade, its processor and its recovery.
     *
     * @return a new instance
     * @throws NullPointerException when a required part is missing
     */
    public ReplicateAudio build() {
      return new ReplicateAudio(this);
    }
  }
}
