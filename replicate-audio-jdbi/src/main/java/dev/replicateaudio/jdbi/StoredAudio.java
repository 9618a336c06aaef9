package dev.replicateaudio.jdbi;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.port.AudioMetadata;
import java.time.Instant;
import java.util.Objects;

/**
 * A row of the default audio table {@code ra_audio}, without the audio itself: what
 * {@link JdbiAudioStore}'s {@code findAudio} and {@code copyAudioTo} return, and what
 * {@code readAudio} hands to its reader beside the stream.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param key the content item
 * @param metadata the mime type, size, SHA-256 and duration it was stored with
 * @param updatedAt when it was last stored
 */
public record StoredAudio(ContentKey key, AudioMetadata metadata, Instant updatedAt) {
  /**
   * Checks that no component is null.
   *
   * @param key the content item
   * @param metadata the mime type, size, SHA-256 and duration it was stored with
   * @param updatedAt when it was last stored
   * @throws NullPointerException if any of them is null
   */
  public StoredAudio {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(metadata, "metadata == null");
    Objects.requireNonNull(updatedAt, "updatedAt == null");
  }
}
