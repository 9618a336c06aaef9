package dev.replicateaudio.micrometer;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.ffmpeg.FfmpegListener;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookListener;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * The pipeline's meters, under {@code replicate.audio.*} ({@link MetricNames}), with tags whose
 * values come from fixed lists (no prediction ids, no content ids, no URLs).
 *
 * <p>It is a {@link MeterBinder} fed by the core's listener hooks: create it first, hand its
 * listeners to the pieces as they are built, tell it what to watch, then bind it to a registry
 * (Spring Boot binds every {@code MeterBinder} bean to its registry by itself):
 *
 * <pre>{@code
 * ReplicateAudioMetrics metrics = ReplicateAudioMetrics.create();
 * FfmpegRunner ffmpeg = FfmpegRunner.create(settings, metrics.ffmpegListener());
 * OkHttpAudioDownloader downloader = OkHttpAudioDownloader.builder(settings)
 *     .listener(metrics.downloadListener()).build();
 * ReplicateAudio audio = ReplicateAudio.builder()...recoveryListener(metrics.recoveryListener()).build();
 * WebhookEndpoint endpoint = WebhookEndpoint.builder(verifier, audio.processor())
 *     .listener(metrics.webhookListener()).build();
 * metrics.watch(ffmpeg).watch(audio.notifier())
 *     .watchBridge(CompletionBridges.kind(bridge), CompletionBridges.of(bridge));   // when there is one
 * metrics.bindTo(registry);
 * }</pre>
 *
 * <p>Events that happen before the first {@link #bindTo} are not counted. Binding to several
 * registries records into each. The listeners do a few array look-ups and one meter update per
 * event; they never throw.
 *
 * <table>
 *   <caption>Meters</caption>
 *   <tr><th>name</th><th>type</th><th>tags</th></tr>
 *   <tr><td>{@value MetricNames#WEBHOOK_REQUESTS}</td><td>timer</td><td>status = 200, 202, 400, 401, 413, 500, 503, other</td></tr>
 *   <tr><td>{@value MetricNames#WEBHOOK_PROCESSING}</td><td>timer</td><td>outcome = succeeded, failed, canceled, timed_out, pending, retryable_error, error</td></tr>
 *   <tr><td>{@value MetricNames#DOWNLOADS}</td><td>timer</td><td>outcome = success, too_large, failed</td></tr>
 *   <tr><td>{@value MetricNames#DOWNLOAD_SIZE}</td><td>summary (bytes)</td><td>-</td></tr>
 *   <tr><td>{@value MetricNames#FFMPEG_RUNS}</td><td>timer</td><td>tool = ffmpeg, ffprobe; outcome = success, nonzero_exit, timeout, error</td></tr>
 *   <tr><td>{@value MetricNames#FFMPEG_RUNNING}, {@value MetricNames#FFMPEG_WAITING}, {@value MetricNames#FFMPEG_LIMIT}</td><td>gauges</td><td>-</td></tr>
 *   <tr><td>{@value MetricNames#WAITERS_PENDING}, {@value MetricNames#OUTCOMES_REMEMBERED}</td><td>gauges</td><td>-</td></tr>
 *   <tr><td>{@value MetricNames#COMPLETIONS}</td><td>counter</td><td>status = succeeded, failed, canceled, timed_out; origin = local, remote</td></tr>
 *   <tr><td>{@value MetricNames#WAITS}</td><td>counter</td><td>status = succeeded, failed, canceled, timed_out</td></tr>
 *   <tr><td>{@value MetricNames#RECOVERY_RUNS}</td><td>timer</td><td>outcome = success, error</td></tr>
 *   <tr><td>{@value MetricNames#RECOVERY_JOBS}</td><td>counter</td><td>result = succeeded, failed, canceled, still_running, error</td></tr>
 *   <tr><td>{@value MetricNames#BRIDGE_PUBLISHED}, {@value MetricNames#BRIDGE_RECEIVED}, {@value MetricNames#BRIDGE_DROPPED}</td><td>function counters</td><td>bridge</td></tr>
 *   <tr><td>{@value MetricNames#BRIDGE_OUTAGES}</td><td>function counter</td><td>bridge; connection = listener, sender</td></tr>
 *   <tr><td>{@value MetricNames#BRIDGE_LISTENING}, {@value MetricNames#BRIDGE_QUEUED}</td><td>gauges</td><td>bridge</td></tr>
 *   <tr><td>{@value MetricNames#BRIDGE_POLLS}</td><td>function counter</td><td>bridge; outcome = success, failure</td></tr>
 * </table>
 *
 * <p>This class is thread-safe.
 */
public final class ReplicateAudioMetrics implements MeterBinder {
  static final List<Integer> HTTP_STATUSES = List.of(200, 202, 400, 401, 413, 500, 503);
  static final String OTHER_STATUS = "other";
  private static final CompletionStatus[] STATUSES = CompletionStatus.values();
  private static final List<String> PROCESSING_FAILURES = List.of("retryable_error", "error");
  private static final List<String> DOWNLOAD_OUTCOMES = List.of("success", "too_large", "failed");
  private static final List<String> RECOVERY_RESULTS = List.of("succeeded", "failed", "canceled", "still_running",
      "error");

  private final Tags commonTags;
  private final CopyOnWriteArrayList<Bound> bound = new CopyOnWriteArrayList<>();
  private final CopyOnWriteArrayList<Consumer<MeterRegistry>> gauges = new CopyOnWriteArrayList<>();
  private final Listeners listeners = new Listeners();
  // one view per hook, each implementing that hook only: a container that collects listeners by type
  // (Spring) must find each exactly once
  private final FfmpegListener ffmpegView = new FfmpegListener() {
    @Override
    public void runFinished(FfmpegListener.Program program, FfmpegListener.Outcome outcome, Duration elapsed) {
      listeners.runFinished(program, outcome, elapsed);
    }

    @Override
    public String toString() {
      return "ffmpeg meters of " + ReplicateAudioMetrics.this;
    }
  };
  private final DownloadListener downloadView = new DownloadListener() {
    @Override
    public void downloadSucceeded(long sizeBytes, Duration elapsed) {
      listeners.downloadSucceeded(sizeBytes, elapsed);
    }

    @Override
    public void downloadFailed(Throwable failure, Duration elapsed) {
      listeners.downloadFailed(failure, elapsed);
    }

    @Override
    public String toString() {
      return "download meters of " + ReplicateAudioMetrics.this;
    }
  };
  private final WebhookListener webhookView = new WebhookListener() {
    @Override
    public void requestAnswered(int statusCode, Duration elapsed) {
      listeners.requestAnswered(statusCode, elapsed);
    }

    @Override
    public void processingFinished(CompletionOutcome outcome, Duration elapsed) {
      listeners.processingFinished(outcome, elapsed);
    }

    @Override
    public void processingFailed(Throwable failure, Duration elapsed) {
      listeners.processingFailed(failure, elapsed);
    }

    @Override
    public String toString() {
      return "webhook meters of " + ReplicateAudioMetrics.this;
    }
  };
  private final RecoveryListener recoveryView = new RecoveryListener() {
    @Override
    public void runFinished(RecoveryReport report, Duration elapsed) {
      listeners.runFinished(report, elapsed);
    }

    @Override
    public void runFailed(Throwable failure, Duration elapsed) {
      listeners.runFailed(failure, elapsed);
    }

    @Override
    public String toString() {
      return "recovery meters of " + ReplicateAudioMetrics.this;
    }
  };

  private ReplicateAudioMetrics(Iterable<Tag> commonTags) {
    this.commonTags = Tags.of(commonTags);
  }

  /**
   * Meters without extra tags.
   *
   * @return a new binder, bound to no registry yet
   */
  public static ReplicateAudioMetrics create() {
    return new ReplicateAudioMetrics(Tags.empty());
  }

  /**
   * Meters that all carry {@code commonTags} as well (an instance or a tenant name, say).
   *
   * @param commonTags tags for every meter; keep their values bounded
   * @return a new binder, bound to no registry yet
   */
  public static ReplicateAudioMetrics create(Iterable<Tag> commonTags) {
    return new ReplicateAudioMetrics(Objects.requireNonNull(commonTags, "commonTags == null"));
  }

  /**
   * The hook for {@link FfmpegRunner#create(dev.replicateaudio.ReplicateAudioSettings, FfmpegListener)}.
   *
   * @return a listener that records into every bound registry
   */
  public FfmpegListener ffmpegListener() {
    return ffmpegView;
  }

  /**
   * The hook for {@code OkHttpAudioDownloader.Builder.listener}.
   *
   * @return a listener that records into every bound registry
   */
  public DownloadListener downloadListener() {
    return downloadView;
  }

  /**
   * The hook for {@code WebhookEndpoint.Builder.listener}.
   *
   * @return a listener that records into every bound registry
   */
  public WebhookListener webhookListener() {
    return webhookView;
  }

  /**
   * The hook for {@code ReplicateAudio.Builder.recoveryListener} or {@code WebhookRecovery.Builder.listener}.
   *
   * @return a listener that records into every bound registry
   */
  public RecoveryListener recoveryListener() {
    return recoveryView;
  }

  /**
   * Counts completions and waits; {@link #watch(WebhookCompletionNotifier)} adds it to the notifier.
   *
   * @return the completion listener
   */
  public CompletionListener completionListener() {
    return listeners;
  }

  /**
   * Adds the gauges {@value MetricNames#FFMPEG_RUNNING}, {@value MetricNames#FFMPEG_WAITING} and
   * {@value MetricNames#FFMPEG_LIMIT}.
   *
   * @param ffmpeg the runner to read them from
   * @return this binder
   */
  public ReplicateAudioMetrics watch(FfmpegRunner ffmpeg) {
    Objects.requireNonNull(ffmpeg, "ffmpeg == null");
    addGauges(r -> {
      gauge(r, MetricNames.FFMPEG_RUNNING, "ffmpeg and ffprobe processes alive", ffmpeg, FfmpegRunner::runningProcesses,
          Tags.empty());
      gauge(r, MetricNames.FFMPEG_WAITING, "runs waiting for a process slot", ffmpeg, FfmpegRunner::waitingRuns,
          Tags.empty());
      gauge(r, MetricNames.FFMPEG_LIMIT, "the most processes that run at once (maxConcurrentFfmpeg)", ffmpeg,
          FfmpegRunner::maxConcurrentRuns, Tags.empty());
    });
    return this;
  }

  /**
   * Adds {@link #completionListener()} to {@code notifier}, and the gauges
   * {@value MetricNames#WAITERS_PENDING} and {@value MetricNames#OUTCOMES_REMEMBERED}.
   *
   * @param notifier the notifier to count and read
   * @return this binder
   */
  public ReplicateAudioMetrics watch(WebhookCompletionNotifier notifier) {
    Objects.requireNonNull(notifier, "notifier == null");
    notifier.addListener(listeners);
    addGauges(r -> {
      gauge(r, MetricNames.WAITERS_PENDING, "waits parked for a completion", notifier,
          WebhookCompletionNotifier::pendingWaiters, Tags.empty());
      gauge(r, MetricNames.OUTCOMES_REMEMBERED, "recent outcomes remembered for late waiters", notifier,
          WebhookCompletionNotifier::rememberedOutcomes, Tags.empty());
    });
    return this;
  }

  /**
   * Adds the bridge meters, tagged {@code bridge=<kind>}, read from {@code stats} at each scrape.
   *
   * @param kind what carries the completions, {@code postgres} or {@code polling} for the library's
   *     bridges ({@link CompletionBridges#kind}): a short lowercase name, the {@code bridge} tag
   * @param stats the bridge's counters, read at each scrape
   * @return this binder
   */
  public ReplicateAudioMetrics watchBridge(String kind, Supplier<BridgeStats> stats) {
    Objects.requireNonNull(kind, "kind == null");
    Objects.requireNonNull(stats, "stats == null");
    if (!kind.matches("[a-z][a-z0-9_]{0,31}")) {
      throw new IllegalArgumentException("kind must be 1 to 32 of [a-z0-9_] starting with a letter, was '" + kind + "'");
    }
    Tags tags = Tags.of(MetricNames.TAG_BRIDGE, kind);
    addGauges(r -> {
      functionCounter(r, MetricNames.BRIDGE_PUBLISHED, "local completions sent to the other instances", stats,
          s -> s.get().published(), tags);
      functionCounter(r, MetricNames.BRIDGE_RECEIVED, "remote completions handed to the notifier", stats,
          s -> s.get().received(), tags);
      functionCounter(r, MetricNames.BRIDGE_DROPPED, "local completions not sent", stats,
          s -> s.get().dropped(), tags);
      functionCounter(r, MetricNames.BRIDGE_OUTAGES, "lost bridge connections", stats,
          s -> s.get().listenerOutages(), tags.and(MetricNames.TAG_CONNECTION, "listener"));
      functionCounter(r, MetricNames.BRIDGE_OUTAGES, "lost bridge connections", stats,
          s -> s.get().senderOutages(), tags.and(MetricNames.TAG_CONNECTION, "sender"));
      gauge(r, MetricNames.BRIDGE_LISTENING, "1 while the bridge receives, else 0", stats,
          s -> s.get().listening() ? 1 : 0, tags);
      gauge(r, MetricNames.BRIDGE_QUEUED, "completions waiting to be sent", stats, s -> s.get().queued(), tags);
      functionCounter(r, MetricNames.BRIDGE_POLLS, "poll rounds of a polling bridge", stats,
          s -> s.get().polls(), tags.and(MetricNames.TAG_OUTCOME, "success"));
      functionCounter(r, MetricNames.BRIDGE_POLLS, "poll rounds of a polling bridge", stats,
          s -> s.get().pollFailures(), tags.and(MetricNames.TAG_OUTCOME, "failure"));
    });
    return this;
  }

  /** Registers every meter with {@code registry}; events from now on are recorded there too. */
  @Override
  public void bindTo(MeterRegistry registry) {
    Objects.requireNonNull(registry, "registry == null");
    synchronized (this) {
      bound.add(new Bound(registry));
      for (Consumer<MeterRegistry> g : gauges) {
        g.accept(registry);
      }
    }
  }

  @Override
  public String toString() {
    return "ReplicateAudioMetrics{registries=" + bound.size() + ", commonTags=" + commonTags + "}";
  }

  private synchronized void addGauges(Consumer<MeterRegistry> registration) {
    gauges.add(registration);
    for (Bound b : bound) {
      registration.accept(b.registry);
    }
  }

  private <T> void gauge(MeterRegistry r, String name, String description, T source, ToDoubleFunction<T> value,
      Tags tags) {
    Gauge.builder(name, source, value).description(description).tags(commonTags).tags(tags).strongReference(true)
        .register(r);
  }

  private <T> void functionCounter(MeterRegistry r, String name, String description, T source,
      ToDoubleFunction<T> value, Tags tags) {
    FunctionCounter.builder(name, source, value).description(description).tags(commonTags).tags(tags).register(r);
  }

  static String httpStatusTag(int status) {
    return HTTP_STATUSES.contains(status) ? Integer.toString(status) : OTHER_STATUS;
  }

  static String lower(Enum<?> e) {
    return e.name().toLowerCase(Locale.ROOT);
  }

  /** The meters of one registry, looked up once; the listener indexes them by enum ordinal. */
  private final class Bound {
    final MeterRegistry registry;
    final Timer[] requests = new Timer[HTTP_STATUSES.size() + 1];
    final Timer[] processed = new Timer[STATUSES.length];
    final Timer[] processingFailed = new Timer[PROCESSING_FAILURES.size()];
    final Timer[] downloads = new Timer[DOWNLOAD_OUTCOMES.size()];
    final DistributionSummary downloadSize;
    final Timer[][] ffmpeg = new Timer[FfmpegListener.Program.values().length][FfmpegListener.Outcome.values().length];
    final Counter[][] completions = new Counter[STATUSES.length][2];
    final Counter[] waits = new Counter[STATUSES.length];
    final Timer recoverySuccess;
    final Timer recoveryError;
    final Counter[] recoveryJobs = new Counter[RECOVERY_RESULTS.size()];

    Bound(MeterRegistry r) {
      this.registry = r;
      for (int i = 0; i < HTTP_STATUSES.size(); i++) {
        requests[i] = requestTimer(r, Integer.toString(HTTP_STATUSES.get(i)));
      }
      requests[HTTP_STATUSES.size()] = requestTimer(r, OTHER_STATUS);
      for (CompletionStatus s : STATUSES) {
        processed[s.ordinal()] = processingTimer(r, lower(s));
      }
      for (int i = 0; i < PROCESSING_FAILURES.size(); i++) {
        processingFailed[i] = processingTimer(r, PROCESSING_FAILURES.get(i));
      }
      for (int i = 0; i < DOWNLOAD_OUTCOMES.size(); i++) {
        downloads[i] = Timer.builder(MetricNames.DOWNLOADS).description("audio downloads, call to end")
            .tags(commonTags).tag(MetricNames.TAG_OUTCOME, DOWNLOAD_OUTCOMES.get(i)).register(r);
      }
      downloadSize = DistributionSummary.builder(MetricNames.DOWNLOAD_SIZE).description("size of downloaded audio")
          .baseUnit("bytes").tags(commonTags).register(r);
      for (FfmpegListener.Program p : FfmpegListener.Program.values()) {
        for (FfmpegListener.Outcome o : FfmpegListener.Outcome.values()) {
          ffmpeg[p.ordinal()][o.ordinal()] = Timer.builder(MetricNames.FFMPEG_RUNS)
              .description("ffmpeg and ffprobe processes, start to exit").tags(commonTags)
              .tag(MetricNames.TAG_TOOL, lower(p)).tag(MetricNames.TAG_OUTCOME, lower(o)).register(r);
        }
      }
      for (CompletionStatus s : STATUSES) {
        if (s == CompletionStatus.PENDING) {
          continue; // never notified, never a wait's answer
        }
        for (CompletionListener.CompletionEvent.Origin o : CompletionListener.CompletionEvent.Origin.values()) {
          completions[s.ordinal()][o.ordinal()] = Counter.builder(MetricNames.COMPLETIONS)
              .description("completions notified").tags(commonTags).tag(MetricNames.TAG_STATUS, lower(s))
              .tag(MetricNames.TAG_ORIGIN, lower(o)).register(r);
        }
        waits[s.ordinal()] = Counter.builder(MetricNames.WAITS).description("waits answered").tags(commonTags)
            .tag(MetricNames.TAG_STATUS, lower(s)).register(r);
      }
      recoverySuccess = recoveryTimer(r, "success");
      recoveryError = recoveryTimer(r, "error");
      for (int i = 0; i < RECOVERY_RESULTS.size(); i++) {
        recoveryJobs[i] = Counter.builder(MetricNames.RECOVERY_JOBS).description("jobs claimed by recovery")
            .tags(commonTags).tag(MetricNames.TAG_RESULT, RECOVERY_RESULTS.get(i)).register(r);
      }
    }

    private Timer requestTimer(MeterRegistry r, String status) {
      return Timer.builder(MetricNames.WEBHOOK_REQUESTS).description("webhook requests, handling to answer")
          .tags(commonTags).tag(MetricNames.TAG_STATUS, status).register(r);
    }

    private Timer processingTimer(MeterRegistry r, String outcome) {
      return Timer.builder(MetricNames.WEBHOOK_PROCESSING).description("verified webhooks, decoding to outcome")
          .tags(commonTags).tag(MetricNames.TAG_OUTCOME, outcome).register(r);
    }

    private Timer recoveryTimer(MeterRegistry r, String outcome) {
      return Timer.builder(MetricNames.RECOVERY_RUNS).description("webhook recovery runs").tags(commonTags)
          .tag(MetricNames.TAG_OUTCOME, outcome).register(r);
    }
  }

  /** Records every event; the completion listener itself, and the target of the per-hook views above. */
  private final class Listeners implements CompletionListener {
    /** Records {@code elapsed} into the timer {@code which} picks, in every bound registry. */
    private void time(Function<Bound, Timer> which, Duration elapsed) {
      for (Bound b : bound) {
        which.apply(b).record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
      }
    }

    void runFinished(FfmpegListener.Program program, FfmpegListener.Outcome outcome, Duration elapsed) {
      time(b -> b.ffmpeg[program.ordinal()][outcome.ordinal()], elapsed);
    }

    void downloadSucceeded(long sizeBytes, Duration elapsed) {
      for (Bound b : bound) {
        b.downloads[0].record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
        b.downloadSize.record(sizeBytes);
      }
    }

    void downloadFailed(Throwable failure, Duration elapsed) {
      int i = failure instanceof AudioTooLargeException ? 1 : 2;
      time(b -> b.downloads[i], elapsed);
    }

    void requestAnswered(int statusCode, Duration elapsed) {
      int i = HTTP_STATUSES.indexOf(statusCode);
      int index = i < 0 ? HTTP_STATUSES.size() : i;
      time(b -> b.requests[index], elapsed);
    }

    void processingFinished(CompletionOutcome outcome, Duration elapsed) {
      int i = outcome == null ? CompletionStatus.PENDING.ordinal() : outcome.status().ordinal();
      time(b -> b.processed[i], elapsed);
    }

    void processingFailed(Throwable failure, Duration elapsed) {
      boolean retryable = failure instanceof ReplicateAudioException && ((ReplicateAudioException) failure).isRetryable();
      int i = retryable ? 0 : 1;
      time(b -> b.processingFailed[i], elapsed);
    }

    void runFinished(RecoveryReport report, Duration elapsed) {
      for (Bound b : bound) {
        b.recoverySuccess.record(elapsed.toNanos(), TimeUnit.NANOSECONDS);
        increment(b.recoveryJobs[0], report.succeeded());
        increment(b.recoveryJobs[1], report.failed());
        increment(b.recoveryJobs[2], report.canceled());
        increment(b.recoveryJobs[3], report.stillRunning());
        increment(b.recoveryJobs[4], report.errors());
      }
    }

    void runFailed(Throwable failure, Duration elapsed) {
      time(b -> b.recoveryError, elapsed);
    }

    @Override
    public void onCompletion(CompletionEvent event) {
      int s = event.outcome().status().ordinal();
      int o = event.origin().ordinal();
      for (Bound b : bound) {
        Counter c = b.completions[s][o];
        if (c != null) {
          c.increment();
        }
      }
    }

    @Override
    public void onWaitCompleted(ContentKey key, String predictionId, CompletionOutcome outcome) {
      countWait(outcome.status());
    }

    @Override
    public void onWaitTimedOut(ContentKey key, String predictionId, Duration timeout) {
      countWait(CompletionStatus.TIMED_OUT);
    }

    private void countWait(CompletionStatus status) {
      for (Bound b : bound) {
        Counter c = b.waits[status.ordinal()];
        if (c != null) {
          c.increment();
        }
      }
    }

    private void increment(Counter c, int n) {
      if (n > 0) {
        c.increment(n);
      }
    }

    @Override
    public String toString() {
      return ReplicateAudioMetrics.this.toString();
    }
  }
}
