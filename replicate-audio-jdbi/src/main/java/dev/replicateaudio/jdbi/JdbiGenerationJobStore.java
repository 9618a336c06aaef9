package dev.replicateaudio.jdbi;

import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.internal.Dialect;
import dev.replicateaudio.jdbi.internal.SqlSupport;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StaleClaimException;
import dev.replicateaudio.port.StorageException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.StatementContext;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.statement.Update;

/**
 * The generation job store on Jdbi, in the tables {@code ra_generation_jobs} and
 * {@code ra_generation_results} ({@link SchemaInstaller}), for H2 and PostgreSQL.
 *
 * <pre>{@code
 * GenerationJobStore jobs = JdbiGenerationJobStore.create(jdbi);
 * jobs.recordSubmitted(ContentKey.soundEffect(42), prediction.id());
 * }</pre>
 *
 * <p>Every method is one transaction of its own, or joins the calling thread's transaction
 * ({@link JdbiTransactionRunner}); share the {@link Jdbi} instance. How the state changes stay
 * atomic under concurrency:
 *
 * <ul>
 *   <li>{@link #claim} is one conditional {@code UPDATE ... WHERE status = 'PENDING'}. Both databases
 *       make a concurrent claimer wait for the row lock and then re-check the condition against the
 *       committed row, so only the first one updates it; an unknown prediction id is inserted
 *       already claimed, and of concurrent inserters only one succeeds (unique prediction id).
 *   <li>{@link #claimStale} selects with {@code FOR UPDATE SKIP LOCKED} and updates what it
 *       locked: a concurrent recoverer skips the rows another one holds, so their batches are
 *       disjoint. PostgreSQL locks before it applies the limit, so the second recoverer gets the
 *       next jobs; H2 2.x applies the limit first, so while one recoverer holds the oldest jobs the
 *       other may get fewer, or none, until the next run. Both are correct, never duplicated.
 * </ul>
 *
 * <p>Timestamps come from the {@link Clock} (default: the system clock, UTC) and are kept to the
 * microsecond; error texts are cut to {@value SqlSupport#MAX_ERROR_LENGTH} characters. Prediction
 * ids are 1 to 255 characters. A move the port does not allow from the job's current state (also
 * a repeated one: {@code markSucceeded} on a SUCCEEDED job) throws {@link StaleClaimException},
 * which rolls back the transaction it was called in; a prediction id never recorded is a permanent
 * {@link StorageException}.
 *
 * <p>This class is thread-safe.
 */
public final class JdbiGenerationJobStore implements GenerationJobStore {
  /** The largest {@code limit} {@link #claimStale} accepts. */
  public static final int MAX_STALE_BATCH = 10_000;

  private static final String COLUMNS =
      "prediction_id, content_type, content_id, status, attempts, last_error, created_at, updated_at";
  private static final RowMapper<GenerationJob> JOB = JdbiGenerationJobStore::mapJob;
  private static final RowMapper<ResultRecord> RESULT = JdbiGenerationJobStore::mapResult;

  private final Jdbi jdbi;
  private final Clock clock;

  private JdbiGenerationJobStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /** A store on {@code jdbi} whose timestamps come from the system clock (UTC). */
  public static JdbiGenerationJobStore create(Jdbi jdbi) {
    return create(jdbi, Clock.systemUTC());
  }

  /** A store on {@code jdbi} whose timestamps come from {@code clock}. */
  public static JdbiGenerationJobStore create(Jdbi jdbi, Clock clock) {
    return new JdbiGenerationJobStore(Objects.requireNonNull(jdbi, "jdbi == null"),
        Objects.requireNonNull(clock, "clock == null"));
  }

  @Override
  public void recordSubmitted(ContentKey key, String predictionId) {
    Objects.requireNonNull(key, "key == null");
    checkPredictionId(predictionId);
    String operation = "recordSubmitted(" + predictionId + ", " + key + ")";
    SqlSupport.inTransaction(jdbi, operation, h -> {
      if (insertIfAbsent(h, predictionId, key, JobStatus.PENDING, 0, SqlSupport.now(clock))) {
        return null;
      }
      GenerationJob existing = find(h, predictionId).orElseThrow(() -> new StorageException(
          operation + " failed: the prediction id exists but its row could not be read", null));
      if (!existing.key().equals(key)) {
        throw StorageException.permanent(operation + " failed: prediction id '" + predictionId
            + "' is already recorded for " + existing.key(), null);
      }
      return null;
    });
  }

  @Override
  public Optional<GenerationJob> claim(String predictionId, ContentKey key) {
    checkPredictionId(predictionId);
    Objects.requireNonNull(key, "key == null");
    return SqlSupport.inTransaction(jdbi, "claim(" + predictionId + ", " + key + ")", h -> {
      Instant now = SqlSupport.now(clock);
      if (claimPending(h, predictionId, key, now) || insertIfAbsent(h, predictionId, key, JobStatus.PROCESSING, 1, now)
          // the row appeared between the two: a recordSubmitted committed it (the webhook raced the
          // submission), and the insert waited for that commit; it is visible to a new statement now
          || claimPending(h, predictionId, key, now)) {
        return find(h, predictionId);
      }
      return Optional.<GenerationJob>empty();
    });
  }

