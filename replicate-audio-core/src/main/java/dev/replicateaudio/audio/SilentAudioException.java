package dev.replicateaudio.audio;

/**
 * The audio is silent from start to end at the configured threshold, so trimming leaves nothing.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class SilentAudioException extends InvalidAudioException {
  private static final long serialVersionUID = 1L;

  /**
   * An exception naming the file and the threshold.
   *
   * @param message the file and the threshold it is silent at
   */
  public SilentAudioException(String message) {
    super(message);
  }
}
