package dev.replicateaudio.spring.boot.autoconfigure;

import com.zaxxer.hikari.HikariConfig;

/**
 * Adds metrics to the starter's own HikariCP pool before it starts (a bean of the metrics
 * auto-configuration: HikariCP's Micrometer tracker). The application's own DataSource is left to
 * Spring Boot's pool metrics.
 */
@FunctionalInterface
public interface ReplicateAudioPoolMetrics {
  /**
   * Changes {@code config} of the pool about to start.
   *
   * @param config the pool's configuration
   */
  void track(HikariConfig config);
}
