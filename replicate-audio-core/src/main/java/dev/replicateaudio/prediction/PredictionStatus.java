package dev.replicateaudio.prediction;

import java.util.Locale;
import java.util.Objects;

/**
 * A prediction's status on Replicate. Unlike the official clients, {@link #ABORTED} (the
 * {@code Cancel-After} deadline passed before the prediction started) is terminal here.
 */
public enum PredictionStatus {
  STARTING("starting", false),
  PROCESSING("processing", false),
  SUCCEEDED("succeeded", true),
  FAILED("failed", true),
  CANCELED("canceled", true),
  ABORTED("aborted", true);

  private final String apiValue;
  private final boolean terminal;

  PredictionStatus(String apiValue, boolean terminal) {
    this.apiValue = apiValue;
    this.terminal = terminal;
  }

  /** True for succeeded, failed, canceled and aborted: the prediction will not change any more. */
  public boolean isTerminal() {
    return terminal;
  }

  /** The value in Replicate's JSON, for example {@code succeeded}. */
  public String apiValue() {
    return apiValue;
  }

  /**
   * The status for Replicate's JSON value (case-insensitive).
   *
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
