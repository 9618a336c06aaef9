package dev.replicateaudio.examples.simulator;

import dev.replicateaudio.ReplicateAudioSettings;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** The simulator's settings, copied from its builder; immutable. */
record Config(
    int port,
    String apiToken,
    String webhookSecret,
    Duration startDelay,
    Duration processingTime,
    Duration leadSilence,
    Duration tailSilence,
    Duration defaultToneDuration,
    int sampleRate,
    int mp3BitrateKbps,
    Duration outputRetention,
    List<Duration> webhookRetryDelays,
    Duration webhookTimeout,
    int duplicateDeliveries,
    int maxConcurrentWebhooks,
    long slowDownloadRate,
    long oversizedBytes,
    Duration hangTime,
    Map<Fault, Double> faultRates,
    long seed,
    int rateLimitRequests,
    Duration rateLimitWindow,
    ReplicateAudioSettings ffmpegSettings) {

  Config {
    webhookRetryDelays = List.copyOf(webhookRetryDelays);
    faultRates = Map.copyOf(faultRates);
  }

  long samples(Duration d) {
    return d.toNanos() * sampleRate / 1_000_000_000L;
  }
}
