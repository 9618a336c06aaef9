package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.webhook.WebhookUrls;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.springframework.core.env.Environment;
import org.springframework.util.unit.DataSize;

/**
 * The properties resolved against the environment variables and the defaults, checked all at once.
 * Immutable and thread-safe.
 */
final class ResolvedConfig {
  static final String ENV_API_TOKEN = "REPLICATE_API_TOKEN";
  static final String ENV_BASE_URL = "REPLICATE_BASE_URL";
  static final String ENV_WEBHOOK_BASE_URL = "REPLICATE_WEBHOOK_BASE_URL";
  static final String ENV_WEBHOOK_SECRET = "REPLICATE_WEBHOOK_SECRET";
  static final String ENV_ALLOWED_HOSTS = "REPLICATE_DOWNLOAD_ALLOWED_HOSTS";
  static final String DEFAULT_API_BASE_URL = "https://api.replicate.com/v1";
  static final String DEFAULT_WEBHOOK_PATH = "/hooks/replicate";
  static final List<String> DEFAULT_ALLOWED_HOSTS = List.of("replicate.delivery", "*.replicate.delivery");

  /** Setting names in the library's messages, and the property each comes from. */
  private static final Map<String, String> PROPERTY_OF = new LinkedHashMap<>();

  static {
    String p = ReplicateAudioProperties.PREFIX + ".";
    PROPERTY_OF.put("webhookTimeout", p + "wait-timeout");
    PROPERTY_OF.put("soundEffectsTimeout", p + "sound-effects-timeout");
    PROPERTY_OF.put("downloadTimeout", p + "download.timeout");
    PROPERTY_OF.put("ffmpegTimeout", p + "ffmpeg.timeout");
    PROPERTY_OF.put("maxFileSize", p + "download.max-file-size");
    PROPERTY_OF.put("silenceThreshold", p + "silence-threshold");
    PROPERTY_OF.put("ffmpegPath", p + "ffmpeg.path");
    PROPERTY_OF.put("ffprobePath", p + "ffmpeg.ffprobe-path");
    PROPERTY_OF.put("maxConcurrentFfmpeg", p + "ffmpeg.max-concurrency");
    PROPERTY_OF.put("url", p + "database.url");
    PROPERTY_OF.put("poolName", p + "database.pool-name");
    PROPERTY_OF.put("poolSize", p + "database.pool-size");
    PROPERTY_OF.put("maxOverflow", p + "database.max-overflow");
    PROPERTY_OF.put("poolTimeout", p + "database.pool-timeout");
    PROPERTY_OF.put("poolRecycle", p + "database.pool-recycle");
    PROPERTY_OF.put("idleTimeout", p + "database.idle-timeout");
    PROPERTY_OF.put("statementTimeout", p + "database.statement-timeout");
    PROPERTY_OF.put("leakDetectionThreshold", p + "database.leak-detection-threshold");
  }

  final ReplicateAudioSettings settings;
  final String apiToken;
  final String apiBaseUrl;
  final String webhookSecret;
  final String webhookBaseUrl;
  final String webhookPath;
  final List<String> allowedHosts;
  final boolean allowPlainHttp;
  /** Our own pool's settings; null when the application's DataSource is used. */
  final Object ownDatabase;

  private ResolvedConfig(Builder b) {
    this.settings = b.settings;
    this.apiToken = b.apiToken;
    this.apiBaseUrl = b.apiBaseUrl;
    this.webhookSecret = b.webhookSecret;
    this.webhookBaseUrl = b.webhookBaseUrl;
    this.webhookPath = b.webhookPath;
    this.allowedHosts = b.allowedHosts;
    this.allowPlainHttp = b.allowPlainHttp;
    this.ownDatabase = b.ownDatabase;
  }