  /** PENDING → PROCESSING, attempts + 1, for the job of this id and key; true when it was PENDING. */
  private static boolean claimPending(Handle h, String predictionId, ContentKey key, Instant now) {
    return h.createUpdate("UPDATE ra_generation_jobs SET status = 'PROCESSING', attempts = attempts + 1,"
            + " updated_at = :now WHERE prediction_id = :prediction_id AND content_type = :content_type"
            + " AND content_id = :content_id AND status = 'PENDING'")
        .bind("now", SqlSupport.timestamp(now))
        .bind("prediction_id", predictionId)
        .bind("content_type", key.contentType())
        .bind("content_id", key.contentId())
        .execute() == 1;
  }

  @Override
  public List<GenerationJob> claimStale(Instant updatedBefore, int limit) {
    Objects.requireNonNull(updatedBefore, "updatedBefore == null");
    if (limit < 1 || limit > MAX_STALE_BATCH) {
      throw new IllegalArgumentException("limit=" + limit + " is out of range: accepted 1 to " + MAX_STALE_BATCH);
    }
    return SqlSupport.inTransaction(jdbi, "claimStale(" + updatedBefore + ", " + limit + ")", h -> {
      List<GenerationJob> stale = h.createQuery("SELECT " + COLUMNS + " FROM ra_generation_jobs"
              + " WHERE status IN ('PENDING', 'PROCESSING') AND updated_at < :cutoff"
              + " ORDER BY updated_at, id FETCH FIRST " + limit + " ROWS ONLY FOR UPDATE SKIP LOCKED")
          .bind("cutoff", SqlSupport.timestamp(updatedBefore))
          .map(JOB)
          .list();
      if (stale.isEmpty()) {
        return List.<GenerationJob>of();
      }
      Instant now = SqlSupport.now(clock);
      PreparedBatch batch = h.prepareBatch("UPDATE ra_generation_jobs SET status = 'PROCESSING',"
          + " attempts = attempts + 1, updated_at = :now WHERE prediction_id = :prediction_id"
          + " AND status IN ('PENDING', 'PROCESSING')");
      for (GenerationJob job : stale) {
        batch.bind("now", SqlSupport.timestamp(now)).bind("prediction_id", job.predictionId()).add();
      }
      int[] counts = batch.execute();
      List<GenerationJob> claimed = new ArrayList<>(stale.size());
      for (int i = 0; i < stale.size(); i++) {
        // the rows are locked by this transaction: each update finds its row (checked all the same)
        if (counts[i] == 1 || counts[i] == Statement.SUCCESS_NO_INFO) {
          GenerationJob job = stale.get(i);
          claimed.add(new GenerationJob(job.predictionId(), job.key(), JobStatus.PROCESSING, job.attempts() + 1,
              job.lastError(), job.createdAt(), now));
        }
      }
      return List.copyOf(claimed);
    });
  }

  @Override
  public void markSucceeded(String predictionId) {
    transition("markSucceeded(" + predictionId + ")", predictionId, JobStatus.SUCCEEDED, null,
        "status = 'PROCESSING'", "only a PROCESSING job can succeed");
  }

  @Override
  public void markFailed(String predictionId, String error) {
    Objects.requireNonNull(error, "error == null");
    transition("markFailed(" + predictionId + ")", predictionId, JobStatus.FAILED, error,
        "status IN ('PROCESSING', 'PENDING')", "only a PROCESSING or PENDING job can fail");
  }

  @Override
  public void release(String predictionId, String error) {
    transition("release(" + predictionId + ")", predictionId, JobStatus.PENDING, error,
        "status = 'PROCESSING'", "only a PROCESSING job can be released");
  }

  @Override
  public Optional<GenerationJob> find(String predictionId) {
    checkPredictionId(predictionId);
    return SqlSupport.inTransaction(jdbi, "find(" + predictionId + ")", h -> find(h, predictionId));
  }

  @Override
  public Optional<GenerationJob> findLatest(ContentKey key) {
    Objects.requireNonNull(key, "key == null");
    return SqlSupport.inTransaction(jdbi, "findLatest(" + key + ")", h ->
        h.createQuery("SELECT " + COLUMNS + " FROM ra_generation_jobs"
                + " WHERE content_type = :content_type AND content_id = :content_id"
                + " ORDER BY created_at DESC, id DESC FETCH FIRST 1 ROWS ONLY")
            .bind("content_type", key.contentType())
            .bind("content_id", key.contentId())
            .map(JOB)
            .findOne());
  }

