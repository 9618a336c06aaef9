package dev.replicateaudio.micrometer;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;

/**
 * Connection pool metrics from HikariCP's own Micrometer tracker: {@code hikaricp.connections},
 * {@code .active}, {@code .idle}, {@code .pending}, {@code .max}, {@code .min}, {@code .timeout},
 * {@code .acquire}, {@code .usage} and {@code .creation}, tagged {@code pool=<poolName>}
 * ({@code DB_POOL_NAME}, default {@code replicate-audio}).
 *
 * <pre>{@code
 * HikariConfig config = databaseSettings.toHikariConfig();
 * HikariMetrics.track(config, registry);          // before the pool starts
 * HikariDataSource dataSource = new HikariDataSource(config);
 * }</pre>
 *
 * <p>HikariCP is an optional dependency of this module: only this class needs it. This class is
 * thread-safe (static methods only).
 */
public final class HikariMetrics {
  private HikariMetrics() {
  }

  /**
   * Makes the pool built from {@code config} report to {@code registry}. Call it before the pool
   * starts: HikariCP refuses a tracker afterwards.
   *
   * @param config the pool's configuration
   * @param registry where the pool's meters go
   * @return {@code config}
   */
  public static HikariConfig track(HikariConfig config, MeterRegistry registry) {
    Objects.requireNonNull(config, "config == null");
    Objects.requireNonNull(registry, "registry == null");
    config.setMetricsTrackerFactory(new MicrometerMetricsTrackerFactory(registry));
    return config;
  }
}
