package dev.replicateaudio.audio;

import dev.replicateaudio.ReplicateAudioException;

/**
 * The audio can't be used: corrupt, truncated, empty, or of a format that is not accepted.
 * Permanent: processing the same file again gives the same answer.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public class InvalidAudioException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception without a cause.
   *
   * @param message what is wrong with the audio
   */
  public InvalidAudioException(String message) {
    super(message);
  }

  /**
   * An exception with its cause.
   *
   * @param message what is wrong with the audio
   * @param cause what revealed it, for example ffmpeg's failure
   */
  public InvalidAudioException(String message, Throwable cause) {
    super(message, cause);
  }
}
