package dev.replicateaudio.prediction;

import java.util.Locale;
import java.util.Objects;

/**
 * A prediction's status on Replicate. Unlike the official clients, {@link #ABORTED} (the
 * {@code Cancel-After} deadline passed before the prediction started) is terminal here.
 *
 * <p>Thread-safe, like every enum.
 */
public enum PredictionStatus {
  /** Created; waiting for a worker or booting the model. */
  STARTING("starting", false),
  /** Running the model. */
  PROCESSING("processing", false),
  /** Finished with an output. Terminal. */
  SUCCEEDED("succeeded", true),
  /** Finished with an error. Terminal. */
  FAILED("failed", true),
  /** Canceled by a request, or by {@code Cancel-After} while running. Terminal. */
  CANCELED("canceled", true),
  /** {@code Cancel-After} passed before the prediction started. Terminal. */
  ABORTED("aborted", true);

  private final String apiValue;
  private final boolean terminal;

  PredictionStatus(String apiValue, boolean terminal) {
    this.apiValue = apiValue;
    this.terminal = terminal;
  }

  /**
   * True for succeeded, failed, canceled and aborted: the prediction will not change any more.
   *
   * @return whether the status is terminal
   */
  public boolean isTerminal() {
    return terminal;
  }

  /**
   * The value in Replicate's JSON, for example {@code succeeded}.
   *
   * @return the JSON value
   */
  public String apiValue() {
    return apiValue;
  }

  /**
   * The status for Replicate's JSON value (case-insensitive).
   *
   * @param value the JSON value, any case, surrounding blanks ignored
   * @return the status
   * @throws IllegalArgumentException naming the value and the accepted ones
   */
  public static PredictionStatus fromApiValue(String value) {
    Objects.requireNonNull(value, "value == null");
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (PredictionStatus s : values()) {
      if (s.apiValue.equals(v)) {
        return s;
      }
    }
    throw new IllegalArgumentException("Unknown prediction status '" + value
        + "'; known: starting, processing, succeeded, failed, canceled, aborted");
  }
}
