package dev.replicateaudio.audio;

import dev.replicateaudio.ReplicateAudioException;

/**
 * The audio can't be used: corrupt, truncated, empty, or of a format that is not accepted.
 * Permanent: processing the same file again gives the same answer.
 */
public class InvalidAudioException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  public InvalidAudioException(String message) {
    super(message);
  }

  public InvalidAudioException(String message, Throwable cause) {
    super(message, cause);
  }
}
