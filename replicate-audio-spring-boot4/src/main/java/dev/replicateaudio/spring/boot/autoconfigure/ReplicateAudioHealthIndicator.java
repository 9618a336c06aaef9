package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.jdbi.DatabaseConnectionMonitor;
import dev.replicateaudio.jdbi.DatabaseHealth;
import dev.replicateaudio.jdbi.PollingCompletionBridge;
import dev.replicateaudio.jdbi.PoolStats;
import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;

/**
 * The pipeline's health ({@code /actuator/health/replicateAudio}): DOWN when the database does not
 * answer a cheap query within {@code replicate-audio.health.database-timeout} (or, with
 * {@code replicate-audio.health.bridge-required=true}, when the PostgreSQL completion bridge is not
 * listening; a polling bridge works exactly when the database answers), else UP, with details:
 * database, pool, the bridge that runs (its kind, {@code postgres} or {@code polling}, and its
 * counters), waiters, ffmpeg and the last recovery run. It never
 * calls Replicate and never shows a secret, a token or a password (URLs are masked). Put it in the
 * readiness group, not in liveness: a database outage is not cured by a restart.
 *
 * <p>Thread-safe.
 */
public final class ReplicateAudioHealthIndicator implements HealthIndicator {
  private final Optional<ReplicateAudioDatabase> database;
  private final Optional<CompletionBridge> bridge;
  private final WebhookCompletionNotifier notifier;
  private final FfmpegRunner ffmpeg;
  private final RecoveryTracker recovery;
  private final boolean bridgeRequired;
  private final Duration databaseTimeout;

  ReplicateAudioHealthIndicator(Optional<ReplicateAudioDatabase> database, Optional<CompletionBridge> bridge,
      WebhookCompletionNotifier notifier, FfmpegRunner ffmpeg, RecoveryTracker recovery, boolean bridgeRequired,
      Duration databaseTimeout) {
    this.database = database;
    this.bridge = bridge;
    this.notifier = notifier;
    this.ffmpeg = ffmpeg;
    this.recovery = recovery;
    this.bridgeRequired = bridgeRequired;
    this.databaseTimeout = databaseTimeout;
  }

  @Override
  public Health health() {
    boolean up = true;
    Health.Builder h = Health.up();
    if (database.isPresent()) {
      ReplicateAudioDatabase db = database.get();
      Map<String, Object> details = new LinkedHashMap<>();
      DatabaseHealth check = db.monitor().map(DatabaseConnectionMonitor::healthCheck).orElseGet(() -> plainCheck(db));
      details.put("healthy", check.healthy());
      details.put("latencyMs", check.latency().toMillis());
      details.put("checkedAt", check.checkedAt().toString());
      details.put("source", db.describe());
      if (!check.healthy()) {
        details.put("error", check.error());
        up = false;
      }
      h.withDetail("database", details);
      db.monitor().ifPresent(m -> {
        PoolStats s = m.poolStats();
        Map<String, Object> pool = new LinkedHashMap<>();
        pool.put("active", s.active());
        pool.put("idle", s.idle());
        pool.put("total", s.total());
        pool.put("threadsAwaiting", s.threadsAwaiting());
        pool.put("maximum", s.maximum());
        pool.put("utilisation", s.utilisation());
        h.withDetail("pool", pool);
      });
    }
    if (bridge.isPresent()) {
      CompletionBridge b = bridge.get();
      CompletionBridge.Stats s = b.stats();
      Map<String, Object> details = new LinkedHashMap<>();
      details.put("kind", ReplicateAudioBridge.kindOf(b));
      details.put("instanceId", b.instanceId());
      details.put("published", s.published());
      details.put("received", s.received());
      details.put("dropped", s.dropped());
      if (b instanceof PostgresCompletionBridge pg && s instanceof PostgresCompletionBridge.Stats ps) {
        details.put("channel", pg.channel());
        details.put("listening", ps.listening());
        details.put("queued", ps.queued());
        details.put("listenerOutages", ps.listenerOutages());
        details.put("senderOutages", ps.senderOutages());
        if (!ps.listening() && bridgeRequired) {
          up = false;
        }
      } else if (s instanceof PollingCompletionBridge.Stats ps) {
        details.put("queued", ps.queued());
        details.put("pauseMs", ps.pause().toMillis());
        details.put("polls", ps.polls());
        details.put("pollFailures", ps.failures());
      }
      h.withDetail("bridge", details);
    }
    h.withDetail("waiters", Map.of("pending", notifier.pendingWaiters(), "rememberedOutcomes",
        notifier.rememberedOutcomes()));
    h.withDetail("ffmpeg", Map.of("running", ffmpeg.runningProcesses(), "waiting", ffmpeg.waitingRuns(), "limit",
        ffmpeg.maxConcurrentRuns()));
    Map<String, Object> rec = new LinkedHashMap<>();
    recovery.lastRun().ifPresentOrElse(last -> {
      rec.put("lastRunAt", last.at().toString());
      rec.put("elapsedMs", last.elapsed().toMillis());
      if (last.report() != null) {
        rec.put("claimed", last.report().claimed());
        rec.put("succeeded", last.report().succeeded());
        rec.put("failed", last.report().failed());
        rec.put("canceled", last.report().canceled());
        rec.put("stillRunning", last.report().stillRunning());
        rec.put("errors", last.report().errors());
      } else {
        rec.put("error", last.error());
      }
    }, () -> rec.put("lastRunAt", "never"));
    h.withDetail("recovery", rec);
    if (!up) {
      h.down();
    }
    return h.build();
  }

  /** For an application DataSource that is not a HikariCP pool: {@code Connection.isValid}. */
  private DatabaseHealth plainCheck(ReplicateAudioDatabase db) {
    Instant at = Instant.now();
    long start = System.nanoTime();
    String error = null;
    try (Connection c = db.dataSource().getConnection()) {
      if (!c.isValid((int) Math.max(1, (databaseTimeout.toMillis() + 999) / 1000))) {
        error = "the connection did not answer within " + databaseTimeout.toMillis() + " ms";
      }
    } catch (Exception e) {
      error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
    return new DatabaseHealth(error == null, Duration.ofNanos(System.nanoTime() - start), error, at);
  }
}
