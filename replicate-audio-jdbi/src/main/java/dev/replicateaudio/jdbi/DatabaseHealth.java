package dev.replicateaudio.jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a health check (the seed's {@code health_check()}), made by
 * {@link DatabaseConnectionMonitor#healthCheck()}.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param healthy true when a connection was had and answered a query in time
 * @param latency how long the check took, waiting for a connection included
 * @param error why it is not healthy; null when healthy (see {@link #errorMessage()})
 * @param checkedAt when the check started
 */
public record DatabaseHealth(boolean healthy, Duration latency, String error, Instant checkedAt) {
  /**
   * Checks that {@code error} is present exactly when the result is unhealthy.
   *
   * @param healthy true when a connection was had and answered a query in time
   * @param latency how long the check took, waiting for a connection included
   * @param error why it is not healthy; null when healthy
   * @param checkedAt when the check started
   * @throws IllegalArgumentException if {@code healthy} is true and {@code error} is not null, or
   *     {@code healthy} is false and {@code error} is null
   */
  public DatabaseHealth {
    Objects.requireNonNull(latency, "latency == null");
    Objects.requireNonNull(checkedAt, "checkedAt == null");
    if (healthy != (error == null)) {
      throw new IllegalArgumentException(healthy ? "a healthy result carries no error" : "an unhealthy result needs an error");
    }
  }

  /**
   * {@link #error()} as an {@link Optional}.
   *
   * @return why the check failed; empty when healthy
   */
  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }
}
