package dev.replicateaudio.prediction;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A Replicate prediction, as the API returns it and as webhooks deliver it, reduced to what this
 * library uses.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param id the prediction id
 * @param status its status
 * @param outputUrls every file the output names, in order: a single string output, the elements
 *     of an array output and the URI values of an object output all land here, {@code https:} and
 *     {@code data:} alike; empty while there is no output or after {@code data_removed}
 * @param error Replicate's error text; null unless failed (sometimes null even then)
 * @param model {@code owner/name}, or null when the response did not say
 * @param createdAt when it was created; null if absent
 * @param startedAt when it started running; null until then
 * @param completedAt when it finished; null until then
 * @param dataRemoved true once Replicate has deleted inputs and outputs (an hour after completion
 *     for API predictions)
 * @param predictTime compute time ({@code metrics.predict_time}); null when absent
 */
public record Prediction(
    String id,
    PredictionStatus status,
    List<URI> outputUrls,
    String error,
    String model,
    Instant createdAt,
    Instant startedAt,
    Instant completedAt,
    boolean dataRemoved,
    Duration predictTime) {

  /**
   * Checks the components and copies {@code outputUrls}.
   *
   * @param id the prediction id
   * @param status its status
   * @param outputUrls every file the output names, in order: a single string output, the elements
   *     of an array output and the URI values of an object output all land here, {@code https:} and
   *     {@code data:} alike; empty while there is no output or after {@code data_removed}
   * @param error Replicate's error text; null unless failed (sometimes null even then)
   * @param model {@code owner/name}, or null when the response did not say
   * @param createdAt when it was created; null if absent
   * @param startedAt when it started running; null until then
   * @param completedAt when it finished; null until then
   * @param dataRemoved true once Replicate has deleted inputs and outputs (an hour after completion
   *     for API predictions)
   * @param predictTime compute time ({@code metrics.predict_time}); null when absent
   * @throws IllegalArgumentException when {@code id} is blank
   */
  public Prediction {
    Objects.requireNonNull(id, "id == null");
    if (id.isBlank()) {
      throw new IllegalArgumentException("prediction id is blank");
    }
    Objects.requireNonNull(status, "status == null");
    outputUrls = List.copyOf(Objects.requireNonNull(outputUrls, "outputUrls == null"));
  }

  /**
   * A prediction with only id, status, outputs and error set; for tests and simulators.
   *
   * @param id the prediction id, not blank
   * @param status its status
   * @param outputUrls its output URLs
   * @param error its error text, or null
   * @return the prediction
   */
  public static Prediction of(String id, PredictionStatus status, List<URI> outputUrls, String error) {
    return new Prediction(id, status, outputUrls, error, null, null, null, null, false, null);
  }

  /**
   * Whether the prediction has finished and will not change any more.
   *
   * @return {@link PredictionStatus#isTerminal()} of its status
   */
  public boolean isTerminal() {
    return status.isTerminal();
  }

  /**
   * The first output URL, if any.
   *
   * @return the first of {@link #outputUrls()}; empty when there is none
   */
  public Optional<URI> firstOutput() {
    return outputUrls.isEmpty() ? Optional.empty() : Optional.of(outputUrls.get(0));
  }

  /**
   * Replicate's error text.
   *
   * @return the error; empty when Replicate gave none
   */
  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }

  /** The prediction without its output URLs, which can be long {@code data:} URIs and expire. */
  @Override
  public String toString() {
    return "Prediction{id=" + id + ", status=" + status.apiValue() + ", outputs=" + outputUrls.size()
        + (error == null ? "" : ", error=" + error) + (dataRemoved ? ", dataRemoved" : "") + "}";
  }
}
