package dev.replicateaudio.micrometer;

import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.jdbi.PollingCompletionBridge;
import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Adapts the completion bridges of {@code replicate-audio-jdbi} to {@link BridgeStats} (that module
 * is an optional dependency: only this class needs it). Whichever bridge
 * {@code CompletionBridge.start} picked:
 *
 * <pre>{@code
 * CompletionBridge bridge = CompletionBridge.start(settings, dataSource, notifier);
 * metrics.watchBridge(CompletionBridges.kind(bridge), CompletionBridges.of(bridge));
 * }</pre>
 *
 * <p>This class is thread-safe (static methods only; the suppliers it returns are thread-safe).
 */
public final class CompletionBridges {
  /** The {@code bridge} tag of a {@link PostgresCompletionBridge} ({@code LISTEN}/{@code NOTIFY}). */
  public static final String POSTGRES = "postgres";
  /** The {@code bridge} tag of a {@link PollingCompletionBridge} (MySQL, MariaDB, SQLite, H2). */
  public static final String POLLING = "polling";

  private CompletionBridges() {
  }

  /**
   * The {@code bridge} tag of one of the library's bridges: {@value #POSTGRES} or {@value #POLLING}.
   *
   * @param bridge a {@link PostgresCompletionBridge} or a {@link PollingCompletionBridge}
   * @return its kind
   * @throws IllegalArgumentException for another implementation (pass your own kind and
   *     {@code Supplier<BridgeStats>} to {@link ReplicateAudioMetrics#watchBridge})
   */
  public static String kind(CompletionBridge bridge) {
    Objects.requireNonNull(bridge, "bridge == null");
    if (bridge instanceof PostgresCompletionBridge) {
      return POSTGRES;
    }
    if (bridge instanceof PollingCompletionBridge) {
      return POLLING;
    }
    throw unknown(bridge);
  }

  /**
   * The counters of one of the library's bridges, read on every call: {@link #postgres} or
   * {@link #polling}.
   *
   * @param bridge a {@link PostgresCompletionBridge} or a {@link PollingCompletionBridge}
   * @return its counters, fresh at each call
   * @throws IllegalArgumentException for another implementation
   */
  public static Supplier<BridgeStats> of(CompletionBridge bridge) {
    Objects.requireNonNull(bridge, "bridge == null");
    if (bridge instanceof PostgresCompletionBridge pg) {
      return postgres(pg);
    }
    if (bridge instanceof PollingCompletionBridge polling) {
      return polling(polling);
    }
    throw unknown(bridge);
  }

  /**
   * The counters of a PostgreSQL LISTEN/NOTIFY bridge, read on every call.
   *
   * @param bridge the bridge
   * @return its counters, fresh at each call
   */
  public static Supplier<BridgeStats> postgres(PostgresCompletionBridge bridge) {
    Objects.requireNonNull(bridge, "bridge == null");
    return () -> {
      PostgresCompletionBridge.Stats s = bridge.stats();
      return new BridgeStats(s.published(), s.received(), s.dropped(), s.listenerOutages(), s.senderOutages(),
          s.listening(), s.queued());
    };
  }

  /**
   * The counters of a polling bridge, read on every call. It has no connection of its own to lose:
   * the outages are 0, and a failed round counts in {@link BridgeStats#pollFailures()}.
   * {@link BridgeStats#listening()} tells whether its latest round succeeded, judged from how its
   * counters moved since the previous call (rounds that succeeded and none that failed: true; failed
   * rounds and no successful one: false; both or neither: unchanged), so it follows the bridge one
   * call (scrape) late at most.
   *
   * @param bridge the bridge
   * @return its counters, fresh at each call
   */
  public static Supplier<BridgeStats> polling(PollingCompletionBridge bridge) {
    Objects.requireNonNull(bridge, "bridge == null");
    LatestRound latest = new LatestRound();
    return () -> {
      PollingCompletionBridge.Stats s = bridge.stats();
      return new BridgeStats(s.published(), s.received(), s.dropped(), 0, 0, latest.succeeded(s.polls(), s.failures()),
          s.queued(), s.polls(), s.failures());
    };
  }

  private static IllegalArgumentException unknown(CompletionBridge bridge) {
    return new IllegalArgumentException("no BridgeStats adapter for " + bridge.getClass().getName()
        + ": pass a kind and a Supplier<BridgeStats> of your own to ReplicateAudioMetrics.watchBridge");
  }

  /** Whether a polling bridge's latest round succeeded, from the moves of its two counters. */
  private static final class LatestRound {
    private long polls;
    private long failures;
    private boolean succeeded = true;

    synchronized boolean succeeded(long pollsNow, long failuresNow) {
      boolean polled = pollsNow > polls;
      boolean failed = failuresNow > failures;
      if (polled != failed) {
        succeeded = polled;
      } // both moved (it failed and recovered, or the reverse) or neither: the next call tells
      polls = pollsNow;
      failures = failuresNow;
      return succeeded;
    }
  }
}
