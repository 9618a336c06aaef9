package dev.replicateaudio.jdbi;

/**
 * A snapshot of a connection pool.
 *
 * @param active connections lent out right now
 * @param idle connections open and free
 * @param total connections open ({@code active + idle})
 * @param threadsAwaiting threads waiting for a connection
 * @param maximum the most connections the pool may open ({@code DB_POOL_SIZE + DB_MAX_OVERFLOW})
 * @param utilisation {@code active / maximum}, from 0 to 1
 */
public record PoolStats(int active, int idle, int total, int threadsAwaiting, int maximum, double utilisation) {
  static PoolStats of(int active, int idle, int total, int threadsAwaiting, int maximum) {
    return new PoolStats(active, idle, total, threadsAwaiting, maximum,
        maximum <= 0 ? 0.0 : Math.min(1.0, (double) active / maximum));
  }
}
