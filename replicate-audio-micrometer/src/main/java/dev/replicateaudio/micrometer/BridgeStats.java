package dev.replicateaudio.micrometer;

/**
 * The counters a completion bridge exposes to {@link ReplicateAudioMetrics#watchBridge}, whatever
 * carries the completions (PostgreSQL LISTEN/NOTIFY today: {@link CompletionBridges#postgres}).
 *
 * @param published local completions sent to the other instances
 * @param received remote completions handed to the local notifier
 * @param dropped local completions not sent (queue full, bridge closed, refused)
 * @param listenerOutages times the receiving side lost its connection
 * @param senderOutages times the sending side lost its connection
 * @param listening whether the bridge receives right now
 * @param queued completions waiting to be sent
 */
public record BridgeStats(long published, long received, long dropped, long listenerOutages, long senderOutages,
    boolean listening, int queued) {
}
