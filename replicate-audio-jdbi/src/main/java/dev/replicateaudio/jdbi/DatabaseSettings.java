package dev.replicateaudio.jdbi;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.pool.HikariPool;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.jdbi.internal.EvictBrokenConnections;
import dev.replicateaudio.jdbi.internal.StorageErrors;
import dev.replicateaudio.port.StorageException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Database connection and pool settings (the seed's {@code DB_POOL_SIZE} / {@code DB_MAX_OVERFLOW}
 * pooling), and the HikariCP pool made from them. Immutable; derive changed copies with
 * {@link #toBuilder()}.
 *
 * <pre>{@code
 * DatabaseSettings settings = DatabaseSettings.fromEnvironment();
 * try (HikariDataSource dataSource = settings.createDataSource()) {
 *   SchemaInstaller.install(dataSource);
 *   Jdbi jdbi = Jdbi.create(dataSource);
 *   ...
 * }
 * }</pre>
 *
 * <table>
 *   <caption>Settings, environment variables and defaults</caption>
 *   <tr><th>setting</th><th>variable</th><th>default</th><th>accepted</th></tr>
 *   <tr><td>{@code url}</td><td>{@code DATABASE_URL}</td><td>{@value #DEFAULT_URL}</td>
 *       <td>{@code jdbc:h2:...}, {@code jdbc:postgresql:...}, {@code jdbc:mysql:...} (MySQL Connector/J, to
 *       MySQL or MariaDB), {@code jdbc:mariadb:...} (MariaDB Connector/J) or {@code jdbc:sqlite:<file>}</td></tr>
 *   <tr><td>{@code user}</td><td>{@code DB_USER}</td><td>none (the driver's default)</td><td>any</td></tr>
 *   <tr><td>{@code password}</td><td>{@code DB_PASSWORD}</td><td>none</td><td>any; never printed</td></tr>
 *   <tr><td>{@code poolName}</td><td>{@code DB_POOL_NAME}</td><td>{@value #DEFAULT_POOL_NAME}</td>
 *       <td>1 to 64 of {@code [A-Za-z0-9_.-]}</td></tr>
 *   <tr><td>{@code poolSize}</td><td>{@code DB_POOL_SIZE}</td><td>5</td><td>1 to 1000 connections</td></tr>
 *   <tr><td>{@code maxOverflow}</td><td>{@code DB_MAX_OVERFLOW}</td><td>10</td><td>0 to 1000 connections</td></tr>
 *   <tr><td>{@code poolTimeout}</td><td>{@code DB_POOL_TIMEOUT}</td><td>30 s</td><td>250 ms to 24 h</td></tr>
 *   <tr><td>{@code poolRecycle}</td><td>{@code DB_POOL_RECYCLE}</td><td>30 min</td><td>30 s to 24 h</td></tr>
 *   <tr><td>{@code idleTimeout}</td><td>{@code DB_POOL_IDLE_TIMEOUT}</td><td>10 min</td>
 *       <td>10 s to 24 h, at least 1 s below {@code poolRecycle}</td></tr>
 *   <tr><td>{@code statementTimeout}</td><td>{@code DB_STATEMENT_TIMEOUT}</td><td>30 s</td><td>1 ms to 24 h</td></tr>
 *   <tr><td>{@code leakDetectionThreshold}</td><td>{@code DB_LEAK_DETECTION_THRESHOLD}</td><td>60 s</td>
 *       <td>0 (off), or 2 s up to {@code poolRecycle}</td></tr>
 * </table>
 *
 * <p>The pool keeps {@code poolSize} connections open, grows up to {@code poolSize + maxOverflow}
 * under load, and closes the extra ones after {@code idleTimeout} of disuse (HikariCP
 * {@code minimumIdle = poolSize}, {@code maximumPoolSize = poolSize + maxOverflow}). A caller waits
 * at most {@code poolTimeout} for a connection; every connection is replaced after
 * {@code poolRecycle}; a connection held longer than {@code leakDetectionThreshold} is reported
 * with the stack trace of the code that took it.
 *
 * <p>Durations accept seconds ({@code 30}, {@code 2.5}) or ISO-8601 ({@code PT30M}). Unset or
 * blank variables take the default. Invalid values throw {@link ConfigurationException} listing
 * every bad variable at once, in the same style as {@link ReplicateAudioSettings}. The password is
 * masked in {@link #toString()}, in messages and in URLs that embed one.
 *
 * <p>This class is immutable and thread-safe; its {@link Builder} is not thread-safe.
 *
 * @param url the JDBC URL of an H2, PostgreSQL, MySQL, MariaDB or SQLite database
 * @param user the database user; null for the driver's default
 * @param password the user's password; null for none
 * @param poolName the pool's name, in HikariCP's log lines and threads and in PostgreSQL's
 *     {@code application_name}
 * @param poolSize the connections kept open
 * @param maxOverflow how many more connections the pool may open under load
 * @param poolTimeout the longest a caller waits for a connection
 * @param poolRecycle the longest a connection lives before it is replaced
 * @param idleTimeout how long an overflow connection may sit idle before it is closed
 * @param statementTimeout the longest one statement (lock waits included) may run
 * @param leakDetectionThreshold how long a connection may be held before a leak is reported;
 *     zero turns leak detection off
 */
public record DatabaseSettings(
    String url,
    String user,
    String password,
    String poolName,
    int poolSize,
    int maxOverflow,
    Duration poolTimeout,
    Duration poolRecycle,
    Duration idleTimeout,
    Duration statementTimeout,
    Duration leakDetectionThreshold) {

  /**
   * An H2 database in the file {@code replicate-audio.mv.db} of the working directory: it keeps
   * jobs and audio across restarts (recovery needs the pending jobs) and needs no server.
   */
  public static final String DEFAULT_URL = "jdbc:h2:file:./replicate-audio";
  /** Default {@code poolName}: {@value}. */
  public static final String DEFAULT_POOL_NAME = "replicate-audio";
  /** Default {@code poolSize}: {@value} connections. */
  public static final int DEFAULT_POOL_SIZE = 5;
  /** Default {@code maxOverflow}: {@value} connections. */
  public static final int DEFAULT_MAX_OVERFLOW = 10;
  /** Default {@code poolTimeout}: 30 s. */
  public static final Duration DEFAULT_POOL_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@code poolRecycle}: 30 min. */
  public static final Duration DEFAULT_POOL_RECYCLE = Duration.ofMinutes(30);
  /** Default {@code idleTimeout}: 10 min. */
  public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(10);
  /** Default {@code statementTimeout}: 30 s. */
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(30);
  /** Default {@code leakDetectionThreshold}: 60 s. */
  public static final Duration DEFAULT_LEAK_DETECTION_THRESHOLD = Duration.ofSeconds(60);

  /** The largest {@code poolSize} and the largest {@code maxOverflow}. */
  public static final int MAX_CONNECTIONS = 1000;
  /** HikariCP's smallest connection timeout. */
  public static final Duration MIN_POOL_TIMEOUT = Duration.ofMillis(250);
  /** HikariCP's smallest maximum lifetime. */
  public static final Duration MIN_POOL_RECYCLE = Duration.ofSeconds(30);
  /** HikariCP's smallest idle timeout. */
  public static final Duration MIN_IDLE_TIMEOUT = Duration.ofSeconds(10);
  /** HikariCP's smallest leak detection threshold (zero turns it off). */
  public static final Duration MIN_LEAK_DETECTION_THRESHOLD = Duration.ofSeconds(2);
  /** The smallest statement timeout: the databases count it in milliseconds. */
  public static final Duration MIN_STATEMENT_TIMEOUT = Duration.ofMillis(1);

  /** Environment variable of {@code url}: {@value}. */
  public static final String ENV_URL = "DATABASE_URL";
  /** Environment variable of {@code user}: {@value}. */
  public static final String ENV_USER = "DB_USER";
  /** Environment variable of {@code password}: {@value}. */
  public static final String ENV_PASSWORD = "DB_PASSWORD";
  /** Environment variable of {@code poolName}: {@value}. */
  public static final String ENV_POOL_NAME = "DB_POOL_NAME";
  /** Environment variable of {@code poolSize}: {@value}. */
  public static final String ENV_POOL_SIZE = "DB_POOL_SIZE";
  /** Environment variable of {@code maxOverflow}: {@value}. */
  public static final String ENV_MAX_OVERFLOW = "DB_MAX_OVERFLOW";
  /** Environment variable of {@code poolTimeout}: {@value}. */
  public static final String ENV_POOL_TIMEOUT = "DB_POOL_TIMEOUT";
  /** Environment variable of {@code poolRecycle}: {@value}. */
  public static final String ENV_POOL_RECYCLE = "DB_POOL_RECYCLE";
  /** Environment variable of {@code idleTimeout}: {@value}. */
  public static final String ENV_IDLE_TIMEOUT = "DB_POOL_IDLE_TIMEOUT";
  /** Environment variable of {@code statementTimeout}: {@value}. */
  public static final String ENV_STATEMENT_TIMEOUT = "DB_STATEMENT_TIMEOUT";
  /** Environment variable of {@code leakDetectionThreshold}: {@value}. */
  public static final String ENV_LEAK_DETECTION_THRESHOLD = "DB_LEAK_DETECTION_THRESHOLD";

  private static final Duration MAX_TIMEOUT = ReplicateAudioSettings.MAX_TIMEOUT;
  private static final Pattern POOL_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  /** A {@code password=} or {@code pwd=} parameter: its separator, its name, its value. */
  private static final Pattern URL_PASSWORD_PARAMETER = Pattern.compile("([?&;])((?i)password|pwd)=([^&;#]*)");
  private static final Pattern URL_PASSWORD = Pattern.compile("(?i)((?:password|pwd|sslpassword)=)[^&;]*");
  private static final Pattern URL_USERINFO = Pattern.compile("//([^/:@;?]+):[^@/;?]*@");
  private static final String MASK = "<masked>";
  private static final String ACCEPTED_PREFIXES =
      "jdbc:h2:, jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:sqlite:";
  private static final String ACCEPTED_URLS = "jdbc:h2:... (H2), jdbc:postgresql:... (PostgreSQL), jdbc:mysql:..."
      + " (MySQL or MariaDB, MySQL Connector/J), jdbc:mariadb:... (MariaDB or MySQL, MariaDB Connector/J) or"
      + " jdbc:sqlite:<file> (SQLite)";
  /** A SQLite URL naming a file: not empty, not {@code :memory:}, no {@code mode=memory}. */
  private static final Pattern SQLITE_FILE = Pattern.compile(
      "(?i)jdbc:sqlite:(?!$|\\?|:memory:|file::memory:)(?!.*[?&]mode=memory).+");

  /**
   * Checks every value at once.
   *
   * @param url the JDBC URL of an H2, PostgreSQL, MySQL, MariaDB or SQLite database, without
   *     leading or trailing whitespace; a SQLite URL must name a file (not {@code :memory:})
   * @param user the database user; null for the driver's default
   * @param password the user's password; null for none. When the URL carries a {@code password=}
   *     (or {@code pwd=}) too, the two must be equal
   * @param poolName 1 to 64 characters of {@code [A-Za-z0-9_.-]}
   * @param poolSize the connections kept open: 1 to {@value #MAX_CONNECTIONS}
   * @param maxOverflow the extra connections opened under load: 0 to {@value #MAX_CONNECTIONS}
   * @param poolTimeout the longest a caller waits for a connection: 250 ms to 24 h
   * @param poolRecycle the longest a connection lives: 30 s to 24 h
   * @param idleTimeout how long an overflow connection may sit idle: 10 s to 24 h, and at least
   *     1 s below {@code poolRecycle} (checked even when {@code maxOverflow} is 0 and the pool never
   *     closes idle connections)
   * @param statementTimeout the longest one statement may run: 1 ms to 24 h
   * @param leakDetectionThreshold zero (off), or 2 s up to {@code poolRecycle}
   * @throws ConfigurationException listing every invalid value, with what is accepted; a null
   *     {@code url}, {@code poolName} or duration is reported there too, not as a
   *     {@link NullPointerException}
   */
  public DatabaseSettings {
    List<String> problems = new ArrayList<>();
    checkUrl("url", url, problems);
    if (poolName == null || !POOL_NAME.matcher(poolName).matches()) {
      problems.add("poolName" + (poolName == null ? " is required" : "='" + SettingParsers.printable(poolName) + "'")
          + ": 1 to 64 characters of [A-Za-z0-9_.-]");
    }
    SettingParsers.checkRange("poolSize", poolSize, 1, MAX_CONNECTIONS, problems);
    SettingParsers.checkRange("maxOverflow", maxOverflow, 0, MAX_CONNECTIONS, problems);
    checkTimeout("poolTimeout", poolTimeout, MIN_POOL_TIMEOUT, problems);
    checkTimeout("poolRecycle", poolRecycle, MIN_POOL_RECYCLE, problems);
    checkTimeout("idleTimeout", idleTimeout, MIN_IDLE_TIMEOUT, problems);
    checkTimeout("statementTimeout", statementTimeout, MIN_STATEMENT_TIMEOUT, problems);
    if (leakDetectionThreshold == null) {
      problems.add("leakDetectionThreshold is required: 0 (off) or " + SettingParsers.TIMEOUT_FORMS);
    } else if (!leakDetectionThreshold.isZero()) {
      checkTimeout("leakDetectionThreshold", leakDetectionThreshold, MIN_LEAK_DETECTION_THRESHOLD, problems);
    }
    if (problems.isEmpty()) {
      // two passwords: which one the driver would use is a surprise either way
      Matcher inUrl = URL_PASSWORD_PARAMETER.matcher(url);
      if (password != null && inUrl.find() && !password.equals(decodedOrAsIs(inUrl.group(3)))) {
        problems.add("url (" + ENV_URL + ") carries a password (" + inUrl.group(2) + "=) and password (" + ENV_PASSWORD
            + ") gives a different one: set only one of them");
      }
      // rules HikariCP would otherwise "fix" silently with a warning in its log
      if (idleTimeout.plusSeconds(1).compareTo(poolRecycle) > 0) {
        problems.add("idleTimeout (" + ENV_IDLE_TIMEOUT + ")=" + SettingParsers.describe(idleTimeout)
            + " must be at least 1 s below poolRecycle (" + ENV_POOL_RECYCLE + ")="
            + SettingParsers.describe(poolRecycle));
      }
      if (leakDetectionThreshold.compareTo(poolRecycle) > 0) {
        problems.add("leakDetectionThreshold (" + ENV_LEAK_DETECTION_THRESHOLD + ")="
            + SettingParsers.describe(leakDetectionThreshold) + " must not be above poolRecycle ("
            + ENV_POOL_RECYCLE + ")=" + SettingParsers.describe(poolRecycle));
      }
    }
    if (!problems.isEmpty()) {
      throw new ConfigurationException(problems);
    }
  }

  /**
   * The defaults: an H2 database file in the working directory ({@value #DEFAULT_URL}), no user or
   * password, and the pool defaults of the table above.
   *
   * @return the default settings
   */
  public static DatabaseSettings defaults() {
    return builder().build();
  }

  /**
   * Reads {@code DATABASE_URL} and the {@code DB_*} variables of this process's environment, as
   * {@link #fromEnvironment(Map)} does.
   *
   * @return the settings, defaults for unset or blank variables
   * @throws ConfigurationException naming every variable whose value can't be used
   */
  public static DatabaseSettings fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Reads {@code DATABASE_URL} and the {@code DB_*} variables from {@code environment}; unset or
   * blank ones take their default, other keys are ignored. Values are stripped of surrounding
   * whitespace, except {@code DB_PASSWORD}, which is taken as it is (a blank one counts as unset).
   * {@code DB_LEAK_DETECTION_THRESHOLD=0} turns leak detection off. The password never appears in
   * a message.
   *
   * @param environment variable names to values, for example {@code System.getenv()}
   * @return the settings
   * @throws ConfigurationException naming every variable whose value can't be used
   */
  public static DatabaseSettings fromEnvironment(Map<String, String> environment) {
    Objects.requireNonNull(environment, "environment == null");
    SettingParsers.EnvReader env = new SettingParsers.EnvReader(environment);
    Builder b = builder();
    env.raw(ENV_URL).ifPresent(url -> {
      List<String> p = new ArrayList<>();
      checkUrl(ENV_URL, url, p);
      p.forEach(env::problem);
      b.url(url);
    });
    env.raw(ENV_USER).ifPresent(b::user);
    String password = environment.get(ENV_PASSWORD);
    if (password != null && !password.isBlank()) {
      b.password(password);
    }
    env.raw(ENV_POOL_NAME).ifPresent(name -> {
      if (POOL_NAME.matcher(name).matches()) {
        b.poolName(name);
      } else {
        env.problem(ENV_POOL_NAME, name, "is not accepted: 1 to 64 characters of [A-Za-z0-9_.-]");
      }
    });
    env.integer(ENV_POOL_SIZE, 1, MAX_CONNECTIONS).ifPresent(b::poolSize);
    env.integer(ENV_MAX_OVERFLOW, 0, MAX_CONNECTIONS).ifPresent(b::maxOverflow);
    timeout(env, ENV_POOL_TIMEOUT, MIN_POOL_TIMEOUT).ifPresent(b::poolTimeout);
    timeout(env, ENV_POOL_RECYCLE, MIN_POOL_RECYCLE).ifPresent(b::poolRecycle);
    timeout(env, ENV_IDLE_TIMEOUT, MIN_IDLE_TIMEOUT).ifPresent(b::idleTimeout);
    timeout(env, ENV_STATEMENT_TIMEOUT, MIN_STATEMENT_TIMEOUT).ifPresent(b::statementTimeout);
    Optional<String> leak = env.raw(ENV_LEAK_DETECTION_THRESHOLD);
    if (leak.isPresent() && SettingParsers.parseDuration(leak.get()).map(Duration::isZero).orElse(false)) {
      b.leakDetectionThreshold(Duration.ZERO);
    } else {
      timeout(env, ENV_LEAK_DETECTION_THRESHOLD, MIN_LEAK_DETECTION_THRESHOLD).ifPresent(b::leakDetectionThreshold);
    }
    env.throwIfProblems();
    return b.build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @return a new builder
   */
  public static Builder builder() {
    return new Builder();
  }

  /**
   * A builder holding this instance's values, to derive a changed copy.
   *
   * @return a new builder
   */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /**
   * {@link #url()} with any password in it replaced by {@code <masked>}: the values of
   * {@code password=}, {@code pwd=} and {@code sslpassword=} parameters (any case) and the password
   * of {@code //user:password@host}.
   *
   * @return the URL, safe for messages and logs
   */
  public String maskedUrl() {
    return maskUrl(url);
  }

  /**
   * The HikariCP configuration these settings stand for, for hosts that want to adjust it (a
   * metrics registry, say) before creating the pool themselves. Per database:
   *
   * <ul>
   *   <li><b>PostgreSQL</b>: every new connection runs {@code SET statement_timeout = <ms>}, so the
   *       server cancels a statement (lock waits included) that runs longer than
   *       {@code statementTimeout}, whatever client sent it; {@code ApplicationName} is the pool name,
   *       so {@code pg_stat_activity} shows whose connections these are.
   *   <li><b>H2</b>: settings the URL does not already set are appended to it.
   *       {@code LOCK_TIMEOUT=<statementTimeout ms>}: a writer waits that long for a row lock (H2's
   *       default is 1 s, too short when many webhook deliveries claim one job at once; like the
   *       seed's SQLite busy timeout). {@code QUERY_TIMEOUT=<statementTimeout ms>}: the statement
   *       timeout. For {@code jdbc:h2:mem:} URLs, {@code DB_CLOSE_DELAY=-1}: the database lives until
   *       the JVM exits or {@code SHUTDOWN} runs, instead of vanishing when the pool briefly has no
   *       connection open (when it recycles its only one, say). H2 2.x's defaults already give what
   *       the seed's SQLite got from WAL: the MVStore engine with multi-version concurrency (readers
   *       never block writers, row-level locks) and READ COMMITTED isolation; {@code WRITE_DELAY}
   *       stays at 500 ms, like SQLite's {@code synchronous=NORMAL}.
   *   <li><b>MySQL and MariaDB</b> (either driver; the server decides): every connection runs at
   *       {@code READ COMMITTED} (InnoDB's default, REPEATABLE READ, sets gap locks that make
   *       concurrent claims deadlock), and starts with {@code SET SESSION innodb_lock_wait_timeout =
   *       <statementTimeout, whole seconds, at least 1>}, plus {@code max_statement_time} (MariaDB,
   *       every statement) or {@code max_execution_time} (MySQL, SELECTs only), each applied only by
   *       the server it names. A connection that reports itself lost or killed is evicted at once.
   *       MySQL Connector/J also gets {@code characterEncoding=UTF-8}; both drivers
   *       {@code connectTimeout=<poolTimeout ms>} and {@code tcpKeepAlive=true}, unless the URL sets
   *       them. Audio goes in 256 KiB rows, so the server's {@code max_allowed_packet} needs no change.
   *   <li><b>SQLite</b>: parameters the URL does not already set are appended:
   *       {@code journal_mode=WAL} (readers never block the writer), {@code synchronous=NORMAL},
   *       {@code busy_timeout=<statementTimeout ms>} (how long a writer waits for the lock) and
   *       {@code transaction_mode=IMMEDIATE}: every transaction takes the database's write lock when
   *       it begins, so there is one writer at a time and none fails halfway, as a read that turns
   *       into a write would ({@code SQLITE_BUSY}). Single reads run outside transactions, beside the
   *       writer. The file must be on a local disk of the one host whose processes use it.
   * </ul>
   *
   * <p>On every database, a {@code password=} (or {@code pwd=}) parameter of the URL is moved to the
   * connection properties (unless its value holds {@code %} or {@code +}), so drivers that log their
   * URL don't log it. The HikariCP validation timeout is {@code poolTimeout}, at most 5 s; the
   * keepalive is 2 min (or half of {@code poolRecycle} when that is shorter, and off below 30 s); a
   * pool without overflow never closes idle connections.
   *
   * @return a new configuration each call; the caller may change it
   */
  public HikariConfig toHikariConfig() {
    SqlDialect dialect = SqlDialect.ofUrl(url).orElse(null);
    long statementMillis = Math.min(Integer.MAX_VALUE, ceilMillis(statementTimeout));
    HikariConfig c = new HikariConfig();
    c.setPoolName(poolName);
    String jdbcUrl = connectionUrl();
    if (dialect == SqlDialect.H2) {
      jdbcUrl = tuneH2Url(jdbcUrl, statementMillis);
    } else if (dialect == SqlDialect.SQLITE) {
      jdbcUrl = tuneSqliteUrl(jdbcUrl, statementMillis);
    }
    c.setJdbcUrl(jdbcUrl);
    if (user != null) {
      c.setUsername(user);
    }
    if (connectionPassword() != null) {
      c.setPassword(connectionPassword());
    }
    c.setMinimumIdle(poolSize);
    c.setMaximumPoolSize(poolSize + maxOverflow);
    c.setConnectionTimeout(poolTimeout.toMillis());
    c.setValidationTimeout(Math.min(5_000L, poolTimeout.toMillis()));
    c.setMaxLifetime(poolRecycle.toMillis());
    // a fixed-size pool (no overflow) never closes idle connections; 0 says so without a HikariCP warning
    c.setIdleTimeout(maxOverflow == 0 ? 0L : idleTimeout.toMillis());
    // HikariCP's default keepalive is 2 min; it must stay below the lifetime
    long keepalive = Math.min(Duration.ofMinutes(2).toMillis(), poolRecycle.toMillis() / 2);
    c.setKeepaliveTime(keepalive < 30_000L ? 0L : keepalive);
    c.setLeakDetectionThreshold(leakDetectionThreshold.toMillis());
    // every database: drop a connection that reported its own loss in a way HikariCP's rules miss
    c.setExceptionOverride(new EvictBrokenConnections());
    if (dialect == SqlDialect.POSTGRESQL) {
      c.setConnectionInitSql("SET statement_timeout = " + statementMillis);
      c.addDataSourceProperty("ApplicationName", poolName);
    } else if (dialect == SqlDialect.MYSQL || dialect == SqlDialect.MARIADB) {
      c.setTransactionIsolation("TRANSACTION_READ_COMMITTED");
      c.setConnectionInitSql(mysqlSessionSql(statementMillis));
      Set<String> present = urlParameters(url, "[?&]");
      long connectMillis = Math.min(Integer.MAX_VALUE, poolTimeout.toMillis());
      if (dialect == SqlDialect.MYSQL && !present.contains("characterencoding")) {
        c.addDataSourceProperty("characterEncoding", "UTF-8");
      }
      if (!present.contains("connecttimeout")) {
        c.addDataSourceProperty("connectTimeout", Long.toString(connectMillis));
      }
      if (!present.contains("tcpkeepalive")) {
        c.addDataSourceProperty("tcpKeepAlive", "true");
      }
    }
    return c;
  }

  /**
   * The session settings of a MySQL or MariaDB connection: the InnoDB lock wait in whole seconds
   * (at least 1), and the statement timeout in the variable of the server at hand, through
   * executable comments: {@code /*!80000 ...*}{@code /} runs on MySQL 8 only (MariaDB skips it),
   * {@code /*M!100108 ...*}{@code /} on MariaDB only.
   */
  static String mysqlSessionSql(long statementMillis) {
    long lockSeconds = Math.max(1, (statementMillis + 999) / 1000);
    return "SET SESSION innodb_lock_wait_timeout = " + lockSeconds
        + " /*!80000 , max_execution_time = " + statementMillis + " */"
        + " /*M!100108 , max_statement_time = " + statementMillis / 1000 + "."
        + String.format(Locale.ROOT, "%03d", statementMillis % 1000) + " */";
  }

  /**
   * Starts a HikariCP pool with {@link #toHikariConfig()}. It opens one connection right away and
   * checks the server ({@link SqlDialect#detect}), so a wrong URL or password, or a server older
   * than replicate-audio-jdbi needs, fails here and not on first use. The caller owns the pool:
   * close it on shutdown.
   *
   * @return the running pool, owned by the caller
   * @throws ConfigurationException when no JDBC driver on the classpath accepts the URL
   * @throws StorageException (retryable) when the database can't be reached; permanent when it
   *     refuses the user or password, or when it is not supported or too old (the message names the version found and the one needed), and
   *     then the pool is closed again
   */
  public HikariDataSource createDataSource() {
    try {
      DriverManager.getDriver(connectionUrl());
    } catch (SQLException e) {
      throw new ConfigurationException("DATABASE_URL='" + maskedUrl() + "' has no JDBC driver on the classpath;"
          + " add " + driverArtifact(SqlDialect.ofUrl(url).orElseThrow()));
    }
    HikariDataSource pool;
    try {
      pool = new HikariDataSource(toHikariConfig());
    } catch (HikariPool.PoolInitializationException e) {
      Throwable root = e;
      while (root.getCause() != null && root.getCause() != root) {
        root = root.getCause();
      }
      String message = "Could not start connection pool '" + poolName + "' for " + maskedUrl() + ": "
          + StorageErrors.firstLine(root);
      if (StorageErrors.credentialsRefused(e) != null) {
        // a wrong user or password stays wrong: not worth a retry
        throw StorageException.permanent(message + " (the database refused the credentials: check DB_USER and"
            + " DB_PASSWORD)", e);
      }
      throw new StorageException(message, e);
    }
    try (Connection c = pool.getConnection()) {
      SqlDialect.detect(c); // an unsupported or too old server fails here, naming the version found and needed
    } catch (SQLException | RuntimeException e) {
      pool.close();
      throw StorageErrors.translate("Checking the database of pool '" + poolName + "' (" + maskedUrl() + ")", e);
    }
    return pool;
  }

  /** The Maven coordinates of the JDBC driver for {@code dialect}'s URLs. */
  static String driverArtifact(SqlDialect dialect) {
    switch (dialect) {
      case H2:
        return "com.h2database:h2";
      case POSTGRESQL:
        return "org.postgresql:postgresql";
      case MYSQL:
        return "com.mysql:mysql-connector-j";
      case MARIADB:
        return "org.mariadb.jdbc:mariadb-java-client";
      default:
        return "org.xerial:sqlite-jdbc";
    }
  }

  /**
   * Every value, the password and any password in the URL masked.
   *
   * @return the settings, safe for messages and logs
   */
  @Override
  public String toString() {
    return "DatabaseSettings[url=" + maskedUrl()
        + ", user=" + user
        + ", password=" + (password == null ? "<none>" : MASK)
        + ", poolName=" + poolName
        + ", poolSize=" + poolSize
        + ", maxOverflow=" + maxOverflow
        + ", poolTimeout=" + SettingParsers.describe(poolTimeout)
        + ", poolRecycle=" + SettingParsers.describe(poolRecycle)
        + ", idleTimeout=" + SettingParsers.describe(idleTimeout)
        + ", statementTimeout=" + SettingParsers.describe(statementTimeout)
        + ", leakDetectionThreshold=" + SettingParsers.describe(leakDetectionThreshold) + "]";
  }

  /**
   * The URL the pool and the drivers get: {@link #url()} without a {@code password=} (or
   * {@code pwd=}) parameter, which {@link #connectionPassword()} hands over as a connection property
   * instead. Drivers log the URL they are given (PostgreSQL's at FINE, and when asked whether they
   * accept someone else's URL); a password must not be in it. A value with {@code %} or {@code +}
   * stays in the URL, where the driver decodes it; so do {@code user:password@} and
   * {@code sslpassword=}, which messages mask all the same.
   */
  String connectionUrl() {
    Matcher m = URL_PASSWORD_PARAMETER.matcher(url);
    if (!m.find() || m.group(3).indexOf('%') >= 0 || m.group(3).indexOf('+') >= 0) {
      return url;
    }
    String rest = url.substring(m.end());
    String separator = m.group(1);
    if (separator.equals("?")) {
      // the first query parameter: the next one, if any, becomes the first
      return url.substring(0, m.start()) + (rest.startsWith("&") ? "?" + rest.substring(1) : rest);
    }
    return url.substring(0, m.start()) + rest;
  }

  /** {@code value} %-decoded as a URL query value, or as it is when it is not valid %-encoding. */
  private static String decodedOrAsIs(String value) {
    try {
      return java.net.URLDecoder.decode(value, java.nio.charset.StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return value;
    }
  }

  /** The password to connect with: the URL's, when {@link #connectionUrl()} took it out; else {@link #password()}. */
  String connectionPassword() {
    Matcher m = URL_PASSWORD_PARAMETER.matcher(url);
    if (m.find() && m.group(3).indexOf('%') < 0 && m.group(3).indexOf('+') < 0) {
      return m.group(3);
    }
    return password;
  }

  /** {@code url} with passwords (query or {@code ;} parameters, and {@code user:password@}) masked. */
  static String maskUrl(String url) {
    if (url == null) {
      return null;
    }
    String masked = URL_PASSWORD.matcher(url).replaceAll("$1" + MASK);
    return URL_USERINFO.matcher(masked).replaceAll("//$1:" + MASK + "@");
  }

  /** Appends the SQLite settings {@link #toHikariConfig()} describes, unless the URL sets them already. */
  static String tuneSqliteUrl(String url, long statementMillis) {
    Set<String> present = urlParameters(url, "[?&]");
    StringBuilder tuned = new StringBuilder(url);
    char separator = url.indexOf('?') < 0 ? '?' : '&';
    String[][] wanted = {{"journal_mode", "WAL"}, {"synchronous", "NORMAL"},
        {"busy_timeout", Long.toString(statementMillis)}, {"transaction_mode", "IMMEDIATE"}};
    for (String[] setting : wanted) {
      if (!present.contains(setting[0])) {
        tuned.append(separator).append(setting[0]).append('=').append(setting[1]);
        separator = '&';
      }
    }
    return tuned.toString();
  }

  /** The lower-case names of the parameters in {@code url}'s query (after {@code ?}, split by {@code separators}). */
  private static Set<String> urlParameters(String url, String separators) {
    Set<String> names = new HashSet<>();
    int q = url.indexOf('?');
    if (q < 0) {
      return names;
    }
    for (String part : url.substring(q + 1).split(separators)) {
      int eq = part.indexOf('=');
      String name = (eq < 0 ? part : part.substring(0, eq)).trim().toLowerCase(Locale.ROOT);
      if (!name.isEmpty()) {
        names.add(name);
      }
    }
    return names;
  }

  /** Appends the H2 settings {@link #toHikariConfig()} describes, unless the URL sets them already. */
  static String tuneH2Url(String url, long statementMillis) {
    Set<String> present = new HashSet<>();
    String[] parts = url.split(";");
    for (int i = 1; i < parts.length; i++) {
      int eq = parts[i].indexOf('=');
      present.add((eq < 0 ? parts[i] : parts[i].substring(0, eq)).trim().toUpperCase(Locale.ROOT));
    }
    StringBuilder tuned = new StringBuilder(url);
    if (!present.contains("LOCK_TIMEOUT")) {
      tuned.append(";LOCK_TIMEOUT=").append(statementMillis);
    }
    if (!present.contains("QUERY_TIMEOUT")) {
      tuned.append(";QUERY_TIMEOUT=").append(statementMillis);
    }
    if (url.toLowerCase(Locale.ROOT).startsWith("jdbc:h2:mem:") && !present.contains("DB_CLOSE_DELAY")) {
      tuned.append(";DB_CLOSE_DELAY=-1");
    }
    return tuned.toString();
  }

  private static long ceilMillis(Duration d) {
    long millis = d.toMillis();
    return d.minusMillis(millis).isZero() ? millis : millis + 1;
  }

  private static void checkUrl(String name, String url, List<String> problems) {
    if (url == null || url.isBlank()) {
      problems.add(name + " is required: a JDBC URL starting with " + ACCEPTED_PREFIXES);
    } else if (SqlDialect.ofUrl(url.trim()).isEmpty()) {
      problems.add(name + "='" + SettingParsers.printable(maskUrl(url)) + "' is not supported: accepted "
          + ACCEPTED_URLS);
    } else if (!url.equals(url.trim())) {
      problems.add(name + "='" + SettingParsers.printable(maskUrl(url)) + "' has leading or trailing whitespace");
    } else if (SqlDialect.ofUrl(url).orElseThrow() == SqlDialect.SQLITE && !SQLITE_FILE.matcher(url).matches()) {
      problems.add(name + "='" + SettingParsers.printable(maskUrl(url)) + "' is not supported: SQLite needs a"
          + " database file, jdbc:sqlite:/path/to/file.db (an in-memory database would be a different, empty one"
          + " on every pooled connection)");
    }
  }

  private static void checkTimeout(String name, Duration value, Duration min, List<String> problems) {
    int before = problems.size();
    SettingParsers.checkTimeout(name, value, MAX_TIMEOUT, problems);
    if (problems.size() == before && value.compareTo(min) < 0) {
      problems.add(name + "=" + SettingParsers.describe(value) + " is below the minimum of "
          + SettingParsers.describe(min));
    }
  }

  private static Optional<Duration> timeout(SettingParsers.EnvReader env, String variable, Duration min) {
    Optional<Duration> d = env.timeout(variable, MAX_TIMEOUT);
    if (d.isPresent() && d.get().compareTo(min) < 0) {
      env.problem(variable, env.raw(variable).orElse(""), "is below the minimum of " + SettingParsers.describe(min));
      return Optional.empty();
    }
    return d;
  }

  /** Builds {@link DatabaseSettings}; starts from the defaults. Not thread-safe. */
  public static final class Builder {
    private String url = DEFAULT_URL;
    private String user;
    private String password;
    private String poolName = DEFAULT_POOL_NAME;
    private int poolSize = DEFAULT_POOL_SIZE;
    private int maxOverflow = DEFAULT_MAX_OVERFLOW;
    private Duration poolTimeout = DEFAULT_POOL_TIMEOUT;
    private Duration poolRecycle = DEFAULT_POOL_RECYCLE;
    private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
    private Duration statementTimeout = DEFAULT_STATEMENT_TIMEOUT;
    private Duration leakDetectionThreshold = DEFAULT_LEAK_DETECTION_THRESHOLD;

    private Builder() {
    }

    private Builder(DatabaseSettings s) {
      url = s.url;
      user = s.user;
      password = s.password;
      poolName = s.poolName;
      poolSize = s.poolSize;
      maxOverflow = s.maxOverflow;
      poolTimeout = s.poolTimeout;
      poolRecycle = s.poolRecycle;
      idleTimeout = s.idleTimeout;
      statementTimeout = s.statementTimeout;
      leakDetectionThreshold = s.leakDetectionThreshold;
    }

    /**
     * Sets {@code url}; checked by {@link #build()}.
     *
     * @param url the JDBC URL: {@code jdbc:h2:}, {@code jdbc:postgresql:}, {@code jdbc:mysql:},
     *     {@code jdbc:mariadb:} or {@code jdbc:sqlite:<file>}; default {@value DatabaseSettings#DEFAULT_URL}
     * @return this builder
     */
    public Builder url(String url) {
      this.url = url;
      return this;
    }

    /**
     * Sets {@code user}.
     *
     * @param user the database user; null (the default) for the driver's default
     * @return this builder
     */
    public Builder user(String user) {
      this.user = user;
      return this;
    }

    /**
     * Sets {@code password}. It is never printed.
     *
     * @param password the user's password; null (the default) for none
     * @return this builder
     */
    public Builder password(String password) {
      this.password = password;
      return this;
    }

    /**
     * Sets {@code poolName}; checked by {@link #build()}.
     *
     * @param poolName the pool's name: 1 to 64 characters of {@code [A-Za-z0-9_.-]}; default
     *     {@value DatabaseSettings#DEFAULT_POOL_NAME}
     * @return this builder
     */
    public Builder poolName(String poolName) {
      this.poolName = poolName;
      return this;
    }

    /**
     * Sets {@code poolSize}; checked by {@link #build()}.
     *
     * @param poolSize the connections kept open: 1 to 1000; default 5
     * @return this builder
     */
    public Builder poolSize(int poolSize) {
      this.poolSize = poolSize;
      return this;
    }

    /**
     * Sets {@code maxOverflow}; checked by {@link #build()}.
     *
     * @param maxOverflow the extra connections opened under load: 0 to 1000; default 10
     * @return this builder
     */
    public Builder maxOverflow(int maxOverflow) {
      this.maxOverflow = maxOverflow;
      return this;
    }

    /**
     * Sets {@code poolTimeout}; checked by {@link #build()}.
     *
     * @param poolTimeout the longest a caller waits for a connection: 250 ms to 24 h; default 30 s
     * @return this builder
     */
    public Builder poolTimeout(Duration poolTimeout) {
      this.poolTimeout = poolTimeout;
      return this;
    }

    /**
     * Sets {@code poolRecycle}; checked by {@link #build()}.
     *
     * @param poolRecycle the longest a connection lives before it is replaced: 30 s to 24 h; default
     *     30 min
     * @return this builder
     */
    public Builder poolRecycle(Duration poolRecycle) {
      this.poolRecycle = poolRecycle;
      return this;
    }

    /**
     * Sets {@code idleTimeout}; checked by {@link #build()}.
     *
     * @param idleTimeout how long an overflow connection may sit idle before it is closed: 10 s to
     *     24 h and at least 1 s below {@code poolRecycle}; default 10 min
     * @return this builder
     */
    public Builder idleTimeout(Duration idleTimeout) {
      this.idleTimeout = idleTimeout;
      return this;
    }

    /**
     * Sets {@code statementTimeout}; checked by {@link #build()}.
     *
     * @param statementTimeout the longest one statement (lock waits included) may run: 1 ms to 24 h;
     *     default 30 s
     * @return this builder
     */
    public Builder statementTimeout(Duration statementTimeout) {
      this.statementTimeout = statementTimeout;
      return this;
    }

    /**
     * Sets {@code leakDetectionThreshold}; checked by {@link #build()}.
     *
     * @param leakDetectionThreshold how long a connection may be held before HikariCP logs a leak
     *     with the stack trace of the code that took it: zero (off), or 2 s up to {@code poolRecycle};
     *     default 60 s
     * @return this builder
     */
    public Builder leakDetectionThreshold(Duration leakDetectionThreshold) {
      this.leakDetectionThreshold = leakDetectionThreshold;
      return this;
    }

    /**
     * Builds the settings.
     *
     * @return the settings
     * @throws ConfigurationException listing every invalid value
     */
    public DatabaseSettings build() {
      return new DatabaseSettings(url, user, password, poolName, poolSize, maxOverflow, poolTimeout, poolRecycle,
          idleTimeout, statementTimeout, leakDetectionThreshold);
    }
  }
}
