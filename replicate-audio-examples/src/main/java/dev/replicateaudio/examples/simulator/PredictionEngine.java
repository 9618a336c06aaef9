package dev.replicateaudio.examples.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.URI;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.Collections;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the simulated predictions: creates them, moves them through their statuses on a schedule,
 * renders their outputs, sends their webhooks (through {@link WebhookSender}) and records what
 * happened. Thread-safe.
 */
final class PredictionEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(PredictionEngine.class);
  /** Outputs of {@link Fault#DATA_URI} predictions are inlined only up to this size: 5 MB, as Replicate did. */
  static final long DATA_URI_MAX_BYTES = 5_000_000;
  /** The error text of a {@link Fault#FAIL} prediction. */
  static final String FAILURE_MESSAGE = "Simulated failure (simulate: fail): the model raised an error while generating audio";
  private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
  private static final String MSG_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  /**
   * A validated create request.
   *
   * @param version the version as sent to {@code /v1/predictions}, else null
   * @param durationSeconds the input {@code duration}, or null for the default
   * @param sizeBytes the input {@code size_bytes}, or null
   * @param cancelAfter the {@code Cancel-After} deadline, or null
   */
  record CreateRequest(String model, String version, String deployment, ObjectNode input, URI webhook,
      Set<WebhookEvent> events, Set<Fault> faults, Duration cancelAfter, AudioFormat format, String prompt,
      Double durationSeconds, Long sizeBytes) {
  }

  private final Config config;
  private final String baseUrl;
  private final AudioClips clips;
  private final ObjectMapper mapper;
  private final ScheduledExecutorService scheduler;
  private final ExecutorService worker;
  private final WebhookSender sender;
  private final Random faultRandom;
  private final SecureRandom ids = new SecureRandom();
  private final Map<String, SimulatedPrediction> predictions = new ConcurrentHashMap<>();
  private final Map<String, List<DeliveryAttempt>> deliveriesById = new ConcurrentHashMap<>();
  private final Collection<DeliveryAttempt> deliveries = new ConcurrentLinkedQueue<>();
  private final Map<String, AtomicLong> downloads = new ConcurrentHashMap<>();
  private final AtomicLong lostWebhooks = new AtomicLong();
  private final Object idle = new Object();
  private long unsettled; // guarded by idle
  private volatile boolean closed;

  PredictionEngine(Config config, String baseUrl, AudioClips clips, ObjectMapper mapper,
      ScheduledExecutorService scheduler, ExecutorService worker, ExecutorService deliveryPool) {
    this.config = config;
    this.baseUrl = baseUrl;
    this.clips = clips;
    this.mapper = mapper;
    this.scheduler = scheduler;
    this.worker = worker;
    this.faultRandom = new Random(config.seed());
    this.sender = new WebhookSender(WebhookVerifier.create(config.webhookSecret()), config.webhookRetryDelays(),
        config.webhookTimeout(), scheduler, deliveryPool, this::record);
  }

  // ---- creation and lifecycle ----

  SimulatedPrediction create(CreateRequest r) {
    if (closed) {
      throw ApiProblem.of(503, "Service unavailable", "The simulator is closing.");
    }
    EnumSet<Fault> faults = r.faults().isEmpty() ? EnumSet.noneOf(Fault.class) : EnumSet.copyOf(r.faults());
    synchronized (faultRandom) {
      for (Fault f : Fault.values()) { // fixed order, so a seed gives the same faults for the same requests
        Double rate = config.faultRates().get(f);
        if (rate != null && faultRandom.nextDouble() < rate) {
          faults.add(f);
        }
      }
    }
    AudioClips.Spec spec = clipSpec(r, faults);
    Instant now = Instant.now();
    Instant deadline = r.cancelAfter() == null ? null : now.plus(r.cancelAfter());
    String id = newId();
    SimulatedPrediction p = new SimulatedPrediction(id, r.model(), r.version() == null ? "hidden" : r.version(),
        r.deployment(), r.input(), r.webhook(), r.events(), Collections.unmodifiableSet(faults), now, deadline, spec,
        baseUrl);
    synchronized (idle) {
      unsettled++;
    }
    predictions.put(id, p);
    LOG.debug("created prediction {} ({}, faults {})", id, r.model(), faults);
    p.addTimer(schedule(() -> start(p), config.startDelay()));
    if (r.cancelAfter() != null) {
      p.addTimer(schedule(() -> deadlinePassed(p), r.cancelAfter()));
    }
    return p;
  }

  private AudioClips.Spec clipSpec(CreateRequest r, Set<Fault> faults) {
    long lead = config.samples(config.leadSilence());
    long tail = config.samples(config.tailSilence());
    long tone;
    if (r.sizeBytes() != null) {
      long total = r.format() == AudioFormat.WAV ? AudioClips.wavSamplesFor(r.sizeBytes())
          : clips.mp3SamplesFor(r.sizeBytes());
      tone = total - lead - tail;
      if (tone < 0) {
        long minimum = r.format() == AudioFormat.WAV ? AudioClips.wavSize(lead + tail)
            : (long) Math.ceil((lead + tail) / (double) config.sampleRate() * config.mp3BitrateKbps() * 125);
        throw ApiProblem.validation(List.of(new ApiProblem.InvalidField("number_gte", "input.size_bytes",
            "Must be greater than or equal to " + minimum + " (the lead and tail silence alone take that much as "
                + r.format().formatName() + ")")));
      }
    } else {
      double seconds = r.durationSeconds() == null ? config.defaultToneDuration().toNanos() / 1e9 : r.durationSeconds();
      tone = Math.round(seconds * config.sampleRate());
    }
    AudioClips.Variant variant = faults.contains(Fault.GARBAGE) ? AudioClips.Variant.GARBAGE
        : faults.contains(Fault.CORRUPT) ? AudioClips.Variant.TRUNCATED
        : faults.contains(Fault.SILENT) ? AudioClips.Variant.SILENT
        : AudioClips.Variant.NORMAL;
    return new AudioClips.Spec(r.format(), AudioClips.noteFor(r.prompt()), lead, tone, tail, variant);
  }

  private void start(SimulatedPrediction p) {
    if (p.faults.contains(Fault.ABORT)) {
      if (p.finish(PredictionStatus.ABORTED, PredictionStatus.STARTING, null, Instant.now())) {
        onTerminal(p);
      }
      return;
    }
    synchronized (p) { // enqueue under the lock, so no terminal message can be queued before these
      if (!p.markProcessing(Instant.now())) {
        return;
      }
      byte[] body = bytes(p.toJson(Instant.now(), config.outputRetention()));
      if (p.faults.contains(Fault.OUT_OF_ORDER)) {
        p.processingBody = body; // kept only for the stale delivery
      }
      if (p.events.contains(WebhookEvent.START)) {
        enqueue(p, WebhookEvent.START, PredictionStatus.PROCESSING, body);
      }
      if (p.events.contains(WebhookEvent.LOGS)) {
        enqueue(p, WebhookEvent.LOGS, PredictionStatus.PROCESSING, body);
      }
    }
    p.addTimer(schedule(() -> complete(p), config.processingTime()));
  }

  private void complete(SimulatedPrediction p) {
    if (p.status() != PredictionStatus.PROCESSING) {
      return;
    }
    Set<Fault> f = p.faults;
    if (f.contains(Fault.CANCEL)) {
      finish(p, PredictionStatus.CANCELED, null);
      return;
    }
    if (f.contains(Fault.FAIL)) {
      finish(p, PredictionStatus.FAILED, FAILURE_MESSAGE);
      return;
    }
    if (f.contains(Fault.NO_OUTPUT)) {
      finish(p, PredictionStatus.SUCCEEDED, null);
      return;
    }
    AudioClips.Clip clip;
    String output;
    try {
      clip = clips.get(p.clipSpec);
      if (f.contains(Fault.DATA_URI) && clip.size <= DATA_URI_MAX_BYTES) {
        output = "data:" + clip.mimeType() + ";base64," + Base64.getEncoder().encodeToString(clip.readAll());
        clip = null;
      } else {
        output = p.deliveryUrl();
      }
    } catch (Exception e) {
      LOG.warn("Could not render the output of prediction {}: {}", p.id, e.toString());
      finish(p, PredictionStatus.FAILED, "Simulator could not render the output: " + e.getMessage());
      return;
    }
    synchronized (p) {
      if (!p.setOutput(output, clip)) {
        return; // canceled while rendering
      }
      if (p.events.contains(WebhookEvent.OUTPUT)) {
        enqueue(p, WebhookEvent.OUTPUT, PredictionStatus.PROCESSING,
            bytes(p.toJson(Instant.now(), config.outputRetention())));
      }
    }
    finish(p, PredictionStatus.SUCCEEDED, null);
  }

  private void finish(SimulatedPrediction p, PredictionStatus to, String error) {
    if (p.finish(to, PredictionStatus.PROCESSING, error, Instant.now())) {
      onTerminal(p);
    }
  }

  private void deadlinePassed(SimulatedPrediction p) {
    boolean changed;
    synchronized (p) {
      PredictionStatus s = p.status();
      changed = s == PredictionStatus.STARTING
          ? p.finish(PredictionStatus.ABORTED, PredictionStatus.STARTING, null, Instant.now())
          : p.finish(PredictionStatus.CANCELED, PredictionStatus.PROCESSING, null, Instant.now());
    }
    if (changed) {
      onTerminal(p);
    }
  }

  /** Cancels a prediction that has not finished; returns it either way. */
  Optional<SimulatedPrediction> cancel(String id) {
    SimulatedPrediction p = predictions.get(id);
    if (p == null) {
      return Optional.empty();
    }
    if (p.finish(PredictionStatus.CANCELED, null, null, Instant.now())) {
      onTerminal(p);
    }
    return Optional.of(p);
  }

  private void onTerminal(SimulatedPrediction p) {
    byte[] body = bytes(p.toJson(Instant.now(), config.outputRetention()));
    PredictionStatus status = p.status();
    LOG.debug("prediction {} is {}", p.id, status.apiValue());
    p.terminal.complete(null);
    if (p.webhook != null && !closed) {
      if (p.faults.contains(Fault.LOST_WEBHOOK)) {
        if (p.events.contains(WebhookEvent.COMPLETED)) {
          lostWebhooks.incrementAndGet();
        }
      } else {
        synchronized (p) {
          if (p.events.contains(WebhookEvent.COMPLETED)) {
            int copies = p.faults.contains(Fault.DUPLICATE_WEBHOOKS) ? config.duplicateDeliveries() : 1;
            String msgId = newMessageId();
            p.deliveryChain = p.deliveryChain.thenCompose(v -> {
              List<CompletableFuture<Void>> all = new ArrayList<>(copies);
              for (int c = 1; c <= copies; c++) {
                all.add(sender.deliver(new WebhookSender.Message(p.id, msgId, WebhookEvent.COMPLETED, status, body,
                    p.webhook, c, false)));
              }
              return CompletableFuture.allOf(all.toArray(new CompletableFuture<?>[0]));
            });
          }
          if (p.faults.contains(Fault.OUT_OF_ORDER) && p.processingBody != null) {
            byte[] stale = p.processingBody;
            String staleId = newMessageId();
            p.deliveryChain = p.deliveryChain.thenCompose(v -> sender.deliver(new WebhookSender.Message(p.id, staleId,
                WebhookEvent.START, PredictionStatus.PROCESSING, stale, p.webhook, 1, true)));
          }
        }
      }
    }
    CompletableFuture<Void> chain;
    synchronized (p) {
      chain = p.deliveryChain;
    }
    chain.whenComplete((v, e) -> settle(p));
  }

  private void enqueue(SimulatedPrediction p, WebhookEvent event, PredictionStatus status, byte[] body) {
    if (p.webhook == null || closed) {
      return;
    }
    if (p.faults.contains(Fault.LOST_WEBHOOK)) {
      lostWebhooks.incrementAndGet();
      return;
    }
    String msgId = newMessageId();
    synchronized (p) {
      p.deliveryChain = p.deliveryChain.thenCompose(v -> sender.deliver(new WebhookSender.Message(p.id, msgId, event,
          status, body, p.webhook, 1, false)));
    }
  }

  private void settle(SimulatedPrediction p) {
    if (p.settled.complete(null)) {
      synchronized (idle) {
        unsettled--;
        idle.notifyAll();
      }
    }
  }

  private java.util.concurrent.Future<?> schedule(Runnable task, Duration delay) {
    return scheduler.schedule(() -> {
      try {
        worker.execute(() -> {
          try {
            task.run();
          } catch (RuntimeException e) {
            LOG.warn("Simulator task failed", e);
          }
        });
      } catch (RejectedExecutionException e) {
        // closing
      }
    }, delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  // ---- queries ----

  Optional<SimulatedPrediction> find(String id) {
    return Optional.ofNullable(predictions.get(id));
  }

  ObjectNode json(SimulatedPrediction p) {
    return p.toJson(Instant.now(), config.outputRetention());
  }

  byte[] bytes(ObjectNode n) {
    try {
      return mapper.writeValueAsBytes(n);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("could not write JSON", e);
    }
  }

  Collection<SimulatedPrediction> predictions() {
    return predictions.values();
  }

  Map<PredictionStatus, Long> statusCounts() {
    Map<PredictionStatus, Long> counts = new EnumMap<>(PredictionStatus.class);
    for (PredictionStatus s : PredictionStatus.values()) {
      counts.put(s, 0L);
    }
    for (SimulatedPrediction p : predictions.values()) {
      counts.merge(p.status(), 1L, Long::sum);
    }
    return counts;
  }

  private void record(DeliveryAttempt a) {
    deliveries.add(a);
    deliveriesById.computeIfAbsent(a.predictionId(), k -> Collections.synchronizedList(new ArrayList<>())).add(a);
  }

  List<DeliveryAttempt> deliveries(String predictionId) {
    List<DeliveryAttempt> list = deliveriesById.get(predictionId);
    if (list == null) {
      return List.of();
    }
    synchronized (list) {
      return List.copyOf(list);
    }
  }

  List<DeliveryAttempt> deliveries() {
    return List.copyOf(deliveries);
  }

  long lostWebhooks() {
    return lostWebhooks.get();
  }

  void recordDownload(String id) {
    downloads.computeIfAbsent(id, k -> new AtomicLong()).incrementAndGet();
  }

  long downloads(String id) {
    AtomicLong n = downloads.get(id);
    return n == null ? 0 : n.get();
  }

  /** Forgets settled predictions and their records; returns how many. */
  int forgetSettled() {
    Set<String> forgotten = new java.util.HashSet<>();
    for (java.util.Iterator<SimulatedPrediction> it = predictions.values().iterator(); it.hasNext(); ) {
      SimulatedPrediction p = it.next();
      if (p.settled.isDone()) {
        it.remove();
        forgotten.add(p.id);
      }
    }
    for (String id : forgotten) {
      deliveriesById.remove(id);
      downloads.remove(id);
    }
    deliveries.removeIf(a -> forgotten.contains(a.predictionId()));
    return forgotten.size();
  }

  int forget(java.util.Collection<String> ids) {
    Set<String> forgotten = new java.util.HashSet<>();
    for (String id : ids) {
      SimulatedPrediction p = predictions.get(id);
      if (p != null && p.settled.isDone() && predictions.remove(id, p)) {
        forgotten.add(id);
      }
    }
    for (String id : forgotten) {
      deliveriesById.remove(id);
      downloads.remove(id);
    }
    if (!forgotten.isEmpty()) {
      deliveries.removeIf(a -> forgotten.contains(a.predictionId()));
    }
    return forgotten.size();
  }

  boolean awaitSettled(Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (idle) {
      while (unsettled > 0 && !closed) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        TimeUnit.NANOSECONDS.timedWait(idle, left);
      }
      return unsettled == 0;
    }
  }

  // ---- ids ----

  private String newId() {
    StringBuilder sb = new StringBuilder(26);
    for (int i = 0; i < 26; i++) {
      sb.append(ID_ALPHABET.charAt(ids.nextInt(ID_ALPHABET.length())));
    }
    String id = sb.toString();
    return predictions.containsKey(id) ? newId() : id;
  }

  private String newMessageId() {
    StringBuilder sb = new StringBuilder("msg_");
    for (int i = 0; i < 27; i++) {
      sb.append(MSG_ALPHABET.charAt(ids.nextInt(MSG_ALPHABET.length())));
    }
    return sb.toString();
  }

  /** Drops the webhook client's pooled connections. */
  void evictConnections() {
    sender.evictConnections();
  }

  @Override
  public void close() {
    closed = true;
    sender.close();
    synchronized (idle) {
      idle.notifyAll();
    }
  }
}
