package dev.replicateaudio.jdbi;

import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.util.Objects;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Carries completions between the instances of a host that share one database, so that a waiter
 * on one instance wakes when another processes the webhook. Two kinds:
 * {@link PostgresCompletionBridge} ({@code LISTEN}/{@code NOTIFY}, milliseconds) and
 * {@link PollingCompletionBridge} (a table polled by every instance, for databases without server
 * push). {@link #start} picks the one the database supports.
 *
 * <pre>{@code
 * try (CompletionBridge bridge = CompletionBridge.start(settings, dataSource, notifier)) {
 *   ...
 * }
 * }</pre>
 *
 * <p>Delivery is best effort either way: the database's job rows stay the source of truth, and
 * {@code ReplicateAudio.await} falls back to them. Implementations are thread-safe.
 */
public interface CompletionBridge extends AutoCloseable {
  /**
   * This bridge's id, carried with its completions so that it skips its own. New for every bridge
   * started, also in the same process.
   *
   * @return 16 lowercase hex digits
   */
  String instanceId();

  /**
   * The bridge's counters right now; each implementation returns its own record with more of them.
   *
   * @return a snapshot, not updated afterwards
   */
  Stats stats();

  /** Stops the bridge: no more publishing or receiving; its threads end. Idempotent. */
  @Override
  void close();

  /**
   * Starts the bridge the database of {@code settings} supports: on PostgreSQL a
   * {@link PostgresCompletionBridge} on plain connections of {@code settings}, elsewhere a
   * {@link PollingCompletionBridge} on {@code dataSource} (the host's pool for that database),
   * each with its defaults. The choice follows the URL of {@code settings} ({@code jdbc:postgresql:});
   * the database is not asked, and {@code dataSource} is not used on PostgreSQL: both must reach the
   * same database.
   *
   * @param settings the shared database's settings
   * @param dataSource the host's pool for that database
   * @param notifier this instance's notifier
   * @return the running bridge; close it before the pool and the notifier
   * @throws NullPointerException if an argument is null
   * @throws dev.replicateaudio.ConfigurationException on PostgreSQL when its JDBC driver is missing
   * @throws dev.replicateaudio.port.StorageException when the database can't be reached
   *     (retryable), or, for the polling bridge, the table {@code ra_completion_events} is missing
   *     (permanent: install the schema)
   */
  static CompletionBridge start(DatabaseSettings settings, DataSource dataSource, WebhookCompletionNotifier notifier) {
    Objects.requireNonNull(settings, "settings == null");
    Objects.requireNonNull(dataSource, "dataSource == null");
    Objects.requireNonNull(notifier, "notifier == null");
    Optional<SqlDialect> dialect = SqlDialect.ofUrl(settings.url());
    if (dialect.isPresent() && dialect.get().listenNotify()) {
      return PostgresCompletionBridge.start(settings, notifier);
    }
    return PollingCompletionBridge.start(dataSource, notifier);
  }

  /** The counters every bridge keeps. Implementations are immutable snapshots, thread-safe. */
  interface Stats {
    /**
     * Completions of this instance sent to the other instances.
     *
     * @return the count since the bridge started
     */
    long published();

    /**
     * Completions of other instances handed to this instance's notifier.
     *
     * @return the count since the bridge started
     */
    long received();

    /**
     * Completions of this instance not sent (a full queue, a refusal, or closing before sending).
     *
     * @return the count since the bridge started
     */
    long dropped();
  }
}
