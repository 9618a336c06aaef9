package dev.replicateaudio.jdbi;

import com.zaxxer.hikari.HikariDataSource;
import com.zaxxer.hikari.HikariPoolMXBean;
import com.zaxxer.hikari.pool.HikariPool;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.jdbi.internal.StorageErrors;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Health checks and pool statistics for a HikariCP pool (the seed's
 * {@code DatabaseConnectionMonitor}).
 *
 * <pre>{@code
 * DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.create(dataSource);
 * DatabaseHealth health = monitor.healthCheck();      // never throws for a down database
 * PoolStats stats = monitor.poolStats();
 * try (DatabaseConnectionMonitor.Reporting reporting =
 *          monitor.startReporting(scheduler, Duration.ofMinutes(1))) {
 *   ...                                              // a line per minute; a WARN if the pool runs hot
 * }
 * }</pre>
 *
 * <p>{@link #healthCheck()} borrows a connection, waiting at most the health check timeout
 * (default 2 s) instead of the pool's own timeout, and runs {@code SELECT 1} under the same
 * timeout (rounded up to whole seconds, as JDBC counts it; on H2, under the session's
 * {@code QUERY_TIMEOUT}, because H2 would keep a per-statement timeout for the whole session). {@link #sample()} takes
 * {@link #poolStats()} and logs a WARN when utilisation ({@code active / maximum}) has been at or
 * above the threshold (default 0.8) for a number of samples in a row (default 3); once per episode,
 * with an INFO when it falls back. Health changes are logged once each: a WARN when the database
 * becomes unhealthy, an INFO when it recovers.
 *
 * <p>This class is thread-safe.
 */
public final class DatabaseConnectionMonitor {
  /** Default for {@link Builder#healthCheckTimeout}: 2 s. */
  public static final Duration DEFAULT_HEALTH_CHECK_TIMEOUT = Duration.ofSeconds(2);
  /** Default for {@link Builder#utilisationThreshold}: {@value}. */
  public static final double DEFAULT_UTILISATION_THRESHOLD = 0.8;
  /** Default for {@link Builder#sustainedSamples}: {@value} samples. */
  public static final int DEFAULT_SUSTAINED_SAMPLES = 3;

  private static final Logger LOG = LoggerFactory.getLogger(DatabaseConnectionMonitor.class);

  private final HikariDataSource dataSource;
  private final Duration healthCheckTimeout;
  private final double utilisationThreshold;
  private final int sustainedSamples;
  private final Consumer<PoolStats> onHighUtilisation;
  private final Object lock = new Object();
  private int samplesAbove; // guarded by lock
  private Boolean lastHealthy; // guarded by lock

  private DatabaseConnectionMonitor(Builder b) {
    this.dataSource = b.dataSource;
    this.healthCheckTimeout = b.healthCheckTimeout;
    this.utilisationThreshold = b.utilisationThreshold;
    this.sustainedSamples = b.sustainedSamples;
    this.onHighUtilisation = b.onHighUtilisation;
  }

  /**
   * A monitor with the defaults; the same as {@code builder(dataSource).build()}.
   *
   * @param dataSource the pool to watch; the monitor never closes it
   * @return a new monitor
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static DatabaseConnectionMonitor create(HikariDataSource dataSource) {
    return builder(dataSource).build();
  }

  /**
   * A builder starting from the defaults.
   *
   * @param dataSource the pool to watch; the monitor never closes it
   * @return a new builder
   * @throws NullPointerException if {@code dataSource} is null
   */
  public static Builder builder(HikariDataSource dataSource) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource == null"));
  }

  /**
   * Checks that the database answers a cheap query in time. Never throws for a database that is
   * down, unreachable, or a pool that is exhausted or closed: the result says so. Blocks the calling
   * thread up to the health check timeout waiting for a connection, then up to that timeout again
   * (whole seconds, rounded up; on H2 the session's {@code QUERY_TIMEOUT}) for the query. A
   * {@link HikariDataSource} made with its no-argument constructor starts its pool on first use: a
   * check before that waits for the connection up to the pool's own timeout instead. The connection
   * goes back to the pool. A change of health is logged (WARN, then INFO on recovery).
   *
   * @return the result; unhealthy ones carry the pool's or the database's error message
   */
  public DatabaseHealth healthCheck() {
    Instant checkedAt = Instant.now();
    long start = System.nanoTime();
    String error = null;
    if (dataSource.isClosed()) {
      error = "connection pool '" + dataSource.getPoolName() + "' is closed";
    } else {
      try (Connection connection = borrow(); Statement statement = connection.createStatement()) {
        if (!"H2".equals(connection.getMetaData().getDatabaseProductName())) {
          // H2 turns a statement's query timeout into a setting of the whole session, which would
          // outlive this check on the pooled connection; its own QUERY_TIMEOUT bounds the query
          statement.setQueryTimeout((int) Math.max(1, (healthCheckTimeout.toMillis() + 999) / 1000));
        }
        try (ResultSet rs = statement.executeQuery("SELECT 1")) {
          if (!rs.next()) {
            error = "SELECT 1 returned no row";
          }
        }
      } catch (SQLException | RuntimeException e) {
        error = StorageErrors.translate("health check", e).getMessage();
      }
    }
    DatabaseHealth health = new DatabaseHealth(error == null, Duration.ofNanos(System.nanoTime() - start), error,
        checkedAt);
    synchronized (lock) {
      if (!health.healthy() && !Boolean.FALSE.equals(lastHealthy)) {
        LOG.warn("Database of pool '{}' is unhealthy: {}", dataSource.getPoolName(), error);
      } else if (health.healthy() && Boolean.FALSE.equals(lastHealthy)) {
        LOG.info("Database of pool '{}' is healthy again", dataSource.getPoolName());
      }
      lastHealthy = health.healthy();
    }
    return health;
  }

  /**
   * The pool's numbers right now, read from HikariCP without borrowing a connection; no logging, no
   * effect on {@link #sample()}'s count.
   *
   * @return the snapshot; all zero but {@code maximum} while the pool is not running (closed, or not
   *     started yet)
   */
  public PoolStats poolStats() {
    HikariPoolMXBean pool = dataSource.isClosed() ? null : dataSource.getHikariPoolMXBean();
    int maximum = dataSource.getMaximumPoolSize();
    if (pool == null) {
      return PoolStats.of(0, 0, 0, 0, maximum);
    }
    return PoolStats.of(pool.getActiveConnections(), pool.getIdleConnections(), pool.getTotalConnections(),
        pool.getThreadsAwaitingConnection(), maximum);
  }

  /**
   * Takes {@link #poolStats()} and tracks utilisation: when it has been at or above the threshold
   * for the configured number of samples in a row, logs a WARN and calls the
   * {@link Builder#onHighUtilisation} listener, once until it falls below again (then an INFO).
   * The listener runs on the calling thread; an exception it throws is logged at WARN and not
   * passed on.
   *
   * @return the numbers sampled
   */
  public PoolStats sample() {
    PoolStats stats = poolStats();
    boolean alert = false;
    synchronized (lock) {
      if (stats.utilisation() >= utilisationThreshold) {
        samplesAbove++;
        alert = samplesAbove == sustainedSamples;
      } else {
        if (samplesAbove >= sustainedSamples) {
          LOG.info("Connection pool '{}' utilisation is back below {}: {}", dataSource.getPoolName(),
              percent(utilisationThreshold), describe(stats));
        }
        samplesAbove = 0;
      }
    }
    if (alert) {
      LOG.warn("Connection pool '{}' utilisation has been at or above {} for {} samples in a row: {}."
              + " Raise DB_POOL_SIZE / DB_MAX_OVERFLOW or find what holds connections",
          dataSource.getPoolName(), percent(utilisationThreshold), sustainedSamples, describe(stats));
      try {
        onHighUtilisation.accept(stats);
      } catch (RuntimeException e) {
        LOG.warn("The onHighUtilisation listener of pool '{}' threw", dataSource.getPoolName(), e);
      }
    }
    return stats;
  }

  /**
   * Every {@code interval}, on {@code scheduler}, calls {@link #sample()} and logs the numbers at
   * INFO. Stops by itself when the pool is closed. See
   * {@link #startReporting(ScheduledExecutorService, Duration, Consumer)}.
   *
   * @param scheduler the host's scheduler; it stays the host's to shut down
   * @param interval the pause between the end of one report and the start of the next, also before
   *     the first: 10 ms to 24 h
   * @return the handle that stops this reporting
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code interval} is out of range
   * @throws java.util.concurrent.RejectedExecutionException if {@code scheduler} refuses the task
   *     (it was shut down)
   */
  public Reporting startReporting(ScheduledExecutorService scheduler, Duration interval) {
    return startReporting(scheduler, interval, stats ->
        LOG.info("Connection pool '{}': {}", dataSource.getPoolName(), describe(stats)));
  }

  /**
   * Every {@code interval}, on {@code scheduler}, calls {@link #sample()} and hands the numbers to
   * {@code sink} (which must be fast; an exception it throws is logged and reporting goes on).
   * Stops by itself when the pool is closed. The scheduler stays the host's: closing the returned
   * handle cancels only this task.
   *
   * @param scheduler the host's scheduler; it stays the host's to shut down
   * @param interval the pause between the end of one report and the start of the next, also before
   *     the first: 10 ms to 24 h
   * @param sink receives each sample on the scheduler's thread
   * @return the handle that stops this reporting
   * @throws NullPointerException if an argument is null
   * @throws IllegalArgumentException if {@code interval} is out of range
   * @throws java.util.concurrent.RejectedExecutionException if {@code scheduler} refuses the task
   *     (it was shut down)
   */
  public Reporting startReporting(ScheduledExecutorService scheduler, Duration interval, Consumer<PoolStats> sink) {
    Objects.requireNonNull(scheduler, "scheduler == null");
    Objects.requireNonNull(interval, "interval == null");
    Objects.requireNonNull(sink, "sink == null");
    if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofDays(1)) > 0) {
      throw new IllegalArgumentException("interval=" + SettingParsers.describe(interval)
          + " is out of range: accepted 10 ms to 24 h");
    }
    Reporting reporting = new Reporting();
    long millis = interval.toMillis();
    reporting.future = scheduler.scheduleWithFixedDelay(() -> {
      if (dataSource.isClosed()) {
        reporting.close();
        return;
      }
      try {
        sink.accept(sample());
      } catch (RuntimeException e) {
        LOG.warn("Pool report of '{}' failed", dataSource.getPoolName(), e);
      }
    }, millis, millis, TimeUnit.MILLISECONDS);
    return reporting;
  }

  @Override
  public String toString() {
    return "DatabaseConnectionMonitor[" + dataSource.getPoolName() + "]";
  }

  private Connection borrow() throws SQLException {
    HikariPoolMXBean pool = dataSource.getHikariPoolMXBean();
    if (pool instanceof HikariPool) {
      // the pool's own timeout (DB_POOL_TIMEOUT, 30 s) is far too long for a health check
      return ((HikariPool) pool).getConnection(healthCheckTimeout.toMillis());
    }
    return dataSource.getConnection();
  }

  private static String describe(PoolStats s) {
    return "active=" + s.active() + ", idle=" + s.idle() + ", total=" + s.total() + ", waiting="
        + s.threadsAwaiting() + ", maximum=" + s.maximum() + ", utilisation=" + percent(s.utilisation());
  }

  private static String percent(double fraction) {
    return String.format(Locale.ROOT, "%.0f%%", fraction * 100);
  }

  /** Periodic reporting; {@link #close()} stops it. Thread-safe; closing twice is harmless. */
  public static final class Reporting implements AutoCloseable {
    private volatile ScheduledFuture<?> future;

    private Reporting() {
    }

    /**
     * Whether reports are still scheduled.
     *
     * @return true until closed (or until the pool closed, or the scheduler shut down)
     */
    public boolean isActive() {
      ScheduledFuture<?> f = future;
      return f != null && !f.isDone();
    }

    /** Stops reporting; a report running right now finishes. */
    @Override
    public void close() {
      ScheduledFuture<?> f = future;
      if (f != null) {
        f.cancel(false);
      }
    }
  }

  /** Builds a {@link DatabaseConnectionMonitor}. Not thread-safe. */
  public static final class Builder {
    private final HikariDataSource dataSource;
    private Duration healthCheckTimeout = DEFAULT_HEALTH_CHECK_TIMEOUT;
    private double utilisationThreshold = DEFAULT_UTILISATION_THRESHOLD;
    private int sustainedSamples = DEFAULT_SUSTAINED_SAMPLES;
    private Consumer<PoolStats> onHighUtilisation = stats -> { };

    private Builder(HikariDataSource dataSource) {
      this.dataSource = dataSource;
    }

    /**
     * How long a health check may wait for a connection, and then for its query (which JDBC counts in
     * whole seconds, rounded up).
     *
     * @param timeout 250 ms to 5 min; default 2 s
     * @return this builder
     * @throws NullPointerException if {@code timeout} is null
     * @throws IllegalArgumentException if it is out of range
     */
    public Builder healthCheckTimeout(Duration timeout) {
      Objects.requireNonNull(timeout, "timeout == null");
      if (timeout.compareTo(Duration.ofMillis(250)) < 0 || timeout.compareTo(Duration.ofMinutes(5)) > 0) {
        throw new IllegalArgumentException("healthCheckTimeout=" + SettingParsers.describe(timeout)
            + " is out of range: accepted 250 ms to 5 min");
      }
      this.healthCheckTimeout = timeout;
      return this;
    }

    /**
     * The utilisation ({@code active / maximum}) at or above which the pool counts as running hot.
     *
     * @param threshold in (0, 1]; default 0.8
     * @return this builder
     * @throws IllegalArgumentException if it is out of range (NaN included)
     */
    public Builder utilisationThreshold(double threshold) {
      if (!(threshold > 0 && threshold <= 1)) {
        throw new IllegalArgumentException("utilisationThreshold=" + threshold + " is out of range: accepted (0, 1]");
      }
      this.utilisationThreshold = threshold;
      return this;
    }

    /**
     * How many samples in a row must be at or above the threshold before the WARN.
     *
     * @param samples 1 to 1000; default 3
     * @return this builder
     * @throws IllegalArgumentException if it is out of range
     */
    public Builder sustainedSamples(int samples) {
      if (samples < 1 || samples > 1000) {
        throw new IllegalArgumentException("sustainedSamples=" + samples + " is out of range: accepted 1 to 1000");
      }
      this.sustainedSamples = samples;
      return this;
    }

    /**
     * Called (on the sampling thread) alongside the WARN, once per episode; must be fast. An
     * exception it throws is logged at WARN and not passed on.
     *
     * @param listener receives the sample that crossed the line; default: nothing
     * @return this builder
     * @throws NullPointerException if {@code listener} is null
     */
    public Builder onHighUtilisation(Consumer<PoolStats> listener) {
      this.onHighUtilisation = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * Builds the monitor. The values were checked by the setters.
     *
     * @return a new monitor
     */
    public DatabaseConnectionMonitor build() {
      return new DatabaseConnectionMonitor(this);
    }
  }
}
