package dev.replicateaudio.spring.boot.autoconfigure;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.jdbi.PollingCompletionBridge;
import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import dev.replicateaudio.jdbi.SqlDialect;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.util.ClassUtils;

/**
 * The completion bridge between the instances that share the database, when one runs: on PostgreSQL
 * (with its driver) a {@link PostgresCompletionBridge} ({@code LISTEN}/{@code NOTIFY}), on MySQL,
 * MariaDB, SQLite and H2 a {@link PollingCompletionBridge}, as {@code CompletionBridge.start} picks;
 * none with {@code replicate-audio.bridge.enabled=false}. Closed by {@link ReplicateAudioLifecycle}
 * after in-flight processing. Thread-safe.
 */
public final class ReplicateAudioBridge implements AutoCloseable {
  /** The kind of a {@link PostgresCompletionBridge}, as health and the {@code bridge} tag show it. */
  public static final String POSTGRES = "postgres";
  /** The kind of a {@link PollingCompletionBridge}, as health and the {@code bridge} tag show it. */
  public static final String POLLING = "polling";
  /** The kind health shows for another implementation of {@link CompletionBridge}. */
  static final String OTHER = "other";

  private final CompletionBridge bridge;

  ReplicateAudioBridge(CompletionBridge bridge) {
    this.bridge = bridge;
  }

  /**
   * Starts the bridge the database supports, unless switched off.
   *
   * @param postgresDriver whether PostgreSQL's JDBC driver is on the classpath
   */
  static ReplicateAudioBridge start(ReplicateAudioDatabase database, WebhookCompletionNotifier notifier,
      ReplicateAudioProperties.Bridge properties, boolean postgresDriver) {
    if (!properties.isEnabled()) {
      return new ReplicateAudioBridge(null);
    }
    if (listenNotify(database.dialect(), postgresDriver)) {
      PostgresCompletionBridge.Builder b = database.ownSettings().isPresent()
          ? PostgresCompletionBridge.builder(database.ownSettings().get(), notifier)
          : PostgresCompletionBridge.builder(database.dataSource(), notifier);
      return new ReplicateAudioBridge(b.channel(properties.getChannel()).start());
    }
    return new ReplicateAudioBridge(PollingCompletionBridge.builder(database.dataSource(), notifier)
        .pollInterval(pollInterval(properties), idleInterval(properties)).start());
  }

  /** Whether the database gets the LISTEN/NOTIFY bridge (else the polling one), as {@code CompletionBridge.start} decides. */
  static boolean listenNotify(SqlDialect dialect, boolean postgresDriver) {
    return dialect.listenNotify() && postgresDriver;
  }

  static boolean postgresDriverPresent() {
    return ClassUtils.isPresent("org.postgresql.PGConnection", ReplicateAudioBridge.class.getClassLoader());
  }

  static Duration pollInterval(ReplicateAudioProperties.Bridge p) {
    return p.getPollInterval() != null ? p.getPollInterval()
        : Duration.ofMillis(PollingCompletionBridge.DEFAULT_POLL_MILLIS);
  }

  /** The idle interval set, else the library's default or the poll interval, whichever is longer. */
  static Duration idleInterval(ReplicateAudioProperties.Bridge p) {
    if (p.getIdleInterval() != null) {
      return p.getIdleInterval();
    }
    Duration poll = pollInterval(p);
    Duration idle = Duration.ofMillis(PollingCompletionBridge.DEFAULT_IDLE_MILLIS);
    return poll.compareTo(idle) > 0 ? poll : idle;
  }

  /**
   * Adds a problem when the polling timing breaks the bridge's rules, which its own builder checks
   * (nothing connects or starts here), so that it is reported with every other problem at startup.
   */
  static void checkPollTiming(ReplicateAudioProperties.Bridge p, List<String> problems) {
    if (!p.isEnabled() || (p.getPollInterval() == null && p.getIdleInterval() == null)) {
      return;
    }
    try (WebhookCompletionNotifier unused = new WebhookCompletionNotifier()) {
      PollingCompletionBridge.builder(new HikariDataSource(), unused).pollInterval(pollInterval(p), idleInterval(p));
    } catch (IllegalArgumentException e) {
      String property = e.getMessage().startsWith("pollInterval idle") ? "bridge.idle-interval" : "bridge.poll-interval";
      problems.add(ResolvedConfig.name(property) + ": " + e.getMessage());
    }
  }

  /** The bridge that runs: ours, else the application's own {@link CompletionBridge} bean; empty when none. */
  static Optional<CompletionBridge> running(ObjectProvider<ReplicateAudioBridge> ours,
      ObjectProvider<CompletionBridge> applications) {
    ReplicateAudioBridge b = ours.getIfUnique();
    return b != null ? b.bridge() : Optional.ofNullable(applications.getIfUnique());
  }

  /** {@link #POSTGRES}, {@link #POLLING}, or {@link #OTHER} for an implementation of the application's. */
  static String kindOf(CompletionBridge bridge) {
    if (bridge instanceof PostgresCompletionBridge) {
      return POSTGRES;
    }
    return bridge instanceof PollingCompletionBridge ? POLLING : OTHER;
  }

  /**
   * The bridge that runs; empty when none does.
   *
   * @return the bridge
   */
  public Optional<CompletionBridge> bridge() {
    return Optional.ofNullable(bridge);
  }

  /**
   * What carries the completions: {@value #POSTGRES} or {@value #POLLING}; empty when no bridge runs.
   *
   * @return the kind
   */
  public Optional<String> kind() {
    return bridge().map(ReplicateAudioBridge::kindOf);
  }

  /**
   * The PostgreSQL bridge; empty when none runs or the bridge polls.
   *
   * @return the bridge
   */
  public Optional<PostgresCompletionBridge> postgres() {
    return bridge instanceof PostgresCompletionBridge pg ? Optional.of(pg) : Optional.empty();
  }

  /**
   * The polling bridge; empty when none runs or the bridge is PostgreSQL's.
   *
   * @return the bridge
   */
  public Optional<PollingCompletionBridge> polling() {
    return bridge instanceof PollingCompletionBridge p ? Optional.of(p) : Optional.empty();
  }

  /** Closes the bridge, if one runs; idempotent. */
  @Override
  public void close() {
    if (bridge != null) {
      bridge.close();
    }
  }

  @Override
  public String toString() {
    return "ReplicateAudioBridge{" + (bridge == null ? "none" : bridge) + "}";
  }
}
