package dev.replicateaudio.spring.boot.autoconfigure;

import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.convert.DataSizeUnit;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.util.unit.DataUnit;

/**
 * Properties under {@code replicate-audio.*}. A property that is not set falls back to the library's
 * environment variable (named in its description), read through Spring's {@code Environment}, and
 * then to the library's default. Durations without a unit are seconds and sizes without a unit are
 * bytes, as in the variables. The values are checked together when the context starts: every
 * problem is reported at once in one {@link dev.replicateaudio.ConfigurationException}.
 *
 * <p>This class is a mutable JavaBean for Spring's binder; it is not thread-safe while being bound.
 */
@ConfigurationProperties(prefix = ReplicateAudioProperties.PREFIX)
public class ReplicateAudioProperties {
  /** The prefix of every property. */
  public static final String PREFIX = "replicate-audio";

  /** Whether to auto-configure replicate-audio at all. */
  private boolean enabled = true;

  /**
   * How long to wait for a generation's webhook before recovery looks the prediction up; falls back
   * to REPLICATE_WEBHOOK_TIMEOUT, then 300s.
   */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration waitTimeout;

  /** How long a batch of sound effects may take as a whole; falls back to REPLICATE_SOUND_EFFECTS_TIMEOUT, then 300s. */
  @DurationUnit(ChronoUnit.SECONDS)
  private Duration soundEffectsTimeout;

  /**
   * Level below which leading and trailing audio counts as silence (-NdB or an amplitude in (0, 1]);
   * falls back to REPLICATE_SILENCE_THRESHOLD, then -60dB.
   */
  private String silenceThreshold;

  private final Api api = new Api();
  private final Webhook webhook = new Webhook();
  private final Download download = new Download();
  private final Ffmpeg ffmpeg = new Ffmpeg();
  private final Database database = new Database();
  private final Bridge bridge = new Bridge();
  private final Recovery recovery = new Recovery();
  private final Metrics metrics = new Metrics();
  private final Health health = new Health();
  private final Executor executor = new Executor();
  private final Shutdown shutdown = new Shutdown();

  public boolean isEnabled() {
    return enabled;
  }

  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  public Duration getWaitTimeout() {
    return waitTimeout;
  }

  public void setWaitTimeout(Duration waitTimeout) {
    this.waitTimeout = waitTimeout;
  }

  public Duration getSoundEffectsTimeout() {
    return soundEffectsTimeout;
  }

  public void setSoundEffectsTimeout(Duration soundEffectsTimeout) {
    this.soundEffectsTimeout = soundEffectsTimeout;
  }

  public String getSilenceThreshold() {
    return silenceThreshold;
  }

  public void setSilenceThreshold(String silenceThreshold) {
    this.silenceThreshold = silenceThreshold;
  }

  public Api getApi() {
    return api;
  }

  public Webhook getWebhook() {
    return webhook;
  }

  public Download getDownload() {
    return download;
  }

  public Ffmpeg getFfmpeg() {
    return ffmpeg;
  }

  public Database getDatabase() {
    return database;
  }

  public Bridge getBridge() {
    return bridge;
  }

  public Recovery getRecovery() {
    return recovery;
  }

  public Metrics getMetrics() {
    return metrics;
  }

  public Health getHealth() {
    return health;
  }

  public Executor getExecutor() {
    return executor;
  }

  public Shutdown getShutdown() {
    return shutdown;
  }

  /** Replicate's HTTP API. */
  public static class Api {
    /** API token (r8_...); falls back to REPLICATE_API_TOKEN. Required. Never logged or shown. */
    private String token;

    /** Base URL of the API; falls back to REPLICATE_BASE_URL, then https://api.replicate.com/v1. */
    private String baseUrl;

    public String getToken() {
      return token;
    }

    public void setToken(String token) {
      this.token = token;
    }

    public String getBaseUrl() {
      return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
    }
  }

  /** The webhook endpoint. */
  public static class Webhook {
    /** Whether to serve the webhook endpoint (servlet web applications only). */
    private boolean enabled = true;

    /**
     * Public URL of the webhook endpoint, sent with every prediction; falls back to
     * REPLICATE_WEBHOOK_BASE_URL. Required. May hold ${local.server.port}, resolved at the first
     * submission (local development on an ephemeral port).
     */
    private String baseUrl;

    /**
     * Signing secret of the webhooks (whsec_...), from Replicate's "default webhook secret"; falls back
     * to REPLICATE_WEBHOOK_SECRET. Required. Never logged or shown.
     */
    private String secret;

    /** Path the endpoint is served at; default: the path of base-url, else /hooks/replicate. */
    private String path;

    /** Largest webhook body accepted; larger ones get 413. */
    @DataSizeUnit(DataUnit.BYTES)
    private DataSize maxBodySize = DataSize.ofMegabytes(10);

    /** Answer 202 when processing takes longer than this, and let processing go on. */
    private Duration acknowledgeAfter = Duration.ofSeconds(5);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public String getBaseUrl() {
      return baseUrl;
    }

    public void setBaseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
    }

