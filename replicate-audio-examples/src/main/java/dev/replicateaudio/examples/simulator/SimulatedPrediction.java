package dev.replicateaudio.examples.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * One prediction's state in the simulator. Immutable parts are final fields; the rest is guarded by
 * the instance's monitor. JSON is rendered the way Replicate renders it (field order, microsecond
 * timestamps, {@code data_removed}), and is also the webhook body.
 */
final class SimulatedPrediction {
  private static final DateTimeFormatter MICROS =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSSSS'Z'").withZone(ZoneOffset.UTC);

  final String id;
  final String model;
  final String version;
  final String deployment;
  final JsonNode input;
  final URI webhook;
  final Set<WebhookEvent> events;
  final Set<Fault> faults;
  final Instant createdAt;
  final Instant deadline;
  final AudioClips.Spec clipSpec;
  final String baseUrl;
  /** Completes when the prediction reaches a terminal status. */
  final CompletableFuture<Void> terminal = new CompletableFuture<>();
  /** Completes when it is terminal and all its webhooks have been delivered or given up on. */
  final CompletableFuture<Void> settled = new CompletableFuture<>();

  // guarded by this
  private PredictionStatus status = PredictionStatus.STARTING;
  private Instant startedAt;
  private Instant completedAt;
  private String error;
  private String logs = "";
  private String output;
  private AudioClips.Clip clip;
  private final List<Future<?>> timers = new ArrayList<>();
  /** The webhook messages of this prediction are delivered one after another along this chain. */
  CompletableFuture<Void> deliveryChain = CompletableFuture.completedFuture(null);
  /** The body of its {@code processing} state when it started, for {@link Fault#OUT_OF_ORDER}. */
  byte[] processingBody;

  SimulatedPrediction(String id, String model, String version, String deployment, JsonNode input, URI webhook,
      Set<WebhookEvent> events, Set<Fault> faults, Instant createdAt, Instant deadline, AudioClips.Spec clipSpec,
      String baseUrl) {
    this.id = id;
    this.model = model;
    this.version = version;
    this.deployment = deployment;
    this.input = input;
    this.webhook = webhook;
    this.events = events;
    this.faults = faults;
    this.createdAt = createdAt;
    this.deadline = deadline;
    this.clipSpec = clipSpec;
    this.baseUrl = baseUrl;
  }

  synchronized PredictionStatus status() {
    return status;
  }

  synchronized boolean isTerminal() {
    return status.isTerminal();
  }

  synchronized void addTimer(Future<?> timer) {
    if (status.isTerminal()) {
      timer.cancel(false);
    } else {
      timers.add(timer);
    }
  }

  /** starting → processing; false when it is no longer starting. */
  synchronized boolean markProcessing(Instant now) {
    if (status != PredictionStatus.STARTING) {
      return false;
    }
    status = PredictionStatus.PROCESSING;
    startedAt = now;
    logs = "Generating audio...\n";
    return true;
  }

  /** Sets the output of a processing prediction; false when it is no longer processing. */
  synchronized boolean setOutput(String output, AudioClips.Clip clip) {
    if (status != PredictionStatus.PROCESSING) {
      return false;
    }
    this.output = output;
    this.clip = clip;
    return true;
  }

  /**
   * Moves to a terminal status; false when it already was terminal, or when {@code expected} is
   * given and the status is not that.
   */
  synchronized boolean finish(PredictionStatus to, PredictionStatus expected, String error, Instant now) {
    if (status.isTerminal() || (expected != null && status != expected)) {
      return false;
    }
    status = to;
    completedAt = now;
    this.error = error;
    if (to == PredictionStatus.SUCCEEDED) {
      long ms = Duration.between(startedAt == null ? createdAt : startedAt, now).toMillis();
      logs = logs + "Done in " + BigDecimal.valueOf(ms, 3).toPlainString() + "s\n";
    } else {
      output = null;
      clip = null;
    }
    for (Future<?> t : timers) {
      t.cancel(false);
    }
    timers.clear();
    return true;
  }

  /** The clip to serve for the download URL; null unless succeeded with a URL output and not expired. */
  synchronized AudioClips.Clip downloadableClip(Instant now, Duration retention) {
    if (status != PredictionStatus.SUCCEEDED || clip == null || expired(now, retention)) {
      return null;
    }
    return clip;
  }

  private boolean expired(Instant now, Duration retention) {
    return completedAt != null && !now.isBefore(completedAt.plus(retention));
  }

  /** The output URL this prediction's download is served at. */
  String deliveryUrl() {
    return baseUrl + "/delivery/" + id + "/output" + clipSpec.format().extension();
  }

  /** The prediction as Replicate's JSON, at {@code now} (outputs expire after {@code retention}). */
  synchronized ObjectNode toJson(Instant now, Duration retention) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    boolean removed = status.isTerminal() && expired(now, retention);
    ObjectNode n = f.objectNode();
    n.put("id", id);
    n.put("model", model);
    n.put("version", version);
    n.set("input", removed ? f.objectNode() : input.deepCopy());
    if (removed) {
      n.putNull("logs");
    } else {
      n.put("logs", logs);
    }
    if (output == null || removed) {
      n.putNull("output");
    } else {
      n.put("output", output);
    }
    n.put("data_removed", removed);
    if (error == null) {
      n.putNull("error");
    } else {
      n.put("error", error);
    }
    n.put("status", status.apiValue());
    n.put("created_at", MICROS.format(createdAt));
    if (startedAt != null) {
      n.put("started_at", MICROS.format(startedAt));
    }
    if (completedAt != null) {
      n.put("completed_at", MICROS.format(completedAt));
    }
    ObjectNode urls = n.putObject("urls");
    urls.put("cancel", baseUrl + "/v1/predictions/" + id + "/cancel");
    urls.put("get", baseUrl + "/v1/predictions/" + id);
    urls.put("web", baseUrl + "/p/" + id);
    if (completedAt != null) {
      ObjectNode metrics = n.putObject("metrics");
      if (startedAt != null) {
        metrics.put("predict_time", seconds(Duration.between(startedAt, completedAt)));
      }
      metrics.put("total_time", seconds(Duration.between(createdAt, completedAt)));
    }
    if (webhook != null) {
      n.put("webhook", webhook.toString());
      ArrayNode filter = n.putArray("webhook_events_filter");
      for (WebhookEvent e : events) {
        filter.add(e.apiValue());
      }
    }
    if (deadline != null) {
      n.put("deadline", MICROS.format(deadline));
    }
    if (deployment != null) {
      n.put("deployment", deployment);
    }
    n.put("source", "api");
    return n;
  }

  private static BigDecimal seconds(Duration d) {
    return BigDecimal.valueOf(d.toNanos()).movePointLeft(9).setScale(6, RoundingMode.HALF_UP);
  }

  /** The prediction as the core's record (what a client would parse). */
  synchronized Prediction toPrediction(Instant now, Duration retention) {
    boolean removed = status.isTerminal() && expired(now, retention);
    List<URI> outputs = output == null || removed ? List.of() : List.of(URI.create(output));
    Duration predictTime = startedAt != null && completedAt != null
        ? Duration.ofNanos(seconds(Duration.between(startedAt, completedAt)).movePointRight(9).longValueExact())
        : null; // the microseconds the JSON carries
    return new Prediction(id, status, outputs, error, model, truncate(createdAt), truncate(startedAt),
        truncate(completedAt), removed, predictTime);
  }

  private static Instant truncate(Instant i) {
    return i == null ? null : i.truncatedTo(ChronoUnit.MICROS);
  }
}
