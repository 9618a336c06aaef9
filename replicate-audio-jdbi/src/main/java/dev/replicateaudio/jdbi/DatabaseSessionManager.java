package dev.replicateaudio.jdbi;

import dev.replicateaudio.jdbi.internal.SqlSupport;
import dev.replicateaudio.jdbi.internal.StorageErrors;
import dev.replicateaudio.port.StorageException;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs named database operations with managed handles (the seed's {@code DatabaseSessionManager}):
 * {@link #safeExecute} for work whose failure the caller tolerates, {@link #execute} for work whose
 * failure it wants as a precise {@link StorageException}.
 *
 * <pre>{@code
 * DatabaseSessionManager sessions = DatabaseSessionManager.create(jdbi);
 * Optional<Integer> updated = sessions.safeExecute("update_sound_effect_audio_" + id,
 *     handle -> handle.createUpdate("UPDATE sound_effects SET title = :title WHERE id = :id")
 *         .bind("title", title).bind("id", id).execute());
 * }</pre>
 *
 * <p>The callback may also call the stores made on the same {@link Jdbi}: they join its
 * transaction. Handles are always closed, whatever happens. This class is thread-safe.
 */
public final class DatabaseSessionManager {
  private static final Logger LOG = LoggerFactory.getLogger(DatabaseSessionManager.class);

  private final Jdbi jdbi;
  private final AtomicLong savepoints = new AtomicLong();

  private DatabaseSessionManager(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * A session manager running its operations on {@code jdbi}.
   *
   * @param jdbi the Jdbi of the host's pool; use the same instance as the stores, so that work run
   *     here joins their transactions and they join its
   * @return a new session manager
   * @throws NullPointerException if {@code jdbi} is null
   */
  public static DatabaseSessionManager create(Jdbi jdbi) {
    return new DatabaseSessionManager(Objects.requireNonNull(jdbi, "jdbi == null"));
  }

  /**
   * Runs {@code work} as one operation and never throws for its failure (the seed's
   * {@code safe_execute}). Outside a transaction it gets its own, committed when it returns. Inside
   * the calling thread's transaction ({@link JdbiTransactionRunner#inTransaction}) it runs under a
   * savepoint, so that its failure undoes only its own changes and leaves the surrounding
   * transaction usable (PostgreSQL would otherwise refuse every further statement).
   *
   * <p>On failure it rolls back, logs a WARN naming {@code operation} and the error, and returns
   * empty. An {@link Error} is not caught.
   *
   * @param <T> the type of {@code work}'s result
   * @param operation a name for logs, for example {@code update_sound_effect_audio_42}
   * @param work the database work, given the handle to use; it must not close or commit it
   * @return what {@code work} returned; empty when it failed, or returned null
   * @throws NullPointerException if {@code operation} or {@code work} is null
   */
  public <T> Optional<T> safeExecute(String operation, HandleCallback<T, ? extends Exception> work) {
    Objects.requireNonNull(operation, "operation == null");
    Objects.requireNonNull(work, "work == null");
    try {
      return Optional.ofNullable(jdbi.withHandle(handle -> handle.isInTransaction()
          ? underSavepoint(handle, work)
          : handle.inTransaction(work)));
    } catch (Exception e) {
      StorageException failure = StorageErrors.translate(operation, e);
      LOG.warn("Database operation '{}' failed and was rolled back: {}", operation, failure.getMessage(), e);
      return Optional.empty();
    }
  }

  /**
   * Runs {@code work} as one operation: in its own transaction, committed when it returns, or
   * inside the calling thread's transaction when there is one (like the stores). Unlike
   * {@link #safeExecute}, a joined call takes no savepoint: its failure is thrown through the
   * surrounding transaction, which rolls back as a whole when the exception leaves it. A conflict
   * with a concurrent transaction (a deadlock, say) is not retried here.
   *
   * @param <T> the type of {@code work}'s result
   * @param operation a name for the exception's message, for example {@code rename_sound_effect_42}
   * @param work the database work, given the handle to use; it must not close or commit it
   * @return what {@code work} returned, null included
   * @throws StorageException naming {@code operation} and what went wrong, whatever {@code work}
   *     threw (retryable when the database was unreachable or the failure was transient; a
   *     {@code StorageException} thrown by {@code work} passes through unchanged); its own
   *     transaction is rolled back first
   * @throws NullPointerException if {@code operation} or {@code work} is null
   */
  public <T> T execute(String operation, HandleCallback<T, ? extends Exception> work) {
    Objects.requireNonNull(operation, "operation == null");
    Objects.requireNonNull(work, "work == null");
    return SqlSupport.inTransaction(jdbi, operation, work::withHandle);
  }

  private <T, X extends Exception> T underSavepoint(Handle handle, HandleCallback<T, X> work) throws X {
    String savepoint = "ra_safe_" + savepoints.incrementAndGet();
    handle.savepoint(savepoint);
    T result;
    try {
      result = work.withHandle(handle);
    } catch (Exception e) {
      try {
        handle.rollbackToSavepoint(savepoint);
      } catch (RuntimeException rollback) {
        e.addSuppressed(rollback);
      }
      throw e;
    }
    handle.releaseSavepoint(savepoint);
    return result;
  }
}
