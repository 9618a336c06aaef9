package dev.replicateaudio.examples.simulator;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A misbehaviour the {@link ReplicateSimulator} can inject into one prediction: into its outcome,
 * its webhooks or the download of its output.
 *
 * <p>Ask for faults per prediction with the input key {@code simulate}, a string or a list of
 * strings holding {@link #inputValue()}s, so tests stay deterministic:
 * <pre>{@code
 * Map.of("prompt", "door creak", "simulate", List.of("duplicate_webhooks", "slow_download"))
 * }</pre>
 * or for a share of all predictions with {@link ReplicateSimulator.Builder#faultRate(Fault, double)}
 * (drawn from a seeded {@link java.util.Random}).
 *
 * <p>When several outcome faults apply, the first of {@link #ABORT}, {@link #CANCEL}, {@link #FAIL}
 * and {@link #NO_OUTPUT} wins. Download faults only matter for a prediction that succeeded with an
 * output URL.
 */
public enum Fault {
  // ---- outcome ----
  /** The prediction ends {@code failed} with an error text instead of succeeding. */
  FAIL("fail"),
  /** The prediction is {@code canceled} while processing, as if someone had cancelled it. */
  CANCEL("cancel"),
  /** The prediction never starts: it ends {@code aborted}, as when a Cancel-After deadline passes first. */
  ABORT("abort"),
  /** The prediction {@code succeeded} with a null output. */
  NO_OUTPUT("no_output"),

  // ---- webhooks ----
  /** No webhook of the prediction is ever sent; {@code GET /v1/predictions/{id}} still shows the result. */
  LOST_WEBHOOK("lost_webhook"),
  /**
   * The terminal webhook is delivered several times at once (identical body and {@code webhook-id});
   * how many: {@link ReplicateSimulator.Builder#duplicateDeliveries(int)}.
   */
  DUPLICATE_WEBHOOKS("duplicate_webhooks"),
  /**
   * After the terminal webhook has been delivered (or given up on), the prediction's earlier
   * {@code processing} state is delivered as a stale webhook with a new {@code webhook-id}.
   */
  OUT_OF_ORDER("out_of_order"),

  // ---- output content ----
  /** The output is all digital silence of the usual length. */
  SILENT("silent"),
  /** The output file is cut after 40 % of its bytes (its header still claims the full length). */
  CORRUPT("corrupt"),
  /** The output file is random bytes of the usual length, under the usual name and media type. */
  GARBAGE("garbage"),
  /** The output is a {@code data:} URI holding the audio (clips up to 5 MB; larger ones stay URLs). */
  DATA_URI("data_uri"),

  // ---- download ----
  /** The download is throttled to {@link ReplicateSimulator.Builder#slowDownloadRate(long)} bytes per second. */
  SLOW_DOWNLOAD("slow_download"),
  /**
   * The download body is {@link ReplicateSimulator.Builder#oversizedBytes(long)} bytes (the audio
   * followed by zeros), announced in {@code Content-Length}.
   */
  OVERSIZED("oversized"),
  /** As {@link #OVERSIZED}, but sent chunked, without {@code Content-Length}. */
  OVERSIZED_CHUNKED("oversized_chunked"),
  /** The download announces the full {@code Content-Length}, sends half the bytes and drops the connection. */
  DISCONNECT("disconnect"),
  /** The download answers {@code 500 Internal Server Error}, every time. */
  HTTP_500("http_500"),
  /**
   * The download sends its headers (with the full {@code Content-Length}) and then nothing, until
   * the client gives up (or {@link ReplicateSimulator.Builder#hangTime} passes, or the simulator closes).
   */
  HANG_DOWNLOAD("hang_download"),
  /** The download answers {@code 302 Found} to itself, every time: a redirect loop. */
  REDIRECT_LOOP("redirect_loop"),
  /**
   * The download answers {@code 302 Found} to the cloud metadata address
   * {@code http://169.254.169.254/latest/meta-data/}: what an SSRF attempt through an output URL looks like.
   */
  REDIRECT_PRIVATE("redirect_private");

  /** Where {@link #REDIRECT_PRIVATE} sends the client. */
  public static final String PRIVATE_REDIRECT_TARGET = "http://169.254.169.254/latest/meta-data/";

  private final String inputValue;

  Fault(String inputValue) {
    this.inputValue = inputValue;
  }

  /** The value for the {@code simulate} input key, for example {@code duplicate_webhooks}. */
  public String inputValue() {
    return inputValue;
  }

  /** The fault for a {@code simulate} value, case-insensitively; empty when there is none. */
  public static Optional<Fault> fromInputValue(String value) {
    Objects.requireNonNull(value, "value == null");
    String v = value.trim().toLowerCase(Locale.ROOT);
    for (Fault f : values()) {
      if (f.inputValue.equals(v)) {
        return Optional.of(f);
      }
    }
    return Optional.empty();
  }

  /** Every {@code simulate} value, comma-separated, for error messages. */
  static String knownValues() {
    StringBuilder sb = new StringBuilder();
    for (Fault f : values()) {
      if (sb.length() > 0) {
        sb.append(", ");
      }
      sb.append(f.inputValue);
    }
    return sb.toString();
  }
}
