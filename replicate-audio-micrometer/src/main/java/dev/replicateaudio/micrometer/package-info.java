/**
 * Micrometer meters for replicate-audio, without Spring: {@link dev.replicateaudio.micrometer.ReplicateAudioMetrics}
 * (a {@code MeterBinder} fed by the core's listener hooks), the public meter names in
 * {@link dev.replicateaudio.micrometer.MetricNames}, HikariCP's tracker for the pool
 * ({@link dev.replicateaudio.micrometer.HikariMetrics}), opt-in OkHttp metrics
 * ({@link dev.replicateaudio.micrometer.OkHttpMetrics}) and the completion bridge's counters
 * ({@link dev.replicateaudio.micrometer.CompletionBridges}).
 *
 * <p>Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.micrometer;
