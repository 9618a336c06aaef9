package dev.replicateaudio.jdbi;

import dev.replicateaudio.jdbi.internal.StorageErrors;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.port.TransactionRunner;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;

/**
 * The transaction port on Jdbi (the seed's {@code managed_db_transaction()}): everything that
 * {@link JdbiGenerationJobStore}, {@link JdbiAudioStore} and {@link DatabaseSessionManager} do
 * inside {@link #inTransaction} on the same thread commits or rolls back together.
 *
 * <pre>{@code
 * Jdbi jdbi = Jdbi.create(dataSource);
 * TransactionRunner tx = JdbiTransactionRunner.create(jdbi);
 * GenerationJobStore jobs = JdbiGenerationJobStore.create(jdbi);
 * AudioStore audio = JdbiAudioStore.create(jdbi);
 * tx.inTransaction(() -> {
 *   audio.storeAudio(key, file, metadata);
 *   jobs.markSucceeded(predictionId);
 *   return null;
 * });
 * }</pre>
 *
 * <p>It rests on Jdbi's own thread binding: while {@code inTransaction} runs, the handle it opened
 * is the calling thread's handle for that {@link Jdbi} instance, so every store call on that thread
 * (and a nested {@code inTransaction}) uses it and joins its transaction. The stores and the runner
 * must therefore share one {@code Jdbi} instance. The handle, and its pooled connection, is closed
 * when the outermost {@code inTransaction} returns or throws. Work handed to another thread does not
 * join: it runs in its own transactions.
 *
 * <p>This class is thread-safe.
 */
public final class JdbiTransactionRunner implements TransactionRunner {
  private final Jdbi jdbi;

  private JdbiTransactionRunner(Jdbi jdbi) {
    this.jdbi = jdbi;
  }

  /**
   * A runner on {@code jdbi}; share the instance with the stores.
   *
   * @param jdbi the same Jdbi the stores use, so their statements join the transaction
   * @return a new runner, thread-safe
   */
  public static JdbiTransactionRunner create(Jdbi jdbi) {
    return new JdbiTransactionRunner(Objects.requireNonNull(jdbi, "jdbi == null"));
  }

  /**
   * Runs {@code work} in a transaction, or inside the calling thread's transaction when there is
   * one. Commits when the outermost call returns; rolls back when {@code work} throws.
   *
   * @throws StorageException when the transaction can't be begun or committed (no connection, a
   *     commit refused), or wrapping a checked exception {@code work} threw
   * @throws RuntimeException whatever unchecked exception {@code work} threw, after rolling back
   */
  @Override
  public <T> T inTransaction(TransactionalWork<T> work) {
    Objects.requireNonNull(work, "work == null");
    try {
      return jdbi.inTransaction(handle -> {
        try {
          return work.execute();
        } catch (Exception e) {
          throw new WorkFailed(e);
        }
      });
    } catch (WorkFailed wrapper) {
      // Jdbi has rolled back; a failed rollback arrives as a suppressed exception of the wrapper
      Exception cause = (Exception) wrapper.getCause();
      for (Throwable suppressed : wrapper.getSuppressed()) {
        cause.addSuppressed(suppressed);
      }
      if (cause instanceof RuntimeException) {
        throw (RuntimeException) cause;
      }
      throw new StorageException("inTransaction: the work threw a checked exception and was rolled back: "
          + cause, cause);
    } catch (RuntimeException e) {
      throw StorageErrors.translate("inTransaction", e);
    }
  }

  /** Carries an exception of the work through Jdbi, telling it apart from Jdbi's own failures. */
  private static final class WorkFailed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    WorkFailed(Exception cause) {
      super(null, cause, true, false);
    }
  }
}
