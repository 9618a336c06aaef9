package dev.replicateaudio.okhttp;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import java.io.IOException;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import okhttp3.HttpUrl;

/**
 * The JSON codec for Replicate predictions: reads API responses and webhook bodies into
 * {@link Prediction}, and writes prediction requests (and, for simulators, predictions).
 *
 * <pre>{@code
 * Prediction p = PredictionJson.parsePrediction(rawWebhookBody);
 * byte[] body = PredictionJson.writeRequest(request);   // {"input":..., "webhook":..., "webhook_events_filter":[...]}
 * }</pre>
 *
 * <p>Reading is lenient where Replicate varies and strict where a mistake would hide a bug:
 * <ul>
 *   <li>unknown fields are ignored (the prediction object gains fields over time);</li>
 *   <li>{@code output} may be a string, an array, an object or null: every string in it that looks
 *       like a file URL ({@code https://}, {@code http://} or {@code data:}) becomes one of
 *       {@link Prediction#outputUrls()}, in document order, nested arrays and objects included;
 *       other strings (text output) are skipped;</li>
 *   <li>timestamps may carry micro- or nanoseconds, a {@code Z} or an offset;</li>
 *   <li>every status is known, {@code aborted} included;</li>
 *   <li>malformed JSON (a number whose exponent does not fit an {@code int} included), trailing data,
 *       duplicate keys, a missing or blank {@code id}, a missing or
 *       unknown {@code status}, an unparsable timestamp or output URL all throw
 *       {@link PredictionParseException}.</li>
 * </ul>
 *
 * <p>Strings may be up to 100,000,000 characters long ({@code data:} outputs); bound the document's
 * size where you read it. This class is thread-safe; it holds one shared, configured
 * {@code ObjectMapper}.
 */
public final class PredictionJson {
  /** Longest JSON string accepted, in characters: room for a 70 MB base64 {@code data:} output. */
  static final int MAX_STRING_LENGTH = 100_000_000;
  private static final int EXCERPT_CHARS = 200;
  /** {@code metrics.predict_time} given as a longer string is ignored (parsing a huge number costs time). */
  private static final int MAX_PREDICT_TIME_CHARS = 64;
  private static final BigDecimal MAX_PREDICT_TIME_SECONDS = BigDecimal.valueOf(366L * 24 * 3600);
  private static final BigDecimal HALF_NANOSECOND = new BigDecimal("0.0000000005");

  private static final ObjectMapper MAPPER = JsonMapper.builder(
          JsonFactory.builder()
              .streamReadConstraints(StreamReadConstraints.builder().maxStringLength(MAX_STRING_LENGTH).build())
              .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
              .build())
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      // metrics.predict_time read exactly, as written: a double would move it by a nanosecond
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
      .build();

  private PredictionJson() {
  }

  /** The shared mapper, for this package's other JSON (problem bodies, the webhook secret). */
  static ObjectMapper mapper() {
    return MAPPER;
  }

  /**
   * Reads a prediction from its JSON document, as the API returns it and as webhooks deliver it.
   *
   * @param json the raw UTF-8 bytes
   * @return the prediction
   * @throws PredictionParseException when the document can't be used (see the class description)
   */
  public static Prediction parsePrediction(byte[] json) {
    Objects.requireNonNull(json, "json == null");
    JsonNode root;
    try {
      root = MAPPER.readTree(json);
    } catch (JsonProcessingException e) {
      throw new PredictionParseException("malformed JSON" + where(e) + ": " + e.getOriginalMessage(),
          Texts.excerpt(json, EXCERPT_CHARS), e);
    } catch (IOException e) {
      throw new PredictionParseException("unreadable JSON: " + e.getMessage(), Texts.excerpt(json, EXCERPT_CHARS), e);
    } catch (NumberFormatException e) {
      // a decimal whose exponent does not fit an int (floats are read as BigDecimal)
      throw new PredictionParseException("malformed JSON: a number out of range", Texts.excerpt(json, EXCERPT_CHARS), e);
    }
    return toPrediction(root, json);
  }

