package dev.replicateaudio.okhttp;

import dev.replicateaudio.ReplicateAudioException;

/**
 * A prediction JSON document (an API response or a webhook body) could not be used: it is not JSON,
 * not an object, has no {@code id}, an unknown {@code status}, an unparsable timestamp or output URL.
 * The message names the problem and quotes the start of the document (at most 200 characters).
 * Permanent: the same document will always fail.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class PredictionParseException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** What was wrong, without the excerpt. */
  private final String problem;

  PredictionParseException(String problem, String excerpt, Throwable cause) {
    super("Can't read prediction JSON: " + problem + "; document starts with: " + excerpt, cause);
    this.problem = problem;
  }

  /**
   * What was wrong, without the excerpt; for example {@code missing "id"}.
   *
   * @return the problem
   */
  public String problem() {
    return problem;
  }
}
