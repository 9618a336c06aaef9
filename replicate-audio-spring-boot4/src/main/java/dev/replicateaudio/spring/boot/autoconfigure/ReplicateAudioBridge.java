package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import java.util.Optional;

/**
 * The completion bridge between instances, when there is one (the database is PostgreSQL). Closed
 * by {@link ReplicateAudioLifecycle} after in-flight processing. Thread-safe.
 */
public final class ReplicateAudioBridge implements AutoCloseable {
  private final PostgresCompletionBridge bridge;

  ReplicateAudioBridge(PostgresCompletionBridge bridge) {
    this.bridge = bridge;
  }

  /**
   * The PostgreSQL bridge; empty when none runs.
   *
   * @return the bridge
   */
  public Optional<PostgresCompletionBridge> postgres() {
    return Optional.ofNullable(bridge);
  }

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