  /**
   * Reads a prediction from its JSON text; see {@link #parsePrediction(byte[])}.
   *
   * @param json the JSON text
   * @return the prediction
   * @throws PredictionParseException when the document can't be used
   */
  public static Prediction parsePrediction(String json) {
    Objects.requireNonNull(json, "json == null");
    return parsePrediction(json.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The JSON body for creating {@code request}: {@code version} (version targets only),
   * {@code input}, {@code webhook} (when set) and {@code webhook_events_filter} (always explicit).
   *
   * @param request the request
   * @return the UTF-8 JSON body
   * @throws IllegalArgumentException when an input value can't be written as JSON, naming it
   */
  public static byte[] writeRequest(PredictionRequest request) {
    Objects.requireNonNull(request, "request == null");
    ObjectNode root = MAPPER.createObjectNode();
    if (request.kind() == PredictionRequest.TargetKind.VERSION) {
      root.put("version", request.target());
    }
    ObjectNode input = root.putObject("input");
    for (Map.Entry<String, Object> e : request.input().entrySet()) {
      try {
        input.set(e.getKey(), MAPPER.valueToTree(e.getValue()));
      } catch (IllegalArgumentException ex) {
        throw new IllegalArgumentException("input '" + e.getKey() + "' can't be written as JSON (a "
            + e.getValue().getClass().getName() + "): " + ex.getMessage(), ex);
      }
    }
    if (request.webhook() != null) {
      root.put("webhook", request.webhook().toString());
    }
    ArrayNode events = root.putArray("webhook_events_filter");
    for (WebhookEvent event : request.webhookEventsFilter()) {
      events.add(event.apiValue());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("request can't be written as JSON: " + e.getOriginalMessage(), e);
    }
  }

  /**
   * A prediction as Replicate's JSON, for simulators and tests: {@code id}, {@code model},
   * {@code status}, {@code output} (null, one string, or an array for several URLs), {@code error},
   * the timestamps, {@code data_removed} and {@code metrics.predict_time}. Reading the result back
   * with {@link #parsePrediction(byte[])} gives the same prediction (URLs in canonical form).
   *
   * @param prediction the prediction
   * @return the UTF-8 JSON document
   */
  public static byte[] writePrediction(Prediction prediction) {
    Objects.requireNonNull(prediction, "prediction == null");
    ObjectNode root = MAPPER.createObjectNode();
    root.put("id", prediction.id());
    root.put("model", prediction.model());
    root.put("status", prediction.status().apiValue());
    List<URI> outputs = prediction.outputUrls();
    if (outputs.isEmpty()) {
      root.putNull("output");
    } else if (outputs.size() == 1) {
      root.put("output", outputs.get(0).toString());
    } else {
      ArrayNode array = root.putArray("output");
      outputs.forEach(u -> array.add(u.toString()));
    }
    root.put("error", prediction.error());
    root.put("created_at", instant(prediction.createdAt()));
    root.put("started_at", instant(prediction.startedAt()));
    root.put("completed_at", instant(prediction.completedAt()));
    root.put("data_removed", prediction.dataRemoved());
    ObjectNode metrics = root.putObject("metrics");
    if (prediction.predictTime() != null) {
      Duration t = prediction.predictTime();
      metrics.put("predict_time", BigDecimal.valueOf(t.getSeconds()).add(BigDecimal.valueOf(t.getNano(), 9))
          .stripTrailingZeros());
    }
    try {
      return MAPPER.writeValueAsBytes(root);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("can't write prediction JSON", e);
    }
  }

  private static String instant(Instant instant) {
    return instant == null ? null : instant.toString();
  }

  // ---- reading ----

  private static Prediction toPrediction(JsonNode root, byte[] json) {
    if (root == null || root.isMissingNode()) {
      throw fail("the document is empty", json);
    }
    if (!root.isObject()) {
      throw fail("expected a JSON object, got " + kind(root), json);
    }
    JsonNode idNode = root.get("id");
    if (idNode == null || idNode.isNull()) {
      throw fail("missing \"id\"", json);
    }
    if (!idNode.isTextual() || idNode.textValue().isBlank()) {
      throw fail("\"id\" must be a non-blank string, was " + kind(idNode) + " " + Texts.printable(idNode.toString(), 60), json);
    }
    String id = idNode.textValue();

    JsonNode statusNode = root.get("status");
    if (statusNode == null || statusNode.isNull()) {
      throw fail("missing \"status\" (prediction " + Texts.printable(id, 60) + ")", json);
    }
    if (!statusNode.isTextual()) {
      throw fail("\"status\" must be a string, was " + kind(statusNode), json);
    }
    PredictionStatus status;
    try {
      status = PredictionStatus.fromApiValue(statusNode.textValue());
    } catch (IllegalArgumentException e) {
      throw new PredictionParseException("unknown \"status\" '" + Texts.printable(statusNode.textValue(), 60)
          + "' (known: starting, processing, succeeded, failed, canceled, aborted)", Texts.excerpt(json, EXCERPT_CHARS), e);
    }

    boolean dataRemoved = root.path("data_removed").asBoolean(false);
    List<URI> outputs = new ArrayList<>();
    collectOutputs(root.get("output"), "output", outputs, json);

    return new Prediction(
        id,
        status,
        outputs,
        errorText(root.get("error")),
        optionalText(root.get("model")),
        timestamp(root, "created_at", json),
        timestamp(root, "started_at", json),
        timestamp(root, "completed_at", json),
        dataRemoved,
        predictTime(root.path("metrics").get("predict_time")));
  }

  private static void collectOutputs(JsonNode node, String path, List<URI> out, byte[] json) {
    if (node == null || node.isNull()) {
      return;
    }
    if (node.isTextual()) {
      String s = node.textValue();
      if (looksLikeFileUrl(s)) {
        out.add(toUri(s, path, json));
      }
    } else if (node.isArray()) {
      for (int i = 0; i < node.size(); i++) {
        collectOutputs(node.get(i), path + "[" + i + "]", out, json);
      }
    } else if (node.isObject()) {
      for (Map.Entry<String, JsonNode> e : node.properties()) {
        collectOutputs(e.getValue(), path + "." + e.getKey(), out, json);
      }
    }
    // numbers and booleans name no file
  }

  private static boolean looksLikeFileUrl(String s) {
    return s.regionMatches(true, 0, "https://", 0, 8)
        || s.regionMatches(true, 0, "http://", 0, 7)
        || s.regionMatches(true, 0, "data:", 0, 5);
  }

  private static URI toUri(String s, String path, byte[] json) {
    if (s.regionMatches(true, 0, "data:", 0, 5)) {
      try {
        return new URI(s);
      } catch (URISyntaxException e) {
        throw new PredictionParseException(path + " is not a valid data: URI at index " + e.getIndex() + ": "
            + Texts.printable(s, 80), Texts.excerpt(json, EXCERPT_CHARS), e);
      }
    }
    // OkHttp's parser is lenient the way browsers are: it percent-encodes what needs encoding
    HttpUrl url = HttpUrl.parse(s.strip());
    if (url == null) {
      throw new PredictionParseException(path + " is not a valid URL: " + Texts.printable(s, 120),
          Texts.excerpt(json, EXCERPT_CHARS), null);
    }
    return url.uri();
  }

  private static String errorText(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    String text = node.isTextual() ? node.textValue() : node.toString();
    return text.isBlank() ? null : text;
  }

  private static String optionalText(JsonNode node) {
    return node != null && node.isTextual() && !node.textValue().isBlank() ? node.textValue() : null;
  }

  private static Instant timestamp(JsonNode root, String field, byte[] json) {
    JsonNode node = root.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw fail("\"" + field + "\" must be an ISO-8601 string, was " + kind(node), json);
    }
    String s = node.textValue().strip();
    if (s.isEmpty()) {
      return null;
    }
    try {
      return Instant.parse(s);
    } catch (DateTimeParseException e) {
      try {
        return OffsetDateTime.parse(s).toInstant();
      } catch (DateTimeParseException e2) {
        try {
          // no zone at all: Replicate's timestamps are UTC
          return LocalDateTime.parse(s).toInstant(ZoneOffset.UTC);
        } catch (DateTimeParseException e3) {
          throw new PredictionParseException("\"" + field + "\" is not an ISO-8601 timestamp: '"
              + Texts.printable(s, 60) + "'", Texts.excerpt(json, EXCERPT_CHARS), e);
        }
      }
    }
  }

  private static Duration predictTime(JsonNode node) {
    if (node == null || !node.isNumber() && !node.isTextual()
        || node.isTextual() && node.textValue().length() > MAX_PREDICT_TIME_CHARS) {
      return null;
    }
    try {
      BigDecimal seconds = node.isNumber() ? node.decimalValue() : new BigDecimal(node.textValue().strip());
      if (seconds.signum() < 0 || seconds.compareTo(MAX_PREDICT_TIME_SECONDS) > 0) {
        return null;
      }
      if (seconds.compareTo(HALF_NANOSECOND) < 0) {
        // rounds to 0; and rounding 1e-20000000 the long way would compute 10^20000000 (seconds of CPU)
        return Duration.ZERO;
      }
      return Duration.ofNanos(seconds.movePointRight(9).setScale(0, java.math.RoundingMode.HALF_UP).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return null; // informative only: a strange metric is not worth failing the prediction
    }
  }

  private static String kind(JsonNode node) {
    return node.getNodeType().name().toLowerCase(Locale.ROOT);
  }

  private static String where(JsonProcessingException e) {
    JsonLocation loc = e.getLocation();
    if (loc == null || loc.getLineNr() < 0) {
      return "";
    }
    return " at line " + loc.getLineNr() + ", column " + loc.getColumnNr();
  }

  private static PredictionParseException fail(String problem, byte[] json) {
    return new PredictionParseException(problem, Texts.excerpt(json, EXCERPT_CHARS), null);
  }
}
