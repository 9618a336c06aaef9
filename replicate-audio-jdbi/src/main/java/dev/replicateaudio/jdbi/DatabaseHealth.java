package dev.replicateaudio.jdbi;

import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of a health check (the seed's {@code health_check()}).
 *
 * @param healthy true when a connection was had and answered a query in time
 * @param latency how long the check took, waiting for a connection included
 * @param error why it is not healthy; null when healthy
 * @param checkedAt when the check started
 */
public record DatabaseHealth(boolean healthy, Duration latency, String error, Instant checkedAt) {
  public DatabaseHealth {
    Objects.requireNonNull(latency, "latency == null");
    Objects.requireNonNull(checkedAt, "checkedAt == null");
    if (healthy != (error == null)) {
      throw new IllegalArgumentException(healthy ? "a healthy result carries no error" : "an unhealthy result needs an error");
    }
  }

  public Optional<String> errorMessage() {
    return Optional.ofNullable(error);
  }
}
