package dev.replicateaudio.examples.simulator;

import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.sun.net.httpserver.HttpServer;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.examples.Threads;
import dev.replicateaudio.ffmpeg.BundledFfmpeg;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A local stand-in for Replicate: a real HTTP server on {@code 127.0.0.1} that creates predictions,
 * runs them through {@code starting → processing → succeeded}, serves generated audio from
 * delivery URLs on itself, and POSTs signed webhooks, with knobs for the faults real deployments
 * meet. The examples, the integration tests and the benchmarks use it so nothing needs the network.
 *
 * <pre>{@code
 * try (ReplicateSimulator replicate = ReplicateSimulator.builder()
 *     .processingTime(Duration.ofMillis(100))
 *     .webhookRetryDelays(Duration.ofMillis(200), Duration.ofMillis(400))
 *     .start()) {
 *   ReplicateClient client = ReplicateClient.builder().apiToken(replicate.apiToken())
 *       .baseUrl(replicate.baseUrl()).build();                  // http://127.0.0.1:<port>/v1
 *   OkHttpAudioDownloader downloads = OkHttpAudioDownloader.builder(settings)
 *       .allowedHosts("127.0.0.1").allowPlainHttp(true).build(); // outputs are served by the simulator
 *   WebhookVerifier verifier = WebhookVerifier.create(replicate.webhookSecret());
 *   // create predictions with input {"prompt": ..., "duration": 2, "output_format": "mp3",
 *   //   "simulate": ["duplicate_webhooks"]} and a webhook URL on your receiver
 *   replicate.awaitWebhooks(Duration.ofSeconds(10));
 *   replicate.deliveries(predictionId);                         // every attempt: status code, latency
 * }
 * }</pre>
 *
 * <h2>API (faithful to api.replicate.com for what this library uses)</h2>
 * <ul>
 *   <li>{@code POST /v1/models/{owner}/{name}/predictions}, {@code POST /v1/predictions} (body
 *       {@code version}: a 64-hex id, {@code owner/name:id} or {@code owner/name}) and
 *       {@code POST /v1/deployments/{owner}/{name}/predictions}: 201 with the prediction in
 *       {@code starting} and a {@code Location} header; {@code Cancel-After} (Go durations:
 *       {@code 30s}, {@code 5m}, {@code 1h30m}) sets a {@code deadline} after which the prediction
 *       is {@code aborted} if it has not started and {@code canceled} if it has;
 *       {@code Prefer: wait[=N]} holds the answer up to N seconds (default 60) for a terminal status.</li>
 *   <li>{@code GET /v1/predictions/{id}}, {@code POST /v1/predictions/{id}/cancel} (200 with the
 *       prediction) and {@code GET /v1/webhooks/default/secret} ({@code {"key":"whsec_..."}}).</li>
 *   <li>Every {@code /v1} request needs {@code Authorization: Bearer <token>} (or the legacy
 *       {@code Token <token>}); otherwise 401 with Replicate's recorded problem body. Errors are
 *       {@code application/problem+json}: 400 for a body that is not a JSON object or a bad
 *       {@code Cancel-After}, 404 for unknown ids and paths, 405 for a wrong method, 413 for a body
 *       over 10 MiB, 422 "Input validation failed" with {@code invalid_fields} for fields Replicate
 *       would refuse (missing {@code input} or {@code version}, unknown top-level properties, a bad
 *       {@code webhook}, {@code webhook_events_filter} or input value), and 429 with
 *       {@code Retry-After} when {@link Builder#rateLimit(int, Duration)} is on.</li>
 * </ul>
 *
 * <h2>Inputs the simulated model reads</h2>
 * {@code prompt} (or {@code text}; picks the tone, one of 240 pitches from 220 Hz to 875 Hz, see
 * {@link #toneFrequency(String)}), {@code duration} (tone seconds, default 1, up to 3600),
 * {@code output_format} ({@code wav}, the default, or {@code mp3}), {@code size_bytes} (instead of
 * {@code duration}: lengthens the tone until the file has about that many bytes, exactly for WAV
 * give or take one byte, within a few hundred bytes for MP3; up to 1 GiB) and {@code simulate}
 * (a {@link Fault} value or a list of them). Other keys are echoed and ignored.
 *
 * <h2>Outputs</h2>
 * A single URL string {@code http://127.0.0.1:<port>/delivery/<id>/output.wav} (or {@code .mp3}):
 * mono 16-bit PCM at {@link Builder#sampleRate(int)} (default 44.1 kHz), {@link Builder#leadSilence}
 * of digital silence, a sine tone at -6 dBFS with 5 ms fades, then {@link Builder#tailSilence}; MP3 is
 * encoded from that WAV with ffmpeg (the {@link Builder#ffmpeg(ReplicateAudioSettings)} settings, else
 * ffmpeg on PATH, else {@link BundledFfmpeg}) at {@link Builder#mp3Bitrate(int)}. Clips are rendered
 * once per parameters into a private temp directory and streamed from there, so memory stays flat
 * for any size. Outputs expire after {@link Builder#outputRetention(Duration)}: the prediction then
 * shows {@code data_removed: true}, {@code output: null}, empty input, and its URL answers 404.
 *
 * <h2>Webhooks</h2>
 * For each event in {@code webhook_events_filter} (default {@code ["output","completed"]}, the
 * documented one): {@code start} and {@code logs} when it starts processing, {@code output} when its
 * output exists, {@code completed} when it is terminal. The body is the prediction JSON, exactly as
 * {@code GET} returns it at that moment, with {@code webhook-id}, {@code webhook-timestamp} and
 * {@code webhook-signature} made by {@link WebhookVerifier#signedHeaders} with
 * {@link #webhookSecret()} (a new timestamp and signature per attempt). A prediction's messages go out
 * one after another; at most {@link Builder#maxConcurrentWebhooks(int)} attempts are in flight at once. Only terminal messages are retried, on any non-2xx answer (redirects are not
 * followed) or a failed connection, after each of {@link Builder#webhookRetryDelays(Duration...)}.
 *
 * <h2>Latency</h2>
 * The JDK's HTTP server flushes a response's headers on their own, so without TCP_NODELAY each
 * small answer waits about 40 ms for the client's delayed ACK (measured here: 48 ms per request
 * instead of 1 to 2 ms). Loading this class therefore sets the system property
 * {@value #NODELAY_PROPERTY} to {@code true} unless it is already set. The JDK reads that property
 * once per JVM, when the first {@code HttpServer} is created, so a host that starts its own JDK
 * {@code HttpServer} (a webhook receiver, say) before touching this class should pass
 * {@code -Dsun.net.httpserver.nodelay=true} on the command line. That also removes the same stall
 * from its own answers.
 *
 * <p>Lifecycle: started by {@link Builder#start()} in well under a second (port 0 picks a free one);
 * {@link #close()} stops the server, drops pending webhooks and retries, kills ffmpeg, waits for the
 * simulator's threads to end and deletes its files. OkHttp's own shared daemon threads (its task
 * runner and Okio's watchdog) idle out on their own within about a minute. This class is thread-safe.
 */
public final class ReplicateSimulator implements AutoCloseable {
  /** The API token accepted unless {@link Builder#apiToken(String)} sets another. */
  public static final String DEFAULT_API_TOKEN = "r8_simulator_token";
  /** Default time from creation to {@code processing}: 20 ms. */
  public static final Duration DEFAULT_START_DELAY = Duration.ofMillis(20);
  /** Default time from {@code processing} to the terminal status: 200 ms. */
  public static final Duration DEFAULT_PROCESSING_TIME = Duration.ofMillis(200);
  /** Default silence before the tone: 0.5 s. */
  public static final Duration DEFAULT_LEAD_SILENCE = Duration.ofMillis(500);
  /** Default silence after the tone: 0.5 s. */
  public static final Duration DEFAULT_TAIL_SILENCE = Duration.ofMillis(500);
  /** Default tone length when the input has no {@code duration}: 1 s. */
  public static final Duration DEFAULT_TONE_DURATION = Duration.ofSeconds(1);
  /** Default sample rate: 44,100 Hz. */
  public static final int DEFAULT_SAMPLE_RATE = 44_100;
  /** Default MP3 bit rate: 128 kb/s. */
  public static final int DEFAULT_MP3_BITRATE_KBPS = 128;
  /** Default output retention: 1 hour, as Replicate keeps API outputs. */
  public static final Duration DEFAULT_OUTPUT_RETENTION = Duration.ofHours(1);
  /**
   * Default delays before each retry of a terminal webhook: 1, 2, 4, 8, 16 and 29 s, so the last
   * retry goes out about a minute after completion, as Replicate documents.
   */
  public static final List<Duration> DEFAULT_WEBHOOK_RETRY_DELAYS = List.of(Duration.ofSeconds(1),
      Duration.ofSeconds(2), Duration.ofSeconds(4), Duration.ofSeconds(8), Duration.ofSeconds(16),
      Duration.ofSeconds(29));
  /** Default time a receiver gets to answer one webhook attempt: 10 s. */
  public static final Duration DEFAULT_WEBHOOK_TIMEOUT = Duration.ofSeconds(10);
  /** Default number of webhook attempts in flight at once, over all predictions: 16. */
  public static final int DEFAULT_MAX_CONCURRENT_WEBHOOKS = 16;
  /** Default number of concurrent copies of a {@link Fault#DUPLICATE_WEBHOOKS} terminal webhook: 3. */
  public static final int DEFAULT_DUPLICATE_DELIVERIES = 3;
  /** Default throttle of {@link Fault#SLOW_DOWNLOAD}: 64 KiB per second. */
  public static final long DEFAULT_SLOW_DOWNLOAD_RATE = 64 * 1024;
  /** Default body size of {@link Fault#OVERSIZED}: 51,000,000 bytes, just over the library's 50 MB default cap. */
  public static final long DEFAULT_OVERSIZED_BYTES = 51_000_000;
  /** Default for {@link Builder#hangTime}. */
  public static final Duration DEFAULT_HANG_TIME = Duration.ofMinutes(1);

  /** {@link #requestCounts()} key: creates on any of the three create endpoints. */
  public static final String ROUTE_CREATE = "predictions.create";
  /** {@link #requestCounts()} key: {@code GET /v1/predictions/{id}}. */
  public static final String ROUTE_GET = "predictions.get";
  /** {@link #requestCounts()} key: {@code POST /v1/predictions/{id}/cancel}. */
  public static final String ROUTE_CANCEL = "predictions.cancel";
  /** {@link #requestCounts()} key: {@code GET /v1/webhooks/default/secret}. */
  public static final String ROUTE_SECRET = "webhooks.secret";
  /** {@link #requestCounts()} key: output downloads. */
  public static final String ROUTE_DOWNLOAD = "delivery.get";

  /**
   * The JDK property that makes {@code com.sun.net.httpserver} set TCP_NODELAY on its connections.
   * The JDK reads it once per JVM, when the first {@code HttpServer} is created.
   */
  public static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

  private static final Logger LOG = LoggerFactory.getLogger(ReplicateSimulator.class);

  static {
    // Without TCP_NODELAY the JDK server's separate flush of the headers makes every small answer
    // wait for the client's delayed ACK: measured 48 ms per request here against 1-2 ms with it.
    if (System.getProperty(NODELAY_PROPERTY) == null) {
      System.setProperty(NODELAY_PROPERTY, "true");
    }
  }
  /** How long {@link #close()} waits for the simulator's threads: 10 s. */
  private static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
  /** MP3 encodes of long clips take a while: the runner's timeout is at least this. */
  private static final Duration MIN_ENCODE_TIMEOUT = Duration.ofMinutes(10);

  private final Config config;
  private final HttpServer server;
  private final String rootUrl;
  private final Path cacheDirectory;
  private final AudioClips clips;
  private final PredictionEngine engine;
  private final ApiHandler.RequestCounter counter = new ApiHandler.RequestCounter();
  private final ScheduledThreadPoolExecutor scheduler;
  private final ExecutorService httpPool;
  private final ExecutorService workerPool;
  private final ExecutorService deliveryPool;
  private final AtomicBoolean closed = new AtomicBoolean();
  private final Object ffmpegLock = new Object();
  private FfmpegRunner ffmpeg; // guarded by ffmpegLock

  private ReplicateSimulator(Config config) throws IOException {
    this.config = config;
    this.cacheDirectory = Files.createTempDirectory(Paths.get(System.getProperty("java.io.tmpdir")),
        "replicate-simulator-");
    try {
      this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), config.port()), 256);
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(cacheDirectory);
      throw e;
    }
    int port = server.getAddress().getPort();
    this.rootUrl = "http://127.0.0.1:" + port;
    String prefix = "replicate-simulator-" + port;
    this.httpPool = cachedPool(prefix + "-http");
    this.workerPool = cachedPool(prefix + "-worker");
    ThreadPoolExecutor deliveries = new ThreadPoolExecutor(config.maxConcurrentWebhooks(),
        config.maxConcurrentWebhooks(), 10, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
        Threads.named(prefix + "-webhook"));
    deliveries.allowCoreThreadTimeOut(true);
    this.deliveryPool = deliveries;
    this.scheduler = new ScheduledThreadPoolExecutor(1, Threads.named(prefix + "-scheduler"));
    scheduler.setRemoveOnCancelPolicy(true);
    scheduler.setExecuteExistingDelayedTasksAfterShutdownPolicy(false);
    this.clips = new AudioClips(cacheDirectory, config.sampleRate(), config.mp3BitrateKbps(), this::ffmpegRunner);
    ObjectMapper mapper = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .build();
    this.engine = new PredictionEngine(config, rootUrl, clips, mapper, scheduler, workerPool, deliveryPool);
    RateLimiter limiter = config.rateLimitRequests() > 0
        ? new RateLimiter(config.rateLimitRequests(), config.rateLimitWindow()) : null;
    server.createContext("/", new ApiHandler(config, engine, mapper, limiter, counter));
    server.createContext("/delivery/", new DeliveryHandler(config, engine, counter));
    server.setExecutor(httpPool);
    server.start();
    LOG.info("Replicate simulator listening on {}/v1", rootUrl);
  }

  /** A simulator with every default, started on a free port. */
  public static ReplicateSimulator start() {
    return builder().start();
  }

  /** A builder of a simulator with the defaults listed in {@link Builder}. */
  public static Builder builder() {
    return new Builder();
  }

  /** The API base URL to give a client: {@code http://127.0.0.1:<port>/v1}. */
  public String baseUrl() {
    return rootUrl + "/v1";
  }

  /** The server's root, {@code http://127.0.0.1:<port>}; delivery URLs start with it. */
  public String rootUrl() {
    return rootUrl;
  }

  /** The port the server listens on. */
  public int port() {
    return server.getAddress().getPort();
  }

  /** The API token the simulator accepts. */
  public String apiToken() {
    return config.apiToken();
  }

  /** The secret webhooks are signed with ({@code whsec_...}), as {@code GET /v1/webhooks/default/secret} returns it. */
  public String webhookSecret() {
    return config.webhookSecret();
  }

  /**
   * The frequency, in Hz, of the tone generated for {@code prompt}: one of 240 pitches (tenths of a
   * semitone) from 220 Hz (A3) to 875 Hz, picked by the prompt's {@link String#hashCode()}, so
   * different prompts usually sound different and the same prompt always sounds the same.
   */
  public static double toneFrequency(String prompt) {
    return AudioClips.frequency(AudioClips.noteFor(prompt));
  }

  /** A prediction as a client would parse it now; empty for an unknown id. */
  public Optional<Prediction> prediction(String id) {
    Objects.requireNonNull(id, "id == null");
    return engine.find(id).map(p -> p.toPrediction(Instant.now(), config.outputRetention()));
  }

  /** The ids of every prediction created so far, in no particular order. */
  public List<String> predictionIds() {
    List<String> ids = new ArrayList<>();
    engine.predictions().forEach(p -> ids.add(p.id));
    return ids;
  }

  /** The faults applied to a prediction (asked for in its input or drawn by rate); empty for an unknown id. */
  public Set<Fault> faults(String predictionId) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    return engine.find(predictionId).map(p -> p.faults).orElse(Set.of());
  }

  /** How many predictions were created. */
  public long predictionCount() {
    return engine.predictions().size();
  }

  /** How many predictions are in each status now; every status is a key. */
  public Map<PredictionStatus, Long> statusCounts() {
    return new EnumMap<>(engine.statusCounts());
  }

  /** Every webhook delivery attempt for a prediction, in the order they ended. */
  public List<DeliveryAttempt> deliveries(String predictionId) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    return engine.deliveries(predictionId);
  }

  /** Every webhook delivery attempt so far, in the order they ended. */
  public List<DeliveryAttempt> deliveries() {
    return engine.deliveries();
  }

  /** How many webhook messages {@link Fault#LOST_WEBHOOK} swallowed. */
  public long lostWebhooks() {
    return engine.lostWebhooks();
  }

  /** How many times a prediction's output URL was requested. */
  public long downloads(String predictionId) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    return engine.downloads(predictionId);
  }

  /**
   * Requests served, by route: {@link #ROUTE_CREATE}, {@link #ROUTE_GET}, {@link #ROUTE_CANCEL},
   * {@link #ROUTE_SECRET}, {@link #ROUTE_DOWNLOAD}, and {@code unauthenticated}, {@code throttled}
   * and {@code other} for refused ones.
   */
  public Map<String, Long> requestCounts() {
    return counter.snapshot();
  }

  /**
   * Forgets every prediction that is terminal and whose webhooks were all delivered or given up on:
   * its state, its delivery records and its download count (its id and output URL then answer 404,
   * and it leaves {@link #statusCounts()}). For long benchmark runs, so the simulator's memory stays
   * flat; rendered clips stay cached.
   *
   * @return how many predictions were forgotten
   */
  public int forgetSettled() {
    return engine.forgetSettled();
  }

  /**
   * Forgets those of {@code predictionIds} that are settled (as {@link #forgetSettled()} does), so
   * that a long run keeps the simulator's memory flat while predictions it has not checked yet (a
   * lost webhook's, which recovery still has to look up) stay.
   *
   * @param predictionIds the predictions to forget when settled
   * @return how many were forgotten
   */
  public int forget(java.util.Collection<String> predictionIds) {
    Objects.requireNonNull(predictionIds, "predictionIds == null");
    return engine.forget(predictionIds);
  }

  /**
   * Waits until every prediction is terminal and each of its webhook messages was delivered or
   * given up on (retries included).
   *
   * @return true when that happened within {@code timeout}; false on timeout or when closed
   * @throws InterruptedException when interrupted while waiting
   */
  public boolean awaitWebhooks(Duration timeout) throws InterruptedException {
    Objects.requireNonNull(timeout, "timeout == null");
    return engine.awaitSettled(timeout) && !closed.get();
  }

  /**
   * Stops the server (open connections are dropped), drops pending transitions, webhooks and
   * retries, kills ffmpeg, waits up to 10 s for the simulator's threads to end, and deletes its
   * temp directory. Idempotent.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    engine.close();
    server.stop(0);
    List<ExecutorService> pools = List.of(scheduler, deliveryPool, workerPool, httpPool);
    pools.forEach(ExecutorService::shutdownNow);
    synchronized (ffmpegLock) {
      if (ffmpeg != null) {
        ffmpeg.close();
      }
    }
    long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
    boolean terminated = true;
    for (ExecutorService pool : pools) {
      try {
        terminated &= pool.awaitTermination(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        terminated = false;
        break;
      }
    }
    if (!terminated) {
      LOG.warn("Timed out waiting for the simulator's threads to end on close");
    }
    engine.evictConnections();
    clips.close();
    LOG.info("Replicate simulator on {} closed", rootUrl);
  }

  @Override
  public String toString() {
    return "ReplicateSimulator[" + baseUrl() + ", apiToken=<masked>, webhookSecret=<masked>"
        + (closed.get() ? ", closed]" : "]");
  }

  // ---------------------------------------------------------------------------------------------

  private FfmpegRunner ffmpegRunner() {
    synchronized (ffmpegLock) {
      if (closed.get()) {
        throw new IllegalStateException("the simulator is closed");
      }
      if (ffmpeg == null) {
        ReplicateAudioSettings s = config.ffmpegSettings() != null ? config.ffmpegSettings() : locateFfmpeg();
        if (s.ffmpegTimeout().compareTo(MIN_ENCODE_TIMEOUT) < 0) {
          s = s.toBuilder().ffmpegTimeout(MIN_ENCODE_TIMEOUT).build();
        }
        ffmpeg = FfmpegRunner.create(s, workerPool);
      }
      return ffmpeg;
    }
  }

  private static ReplicateAudioSettings locateFfmpeg() {
    ReplicateAudioSettings system = ReplicateAudioSettings.defaults();
    try (FfmpegRunner probe = FfmpegRunner.create(system)) {
      probe.version();
      return system;
    } catch (RuntimeException e) {
      LOG.debug("no usable ffmpeg on PATH ({}); trying the bundled one", e.toString());
    }
    return BundledFfmpeg.locate().map(b -> b.applyTo(system)).orElseThrow(() -> new IllegalStateException(
        "MP3 output needs ffmpeg: install it on PATH, pass its settings to ReplicateSimulator.Builder.ffmpeg(...),"
            + " or put org.bytedeco:ffmpeg (classifier " + BundledFfmpeg.platform() + ") on the classpath"));
  }

  private static ExecutorService cachedPool(String prefix) {
    return new ThreadPoolExecutor(0, Integer.MAX_VALUE, 10, TimeUnit.SECONDS, new SynchronousQueue<>(),
        Threads.named(prefix));
  }

  /**
   * Builds and starts a {@link ReplicateSimulator}. Every knob has a default (the constants of
   * {@link ReplicateSimulator}); durations may be zero where stated. Not thread-safe.
   */
  public static final class Builder {
    private int port;
    private String apiToken = DEFAULT_API_TOKEN;
    private String webhookSecret;
    private Duration startDelay = DEFAULT_START_DELAY;
    private Duration processingTime = DEFAULT_PROCESSING_TIME;
    private Duration leadSilence = DEFAULT_LEAD_SILENCE;
    private Duration tailSilence = DEFAULT_TAIL_SILENCE;
    private Duration defaultToneDuration = DEFAULT_TONE_DURATION;
    private int sampleRate = DEFAULT_SAMPLE_RATE;
    private int mp3BitrateKbps = DEFAULT_MP3_BITRATE_KBPS;
    private Duration outputRetention = DEFAULT_OUTPUT_RETENTION;
    private List<Duration> webhookRetryDelays = DEFAULT_WEBHOOK_RETRY_DELAYS;
    private Duration webhookTimeout = DEFAULT_WEBHOOK_TIMEOUT;
    private int duplicateDeliveries = DEFAULT_DUPLICATE_DELIVERIES;
    private int maxConcurrentWebhooks = DEFAULT_MAX_CONCURRENT_WEBHOOKS;
    private long slowDownloadRate = DEFAULT_SLOW_DOWNLOAD_RATE;
    private long oversizedBytes = DEFAULT_OVERSIZED_BYTES;
    private Duration hangTime = DEFAULT_HANG_TIME;
    private final Map<Fault, Double> faultRates = new EnumMap<>(Fault.class);
    private long seed = 42;
    private int rateLimitRequests;
    private Duration rateLimitWindow = Duration.ofMinutes(1);
    private ReplicateAudioSettings ffmpegSettings;

    private Builder() {
    }

    /** The port on 127.0.0.1, from 0 to 65535; default 0 (a free port chosen by the system). */
    public Builder port(int port) {
      if (port < 0 || port > 65_535) {
        throw new IllegalArgumentException("port must be from 0 to 65535, was " + port);
      }
      this.port = port;
      return this;
    }

    /** The API token to accept; default {@value ReplicateSimulator#DEFAULT_API_TOKEN}. */
    public Builder apiToken(String apiToken) {
      Objects.requireNonNull(apiToken, "apiToken == null");
      if (apiToken.isBlank() || apiToken.chars().anyMatch(c -> c <= ' ' || c >= 127)) {
        throw new IllegalArgumentException("apiToken must be non-blank printable ASCII without spaces");
      }
      this.apiToken = apiToken;
      return this;
    }

    /** The webhook signing secret, {@code whsec_<base64>}; default a new random 24-byte secret. */
    public Builder webhookSecret(String webhookSecret) {
      Objects.requireNonNull(webhookSecret, "webhookSecret == null");
      WebhookVerifier.create(webhookSecret); // validates it, never echoing it
      this.webhookSecret = webhookSecret;
      return this;
    }

    /** Time from creation to {@code processing}; zero or more, default 20 ms. */
    public Builder startDelay(Duration startDelay) {
      this.startDelay = nonNegative("startDelay", startDelay);
      return this;
    }

    /** Time from {@code processing} to the terminal status; zero or more, default 200 ms. */
    public Builder processingTime(Duration processingTime) {
      this.processingTime = nonNegative("processingTime", processingTime);
      return this;
    }

    /** Silence before the tone; zero or more, up to 1 hour, default 0.5 s. */
    public Builder leadSilence(Duration leadSilence) {
      this.leadSilence = atMostAnHour("leadSilence", leadSilence);
      return this;
    }

    /** Silence after the tone; zero or more, up to 1 hour, default 0.5 s. */
    public Builder tailSilence(Duration tailSilence) {
      this.tailSilence = atMostAnHour("tailSilence", tailSilence);
      return this;
    }

    /** The tone's length when the input has no {@code duration}; more than zero, up to 1 hour, default 1 s. */
    public Builder defaultToneDuration(Duration defaultToneDuration) {
      atMostAnHour("defaultToneDuration", defaultToneDuration);
      if (defaultToneDuration.isZero()) {
        throw new IllegalArgumentException("defaultToneDuration must be more than zero, was 0 s");
      }
      this.defaultToneDuration = defaultToneDuration;
      return this;
    }

    /** Samples per second of generated audio, from 8,000 to 96,000; default 44,100. */
    public Builder sampleRate(int sampleRate) {
      if (sampleRate < 8_000 || sampleRate > 96_000) {
        throw new IllegalArgumentException("sampleRate must be from 8000 to 96000 Hz, was " + sampleRate);
      }
      this.sampleRate = sampleRate;
      return this;
    }

    /** The MP3 bit rate in kb/s, from 32 to 320; default 128. */
    public Builder mp3Bitrate(int kbps) {
      if (kbps < 32 || kbps > 320) {
        throw new IllegalArgumentException("mp3Bitrate must be from 32 to 320 kb/s, was " + kbps);
      }
      this.mp3BitrateKbps = kbps;
      return this;
    }

    /** How long after completion outputs stay available; more than zero, default 1 hour. */
    public Builder outputRetention(Duration outputRetention) {
      nonNegative("outputRetention", outputRetention);
      if (outputRetention.isZero()) {
        throw new IllegalArgumentException("outputRetention must be more than zero, was 0 s");
      }
      this.outputRetention = outputRetention;
      return this;
    }

    /**
     * The delays before each retry of an undelivered terminal webhook (none: no retries); each zero
     * or more, at most 20 of them. Default 1, 2, 4, 8, 16 and 29 s.
     */
    public Builder webhookRetryDelays(Duration... delays) {
      Objects.requireNonNull(delays, "delays == null");
      return webhookRetryDelays(List.of(delays));
    }

    /** As {@link #webhookRetryDelays(Duration...)}. */
    public Builder webhookRetryDelays(List<Duration> delays) {
      Objects.requireNonNull(delays, "delays == null");
      if (delays.size() > 20) {
        throw new IllegalArgumentException("webhookRetryDelays takes at most 20 delays, was " + delays.size());
      }
      for (int i = 0; i < delays.size(); i++) {
        nonNegative("webhookRetryDelays[" + i + "]", delays.get(i));
      }
      this.webhookRetryDelays = List.copyOf(delays);
      return this;
    }

    /** How long a receiver gets to answer one attempt; from 1 ms to 5 minutes, default 10 s. */
    public Builder webhookTimeout(Duration webhookTimeout) {
      nonNegative("webhookTimeout", webhookTimeout);
      if (webhookTimeout.toMillis() < 1 || webhookTimeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("webhookTimeout must be from 1 ms to 5 minutes, was " + webhookTimeout);
      }
      this.webhookTimeout = webhookTimeout;
      return this;
    }

    /**
     * How many webhook attempts may be in flight at once, over all predictions (further messages
     * queue); from 1 to 1024, default 16. Bounds the concurrency a receiver sees.
     */
    public Builder maxConcurrentWebhooks(int max) {
      if (max < 1 || max > 1024) {
        throw new IllegalArgumentException("maxConcurrentWebhooks must be from 1 to 1024, was " + max);
      }
      this.maxConcurrentWebhooks = max;
      return this;
    }

    /**
     * Copies of a {@link Fault#DUPLICATE_WEBHOOKS} terminal webhook; from 2 to 64, default 3. They
     * are sent at once, so they overlap as far as {@link #maxConcurrentWebhooks(int)} allows.
     */
    public Builder duplicateDeliveries(int copies) {
      if (copies < 2 || copies > 64) {
        throw new IllegalArgumentException("duplicateDeliveries must be from 2 to 64, was " + copies);
      }
      this.duplicateDeliveries = copies;
      return this;
    }

    /** Bytes per second of a {@link Fault#SLOW_DOWNLOAD} body; at least 20, default 65,536. */
    public Builder slowDownloadRate(long bytesPerSecond) {
      if (bytesPerSecond < 20) {
        throw new IllegalArgumentException("slowDownloadRate must be at least 20 bytes per second, was "
            + bytesPerSecond);
      }
      this.slowDownloadRate = bytesPerSecond;
      return this;
    }

    /**
     * How long a {@link Fault#HANG_DOWNLOAD} download holds its connection, sending nothing, before
     * the simulator closes it; default 1 minute. Set it just above the client's download timeout in
     * long runs, so that hanging downloads do not pile up threads in the simulator.
     *
     * @param hangTime from 1 ms to 1 hour
     * @return this builder
     */
    public Builder hangTime(Duration hangTime) {
      Objects.requireNonNull(hangTime, "hangTime == null");
      if (hangTime.toMillis() < 1 || hangTime.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("hangTime must be from 1 ms to 1 h, was " + hangTime);
      }
      this.hangTime = hangTime;
      return this;
    }

    /**
     * Bytes of a {@link Fault#OVERSIZED} body (at least the clip plus one byte is sent); from 1 to
     * 2^40, default 51,000,000.
     */
    public Builder oversizedBytes(long bytes) {
      if (bytes < 1 || bytes > 1L << 40) {
        throw new IllegalArgumentException("oversizedBytes must be from 1 to 2^40, was " + bytes);
      }
      this.oversizedBytes = bytes;
      return this;
    }

    /**
     * Applies {@code fault} to this share of all predictions, drawn at creation from a
     * {@link java.util.Random} seeded with {@link #seed(long)}; from 0.0 (never, the default) to 1.0
     * (always).
     */
    public Builder faultRate(Fault fault, double rate) {
      Objects.requireNonNull(fault, "fault == null");
      if (!(rate >= 0.0 && rate <= 1.0)) {
        throw new IllegalArgumentException("rate of " + fault.inputValue() + " must be from 0.0 to 1.0, was " + rate);
      }
      if (rate == 0.0) {
        faultRates.remove(fault);
      } else {
        faultRates.put(fault, rate);
      }
      return this;
    }

    /** The seed of the random draws of {@link #faultRate}; default 42. */
    public Builder seed(long seed) {
      this.seed = seed;
      return this;
    }

    /**
     * Answers 429 with {@code Retry-After} to {@code /v1} requests past {@code requests} per
     * {@code window} (a fixed window); requests from 1, window from 1 ms to 1 hour. Default: off.
     */
    public Builder rateLimit(int requests, Duration window) {
      Objects.requireNonNull(window, "window == null");
      if (requests < 1) {
        throw new IllegalArgumentException("rateLimit requests must be at least 1, was " + requests);
      }
      if (window.toMillis() < 1 || window.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException("rateLimit window must be from 1 ms to 1 hour, was " + window);
      }
      this.rateLimitRequests = requests;
      this.rateLimitWindow = window;
      return this;
    }

    /**
     * The ffmpeg to encode MP3 with ({@code ffmpegPath}, {@code ffprobePath},
     * {@code maxConcurrentFfmpeg}; the timeout is raised to at least 10 minutes). Default: ffmpeg on
     * PATH, else the bundled one; looked up when the first MP3 is needed.
     */
    public Builder ffmpeg(ReplicateAudioSettings settings) {
      this.ffmpegSettings = Objects.requireNonNull(settings, "settings == null");
      return this;
    }

    /**
     * Starts the simulator.
     *
     * @throws UncheckedIOException when the port can't be bound or the temp directory created
     */
    public ReplicateSimulator start() {
      String secret = webhookSecret;
      if (secret == null) {
        byte[] key = new byte[24];
        new SecureRandom().nextBytes(key);
        secret = "whsec_" + Base64.getEncoder().encodeToString(key);
      }
      Config config = new Config(port, apiToken, secret, startDelay, processingTime, leadSilence, tailSilence,
          defaultToneDuration, sampleRate, mp3BitrateKbps, outputRetention, webhookRetryDelays, webhookTimeout,
          duplicateDeliveries, maxConcurrentWebhooks, slowDownloadRate, oversizedBytes, hangTime, faultRates, seed, rateLimitRequests,
          rateLimitWindow, ffmpegSettings);
      try {
        return new ReplicateSimulator(config);
      } catch (IOException e) {
        throw new UncheckedIOException("Could not start the Replicate simulator on 127.0.0.1:" + port + ": " + e, e);
      }
    }

    private static Duration nonNegative(String name, Duration d) {
      Objects.requireNonNull(d, name + " == null");
      if (d.isNegative()) {
        throw new IllegalArgumentException(name + " must not be negative, was " + d);
      }
      return d;
    }

    private static Duration atMostAnHour(String name, Duration d) {
      nonNegative(name, d);
      if (d.compareTo(Duration.ofHours(1)) > 0) {
        throw new IllegalArgumentException(name + " must be at most 1 hour, was " + d);
      }
      return d;
    }
  }
}