  /**
   * Resolves and checks everything but the database.
   *
   * @param database resolves the database part, adding its problems; null when the jdbi module is absent
   * @throws ConfigurationException listing every problem found
   */
  static ResolvedConfig resolve(ReplicateAudioProperties p, Environment env, DatabasePart database) {
    List<String> problems = new ArrayList<>();
    Builder b = new Builder();
    b.settings = settings(p, env, problems);

    b.apiToken = required(p.getApi().getToken(), "api.token", ENV_API_TOKEN, env, problems,
        "create a token at https://replicate.com/account/api-tokens");
    b.apiBaseUrl = firstNonBlank(p.getApi().getBaseUrl(), env.getProperty(ENV_BASE_URL), DEFAULT_API_BASE_URL);

    b.webhookSecret = required(p.getWebhook().getSecret(), "webhook.secret", ENV_WEBHOOK_SECRET, env, problems,
        "Replicate's default webhook secret (GET /v1/webhooks/default/secret), whsec_...");
    if (b.webhookSecret != null) {
      try {
        WebhookVerifier.create(b.webhookSecret);
      } catch (IllegalArgumentException e) {
        problems.add(name("webhook.secret") + " (or " + ENV_WEBHOOK_SECRET + ") is not a usable signing secret ("
            + b.webhookSecret.length() + " characters; value not shown)");
      }
    }
    b.webhookBaseUrl = required(p.getWebhook().getBaseUrl(), "webhook.base-url", ENV_WEBHOOK_BASE_URL, env, problems,
        "the public URL of this application's webhook endpoint, e.g. https://example.com/hooks/replicate");
    String basePath = null;
    if (b.webhookBaseUrl != null && !b.webhookBaseUrl.contains("${")) {
      try {
        URI uri = URI.create(b.webhookBaseUrl);
        WebhookUrls.forContent(uri, ContentKey.soundEffect(0));
        basePath = uri.getPath();
      } catch (IllegalArgumentException e) {
        problems.add(name("webhook.base-url") + " (or " + ENV_WEBHOOK_BASE_URL + ")='" + b.webhookBaseUrl
            + "' is not usable: " + e.getMessage());
      }
    } else if (b.webhookBaseUrl != null) {
      int at = b.webhookBaseUrl.indexOf("}/");
      basePath = at < 0 ? null : b.webhookBaseUrl.substring(at + 1).replaceAll("[?#].*", "");
    }
    String path = firstNonBlank(p.getWebhook().getPath(), basePath == null || basePath.isEmpty() ? null : basePath,
        DEFAULT_WEBHOOK_PATH);
    if (!path.startsWith("/") || path.contains("{") || path.contains("*")) {
      problems.add(name("webhook.path") + "='" + path + "' must start with / and hold no pattern");
    }
    b.webhookPath = path;
    long maxBody = bytes(p.getWebhook().getMaxBodySize());
    if (maxBody < 1 || maxBody > 512L << 20) {
      problems.add(name("webhook.max-body-size") + "=" + maxBody + " bytes is out of range: accepted 1 B to 512 MB");
    }
    long ackMillis = p.getWebhook().getAcknowledgeAfter() == null ? -1 : p.getWebhook().getAcknowledgeAfter().toMillis();
    if (ackMillis < 1 || ackMillis > 3_600_000) {
      problems.add(name("webhook.acknowledge-after") + "=" + p.getWebhook().getAcknowledgeAfter()
          + " is out of range: accepted 1ms to 1h");
    }

    List<String> hosts = p.getDownload().getAllowedHosts();
    if (hosts == null || hosts.isEmpty()) {
      String fromEnv = env.getProperty(ENV_ALLOWED_HOSTS);
      hosts = fromEnv == null || fromEnv.isBlank() ? DEFAULT_ALLOWED_HOSTS : List.of(fromEnv.trim().split("\\s*,\\s*"));
    }
    b.allowedHosts = List.copyOf(hosts);
    Boolean plain = p.getDownload().getAllowPlainHttp();
    b.allowPlainHttp = plain != null ? plain
        : hosts.stream().allMatch(h -> h.equals("127.0.0.1") || h.equals("localhost") || h.equals("::1"));

    Duration interval = p.getRecovery().getInterval();
    if (p.getRecovery().isEnabled() && (interval == null || interval.compareTo(Duration.ofSeconds(1)) < 0)) {
      problems.add(name("recovery.interval") + "=" + interval + " must be at least 1s");
    }
    Duration initialDelay = p.getRecovery().getInitialDelay();
    if (initialDelay == null || initialDelay.isNegative()) {
      problems.add(name("recovery.initial-delay") + "=" + initialDelay + " must be zero or positive");
    }
    Integer threads = p.getExecutor().getThreads();
    if (threads != null && (threads < 1 || threads > 1024)) {
      problems.add(name("executor.threads") + "=" + threads + " is out of range: accepted 1 to 1024");
    }
    Duration shutdown = p.getShutdown().getTimeout();
    if (shutdown == null || shutdown.isNegative()) {
      problems.add(name("shutdown.timeout") + "=" + shutdown + " must be zero or positive");
    }
    if (database != null) {
      b.ownDatabase = database.resolve(p, env, problems);
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
    return new ResolvedConfig(b);
  }

  /** The public webhook URL, its {@code ${...}} placeholders resolved when first asked (then kept). */
  Supplier<URI> webhookBaseUrl(Environment env) {
    if (!webhookBaseUrl.contains("${")) {
      URI fixed = URI.create(webhookBaseUrl);
      return () -> fixed;
    }
    return new Supplier<>() {
      private volatile URI resolved;

      @Override
      public URI get() {
        URI r = resolved;
        if (r == null) {
          r = URI.create(env.resolveRequiredPlaceholders(webhookBaseUrl));
          WebhookUrls.forContent(r, ContentKey.soundEffect(0));
          resolved = r;
        }
        return r;
      }
    };
  }

  int executorThreads(ReplicateAudioProperties p) {
    Integer t = p.getExecutor().getThreads();
    return t != null ? t : Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }

  /** The database half of the resolution (in a separate class so that the jdbi module stays optional). */
  interface DatabasePart {
    /** Our own pool's settings, or null when the application's DataSource is used; adds problems. */
    Object resolve(ReplicateAudioProperties p, Environment env, List<String> problems);
  }

  private static ReplicateAudioSettings settings(ReplicateAudioProperties p, Environment env, List<String> problems) {
    Map<String, String> vars = new HashMap<>();
    fallback(vars, env, p.getWaitTimeout(), ReplicateAudioSettings.ENV_WEBHOOK_TIMEOUT);
    fallback(vars, env, p.getSoundEffectsTimeout(), ReplicateAudioSettings.ENV_SOUND_EFFECTS_TIMEOUT);
    fallback(vars, env, p.getDownload().getTimeout(), ReplicateAudioSettings.ENV_DOWNLOAD_TIMEOUT);
    fallback(vars, env, p.getFfmpeg().getTimeout(), ReplicateAudioSettings.ENV_FFMPEG_TIMEOUT);
    fallback(vars, env, p.getDownload().getMaxFileSize(), ReplicateAudioSettings.ENV_MAX_FILE_SIZE);
    fallback(vars, env, p.getSilenceThreshold(), ReplicateAudioSettings.ENV_SILENCE_THRESHOLD);
    fallback(vars, env, p.getFfmpeg().getPath(), ReplicateAudioSettings.ENV_FFMPEG_PATH);
    fallback(vars, env, p.getFfmpeg().getFfprobePath(), ReplicateAudioSettings.ENV_FFPROBE_PATH);
    fallback(vars, env, p.getFfmpeg().getMaxConcurrency(), ReplicateAudioSettings.ENV_FFMPEG_MAX_CONCURRENCY);
    ReplicateAudioSettings base;
    try {
      base = ReplicateAudioSettings.fromEnvironment(vars);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
      base = ReplicateAudioSettings.defaults();
    }
    ReplicateAudioSettings.Builder b = base.toBuilder();
    Optional.ofNullable(p.getWaitTimeout()).ifPresent(b::webhookTimeout);
    Optional.ofNullable(p.getSoundEffectsTimeout()).ifPresent(b::soundEffectsTimeout);
    Optional.ofNullable(p.getDownload().getTimeout()).ifPresent(b::downloadTimeout);
    Optional.ofNullable(p.getFfmpeg().getTimeout()).ifPresent(b::ffmpegTimeout);
    Optional.ofNullable(p.getDownload().getMaxFileSize()).map(DataSize::toBytes).ifPresent(b::maxFileSize);
    Optional.ofNullable(p.getSilenceThreshold()).ifPresent(b::silenceThreshold);
    Optional.ofNullable(p.getFfmpeg().getPath()).ifPresent(b::ffmpegPath);
    Optional.ofNullable(p.getFfmpeg().getFfprobePath()).ifPresent(b::ffprobePath);
    Optional.ofNullable(p.getFfmpeg().getMaxConcurrency()).ifPresent(b::maxConcurrentFfmpeg);
    try {
      return b.build();
    } catch (ConfigurationException e) {
      problems.addAll(renamed(e.problems()));
      return ReplicateAudioSettings.defaults();
    }
  }

  /** Puts {@code variable}'s value into {@code vars} when the property is not set. */
  static void fallback(Map<String, String> vars, Environment env, Object property, String variable) {
    if (property == null) {
      String v = env.getProperty(variable);
      if (v != null) {
        vars.put(variable, v);
      }
    }
  }

  /** The library's problems ("ffmpegTimeout=0 s must be positive...") with the property named first. */
  static List<String> renamed(List<String> problems) {
    List<String> out = new ArrayList<>(problems.size());
    for (String problem : problems) {
      String named = problem;
      for (Map.Entry<String, String> e : PROPERTY_OF.entrySet()) {
        String setting = e.getKey();
        if (problem.startsWith(setting) && problem.length() > setting.length()
            && !Character.isLetterOrDigit(problem.charAt(setting.length()))) {
          named = e.getValue() + ": " + problem;
          break;
        }
      }
      out.add(named);
    }
    return out;
  }

  static String name(String key) {
    return ReplicateAudioProperties.PREFIX + "." + key;
  }

  private static String required(String property, String key, String variable, Environment env, List<String> problems,
      String hint) {
    String value = firstNonBlank(property, env.getProperty(variable), null);
    if (value == null) {
      problems.add(name(key) + " is not set, and neither is the variable " + variable + ": " + hint);
      return null;
    }
    return value.strip();
  }

  static String firstNonBlank(String a, String b, String fallback) {
    if (a != null && !a.isBlank()) {
      return a;
    }
    if (b != null && !b.isBlank()) {
      return b;
    }
    return fallback;
  }

  private static long bytes(DataSize size) {
    return size == null ? -1 : size.toBytes();
  }

  private static final class Builder {
    ReplicateAudioSettings settings;
    String apiToken;
    String apiBaseUrl;
    String webhookSecret;
    String webhookBaseUrl;
    String webhookPath;
    List<String> allowedHosts;
    boolean allowPlainHttp;
    Object ownDatabase;
  }

  @Override
  public String toString() {
    return "ResolvedConfig{" + settings + ", apiBaseUrl=" + apiBaseUrl + ", webhookBaseUrl=" + webhookBaseUrl
        + ", webhookPath=" + webhookPath + ", allowedHosts=" + allowedHosts + ", apiToken=<masked>"
        + ", webhookSecret=<masked>}" + (Objects.isNull(ownDatabase) ? "" : ", ownDatabase=" + ownDatabase);
  }
}