    public String getSecret() {
      return secret;
    }

    public void setSecret(String secret) {
      this.secret = secret;
    }

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public DataSize getMaxBodySize() {
      return maxBodySize;
    }

    public void setMaxBodySize(DataSize maxBodySize) {
      this.maxBodySize = maxBodySize;
    }

    public Duration getAcknowledgeAfter() {
      return acknowledgeAfter;
    }

    public void setAcknowledgeAfter(Duration acknowledgeAfter) {
      this.acknowledgeAfter = acknowledgeAfter;
    }
  }

  /** Downloading the generated audio. */
  public static class Download {
    /** Deadline for one download, start to end; falls back to REPLICATE_DOWNLOAD_TIMEOUT, then 30s. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration timeout;

    /** Largest audio file accepted; falls back to REPLICATE_MAX_FILE_SIZE, then 50000000 bytes. */
    @DataSizeUnit(DataUnit.BYTES)
    private DataSize maxFileSize;

    /**
     * Hosts downloads may come from (names, IP literals, *.domain); falls back to
     * REPLICATE_DOWNLOAD_ALLOWED_HOSTS (comma-separated), then replicate.delivery and *.replicate.delivery.
     */
    private List<String> allowedHosts;

    /** Whether plain http is allowed too; default: only when every allowed host is a loopback address. */
    private Boolean allowPlainHttp;

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    public DataSize getMaxFileSize() {
      return maxFileSize;
    }

    public void setMaxFileSize(DataSize maxFileSize) {
      this.maxFileSize = maxFileSize;
    }

    public List<String> getAllowedHosts() {
      return allowedHosts;
    }

    public void setAllowedHosts(List<String> allowedHosts) {
      this.allowedHosts = allowedHosts;
    }

    public Boolean getAllowPlainHttp() {
      return allowPlainHttp;
    }

    public void setAllowPlainHttp(Boolean allowPlainHttp) {
      this.allowPlainHttp = allowPlainHttp;
    }
  }

  /** ffmpeg and ffprobe. */
  public static class Ffmpeg {
    /** The ffmpeg executable, a path or a name on PATH; falls back to REPLICATE_FFMPEG_PATH, then ffmpeg. */
    private String path;

    /** The ffprobe executable; falls back to REPLICATE_FFPROBE_PATH, then ffprobe. */
    private String ffprobePath;

    /** Deadline for one process; falls back to REPLICATE_FFMPEG_TIMEOUT, then 30s. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration timeout;

    /**
     * Most processes running at once; falls back to REPLICATE_FFMPEG_MAX_CONCURRENCY, then the number
     * of available processors.
     */
    private Integer maxConcurrency;

    public String getPath() {
      return path;
    }

    public void setPath(String path) {
      this.path = path;
    }

    public String getFfprobePath() {
      return ffprobePath;
    }

    public void setFfprobePath(String ffprobePath) {
      this.ffprobePath = ffprobePath;
    }

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    public Integer getMaxConcurrency() {
      return maxConcurrency;
    }

    public void setMaxConcurrency(Integer maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
    }
  }

  /** Where jobs and audio are stored. */
  public static class Database {
    /**
     * Whether to use the application's DataSource (shared), a pool of our own (own), or (auto) our own
     * when database.url is set or the application has no DataSource, else the application's.
     */
    private DatabaseMode mode = DatabaseMode.AUTO;

    /** Whether to create the library's tables when they are missing. */
    private boolean installSchema = true;

    /** JDBC URL of our own pool (H2 or PostgreSQL); falls back to DATABASE_URL. Required in own mode. */
    private String url;

    /** Database user of our own pool; falls back to DB_USER. */
    private String user;

    /** Password of our own pool; falls back to DB_PASSWORD. Never logged or shown. */
    private String password;

    /** Name of our own pool (logs, metrics tag pool); falls back to DB_POOL_NAME, then replicate-audio. */
    private String poolName;

    /** Connections kept open; falls back to DB_POOL_SIZE, then 5. */
    private Integer poolSize;

    /** Extra connections opened under load; falls back to DB_MAX_OVERFLOW, then 10. */
    private Integer maxOverflow;

    /** Longest wait for a connection; falls back to DB_POOL_TIMEOUT, then 30s. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration poolTimeout;

    /** Longest life of a connection; falls back to DB_POOL_RECYCLE, then 30m. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration poolRecycle;

    /** Idle time after which an overflow connection is closed; falls back to DB_POOL_IDLE_TIMEOUT, then 10m. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration idleTimeout;

    /** Longest run of one statement; falls back to DB_STATEMENT_TIMEOUT, then 30s. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration statementTimeout;

    /** Hold time after which a connection leak is reported (0 = off); falls back to DB_LEAK_DETECTION_THRESHOLD, then 60s. */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration leakDetectionThreshold;

    public DatabaseMode getMode() {
      return mode;
    }

    public void setMode(DatabaseMode mode) {
      this.mode = mode;
    }

    public boolean isInstallSchema() {
      return installSchema;
    }

    public void setInstallSchema(boolean installSchema) {
      this.installSchema = installSchema;
    }

    public String getUrl() {
      return url;
    }

    public void setUrl(String url) {
      this.url = url;
    }

    public String getUser() {
      return user;
    }

    public void setUser(String user) {
      this.user = user;
    }

    public String getPassword() {
      return password;
    }

    public void setPassword(String password) {
      this.password = password;
    }

    public String getPoolName() {
      return poolName;
    }

    public void setPoolName(String poolName) {
      this.poolName = poolName;
    }

    public Integer getPoolSize() {
      return poolSize;
    }

    public void setPoolSize(Integer poolSize) {
      this.poolSize = poolSize;
    }

    public Integer getMaxOverflow() {
      return maxOverflow;
    }

    public void setMaxOverflow(Integer maxOverflow) {
      this.maxOverflow = maxOverflow;
    }

    public Duration getPoolTimeout() {
      return poolTimeout;
    }

    public void setPoolTimeout(Duration poolTimeout) {
      this.poolTimeout = poolTimeout;
    }

    public Duration getPoolRecycle() {
      return poolRecycle;
    }

    public void setPoolRecycle(Duration poolRecycle) {
      this.poolRecycle = poolRecycle;
    }

    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    public Duration getStatementTimeout() {
      return statementTimeout;
    }

    public void setStatementTimeout(Duration statementTimeout) {
      this.statementTimeout = statementTimeout;
    }

    public Duration getLeakDetectionThreshold() {
      return leakDetectionThreshold;
    }

    public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
      this.leakDetectionThreshold = leakDetectionThreshold;
    }
  }

  /** Which database the library uses. */
  public enum DatabaseMode {
    /** A pool of our own when {@code database.url} is set or the application has no DataSource, else the application's. */
    AUTO,
    /** Always a pool of our own, from replicate-audio.database.* (or DATABASE_URL and DB_*). */
    OWN,
    /** Always the application's DataSource. */
    SHARED
  }

  /** The completion bridge between instances (PostgreSQL LISTEN/NOTIFY). */
  public static class Bridge {
    /** Whether to run the bridge; default: when the database is PostgreSQL and its driver is present. */
    private Boolean enabled;

    /** The notification channel; instances on one database and channel hear each other. */
    private String channel = "replicate_audio_completions";

    public Boolean getEnabled() {
      return enabled;
    }

    public void setEnabled(Boolean enabled) {
      this.enabled = enabled;
    }

    public String getChannel() {
      return channel;
    }

    public void setChannel(String channel) {
      this.channel = channel;
    }
  }

  /** Recovery of jobs whose webhook was lost. */
  public static class Recovery {
    /** Whether to run recovery on a schedule. */
    private boolean enabled = true;

    /** Time between the end of one run and the start of the next. */
    private Duration interval = Duration.ofMinutes(1);

    /** Time from startup to the first run. */
    private Duration initialDelay = Duration.ofSeconds(30);

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public Duration getInterval() {
      return interval;
    }

    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    public Duration getInitialDelay() {
      return initialDelay;
    }

    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
    }
  }

  /** Micrometer meters (when a MeterRegistry bean exists). */
  public static class Metrics {
    /** Whether to register the replicate.audio.* meters and track our own pool with HikariCP's tracker. */
    private boolean enabled = true;

    /** Whether to time the HTTP calls to Replicate and the downloads (replicate.audio.http.requests). */
    private boolean okhttp = false;

    public boolean isEnabled() {
      return enabled;
    }

    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    public boolean isOkhttp() {
      return okhttp;
    }

    public void setOkhttp(boolean okhttp) {
      this.okhttp = okhttp;
    }
  }

  /** The health indicator (switched off with management.health.replicate-audio.enabled=false). */
  public static class Health {
    /** Whether a bridge that is not listening makes the health DOWN (else UP with a detail). */
    private boolean bridgeRequired = false;

    /** Longest wait of the database check. */
    private Duration databaseTimeout = Duration.ofSeconds(2);

    public boolean isBridgeRequired() {
      return bridgeRequired;
    }

    public void setBridgeRequired(boolean bridgeRequired) {
      this.bridgeRequired = bridgeRequired;
    }

    public Duration getDatabaseTimeout() {
      return databaseTimeout;
    }

    public void setDatabaseTimeout(Duration databaseTimeout) {
      this.databaseTimeout = databaseTimeout;
    }
  }

  /** The threads that run the pipeline's blocking work (database, ffmpeg, hashing). */
  public static class Executor {
    /** Number of threads; default: twice the available processors, at least 4. */
    private Integer threads;

    public Integer getThreads() {
      return threads;
    }

    public void setThreads(Integer threads) {
      this.threads = threads;
    }
  }

  /** Orderly shutdown, after the web server has drained. */
  public static class Shutdown {
    /**
     * Longest wait for in-flight processing and a running recovery run; keep it below
     * spring.lifecycle.timeout-per-shutdown-phase. Jobs still running then are left to recovery.
     */
    private Duration timeout = Duration.ofSeconds(25);

    public Duration getTimeout() {
      return timeout;
    }

    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }
}
