package dev.replicateaudio.port;

import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import java.util.concurrent.CompletionStage;

/**
 * Replicate's prediction API as the core needs it. Every call is asynchronous and never blocks the
 * caller. Stages fail with a {@link dev.replicateaudio.ReplicateAudioException} whose
 * {@code isRetryable()} says whether trying again later may help.
 *
 * <p>Implementations are thread-safe.
 */
public interface PredictionClient {
  /**
   * Creates a prediction that reports back through {@link PredictionRequest#webhook()}. Must not be
   * retried by the implementation after a timeout or a 5xx: Replicate has no idempotency key, so a
   * retry could create (and bill) a second prediction.
   *
   * @param request what to run, with its webhook set
   * @return the created prediction
   */
  CompletionStage<Prediction> createWebhookPredictionAsync(PredictionRequest request);

  /**
   * The prediction's current state.
   *
   * @param predictionId the prediction
   * @return its state now
   */
  CompletionStage<Prediction> getPredictionAsync(String predictionId);

  /**
   * Asks Replicate to cancel the prediction; the stage holds its state after the request.
   *
   * @param predictionId the prediction
   * @return its state after the cancel request
   */
  CompletionStage<Prediction> cancelPredictionAsync(String predictionId);
}
