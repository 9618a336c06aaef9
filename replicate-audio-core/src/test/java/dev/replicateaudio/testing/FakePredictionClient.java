package dev.replicateaudio.testing;

import dev.replicateaudio.port.DownloadException;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A hand-made fake {@link PredictionClient} that keeps predictions in memory. Tests move predictions
 * along with {@link #complete}, {@link #fail} and {@link #set}; failures are injectable per
 * operation ({@code create}, {@code get}, {@code cancel}). This class is thread-safe.
 */
public final class FakePredictionClient implements PredictionClient {
  private final Map<String, Prediction> predictions = new ConcurrentHashMap<>();
  private final List<PredictionRequest> requests = new CopyOnWriteArrayList<>();
  private final List<String> canceled = new CopyOnWriteArrayList<>();
  private final Map<String, Supplier<RuntimeException>> faults = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> faultsLeft = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private volatile java.util.function.BiConsumer<PredictionRequest, Prediction> onCreate = (r, p) -> { };

  /** Runs after each successful create, before the create stage completes (to deliver a webhook early, say). */
  public void onCreate(java.util.function.BiConsumer<PredictionRequest, Prediction> onCreate) {
    this.onCreate = Objects.requireNonNull(onCreate, "onCreate == null");
  }

  /** The next {@code times} calls of {@code operation} fail with what {@code fault} supplies. */
  public void failNext(String operation, int times, Supplier<RuntimeException> fault) {
    faults.put(operation, fault);
    faultsLeft.put(operation, new AtomicInteger(times));
  }

  /** A retryable failure like Replicate answering 503. */
  public static RuntimeException unavailable() {
    return new DownloadException("Replicate answered 503 (injected)", 503, true, null);
  }

  private <T> CompletionStage<T> maybeFail(String operation, Supplier<T> body) {
    AtomicInteger left = faultsLeft.get(operation);
    if (left != null && left.getAndDecrement() > 0) {
      return CompletableFuture.failedFuture(faults.get(operation).get());
    }
    try {
      return CompletableFuture.completedFuture(body.get());
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Prediction> createWebhookPredictionAsync(PredictionRequest request) {
    Objects.requireNonNull(request, "request == null");
    return maybeFail("create", () -> {
      requests.add(request);
      String id = "fake" + ids.incrementAndGet();
      Prediction p = Prediction.of(id, PredictionStatus.STARTING, List.of(), null);
      predictions.put(id, p);
      onCreate.accept(request, p);
      return p;
    });
  }

  @Override
  public CompletionStage<Prediction> getPredictionAsync(String predictionId) {
    return maybeFail("get", () -> {
      Prediction p = predictions.get(predictionId);
      if (p == null) {
        throw new DownloadException("GET /predictions/" + predictionId + " answered 404", 404, false, null);
      }
      return p;
    });
  }

  @Override
  public CompletionStage<Prediction> cancelPredictionAsync(String predictionId) {
    return maybeFail("cancel", () -> {
      canceled.add(predictionId);
      Prediction p = predictions.computeIfPresent(predictionId, (id, old) -> old.isTerminal()
          ? old : Prediction.of(id, PredictionStatus.CANCELED, List.of(), null));
      if (p == null) {
        throw new DownloadException("POST /predictions/" + predictionId + "/cancel answered 404", 404, false, null);
      }
      return p;
    });
  }

  /** Replaces a prediction's state (creates it if unknown). */
  public Prediction set(Prediction prediction) {
    predictions.put(prediction.id(), prediction);
    return prediction;
  }

  public Prediction complete(String id, URI output) {
    return set(Prediction.of(id, PredictionStatus.SUCCEEDED, List.of(output), null));
  }

  public Prediction fail(String id, String error) {
    return set(Prediction.of(id, PredictionStatus.FAILED, List.of(), error));
  }

  public Prediction get(String id) {
    return predictions.get(id);
  }

  public List<PredictionRequest> requests() {
    return List.copyOf(requests);
  }

  public List<String> canceledIds() {
    return List.copyOf(canceled);
  }
}
