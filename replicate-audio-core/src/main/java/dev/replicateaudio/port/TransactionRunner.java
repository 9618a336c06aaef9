package dev.replicateaudio.port;

/**
 * Runs work in one database transaction: every {@link AudioStore} and {@link GenerationJobStore}
 * call made inside {@link #inTransaction} on the same thread joins it, and all of it commits or
 * rolls back together. A nested call joins the outer transaction. The core never sees a connection
 * or handle.
 *
 * <p>Blocking: call it from a thread that may block (the host's executor). Thread-safe.
 */
public interface TransactionRunner {
  /**
   * Runs {@code work} in a transaction and commits when it returns; rolls back when it throws.
   *
   * @param <T> what the work returns
   * @param work the work; it may call the stores
   * @return what {@code work} returned
   * @throws StorageException when the transaction can't be begun or committed (retryable)
   * @throws RuntimeException whatever unchecked exception {@code work} threw, after rolling back;
   *     a checked one arrives wrapped in a {@link StorageException}
   */
  <T> T inTransaction(TransactionalWork<T> work);

  /** Work done inside a transaction. */
  @FunctionalInterface
  interface TransactionalWork<T> {
    /**
     * Does the work.
     *
     * @return its result
     * @throws Exception any failure; the transaction then rolls back
     */
    T execute() throws Exception;
  }
}
