package dev.replicateaudio.micrometer;

/**
 * The counters a completion bridge exposes to {@link ReplicateAudioMetrics#watchBridge}, whatever
 * carries the completions: PostgreSQL {@code LISTEN}/{@code NOTIFY} ({@link CompletionBridges#postgres})
 * or a polled table ({@link CompletionBridges#polling}). A counter that does not apply to a kind of
 * bridge is 0 (a push bridge makes no polls; a polling bridge holds no connection it can lose).
 *
 * @param published local completions sent to the other instances
 * @param received remote completions handed to the local notifier
 * @param dropped local completions not sent (queue full, bridge closed, refused)
 * @param listenerOutages times the receiving side lost its connection (push bridges)
 * @param senderOutages times the sending side lost its connection (push bridges)
 * @param listening whether the bridge receives right now (a polling bridge: whether its latest poll
 *     round succeeded)
 * @param queued completions waiting to be sent
 * @param polls poll rounds that succeeded (polling bridges)
 * @param pollFailures poll rounds that failed because the database did not answer (polling bridges)
 */
public record BridgeStats(long published, long received, long dropped, long listenerOutages, long senderOutages,
    boolean listening, int queued, long polls, long pollFailures) {
  /**
   * The counters of a bridge that does not poll ({@code polls} and {@code pollFailures} 0).
   *
   * @param published local completions sent to the other instances
   * @param received remote completions handed to the local notifier
   * @param dropped local completions not sent
   * @param listenerOutages times the receiving side lost its connection
   * @param senderOutages times the sending side lost its connection
   * @param listening whether the bridge receives right now
   * @param queued completions waiting to be sent
   */
  public BridgeStats(long published, long received, long dropped, long listenerOutages, long senderOutages,
      boolean listening, int queued) {
    this(published, received, dropped, listenerOutages, senderOutages, listening, queued, 0, 0);
  }
}
