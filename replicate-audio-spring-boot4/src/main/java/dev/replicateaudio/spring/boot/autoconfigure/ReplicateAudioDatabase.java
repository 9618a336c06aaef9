package dev.replicateaudio.spring.boot.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.jdbi.DatabaseConnectionMonitor;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.SqlDialect;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Optional;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * The database the starter stores jobs and audio in: the application's {@code DataSource}, or a
 * HikariCP pool of its own (closed with this bean, after the pipeline has stopped). Deliberately not
 * a {@code DataSource} bean, so that the application's autowiring and Spring Boot's DataSource
 * auto-configuration never see a second one. Thread-safe.
 */
public final class ReplicateAudioDatabase implements AutoCloseable {
  private final DataSource dataSource;
  private final HikariDataSource ownPool;
  private final DatabaseSettings ownSettings;
  private final Jdbi jdbi;
  private final DatabaseConnectionMonitor monitor;
  private final SqlDialect dialect;
  private final String description;

  ReplicateAudioDatabase(DataSource dataSource, HikariDataSource ownPool, DatabaseSettings ownSettings,
      java.time.Duration healthTimeout) {
    this.dataSource = dataSource;
    this.ownPool = ownPool;
    this.ownSettings = ownSettings;
    this.jdbi = Jdbi.create(dataSource);
    HikariDataSource hikari = ownPool != null ? ownPool : unwrapHikari(dataSource);
    this.monitor = hikari == null ? null
        : DatabaseConnectionMonitor.builder(hikari).healthCheckTimeout(healthTimeout).build();
    String product;
    try (Connection c = dataSource.getConnection()) {
      product = c.getMetaData().getDatabaseProductName() + " " + c.getMetaData().getDatabaseProductVersion();
      this.dialect = SqlDialect.detect(c); // an unsupported database or version fails here, at startup
    } catch (SQLException e) {
      throw new dev.replicateaudio.port.StorageException("Could not connect to the replicate-audio database ("
          + (ownSettings != null ? ownSettings.maskedUrl() : "the application's DataSource") + "): " + e.getMessage(), e);
    }
    this.description = (ownPool != null ? "own pool '" + ownPool.getPoolName() + "' on " + ownSettings.maskedUrl()
        : "the application's DataSource") + " (" + product + ")";
  }

  private static HikariDataSource unwrapHikari(DataSource ds) {
    if (ds instanceof HikariDataSource h) {
      return h;
    }
    try {
      return ds.isWrapperFor(HikariDataSource.class) ? ds.unwrap(HikariDataSource.class) : null;
    } catch (SQLException e) {
      return null;
    }
  }

  /**
   * The data source the library uses.
   *
   * @return the data source
   */
  public DataSource dataSource() {
    return dataSource;
  }

  /**
   * Jdbi on {@link #dataSource()}.
   *
   * @return Jdbi
   */
  public Jdbi jdbi() {
    return jdbi;
  }

  /**
   * Whether the library runs a pool of its own.
   *
   * @return true for a pool of our own
   */
  public boolean ownsPool() {
    return ownPool != null;
  }

  /**
   * The settings of our own pool; empty when the application's DataSource is used.
   *
   * @return the settings
   */
  public Optional<DatabaseSettings> ownSettings() {
    return Optional.ofNullable(ownSettings);
  }

  /**
   * Health and pool numbers; empty when the application's DataSource is not a HikariCP pool.
   *
   * @return the monitor
   */
  public Optional<DatabaseConnectionMonitor> monitor() {
    return Optional.ofNullable(monitor);
  }

  /**
   * Which database it is (its version checked at startup); it decides the completion bridge.
   *
   * @return the dialect
   */
  public SqlDialect dialect() {
    return dialect;
  }

  /**
   * Whether the database is PostgreSQL (then the completion bridge uses {@code LISTEN}/{@code NOTIFY}).
   *
   * @return true on PostgreSQL
   */
  public boolean isPostgres() {
    return dialect == SqlDialect.POSTGRESQL;
  }

  /**
   * The pool or DataSource, the URL with its password masked, and the database product.
   *
   * @return the description
   */
  public String describe() {
    return description;
  }

  /** Closes our own pool; leaves the application's DataSource alone. Idempotent. */
  @Override
  public void close() {
    if (ownPool != null) {
      ownPool.close();
    }
  }

  @Override
  public String toString() {
    return "ReplicateAudioDatabase{" + description + "}";
  }
}
