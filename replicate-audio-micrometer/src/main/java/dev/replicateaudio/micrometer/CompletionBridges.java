package dev.replicateaudio.micrometer;

import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Adapts the completion bridges of {@code replicate-audio-jdbi} to {@link BridgeStats} (that module
 * is an optional dependency: only this class needs it).
 *
 * <pre>{@code
 * metrics.watchBridge("postgres", CompletionBridges.postgres(bridge));
 * }</pre>
 *
 * <p>This class is thread-safe (static methods only).
 */
public final class CompletionBridges {
  private CompletionBridges() {
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
}
