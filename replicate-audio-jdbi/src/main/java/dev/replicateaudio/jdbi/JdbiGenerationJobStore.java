package dev.replicateaudio.jdbi;

import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.internal.Sql;
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
import java.util.stream.Collectors;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.mapper.RowMapper;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.jdbi.v3.core.statement.UnableToExecuteStatementException;
import org.jdbi.v3.core.statement.Update;

/**
 * The generation job store on Jdbi, in the tables {@code ra_generation_jobs} and
 * {@code ra_generation_results} ({@link SchemaInstaller}), for every {@link SqlDialect}: H2,
 * PostgreSQL, MySQL, MariaDB and SQLite. Its statements are classpath files ({@code sql/common},
 * overridden per dialect); the dialect is detected on first use.
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

  /** The states a job may succeed from (markSucceeded, finish), and the rule a refusal names. */
  private static final List<JobStatus> SUCCEED_FROM = List.of(JobStatus.PROCESSING);
  private static final String SUCCEED_RULE = "only a PROCESSING job can succeed";
  /** The states a job may fail from (markFailed, finish), and the rule a refusal names. */
  private static final List<JobStatus> FAIL_FROM = List.of(JobStatus.PROCESSING, JobStatus.PENDING);
  private static final String FAIL_RULE = "only a PROCESSING or PENDING job can fail";

  private final Jdbi jdbi;
  private final Clock clock;
  private volatile SqlDialect dialect;

  private JdbiGenerationJobStore(Jdbi jdbi, Clock clock) {
    this.jdbi = jdbi;
    this.clock = clock;
  }

  /**
   * A store on {@code jdbi} whose timestamps come from the system clock (UTC).
   *
   * @param jdbi the Jdbi on the database whose schema {@link SchemaInstaller} installed; share it with
   *     the audio store and the {@link JdbiTransactionRunner}
   * @return a new store, thread-safe
   */
  public static JdbiGenerationJobStore create(Jdbi jdbi) {
    return create(jdbi, Clock.systemUTC());
  }

  /**
   * A store on {@code jdbi} whose timestamps come from {@code clock}.
   *
   * @param jdbi the Jdbi on the database whose schema {@link SchemaInstaller} installed
   * @param clock where {@code created_at} and {@code updated_at} come from (tests pass a fixed one)
   * @return a new store, thread-safe
   */
  public static JdbiGenerationJobStore create(Jdbi jdbi, Clock clock) {
    return new JdbiGenerationJobStore(Objects.requireNonNull(jdbi, "jdbi == null"),
        Objects.requireNonNull(clock, "clock == null"));
  }

  @Override
  public void recordSubmitted(ContentKey key, String predictionId) {
    Objects.requireNonNull(key, "key == null");
    checkPredictionId(predictionId);
    String operation = "recordSubmitted(" + predictionId + ", " + key + ")";
    SqlSupport.inTransactionRetryingConflicts(jdbi, operation, h -> {
      SqlDialect d = dialect(h);
      if (insertIfAbsent(h, d, predictionId, key, JobStatus.PENDING, 0, SqlSupport.now(clock))
          && !Sql.insertCountIsAmbiguous(d)) {
        return null;
      }
      GenerationJob existing = find(h, d, predictionId).orElseThrow(() -> new StorageException(
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
    String operation = "claim(" + predictionId + ", " + key + ")";
    SqlDialect known = dialect;
    if (known == null) {
      known = SqlSupport.read(jdbi, operation, this::dialect);
    }
    if (Sql.claimReturnsRow(known)) {
      // each statement is atomic alone and none relies on another's locks, so they run in autocommit
      // (outside a transaction of the caller's): no commit round trip
      SqlDialect d = known;
      return SqlSupport.autocommitRetryingConflicts(jdbi, operation, h -> {
        Instant now = SqlSupport.now(clock);
        // one statement claims and returns the row; a new job's row is known without reading it back
        Optional<GenerationJob> claimed = claimPendingReturning(h, d, predictionId, key, now);
        if (claimed.isPresent()) {
          return claimed;
        }
        if (insertIfAbsent(h, d, predictionId, key, JobStatus.PROCESSING, 1, now)) {
          return Optional.of(new GenerationJob(predictionId, key, JobStatus.PROCESSING, 1, null, now, now));
        }
        // the row appeared between the two: a recordSubmitted committed it (the webhook raced the
        // submission), and the insert waited for that commit; it is visible to a new statement now
        return claimPendingReturning(h, d, predictionId, key, now);
      });
    }
    return SqlSupport.inTransactionRetryingConflicts(jdbi, operation, h -> {
      SqlDialect d = dialect(h);
      Instant now = SqlSupport.now(clock);
      if (claimPending(h, d, predictionId, key, now)) {
        return find(h, d, predictionId);
      }
      if (Sql.insertCountIsAmbiguous(d)) {
        // insert it PENDING unless it exists (this locks the row either way), then claim it like any other
        insertIfAbsent(h, d, predictionId, key, JobStatus.PENDING, 0, now);
        return claimPending(h, d, predictionId, key, now) ? find(h, d, predictionId) : Optional.<GenerationJob>empty();
      }
      if (insertIfAbsent(h, d, predictionId, key, JobStatus.PROCESSING, 1, now)
          // the row appeared between the two: a recordSubmitted committed it (the webhook raced the
          // submission), and the insert waited for that commit; it is visible to a new statement now
          || claimPending(h, d, predictionId, key, now)) {
        return find(h, d, predictionId);
      }
      return Optional.<GenerationJob>empty();
    });
  }

  /** {@link #claimPending} returning the claimed row, where {@link Sql#claimReturnsRow} holds. */
  private static Optional<GenerationJob> claimPendingReturning(Handle h, SqlDialect d, String predictionId,
      ContentKey key, Instant now) {
    return h.createQuery(Sql.get(d, "job_claim_pending_returning"))
        .bind("now", SqlSupport.timestamp(d, now))
        .bind("prediction_id", predictionId)
        .bind("content_type", key.contentType())
        .bind("content_id", key.contentId())
        .map((rs, ctx) -> mapJob(d, rs))
        .findOne();
  }

  /** PENDING → PROCESSING, attempts + 1, for the job of this id and key; true when it was PENDING. */
  private static boolean claimPending(Handle h, SqlDialect d, String predictionId, ContentKey key, Instant now) {
    return h.createUpdate(Sql.get(d, "job_claim_pending"))
        .bind("now", SqlSupport.timestamp(d, now))
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
    return SqlSupport.inTransactionRetryingConflicts(jdbi, "claimStale(" + updatedBefore + ", " + limit + ")", h -> {
      SqlDialect d = dialect(h);
      List<StaleRow> stale = lockStale(h, d, updatedBefore, limit);
      if (stale.isEmpty()) {
        return List.<GenerationJob>of();
      }
      Instant now = SqlSupport.now(clock);
      PreparedBatch batch = h.prepareBatch(Sql.get(d, "job_claim_stale"));
      for (StaleRow row : stale) {
        batch.bind("now", SqlSupport.timestamp(d, now)).bind("id", row.id).add();
      }
      int[] counts = batch.execute();
      List<GenerationJob> claimed = new ArrayList<>(stale.size());
      for (int i = 0; i < stale.size(); i++) {
        // the rows are locked by this transaction: each update finds its row (checked all the same)
        if (counts[i] == 1 || counts[i] == Statement.SUCCESS_NO_INFO) {
          GenerationJob job = stale.get(i).job;
          claimed.add(new GenerationJob(job.predictionId(), job.key(), JobStatus.PROCESSING, job.attempts() + 1,
              job.lastError(), job.createdAt(), now));
        }
      }
      return List.copyOf(claimed);
    });
  }

  /** The stale jobs this transaction now holds, oldest first. */
  private static List<StaleRow> lockStale(Handle h, SqlDialect d, Instant updatedBefore, int limit) {
    RowMapper<StaleRow> row = (rs, ctx) -> new StaleRow(rs.getLong("id"), mapJob(d, rs));
    if (!Sql.sweepLocksCandidatesByKey(d)) {
      return h.createQuery(Sql.get(d, "job_select_stale"))
          .define("limit", limit)
          .bind("cutoff", SqlSupport.timestamp(d, updatedBefore))
          .map(row)
          .list();
    }
    List<Long> candidates = h.createQuery(Sql.get(d, "job_select_stale"))
        .define("limit", limit)
        .bind("cutoff", SqlSupport.timestamp(d, updatedBefore))
        .mapTo(Long.class)
        .list();
    if (candidates.isEmpty()) {
      return List.of();
    }
    return h.createQuery(Sql.get(d, "job_lock_stale"))
        .bindList("ids", candidates)
        .bind("cutoff", SqlSupport.timestamp(d, updatedBefore))
        .map(row)
        .list();
  }

  /** A job the sweep holds, with its row id. */
  private static final class StaleRow {
    final long id;
    final GenerationJob job;

    StaleRow(long id, GenerationJob job) {
      this.id = id;
      this.job = job;
    }
  }

  @Override
  public void markSucceeded(String predictionId) {
    transition("markSucceeded(" + predictionId + ")", predictionId, JobStatus.SUCCEEDED, null, SUCCEED_FROM,
        SUCCEED_RULE);
  }

  @Override
  public void markFailed(String predictionId, String error) {
    Objects.requireNonNull(error, "error == null");
    transition("markFailed(" + predictionId + ")", predictionId, JobStatus.FAILED, error, FAIL_FROM, FAIL_RULE);
  }

  @Override
  public void release(String predictionId, String error) {
    transition("release(" + predictionId + ")", predictionId, JobStatus.PENDING, error,
        List.of(JobStatus.PROCESSING), "only a PROCESSING job can be released");
  }

  @Override
  public Optional<GenerationJob> find(String predictionId) {
    checkPredictionId(predictionId);
    return SqlSupport.read(jdbi, "find(" + predictionId + ")", h -> find(h, dialect(h), predictionId));
  }

  @Override
  public Optional<GenerationJob> findLatest(ContentKey key) {
    Objects.requireNonNull(key, "key == null");
    return SqlSupport.read(jdbi, "findLatest(" + key + ")", h -> {
      SqlDialect d = dialect(h);
      return h.createQuery(Sql.get(d, "job_find_latest"))
          .bind("content_type", key.contentType())
          .bind("content_id", key.contentId())
          .map((rs, ctx) -> mapJob(d, rs))
          .findOne();
    });
  }

  @Override
  public void logResult(ResultRecord record) {
    Objects.requireNonNull(record, "record == null");
    checkPredictionId(record.predictionId());
    SqlSupport.inTransactionRetryingConflicts(jdbi, "logResult(" + record.predictionId() + ", " + record.key() + ")",
        h -> bindResult(h.createUpdate(Sql.get(dialect(h), "job_log_result")), dialect(h), record).execute());
  }

  /**
   * {@inheritDoc}
   *
   * <p>One transaction of its own (or the caller's); on PostgreSQL one statement does both.
   */
  @Override
  public void finish(ResultRecord record) {
    Objects.requireNonNull(record, "record == null");
    checkPredictionId(record.predictionId());
    boolean succeeded = record.status() == CompletionStatus.SUCCEEDED;
    if (!succeeded && record.error() == null) {
      throw new IllegalArgumentException("a " + record.status() + " result record must carry an error (prediction "
          + record.predictionId() + ")");
    }
    String operation = "finish(" + record.predictionId() + ", " + record.status() + ")";
    JobStatus target = succeeded ? JobStatus.SUCCEEDED : JobStatus.FAILED;
    List<JobStatus> from = succeeded ? SUCCEED_FROM : FAIL_FROM;
    String rule = succeeded ? SUCCEED_RULE : FAIL_RULE;
    SqlSupport.inTransactionRetryingConflicts(jdbi, operation, h -> {
      SqlDialect d = dialect(h);
      if (!Sql.finishesInOneStatement(d)) {
        transition(h, d, operation, record.predictionId(), target, record.error(), from, rule);
        return bindResult(h.createUpdate(Sql.get(d, "job_log_result")), d, record).execute();
      }
      int logged = bindResult(h.createUpdate(Sql.get(d, "job_finish")), d, record)
          .bindList("from", names(from))
          .bind("status", target.name())
          .bind("now", SqlSupport.timestamp(d, SqlSupport.now(clock)))
          .bind("last_error", SqlSupport.errorText(record.error()))
          .bind("result_status", record.status().name())
          .execute();
      if (logged != 1) {
        throw refused(h, d, operation, record.predictionId(), rule);
      }
      return logged;
    });
  }

  /** Binds a result row's columns (the {@code status} column as {@code :status}, as job_log_result names it). */
  private static Update bindResult(Update update, SqlDialect d, ResultRecord record) {
    return update.bind("prediction_id", record.predictionId())
        .bind("content_type", record.key().contentType())
        .bind("content_id", record.key().contentId())
        .bind("status", record.status().name())
        .bind("error", SqlSupport.errorText(record.error()))
        .bind("audio_bytes", record.audioBytes())
        .bind("original_duration_us", SqlSupport.micros(record.originalDuration()))
        .bind("final_duration_us", SqlSupport.micros(record.finalDuration()))
        .bind("processing_time_us", SqlSupport.micros(record.processingTime()))
        .bind("recorded_at", SqlSupport.timestamp(d, record.recordedAt().truncatedTo(ChronoUnit.MICROS)));
  }

  @Override
  public List<ResultRecord> results(String predictionId) {
    checkPredictionId(predictionId);
    return SqlSupport.read(jdbi, "results(" + predictionId + ")", h -> {
      SqlDialect d = dialect(h);
      return h.createQuery(Sql.get(d, "job_results"))
          .bind("prediction_id", predictionId)
          .map((rs, ctx) -> mapResult(d, rs))
          .list();
    });
  }

  @Override
  public String toString() {
    return "JdbiGenerationJobStore";
  }

  /** The database's dialect, detected (and its version checked) on first use. */
  private SqlDialect dialect(Handle h) throws SQLException {
    SqlDialect d = dialect;
    if (d == null) {
      d = SqlDialect.detect(h.getConnection());
      dialect = d;
    }
    return d;
  }

  private void transition(String operation, String predictionId, JobStatus target, String error,
      List<JobStatus> allowedFrom, String rule) {
    checkPredictionId(predictionId);
    SqlSupport.inTransactionRetryingConflicts(jdbi, operation, h -> {
      transition(h, dialect(h), operation, predictionId, target, error, allowedFrom, rule);
      return null;
    });
  }

  /** The fenced move on {@code h}: throws when the job is not in one of {@code allowedFrom}. */
  private void transition(Handle h, SqlDialect d, String operation, String predictionId, JobStatus target,
      String error, List<JobStatus> allowedFrom, String rule) {
    int updated = h.createUpdate(Sql.get(d, "job_transition"))
        .bindList("from", names(allowedFrom))
        .bind("status", target.name())
        .bind("now", SqlSupport.timestamp(d, SqlSupport.now(clock)))
        .bind("error", SqlSupport.errorText(error))
        .bind("prediction_id", predictionId)
        .execute();
    if (updated != 1) {
      throw refused(h, d, operation, predictionId, rule);
    }
  }

  /** Why a fenced move changed nothing: the job is elsewhere (stale claim), or there is no such job. */
  private static RuntimeException refused(Handle h, SqlDialect d, String operation, String predictionId, String rule) {
    GenerationJob job = find(h, d, predictionId).orElseThrow(() -> StorageException.permanent(
        operation + " failed: no generation job has prediction id '" + predictionId + "'", null));
    return new StaleClaimException(operation + " failed: the job of prediction '" + predictionId + "' ("
        + job.key() + ") is " + job.status() + "; " + rule, predictionId, job.status());
  }

  private static List<String> names(List<JobStatus> statuses) {
    return statuses.stream().map(JobStatus::name).collect(Collectors.toList());
  }

  /**
   * Inserts a job; false when its prediction id exists already (the row is left as it is). Where
   * {@link Sql#insertCountIsAmbiguous} holds, true means only "inserted or existing".
   */
  private static boolean insertIfAbsent(Handle h, SqlDialect d, String predictionId, ContentKey key,
      JobStatus status, int attempts, Instant now) {
    try {
      return h.createUpdate(Sql.get(d, "job_insert_if_absent"))
          .bind("prediction_id", predictionId)
          .bind("content_type", key.contentType())
          .bind("content_id", key.contentId())
          .bind("status", status.name())
          .bind("attempts", attempts)
          .bind("now", SqlSupport.timestamp(d, now))
          .execute() >= 1;
    } catch (UnableToExecuteStatementException e) {
      if (Sql.insertRaisesUniqueViolation(d) && e.getCause() instanceof SQLException
          && "23505".equals(((SQLException) e.getCause()).getSQLState())) {
        return false; // H2 keeps the transaction usable after a failed statement
      }
      throw e;
    }
  }

  private static Optional<GenerationJob> find(Handle h, SqlDialect d, String predictionId) {
    return h.createQuery(Sql.get(d, "job_find"))
        .bind("prediction_id", predictionId)
        .map((rs, ctx) -> mapJob(d, rs))
        .findOne();
  }

  private static GenerationJob mapJob(SqlDialect d, ResultSet rs) throws SQLException {
    return new GenerationJob(
        rs.getString("prediction_id"),
        new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
        JobStatus.valueOf(rs.getString("status")),
        rs.getInt("attempts"),
        rs.getString("last_error"),
        SqlSupport.instant(d, rs, "created_at"),
        SqlSupport.instant(d, rs, "updated_at"));
  }

  private static ResultRecord mapResult(SqlDialect d, ResultSet rs) throws SQLException {
    return new ResultRecord(
        rs.getString("prediction_id"),
        new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
        CompletionStatus.valueOf(rs.getString("status")),
        rs.getString("error"),
        rs.getLong("audio_bytes"),
        SqlSupport.duration(rs, "original_duration_us"),
        SqlSupport.duration(rs, "final_duration_us"),
        SqlSupport.duration(rs, "processing_time_us"),
        SqlSupport.instant(d, rs, "recorded_at"));
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
