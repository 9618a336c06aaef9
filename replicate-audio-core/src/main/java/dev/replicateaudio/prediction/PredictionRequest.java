package dev.replicateaudio.prediction;

import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * What to run on Replicate: a model, a model version or a deployment, its input, and where to send
 * the webhook. Immutable and thread-safe; its {@link Builder} is not thread-safe.
 *
 * <pre>{@code
 * PredictionRequest request = PredictionRequest.forModel("sepal/audiogen")
 *     .input(Map.of("prompt", "door creak", "duration", 3))
 *     .webhook(URI.create("https://example.com/hooks/replicate?content_type=sound_effect&content_id=42"))
 *     .cancelAfter(Duration.ofMinutes(5))
 *     .build();
 * }</pre>
 *
 * <p>The events filter defaults to {@code completed} only, sent explicitly because Replicate's
 * default is documented inconsistently.
 */
public final class PredictionRequest {
  /** Which endpoint a request goes to. */
  public enum TargetKind {
    /** {@code POST /models/{owner}/{name}/predictions}: official models, no version. */
    MODEL,
    /** {@code POST /predictions} with {@code "version"}. */
    VERSION,
    /** {@code POST /deployments/{owner}/{name}/predictions}. */
    DEPLOYMENT
  }

  private static final Pattern OWNER_NAME =
      Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}/[A-Za-z0-9][A-Za-z0-9._-]{0,99}");
  private static final Pattern VERSION_ID = Pattern.compile("[a-f0-9]{64}");
  /** Largest {@code Cancel-After} accepted (Replicate's default maximum run time is 30 minutes). */
  public static final Duration MAX_CANCEL_AFTER = Duration.ofHours(24);

  private final TargetKind kind;
  private final String target;
  private final Map<String, Object> input;
  private final URI webhook;
  private final Set<WebhookEvent> webhookEventsFilter;
  private final Duration cancelAfter;

  private PredictionRequest(Builder b) {
    this.kind = b.kind;
    this.target = b.target;
    this.input = Collections.unmodifiableMap(new LinkedHashMap<>(b.input));
    this.webhook = b.webhook;
    this.webhookEventsFilter = Collections.unmodifiableSet(EnumSet.copyOf(b.webhookEventsFilter));
    this.cancelAfter = b.cancelAfter;
  }

  /**
   * A request for an official model, {@code owner/name} (for example {@code minimax/speech-02-turbo}).
   * Community models need a version: use {@link #forVersion}.
   *
   * @param ownerAndName the model, {@code owner/name}
   * @return a builder
   * @throws IllegalArgumentException when it is not {@code owner/name}
   */
  public static Builder forModel(String ownerAndName) {
    Objects.requireNonNull(ownerAndName, "ownerAndName == null");
    if (!OWNER_NAME.matcher(ownerAndName).matches()) {
      throw new IllegalArgumentException("model must be 'owner/name', was '" + ownerAndName + "'"
          + (ownerAndName.contains(":") ? "; for 'owner/name:version' use forVersion" : ""));
    }
    return new Builder(TargetKind.MODEL, ownerAndName);
  }

  /**
   * A request for a model version: a 64-character version id, or {@code owner/name:versionId}.
   *
   * @param version a version id, or {@code owner/name:versionId}
   * @return a builder
   * @throws IllegalArgumentException when it is neither
   */
  public static Builder forVersion(String version) {
    Objects.requireNonNull(version, "version == null");
    int colon = version.indexOf(':');
    boolean valid = colon < 0
        ? VERSION_ID.matcher(version).matches()
        : OWNER_NAME.matcher(version.substring(0, colon)).matches()
            && VERSION_ID.matcher(version.substring(colon + 1)).matches();
    if (!valid) {
      throw new IllegalArgumentException("version must be a 64-character lowercase hex id or"
          + " 'owner/name:<id>', was '" + version + "'");
    }
    return new Builder(TargetKind.VERSION, version);
  }

  /**
   * A request for a deployment, {@code owner/name}.
   *
   * @param ownerAndName the deployment, {@code owner/name}
   * @return a builder
   * @throws IllegalArgumentException when it is not {@code owner/name}
   */
  public static Builder forDeployment(String ownerAndName) {
    Objects.requireNonNull(ownerAndName, "ownerAndName == null");
    if (!OWNER_NAME.matcher(ownerAndName).matches()) {
      throw new IllegalArgumentException("deployment must be 'owner/name', was '" + ownerAndName + "'");
    }
    return new Builder(TargetKind.DEPLOYMENT, ownerAndName);
  }

  /**
   * What {@link #target()} names.
   *
   * @return a model, a version or a deployment
   */
  public TargetKind kind() {
    return kind;
  }

  /**
   * {@code owner/name} for models and deployments; the version string for versions.
   *
   * @return the target
   */
  public String target() {
    return target;
  }

  /**
   * The model input, in insertion order; unmodifiable (nested values are not copied).
   *
   * @return the input
   */
  public Map<String, Object> input() {
    return input;
  }

  /**
   * Where Replicate sends webhooks; null when none was set.
   *
   * @return the webhook URL, or null
   */
  public URI webhook() {
    return webhook;
  }

  /**
   * The events Replicate sends to the webhook.
   *
   * @return the events, at least one; unmodifiable
   */
  public Set<WebhookEvent> webhookEventsFilter() {
    return webhookEventsFilter;
  }

  /**
   * The server-side deadline sent as {@code Cancel-After}; null when none.
   *
   * @return the deadline, or null
   */
  public Duration cancelAfter() {
    return cancelAfter;
  }

  /**
   * {@link #cancelAfter()} in Replicate's header form, for example {@code 1h2m3s}; null when none.
   *
   * @return the header value, or null
   */
  public String cancelAfterHeaderValue() {
    if (cancelAfter == null) {
      return null;
    }
    long s = cancelAfter.getSeconds();
    StringBuilder sb = new StringBuilder();
    if (s >= 3600) {
      sb.append(s / 3600).append('h');
      s %= 3600;
    }
    if (s >= 60) {
      sb.append(s / 60).append('m');
      s %= 60;
    }
    if (s > 0) {
      sb.append(s).append('s');
    }
    return sb.toString();
  }

  /**
   * A builder holding this request's values.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    Builder b = new Builder(kind, target);
    b.input.putAll(input);
    b.webhook = webhook;
    b.webhookEventsFilter = EnumSet.copyOf(webhookEventsFilter);
    b.cancelAfter = cancelAfter;
    return b;
  }

  /** Without input values, which can be long. */
  @Override
  public String toString() {
    return "PredictionRequest{" + kind.name().toLowerCase(Locale.ROOT) + "=" + target
        + ", inputKeys=" + input.keySet() + ", webhook=" + webhook
        + ", events=" + webhookEventsFilter + (cancelAfter == null ? "" : ", cancelAfter=" + cancelAfterHeaderValue())
        + "}";
  }

  /** Builds a {@link PredictionRequest}. Not thread-safe. */
  public static final class Builder {
    private final TargetKind kind;
    private final String target;
    private final Map<String, Object> input = new LinkedHashMap<>();
    private URI webhook;
    private Set<WebhookEvent> webhookEventsFilter = EnumSet.of(WebhookEvent.COMPLETED);
    private Duration cancelAfter;

    private Builder(TargetKind kind, String target) {
      this.kind = kind;
      this.target = target;
    }

    /**
     * Replaces the whole input map. Values must be JSON-serializable (strings, numbers, booleans, lists, maps, null).
     *
     * @param input the names (not blank) and values
     * @return this builder
     * @throws IllegalArgumentException when a name is blank; the builder is then unchanged
     */
    public Builder input(Map<String, ?> input) {
      Objects.requireNonNull(input, "input == null");
      // check every name first, so that a refused map leaves the builder as it was
      for (String name : input.keySet()) {
        checkName(name);
      }
      this.input.clear();
      this.input.putAll(input);
      return this;
    }

    /**
     * Adds one input value.
     *
     * @param name the input's name, not blank
     * @param value its value, JSON-serializable, may be null
     * @return this builder
     * @throws IllegalArgumentException when {@code name} is blank
     */
    public Builder input(String name, Object value) {
      put(name, value);
      return this;
    }

    private void put(String name, Object value) {
      checkName(name);
      input.put(name, value);
    }

    private static void checkName(String name) {
      Objects.requireNonNull(name, "input name == null");
      if (name.isBlank()) {
        throw new IllegalArgumentException("input name is blank");
      }
    }

    /**
     * The absolute http(s) URL Replicate sends webhooks to. Replicate does not follow redirects.
     *
     * @param webhook the URL
     * @return this builder
     * @throws IllegalArgumentException when it is not an absolute http(s) URL
     */
    public Builder webhook(URI webhook) {
      Objects.requireNonNull(webhook, "webhook == null");
      String scheme = webhook.getScheme();
      if (!webhook.isAbsolute() || webhook.getHost() == null
          || !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
        throw new IllegalArgumentException("webhook must be an absolute http(s) URL, was '" + webhook + "'");
      }
      this.webhook = webhook;
      return this;
    }

    /**
     * Which events Replicate sends; at least one. Default: {@code completed} only.
     *
     * @param events the events
     * @return this builder
     * @throws IllegalArgumentException when {@code events} is empty
     */
    public Builder webhookEventsFilter(Set<WebhookEvent> events) {
      Objects.requireNonNull(events, "events == null");
      if (events.isEmpty()) {
        throw new IllegalArgumentException("webhookEventsFilter is empty; give at least one event (default: COMPLETED)");
      }
      this.webhookEventsFilter = EnumSet.copyOf(events);
      return this;
    }

    /**
     * Which events Replicate sends; as {@link #webhookEventsFilter(Set)}.
     *
     * @param first an event
     * @param rest more events
     * @return this builder
     */
    public Builder webhookEventsFilter(WebhookEvent first, WebhookEvent... rest) {
      return webhookEventsFilter(EnumSet.of(first, rest));
    }

    /**
     * A server-side deadline: Replicate cancels the prediction when it has not finished in time
     * (status {@code aborted} if it never started). Whole seconds, from 1 s to 24 h.
     *
     * @param cancelAfter the deadline
     * @return this builder
     * @throws IllegalArgumentException when it is not whole seconds from 1 s to 24 h
     */
    public Builder cancelAfter(Duration cancelAfter) {
      Objects.requireNonNull(cancelAfter, "cancelAfter == null");
      if (cancelAfter.getNano() != 0 || cancelAfter.getSeconds() < 1 || cancelAfter.compareTo(MAX_CANCEL_AFTER) > 0) {
        throw new IllegalArgumentException("cancelAfter must be whole seconds from 1 s to 24 h, was " + cancelAfter);
      }
      this.cancelAfter = cancelAfter;
      return this;
    }

    /**
     * Builds the request.
     *
     * @return the request
     */
    public PredictionRequest build() {
      return new PredictionRequest(this);
    }
  }
}
