package dev.replicateaudio;

/**
 * How a generation ended, as seen by the code waiting for it.
 *
 * <p>Thread-safe, like every enum.
 */
public enum CompletionStatus {
  /** The audio was generated, post-processed and stored. */
  SUCCEEDED,
  /** Replicate failed the prediction, or the audio could not be used (too large, corrupt, silent). */
  FAILED,
  /** The prediction was canceled or aborted (for example by its {@code Cancel-After} deadline). */
  CANCELED,
  /** No completion arrived before the waiter's timeout. */
  TIMED_OUT,
  /**
   * Not finished yet. Only {@code WebhookResultProcessor.process} returns this, for a webhook that
   * does not finish the job (a non-terminal status, or a job another instance is processing right
   * now). Waiters are never completed with it.
   */
  PENDING;

  /**
   * Whether the generation is over.
   *
   * @return true for every status but {@link #PENDING}
   */
  public boolean isFinal() {
    return this != PENDING;
  }
}