  @Override
  public void logResult(ResultRecord record) {
    Objects.requireNonNull(record, "record == null");
    checkPredictionId(record.predictionId());
    SqlSupport.inTransaction(jdbi, "logResult(" + record.predictionId() + ", " + record.key() + ")", h ->
        h.createUpdate("INSERT INTO ra_generation_results (prediction_id, content_type, content_id, status, error,"
                + " audio_bytes, original_duration_us, final_duration_us, processing_time_us, recorded_at)"
                + " VALUES (:prediction_id, :content_type, :content_id, :status, :error, :audio_bytes,"
                + " :original_duration_us, :final_duration_us, :processing_time_us, :recorded_at)")
            .bind("prediction_id", record.predictionId())
            .bind("content_type", record.key().contentType())
            .bind("content_id", record.key().contentId())
            .bind("status", record.status().name())
            .bind("error", SqlSupport.errorText(record.error()))
            .bind("audio_bytes", record.audioBytes())
            .bind("original_duration_us", SqlSupport.micros(record.originalDuration()))
            .bind("final_duration_us", SqlSupport.micros(record.finalDuration()))
            .bind("processing_time_us", SqlSupport.micros(record.processingTime()))
            .bind("recorded_at", SqlSupport.timestamp(record.recordedAt().truncatedTo(ChronoUnit.MICROS)))
            .execute());
  }

  @Override
  public List<ResultRecord> results(String predictionId) {
    checkPredictionId(predictionId);
    return SqlSupport.inTransaction(jdbi, "results(" + predictionId + ")", h ->
        h.createQuery("SELECT prediction_id, content_type, content_id, status, error, audio_bytes,"
                + " original_duration_us, final_duration_us, processing_time_us, recorded_at"
                + " FROM ra_generation_results WHERE prediction_id = :prediction_id ORDER BY recorded_at, id")
            .bind("prediction_id", predictionId)
            .map(RESULT)
            .list());
  }

  @Override
  public String toString() {
    return "JdbiGenerationJobStore";
  }

  private void transition(String operation, String predictionId, JobStatus target, String error, String allowedFrom,
      String rule) {
    checkPredictionId(predictionId);
    SqlSupport.inTransaction(jdbi, operation, h -> {
      Update update = h.createUpdate("UPDATE ra_generation_jobs SET status = :status, updated_at = :now"
              + (error == null ? "" : ", last_error = :error")
              + " WHERE prediction_id = :prediction_id AND " + allowedFrom)
          .bind("status", target.name())
          .bind("now", SqlSupport.timestamp(SqlSupport.now(clock)))
          .bind("prediction_id", predictionId);
      if (error != null) {
        update.bind("error", SqlSupport.errorText(error));
      }
      int updated = update.execute();
      if (updated == 1) {
        return null;
      }
      GenerationJob job = find(h, predictionId).orElseThrow(() -> StorageException.permanent(
          operation + " failed: no generation job has prediction id '" + predictionId + "'", null));
      throw new StaleClaimException(operation + " failed: the job of prediction '" + predictionId + "' ("
          + job.key() + ") is " + job.status() + "; " + rule, predictionId, job.status());
    });
  }

  /** Inserts a job; false when its prediction id exists already (the row is left as it is). */
  private static boolean insertIfAbsent(Handle h, String predictionId, ContentKey key, JobStatus status,
      int attempts, Instant now) throws SQLException {
    Dialect dialect = Dialect.of(h.getConnection());
    try {
      return h.createUpdate(dialect.insertJobIfAbsent())
          .bind("prediction_id", predictionId)
          .bind("content_type", key.contentType())
          .bind("content_id", key.contentId())
          .bind("status", status.name())
          .bind("attempts", attempts)
          .bind("now", SqlSupport.timestamp(now))
          .execute() == 1;
    } catch (UnableToExecuteStatementException e) {
      if (dialect == Dialect.H2 && e.getCause() instanceof SQLException
          && Dialect.isUniqueViolation((SQLException) e.getCause())) {
        return false; // H2 keeps the transaction usable after a failed statement
      }
      throw e;
    }
  }

  private static Optional<GenerationJob> find(Handle h, String predictionId) {
    return h.createQuery("SELECT " + COLUMNS + " FROM ra_generation_jobs WHERE prediction_id = :prediction_id")
        .bind("prediction_id", predictionId)
        .map(JOB)
        .findOne();
  }

  private static GenerationJob mapJob(ResultSet rs, StatementContext ctx)
      throws SQLException {
    return new GenerationJob(
        rs.getString("prediction_id"),
        new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
        JobStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        SqlSupport.instant(rs, "created_at"),
        SqlSupport.instant(rs, "updated_at"));
  }

  private static ResultRecord mapResult(ResultSet rs, StatementContext ctx)
      throws SQLException {
    return new ResultRecord(
        rs.getString("prediction_id"),
        new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
        CompletionStatus.valueOf(rs.getString("status")),
        rs.getString("error"),
        rs.getLong("audio_bytes"),
        SqlSupport.duration(rs, "original_duration_us"),
        SqlSupport.duration(rs, "final_duration_us"),
        SqlSupport.duration(rs, "processing_time_us"),
        SqlSupport.instant(rs, "recorded_at"));
  }

  private static void checkPredictionId(String predictionId) {
    Objects.requireNonNull(predictionId, "predictionId == null");
    if (predictionId.isBlank() || predictionId.length() > 255) {
      throw new IllegalArgumentException("predictionId must be 1 to 255 characters and not blank, was '"
          + (predictionId.length() > 40 ? predictionId.substring(0, 40) + "..." : predictionId) + "' ("
          + predictionId.length() + " characters)");
    }
  }
}
