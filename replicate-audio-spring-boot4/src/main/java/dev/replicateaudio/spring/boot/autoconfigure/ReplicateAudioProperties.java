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

  /**
   * How long a batch of sound effects may take as a whole; falls back to REPLICATE_SOUND_EFFECTS_TIMEOUT,
   * then 300s.
   */
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

  /** Properties with their defaults; Spring's binder sets the rest. */
  public ReplicateAudioProperties() {
  }

  /**
   * Whether to auto-configure replicate-audio at all.
   *
   * @return the value
   */
  public boolean isEnabled() {
    return enabled;
  }

  /**
   * Sets: whether to auto-configure replicate-audio at all.
   *
   * @param enabled the new value
   */
  public void setEnabled(boolean enabled) {
    this.enabled = enabled;
  }

  /**
   * How long to wait for a generation's webhook before recovery looks the prediction up.
   *
   * @return the value, null when not set
   */
  public Duration getWaitTimeout() {
    return waitTimeout;
  }

  /**
   * Sets: how long to wait for a generation's webhook before recovery looks the prediction up.
   *
   * @param waitTimeout the new value
   */
  public void setWaitTimeout(Duration waitTimeout) {
    this.waitTimeout = waitTimeout;
  }

  /**
   * How long a batch of sound effects may take as a whole.
   *
   * @return the value, null when not set
   */
  public Duration getSoundEffectsTimeout() {
    return soundEffectsTimeout;
  }

  /**
   * Sets: how long a batch of sound effects may take as a whole.
   *
   * @param soundEffectsTimeout the new value
   */
  public void setSoundEffectsTimeout(Duration soundEffectsTimeout) {
    this.soundEffectsTimeout = soundEffectsTimeout;
  }

  /**
   * Level below which leading and trailing audio counts as silence (-NdB or an amplitude in (0, 1]).
   *
   * @return the value, null when not set
   */
  public String getSilenceThreshold() {
    return silenceThreshold;
  }

  /**
   * Sets: level below which leading and trailing audio counts as silence (-NdB or an amplitude in (0, 1]).
   *
   * @param silenceThreshold the new value
   */
  public void setSilenceThreshold(String silenceThreshold) {
    this.silenceThreshold = silenceThreshold;
  }

  /**
   * The replicate-audio.api.* properties.
   *
   * @return the nested properties
   */
  public Api getApi() {
    return api;
  }

  /**
   * The replicate-audio.webhook.* properties.
   *
   * @return the nested properties
   */
  public Webhook getWebhook() {
    return webhook;
  }

  /**
   * The replicate-audio.download.* properties.
   *
   * @return the nested properties
   */
  public Download getDownload() {
    return download;
  }

  /**
   * The replicate-audio.ffmpeg.* properties.
   *
   * @return the nested properties
   */
  public Ffmpeg getFfmpeg() {
    return ffmpeg;
  }

  /**
   * The replicate-audio.database.* properties.
   *
   * @return the nested properties
   */
  public Database getDatabase() {
    return database;
  }

  /**
   * The replicate-audio.bridge.* properties.
   *
   * @return the nested properties
   */
  public Bridge getBridge() {
    return bridge;
  }

  /**
   * The replicate-audio.recovery.* properties.
   *
   * @return the nested properties
   */
  public Recovery getRecovery() {
    return recovery;
  }

  /**
   * The replicate-audio.metrics.* properties.
   *
   * @return the nested properties
   */
  public Metrics getMetrics() {
    return metrics;
  }

  /**
   * The replicate-audio.health.* properties.
   *
   * @return the nested properties
   */
  public Health getHealth() {
    return health;
  }

  /**
   * The replicate-audio.executor.* properties.
   *
   * @return the nested properties
   */
  public Executor getExecutor() {
    return executor;
  }

  /**
   * The replicate-audio.shutdown.* properties.
   *
   * @return the nested properties
   */
  public Shutdown getShutdown() {
    return shutdown;
  }

  /** Replicate's HTTP API. */
  public static class Api {
    /** The defaults; Spring's binder sets the rest. */
    public Api() {
    }

    /** API token (r8_...); falls back to REPLICATE_API_TOKEN. Required. Never logged or shown. */
    private String token;

    /** Base URL of the API; falls back to REPLICATE_BASE_URL, then https://api.replicate.com/v1. */
    private String baseUrl;

    /**
     * API token (r8_...).
     *
     * @return the value, null when not set
     */
    public String getToken() {
      return token;
    }

    /**
     * Sets: aPI token (r8_...).
     *
     * @param token the new value
     */
    public void setToken(String token) {
      this.token = token;
    }

    /**
     * Base URL of the API.
     *
     * @return the value, null when not set
     */
    public String getBaseUrl() {
      return baseUrl;
    }

    /**
     * Sets: base URL of the API.
     *
     * @param baseUrl the new value
     */
    public void setBaseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
    }
  }

  /** The webhook endpoint. */
  public static class Webhook {
    /** The defaults; Spring's binder sets the rest. */
    public Webhook() {
    }

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

    /**
     * Whether to serve the webhook endpoint (servlet web applications only).
     *
     * @return the value
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets: whether to serve the webhook endpoint (servlet web applications only).
     *
     * @param enabled the new value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Public URL of the webhook endpoint, sent with every prediction.
     *
     * @return the value, null when not set
     */
    public String getBaseUrl() {
      return baseUrl;
    }

    /**
     * Sets: public URL of the webhook endpoint, sent with every prediction.
     *
     * @param baseUrl the new value
     */
    public void setBaseUrl(String baseUrl) {
      this.baseUrl = baseUrl;
    }

    /**
     * Signing secret of the webhooks (whsec_...), from Replicate's "default webhook secret".
     *
     * @return the value, null when not set
     */
    public String getSecret() {
      return secret;
    }

    /**
     * Sets: signing secret of the webhooks (whsec_...), from Replicate's "default webhook secret".
     *
     * @param secret the new value
     */
    public void setSecret(String secret) {
      this.secret = secret;
    }

    /**
     * Path the endpoint is served at.
     *
     * @return the value, null when not set
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets: path the endpoint is served at.
     *
     * @param path the new value
     */
    public void setPath(String path) {
      this.path = path;
    }

    /**
     * Largest webhook body accepted.
     *
     * @return the value
     */
    public DataSize getMaxBodySize() {
      return maxBodySize;
    }

    /**
     * Sets: largest webhook body accepted.
     *
     * @param maxBodySize the new value
     */
    public void setMaxBodySize(DataSize maxBodySize) {
      this.maxBodySize = maxBodySize;
    }

    /**
     * Answer 202 when processing takes longer than this, and let processing go on.
     *
     * @return the value
     */
    public Duration getAcknowledgeAfter() {
      return acknowledgeAfter;
    }

    /**
     * Sets: answer 202 when processing takes longer than this, and let processing go on.
     *
     * @param acknowledgeAfter the new value
     */
    public void setAcknowledgeAfter(Duration acknowledgeAfter) {
      this.acknowledgeAfter = acknowledgeAfter;
    }
  }

  /** Downloading the generated audio. */
  public static class Download {
    /** The defaults; Spring's binder sets the rest. */
    public Download() {
    }

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

    /**
     * Deadline for one download, start to end.
     *
     * @return the value
     */
    public Duration getTimeout() {
      return timeout;
    }

    /**
     * Sets: deadline for one download, start to end.
     *
     * @param timeout the new value
     */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    /**
     * Largest audio file accepted.
     *
     * @return the value, null when not set
     */
    public DataSize getMaxFileSize() {
      return maxFileSize;
    }

    /**
     * Sets: largest audio file accepted.
     *
     * @param maxFileSize the new value
     */
    public void setMaxFileSize(DataSize maxFileSize) {
      this.maxFileSize = maxFileSize;
    }

    /**
     * Hosts downloads may come from (names, IP literals, *.domain).
     *
     * @return the value, null when not set
     */
    public List<String> getAllowedHosts() {
      return allowedHosts;
    }

    /**
     * Sets: hosts downloads may come from (names, IP literals, *.domain).
     *
     * @param allowedHosts the new value
     */
    public void setAllowedHosts(List<String> allowedHosts) {
      this.allowedHosts = allowedHosts;
    }

    /**
     * Whether plain http is allowed too.
     *
     * @return the value, null when not set
     */
    public Boolean getAllowPlainHttp() {
      return allowPlainHttp;
    }

    /**
     * Sets: whether plain http is allowed too.
     *
     * @param allowPlainHttp the new value
     */
    public void setAllowPlainHttp(Boolean allowPlainHttp) {
      this.allowPlainHttp = allowPlainHttp;
    }
  }

  /** ffmpeg and ffprobe. */
  public static class Ffmpeg {
    /** The defaults; Spring's binder sets the rest. */
    public Ffmpeg() {
    }

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

    /**
     * The ffmpeg executable, a path or a name on PATH.
     *
     * @return the value, null when not set
     */
    public String getPath() {
      return path;
    }

    /**
     * Sets: the ffmpeg executable, a path or a name on PATH.
     *
     * @param path the new value
     */
    public void setPath(String path) {
      this.path = path;
    }

    /**
     * The ffprobe executable.
     *
     * @return the value, null when not set
     */
    public String getFfprobePath() {
      return ffprobePath;
    }

    /**
     * Sets: the ffprobe executable.
     *
     * @param ffprobePath the new value
     */
    public void setFfprobePath(String ffprobePath) {
      this.ffprobePath = ffprobePath;
    }

    /**
     * Deadline for one process.
     *
     * @return the value
     */
    public Duration getTimeout() {
      return timeout;
    }

    /**
     * Sets: deadline for one process.
     *
     * @param timeout the new value
     */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }

    /**
     * Most processes running at once.
     *
     * @return the value, null when not set
     */
    public Integer getMaxConcurrency() {
      return maxConcurrency;
    }

    /**
     * Sets: most processes running at once.
     *
     * @param maxConcurrency the new value
     */
    public void setMaxConcurrency(Integer maxConcurrency) {
      this.maxConcurrency = maxConcurrency;
    }
  }

  /** Where jobs and audio are stored. */
  public static class Database {
    /** The defaults; Spring's binder sets the rest. */
    public Database() {
    }

    /**
     * Whether to use the application's DataSource (shared), a pool of our own (own), or (auto) our own
     * when database.url is set or the application has no DataSource, else the application's.
     */
    private DatabaseMode mode = DatabaseMode.AUTO;

    /** Whether to create the library's tables when they are missing. */
    private boolean installSchema = true;

    /** JDBC URL of our own pool (H2, PostgreSQL, MySQL, MariaDB or SQLite); falls back to DATABASE_URL. Required in own mode. */
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

    /**
     * Hold time after which a connection leak is reported (0 = off); falls back to
     * DB_LEAK_DETECTION_THRESHOLD, then 60s.
     */
    @DurationUnit(ChronoUnit.SECONDS)
    private Duration leakDetectionThreshold;

    /**
     * Whether to use the application's DataSource (shared), a pool of our own (own), or (auto) our own when
     * database.url is set or the application has no DataSource, else the application's.
     *
     * @return the value
     */
    public DatabaseMode getMode() {
      return mode;
    }

    /**
     * Sets: whether to use the application's DataSource (shared), a pool of our own (own), or (auto) our own when
     * database.url is set or the application has no DataSource, else the application's.
     *
     * @param mode the new value
     */
    public void setMode(DatabaseMode mode) {
      this.mode = mode;
    }

    /**
     * Whether to create the library's tables when they are missing.
     *
     * @return the value
     */
    public boolean isInstallSchema() {
      return installSchema;
    }

    /**
     * Sets: whether to create the library's tables when they are missing.
     *
     * @param installSchema the new value
     */
    public void setInstallSchema(boolean installSchema) {
      this.installSchema = installSchema;
    }

    /**
     * JDBC URL of our own pool (H2, PostgreSQL, MySQL, MariaDB or SQLite).
     *
     * @return the value, null when not set
     */
    public String getUrl() {
      return url;
    }

    /**
     * Sets: the JDBC URL of our own pool (H2, PostgreSQL, MySQL, MariaDB or SQLite).
     *
     * @param url the new value
     */
    public void setUrl(String url) {
      this.url = url;
    }

    /**
     * Database user of our own pool.
     *
     * @return the value, null when not set
     */
    public String getUser() {
      return user;
    }

    /**
     * Sets: database user of our own pool.
     *
     * @param user the new value
     */
    public void setUser(String user) {
      this.user = user;
    }

    /**
     * Password of our own pool.
     *
     * @return the value, null when not set
     */
    public String getPassword() {
      return password;
    }

    /**
     * Sets: password of our own pool.
     *
     * @param password the new value
     */
    public void setPassword(String password) {
      this.password = password;
    }

    /**
     * Name of our own pool (logs, metrics tag pool).
     *
     * @return the value, null when not set
     */
    public String getPoolName() {
      return poolName;
    }

    /**
     * Sets: name of our own pool (logs, metrics tag pool).
     *
     * @param poolName the new value
     */
    public void setPoolName(String poolName) {
      this.poolName = poolName;
    }

    /**
     * Connections kept open.
     *
     * @return the value, null when not set
     */
    public Integer getPoolSize() {
      return poolSize;
    }

    /**
     * Sets: connections kept open.
     *
     * @param poolSize the new value
     */
    public void setPoolSize(Integer poolSize) {
      this.poolSize = poolSize;
    }

    /**
     * Extra connections opened under load.
     *
     * @return the value, null when not set
     */
    public Integer getMaxOverflow() {
      return maxOverflow;
    }

    /**
     * Sets: extra connections opened under load.
     *
     * @param maxOverflow the new value
     */
    public void setMaxOverflow(Integer maxOverflow) {
      this.maxOverflow = maxOverflow;
    }

    /**
     * Longest wait for a connection.
     *
     * @return the value, null when not set
     */
    public Duration getPoolTimeout() {
      return poolTimeout;
    }

    /**
     * Sets: longest wait for a connection.
     *
     * @param poolTimeout the new value
     */
    public void setPoolTimeout(Duration poolTimeout) {
      this.poolTimeout = poolTimeout;
    }

    /**
     * Longest life of a connection.
     *
     * @return the value, null when not set
     */
    public Duration getPoolRecycle() {
      return poolRecycle;
    }

    /**
     * Sets: longest life of a connection.
     *
     * @param poolRecycle the new value
     */
    public void setPoolRecycle(Duration poolRecycle) {
      this.poolRecycle = poolRecycle;
    }

    /**
     * Idle time after which an overflow connection is closed.
     *
     * @return the value, null when not set
     */
    public Duration getIdleTimeout() {
      return idleTimeout;
    }

    /**
     * Sets: idle time after which an overflow connection is closed.
     *
     * @param idleTimeout the new value
     */
    public void setIdleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
    }

    /**
     * Longest run of one statement.
     *
     * @return the value, null when not set
     */
    public Duration getStatementTimeout() {
      return statementTimeout;
    }

    /**
     * Sets: longest run of one statement.
     *
     * @param statementTimeout the new value
     */
    public void setStatementTimeout(Duration statementTimeout) {
      this.statementTimeout = statementTimeout;
    }

    /**
     * Hold time after which a connection leak is reported (0 = off).
     *
     * @return the value, null when not set
     */
    public Duration getLeakDetectionThreshold() {
      return leakDetectionThreshold;
    }

    /**
     * Sets: hold time after which a connection leak is reported (0 = off).
     *
     * @param leakDetectionThreshold the new value
     */
    public void setLeakDetectionThreshold(Duration leakDetectionThreshold) {
      this.leakDetectionThreshold = leakDetectionThreshold;
    }
  }

  /** Which database the library uses. */
  public enum DatabaseMode {
    /**
     * A pool of our own when {@code database.url} is set or the application has no DataSource, else the
     * application's.
     */
    AUTO,
    /** Always a pool of our own, from replicate-audio.database.* (or DATABASE_URL and DB_*). */
    OWN,
    /** Always the application's DataSource. */
    SHARED
  }

  /**
   * The completion bridge between the instances that share the database: PostgreSQL LISTEN/NOTIFY, or
   * a polled table on MySQL, MariaDB, SQLite and H2.
   */
  public static class Bridge {
    /** The defaults; Spring's binder sets the rest. */
    public Bridge() {
    }

    /**
     * Whether to run the bridge: LISTEN/NOTIFY on PostgreSQL (when its driver is present), polling on
     * every other database.
     */
    private boolean enabled = true;

    /** The notification channel (PostgreSQL); instances on one database and channel hear each other. */
    private String channel = "replicate_audio_completions";

    /**
     * Pause between polls while this instance has waiters (polling bridge; 10ms to 60s); default 250ms.
     * A waiter wakes about half of it after another instance's completion.
     */
    private Duration pollInterval;

    /**
     * Longest pause between polls when idle, which the polling bridge backs off to by doubling (from
     * poll-interval to 10m); default 2s, or poll-interval when that is longer.
     */
    private Duration idleInterval;

    /**
     * Whether to run the bridge.
     *
     * @return the value
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets: whether to run the bridge.
     *
     * @param enabled the new value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * The notification channel (PostgreSQL).
     *
     * @return the value
     */
    public String getChannel() {
      return channel;
    }

    /**
     * Sets: the notification channel (PostgreSQL).
     *
     * @param channel the new value
     */
    public void setChannel(String channel) {
      this.channel = channel;
    }

    /**
     * Pause between polls while this instance has waiters (polling bridge).
     *
     * @return the value, null when not set (then 250ms)
     */
    public Duration getPollInterval() {
      return pollInterval;
    }

    /**
     * Sets: pause between polls while this instance has waiters (polling bridge).
     *
     * @param pollInterval the new value
     */
    public void setPollInterval(Duration pollInterval) {
      this.pollInterval = pollInterval;
    }

    /**
     * Longest pause between polls when idle (polling bridge).
     *
     * @return the value, null when not set (then 2s, or poll-interval when longer)
     */
    public Duration getIdleInterval() {
      return idleInterval;
    }

    /**
     * Sets: longest pause between polls when idle (polling bridge).
     *
     * @param idleInterval the new value
     */
    public void setIdleInterval(Duration idleInterval) {
      this.idleInterval = idleInterval;
    }
  }

  /** Recovery of jobs whose webhook was lost. */
  public static class Recovery {
    /** The defaults; Spring's binder sets the rest. */
    public Recovery() {
    }

    /** Whether to run recovery on a schedule. */
    private boolean enabled = true;

    /** Time between the end of one run and the start of the next. */
    private Duration interval = Duration.ofMinutes(1);

    /** Time from startup to the first run. */
    private Duration initialDelay = Duration.ofSeconds(30);

    /**
     * Whether to run recovery on a schedule.
     *
     * @return the value
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets: whether to run recovery on a schedule.
     *
     * @param enabled the new value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Time between the end of one run and the start of the next.
     *
     * @return the value
     */
    public Duration getInterval() {
      return interval;
    }

    /**
     * Sets: time between the end of one run and the start of the next.
     *
     * @param interval the new value
     */
    public void setInterval(Duration interval) {
      this.interval = interval;
    }

    /**
     * Time from startup to the first run.
     *
     * @return the value
     */
    public Duration getInitialDelay() {
      return initialDelay;
    }

    /**
     * Sets: time from startup to the first run.
     *
     * @param initialDelay the new value
     */
    public void setInitialDelay(Duration initialDelay) {
      this.initialDelay = initialDelay;
    }
  }

  /** Micrometer meters (when a MeterRegistry bean exists). */
  public static class Metrics {
    /** The defaults; Spring's binder sets the rest. */
    public Metrics() {
    }

    /** Whether to register the replicate.audio.* meters and track our own pool with HikariCP's tracker. */
    private boolean enabled = true;

    /** Whether to time the HTTP calls to Replicate and the downloads (replicate.audio.http.requests). */
    private boolean okhttp = false;

    /**
     * Whether to register the replicate.audio.* meters and track our own pool with HikariCP's tracker.
     *
     * @return the value
     */
    public boolean isEnabled() {
      return enabled;
    }

    /**
     * Sets: whether to register the replicate.audio.* meters and track our own pool with HikariCP's tracker.
     *
     * @param enabled the new value
     */
    public void setEnabled(boolean enabled) {
      this.enabled = enabled;
    }

    /**
     * Whether to time the HTTP calls to Replicate and the downloads (replicate.audio.http.requests).
     *
     * @return the value
     */
    public boolean isOkhttp() {
      return okhttp;
    }

    /**
     * Sets: whether to time the HTTP calls to Replicate and the downloads (replicate.audio.http.requests).
     *
     * @param okhttp the new value
     */
    public void setOkhttp(boolean okhttp) {
      this.okhttp = okhttp;
    }
  }

  /** The health indicator (switched off with management.health.replicate-audio.enabled=false). */
  public static class Health {
    /** The defaults; Spring's binder sets the rest. */
    public Health() {
    }

    /**
     * Whether a PostgreSQL bridge that is not listening makes the health DOWN (else UP with a detail); a
     * polling bridge works exactly when the database answers, which the health checks anyway.
     */
    private boolean bridgeRequired = false;

    /** Longest wait of the database check. */
    private Duration databaseTimeout = Duration.ofSeconds(2);

    /**
     * Whether a bridge that is not listening makes the health DOWN (else UP with a detail).
     *
     * @return the value
     */
    public boolean isBridgeRequired() {
      return bridgeRequired;
    }

    /**
     * Sets: whether a bridge that is not listening makes the health DOWN (else UP with a detail).
     *
     * @param bridgeRequired the new value
     */
    public void setBridgeRequired(boolean bridgeRequired) {
      this.bridgeRequired = bridgeRequired;
    }

    /**
     * Longest wait of the database check.
     *
     * @return the value
     */
    public Duration getDatabaseTimeout() {
      return databaseTimeout;
    }

    /**
     * Sets: longest wait of the database check.
     *
     * @param databaseTimeout the new value
     */
    public void setDatabaseTimeout(Duration databaseTimeout) {
      this.databaseTimeout = databaseTimeout;
    }
  }

  /** The threads that run the pipeline's blocking work (database, ffmpeg, hashing). */
  public static class Executor {
    /** The defaults; Spring's binder sets the rest. */
    public Executor() {
    }

    /** Number of threads; default: twice the available processors, at least 4. */
    private Integer threads;

    /**
     * Number of threads.
     *
     * @return the value, null when not set
     */
    public Integer getThreads() {
      return threads;
    }

    /**
     * Sets: number of threads.
     *
     * @param threads the new value
     */
    public void setThreads(Integer threads) {
      this.threads = threads;
    }
  }

  /** Orderly shutdown, after the web server has drained. */
  public static class Shutdown {
    /** The defaults; Spring's binder sets the rest. */
    public Shutdown() {
    }

    /**
     * Longest wait for in-flight processing and a running recovery run; keep it below
     * spring.lifecycle.timeout-per-shutdown-phase. Jobs still running then are left to recovery.
     */
    private Duration timeout = Duration.ofSeconds(25);

    /**
     * Longest wait for in-flight processing and a running recovery run.
     *
     * @return the value
     */
    public Duration getTimeout() {
      return timeout;
    }

    /**
     * Sets: longest wait for in-flight processing and a running recovery run.
     *
     * @param timeout the new value
     */
    public void setTimeout(Duration timeout) {
      this.timeout = timeout;
    }
  }
}
