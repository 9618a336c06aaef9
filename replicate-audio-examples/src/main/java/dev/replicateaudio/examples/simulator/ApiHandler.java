package dev.replicateaudio.examples.simulator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.prediction.WebhookEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Serves the {@code /v1} API: create, get and cancel predictions, and the webhook secret. */
final class ApiHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(ApiHandler.class);
  /** Create bodies larger than this are refused with 413: 10 MiB. */
  static final int MAX_BODY_BYTES = 10 << 20;
  /** The longest tone {@code duration} accepted: 3600 s. */
  static final double MAX_DURATION_SECONDS = 3600;
  /** The largest {@code size_bytes} accepted: 1 GiB. */
  static final long MAX_SIZE_BYTES = 1L << 30;

  private static final Pattern OWNER_NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}/[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern VERSION_ID = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern CANCEL_AFTER = Pattern.compile("(\\d+(?:\\.\\d+)?)(ns|us|µs|ms|s|m|h)");
  private static final Pattern PREFER_WAIT = Pattern.compile("(?:^|[,;\\s])wait(?:=(\\d+))?(?:$|[,;\\s])");

  private final Config config;
  private final PredictionEngine engine;
  private final ObjectMapper mapper;
  private final RateLimiter limiter;
  private final RequestCounter counter;

  ApiHandler(Config config, PredictionEngine engine, ObjectMapper mapper, RateLimiter limiter, RequestCounter counter) {
    this.config = config;
    this.engine = engine;
    this.mapper = mapper;
    this.limiter = limiter;
    this.counter = counter;
  }

  @Override
  public void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (ApiProblem p) {
        p.headers.forEach((k, v) -> exchange.getResponseHeaders().set(k, v));
        send(exchange, p.status, p.body, "application/problem+json");
      } catch (RuntimeException e) {
        LOG.warn("Simulator failed on {} {}", exchange.getRequestMethod(), exchange.getRequestURI().getRawPath(), e);
        send(exchange, 500, ApiProblem.of(500, "Internal server error", "The simulator failed: " + e).body,
            "application/problem+json");
      }
    } catch (IOException e) {
      LOG.debug("client went away: {}", e.toString()); // the client closed the connection first
    }
  }

  private void route(HttpExchange ex) throws IOException {
    String path = ex.getRequestURI().getRawPath();
    String method = ex.getRequestMethod();
    if (!path.startsWith("/v1/")) {
      counter.count("other");
      throw ApiProblem.notFound();
    }
    checkToken(ex);
    if (limiter != null) {
      long retryAfter = limiter.tryAcquire();
      ex.getResponseHeaders().set("ratelimit-remaining", Integer.toString(limiter.remaining()));
      ex.getResponseHeaders().set("ratelimit-reset", Long.toString(limiter.resetSeconds()));
      if (retryAfter > 0) {
        counter.count("throttled");
        throw ApiProblem.throttled(retryAfter);
      }
    }
    List<String> s = segments(path.substring(4));
    int n = s.size();
    if (n == 1 && s.get(0).equals("predictions")) {
      requireMethod(method, "POST");
      create(ex, Target.VERSION, null);
    } else if (n == 4 && s.get(0).equals("models") && s.get(3).equals("predictions")) {
      requireMethod(method, "POST");
      create(ex, Target.MODEL, s.get(1) + "/" + s.get(2));
    } else if (n == 4 && s.get(0).equals("deployments") && s.get(3).equals("predictions")) {
      requireMethod(method, "POST");
      create(ex, Target.DEPLOYMENT, s.get(1) + "/" + s.get(2));
    } else if (n == 2 && s.get(0).equals("predictions")) {
      requireMethod(method, "GET");
      counter.count(ReplicateSimulator.ROUTE_GET);
      SimulatedPrediction p = engine.find(s.get(1)).orElseThrow(ApiProblem::notFound);
      send(ex, 200, engine.json(p), "application/json");
    } else if (n == 3 && s.get(0).equals("predictions") && s.get(2).equals("cancel")) {
      requireMethod(method, "POST");
      counter.count(ReplicateSimulator.ROUTE_CANCEL);
      SimulatedPrediction p = engine.cancel(s.get(1)).orElseThrow(ApiProblem::notFound);
      send(ex, 200, engine.json(p), "application/json");
    } else if (n == 3 && s.get(0).equals("webhooks") && s.get(1).equals("default") && s.get(2).equals("secret")) {
      requireMethod(method, "GET");
      counter.count(ReplicateSimulator.ROUTE_SECRET);
      ObjectNode key = JsonNodeFactory.instance.objectNode();
      key.put("key", config.webhookSecret());
      send(ex, 200, key, "application/json");
    } else {
      counter.count("other");
      throw ApiProblem.notFound();
    }
  }

  private enum Target { MODEL, VERSION, DEPLOYMENT }

  private static List<String> segments(String rest) {
    List<String> out = new ArrayList<>();
    for (String part : rest.split("/", -1)) {
      out.add(part);
    }
    if (!out.isEmpty() && out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1); // one trailing slash is fine
    }
    return out;
  }

  private static void requireMethod(String method, String allowed) {
    if (!method.equals(allowed)) {
      throw ApiProblem.methodNotAllowed(method, allowed);
    }
  }

  private void checkToken(HttpExchange ex) {
    String auth = ex.getRequestHeaders().getFirst("Authorization");
    String token = config.apiToken();
    if (auth == null || !(auth.equals("Bearer " + token) || auth.equals("Token " + token))) {
      counter.count("unauthenticated");
      throw ApiProblem.unauthenticated();
    }
  }

  // ---- create ----

  private void create(HttpExchange ex, Target target, String ownerName) throws IOException {
    counter.count(ReplicateSimulator.ROUTE_CREATE);
    Duration cancelAfter = parseCancelAfter(ex.getRequestHeaders().getFirst("Cancel-After"));
    JsonNode root = readJson(ex);
    List<ApiProblem.InvalidField> errors = new ArrayList<>();

    String model = ownerName;
    String version = null;
    if (target == Target.VERSION) {
      JsonNode v = root.get("version");
      if (v == null || v.isNull()) {
        errors.add(new ApiProblem.InvalidField("required", "", "version is required"));
      } else if (!v.isTextual()) {
        errors.add(invalidType("version", "string", v));
      } else {
        String[] mv = splitVersion(v.asText());
        model = mv[0];
        version = mv[1];
      }
    }

    Set<String> allowed = new LinkedHashSet<>(List.of("input", "webhook", "webhook_events_filter",
        "webhook_completed", "stream"));
    if (target == Target.VERSION) {
      allowed.add("version");
    }
    for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
      String name = it.next();
      if (!allowed.contains(name)) {
        errors.add(new ApiProblem.InvalidField("additional_property_not_allowed", "",
            "Additional property " + name + " is not allowed"));
      }
    }

    JsonNode input = root.get("input");
    if (input == null || input.isNull()) {
      errors.add(new ApiProblem.InvalidField("required", "", "input is required"));
    } else if (!input.isObject()) {
      errors.add(invalidType("input", "object", input));
    }

    URI webhook = null;
    JsonNode w = root.get("webhook");
    if (w != null && !w.isNull()) {
      webhook = parseWebhook(w, errors);
    }
    Set<WebhookEvent> events = EnumSet.of(WebhookEvent.OUTPUT, WebhookEvent.COMPLETED); // the documented default
    JsonNode filter = root.get("webhook_events_filter");
    if (filter != null && !filter.isNull()) {
      events = parseEvents(filter, errors);
    }

    String prompt = "";
    Double duration = null;
    Long sizeBytes = null;
    AudioFormat format = AudioFormat.WAV;
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    if (input != null && input.isObject()) {
      JsonNode pr = input.has("prompt") ? input.get("prompt") : input.get("text");
      if (pr != null && !pr.isNull()) {
        if (pr.isTextual()) {
          prompt = pr.asText();
        } else {
          errors.add(invalidType("input." + (input.has("prompt") ? "prompt" : "text"), "string", pr));
        }
      }
      duration = parseDuration(input.get("duration"), errors);
      format = parseFormat(input.get("output_format"), errors);
      sizeBytes = parseSize(input.get("size_bytes"), errors);
      faults = parseSimulate(input.get("simulate"), errors);
    }
    if (!errors.isEmpty()) {
      throw ApiProblem.validation(errors);
    }
    if (target == Target.MODEL || target == Target.DEPLOYMENT) {
      version = null; // shown as "hidden"
    }
    SimulatedPrediction p = engine.create(new PredictionEngine.CreateRequest(
        model, version, target == Target.DEPLOYMENT ? ownerName : null, (ObjectNode) input, webhook, events, faults,
        cancelAfter, format, prompt, duration, sizeBytes));

    Integer wait = preferWait(ex.getRequestHeaders().getFirst("Prefer"));
    if (wait != null) {
      ex.getResponseHeaders().set("Preference-Applied", "wait");
      try {
        p.terminal.get(wait, TimeUnit.SECONDS);
      } catch (TimeoutException | ExecutionException e) {
        // answer with the prediction as it is
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    ex.getResponseHeaders().set("Location", p.baseUrl + "/v1/predictions/" + p.id);
    send(ex, 201, engine.json(p), "application/json");
  }

  private JsonNode readJson(HttpExchange ex) throws IOException {
    byte[] body;
    try (InputStream in = ex.getRequestBody()) {
      body = in.readNBytes(MAX_BODY_BYTES + 1);
    }
    if (body.length > MAX_BODY_BYTES) {
      throw ApiProblem.of(413, "Request entity too large", "The request body is larger than " + MAX_BODY_BYTES
          + " bytes.");
    }
    if (body.length == 0) {
      throw ApiProblem.of(400, "Invalid JSON", "The request body is empty; send a JSON object.");
    }
    JsonNode root;
    try {
      root = mapper.readTree(body);
    } catch (JsonProcessingException e) {
      throw ApiProblem.of(400, "Invalid JSON", "The request body is not valid JSON: " + e.getOriginalMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiProblem.of(400, "Invalid JSON", "The request body must be a JSON object, was "
          + (root == null ? "empty" : root.getNodeType().name().toLowerCase(Locale.ROOT)) + ".");
    }
    return root;
  }

  /** {@code [model, version id]} for a version string; refuses ids that could not exist. */
  private static String[] splitVersion(String v) {
    int colon = v.indexOf(':');
    if (colon < 0 && VERSION_ID.matcher(v).matches()) {
      return new String[] {"simulator/model", v};
    }
    if (colon > 0 && OWNER_NAME.matcher(v.substring(0, colon)).matches()
        && VERSION_ID.matcher(v.substring(colon + 1)).matches()) {
      return new String[] {v.substring(0, colon), v.substring(colon + 1)};
    }
    if (colon < 0 && OWNER_NAME.matcher(v).matches()) {
      return new String[] {v, "hidden"}; // official model by name
    }
    throw ApiProblem.of(422, "Invalid version or not permitted",
        "The specified version does not exist (or perhaps you don't have permission to use it?)");
  }

  private static URI parseWebhook(JsonNode w, List<ApiProblem.InvalidField> errors) {
    if (!w.isTextual()) {
      errors.add(invalidType("webhook", "string", w));
      return null;
    }
    try {
      URI u = new URI(w.asText());
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (u.isAbsolute() && u.getHost() != null && (scheme.equals("http") || scheme.equals("https"))) {
        return u;
      }
    } catch (URISyntaxException e) {
      // reported below
    }
    errors.add(new ApiProblem.InvalidField("format", "webhook", "Does not match format 'uri'"));
    return null;
  }

  private static Set<WebhookEvent> parseEvents(JsonNode filter, List<ApiProblem.InvalidField> errors) {
    Set<WebhookEvent> events = EnumSet.noneOf(WebhookEvent.class);
    if (!filter.isArray()) {
      errors.add(invalidType("webhook_events_filter", "array", filter));
      return events;
    }
    for (int i = 0; i < filter.size(); i++) {
      JsonNode e = filter.get(i);
      WebhookEvent found = null;
      for (WebhookEvent candidate : WebhookEvent.values()) {
        if (e.isTextual() && candidate.apiValue().equals(e.asText())) {
          found = candidate;
        }
      }
      if (found == null) {
        errors.add(new ApiProblem.InvalidField("enum", "webhook_events_filter." + i,
            "webhook_events_filter." + i + " must be one of the following: \"start\", \"output\", \"logs\", \"completed\""));
      } else {
        events.add(found);
      }
    }
    return events;
  }

  private static Double parseDuration(JsonNode d, List<ApiProblem.InvalidField> errors) {
    if (d == null || d.isNull()) {
      return null;
    }
    if (!d.isNumber()) {
      errors.add(invalidType("input.duration", "number", d));
      return null;
    }
    double v = d.asDouble();
    if (!(v > 0)) {
      errors.add(new ApiProblem.InvalidField("number_gt", "input.duration", "Must be greater than 0"));
      return null;
    }
    if (v > MAX_DURATION_SECONDS) {
      errors.add(new ApiProblem.InvalidField("number_lte", "input.duration",
          "Must be less than or equal to " + BigDecimal.valueOf(MAX_DURATION_SECONDS).stripTrailingZeros().toPlainString()));
      return null;
    }
    return v;
  }

  private static AudioFormat parseFormat(JsonNode f, List<ApiProblem.InvalidField> errors) {
    if (f == null || f.isNull()) {
      return AudioFormat.WAV;
    }
    if (f.isTextual() && f.asText().equals("wav")) {
      return AudioFormat.WAV;
    }
    if (f.isTextual() && f.asText().equals("mp3")) {
      return AudioFormat.MP3;
    }
    errors.add(new ApiProblem.InvalidField("enum", "input.output_format",
        "output_format must be one of the following: \"wav\", \"mp3\""));
    return AudioFormat.WAV;
  }

  private static Long parseSize(JsonNode s, List<ApiProblem.InvalidField> errors) {
    if (s == null || s.isNull()) {
      return null;
    }
    if (!s.isIntegralNumber()) {
      errors.add(invalidType("input.size_bytes", "integer", s));
      return null;
    }
    if (!s.canConvertToLong() || s.asLong() > MAX_SIZE_BYTES) {
      errors.add(new ApiProblem.InvalidField("number_lte", "input.size_bytes",
          "Must be less than or equal to " + MAX_SIZE_BYTES));
      return null;
    }
    if (s.asLong() < 1) {
      errors.add(new ApiProblem.InvalidField("number_gte", "input.size_bytes", "Must be greater than or equal to 1"));
      return null;
    }
    return s.asLong();
  }

  private static Set<Fault> parseSimulate(JsonNode s, List<ApiProblem.InvalidField> errors) {
    Set<Fault> faults = EnumSet.noneOf(Fault.class);
    if (s == null || s.isNull()) {
      return faults;
    }
    List<JsonNode> values = new ArrayList<>();
    if (s.isArray()) {
      s.forEach(values::add);
    } else {
      values.add(s);
    }
    for (JsonNode v : values) {
      if (!v.isTextual()) {
        errors.add(invalidType("input.simulate", "string or array of strings", v));
        continue;
      }
      Fault.fromInputValue(v.asText()).ifPresentOrElse(faults::add, () -> errors.add(new ApiProblem.InvalidField(
          "enum", "input.simulate", "simulate value \"" + v.asText() + "\" is not one of: " + Fault.knownValues())));
    }
    return faults;
  }

  private static ApiProblem.InvalidField invalidType(String field, String expected, JsonNode given) {
    return new ApiProblem.InvalidField("invalid_type", field, "Invalid type. Expected: " + expected + ", given: "
        + given.getNodeType().name().toLowerCase(Locale.ROOT));
  }

  /** Parses Go-style durations such as {@code 1m}, {@code 30s}, {@code 1h2m3s}, {@code 500ms}. */
  static Duration parseCancelAfter(String header) {
    if (header == null) {
      return null;
    }
    String h = header.trim();
    Matcher m = CANCEL_AFTER.matcher(h);
    long nanos = 0;
    int at = 0;
    while (at < h.length() && m.find(at) && m.start() == at) {
      BigDecimal amount = new BigDecimal(m.group(1));
      long unit;
      switch (m.group(2)) {
        case "ns":
          unit = 1;
          break;
        case "us":
        case "µs":
          unit = 1_000;
          break;
        case "ms":
          unit = 1_000_000;
          break;
        case "s":
          unit = 1_000_000_000L;
          break;
        case "m":
          unit = 60_000_000_000L;
          break;
        default:
          unit = 3_600_000_000_000L;
      }
      nanos += amount.multiply(BigDecimal.valueOf(unit)).min(BigDecimal.valueOf(Long.MAX_VALUE / 4)).longValue();
      at = m.end();
    }
    if (h.isEmpty() || at != h.length() || nanos <= 0) {
      throw ApiProblem.of(400, "Invalid Cancel-After header", "Cancel-After must be a positive duration such as"
          + " 30s, 5m or 1h30m, was '" + header + "'.");
    }
    return Duration.ofNanos(nanos);
  }

  /** The seconds of {@code Prefer: wait[=N]} (1 to 60, default 60), or null when not asked. */
  static Integer preferWait(String prefer) {
    if (prefer == null) {
      return null;
    }
    Matcher m = PREFER_WAIT.matcher(prefer.trim());
    if (!m.find()) {
      return null;
    }
    if (m.group(1) == null) {
      return 60;
    }
    int n = Integer.parseInt(m.group(1).length() > 3 ? "61" : m.group(1));
    if (n < 1 || n > 60) {
      throw ApiProblem.of(400, "Invalid Prefer header", "Prefer: wait=N takes N from 1 to 60 seconds, was " + n + ".");
    }
    return n;
  }

  private void send(HttpExchange ex, int status, ObjectNode body, String contentType) throws IOException {
    byte[] bytes = engine.bytes(body);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  /** Counts requests by route; thread-safe. */
  static final class RequestCounter {
    private final Map<String, java.util.concurrent.atomic.LongAdder> counts = new java.util.concurrent.ConcurrentHashMap<>();

    void count(String route) {
      counts.computeIfAbsent(route, k -> new java.util.concurrent.atomic.LongAdder()).increment();
    }

    Map<String, Long> snapshot() {
      Map<String, Long> out = new java.util.TreeMap<>();
      counts.forEach((k, v) -> out.put(k, v.sum()));
      return out;
    }
  }
}
