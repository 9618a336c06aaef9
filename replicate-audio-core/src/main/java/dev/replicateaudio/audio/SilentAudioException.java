package dev.replicateaudio.audio;

/** The audio is silent from start to end at the configured threshold, so trimming leaves nothing. */
public final class SilentAudioException extends InvalidAudioException {
  private static final long serialVersionUID = 1L;

  public SilentAudioException(String message) {
    super(message);
  }
}
