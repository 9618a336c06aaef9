package dev.replicateaudio.jdbi;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.port.AudioMetadata;
import java.time.Instant;
import java.util.Objects;

/**
 * A row of the default audio table {@code ra_audio}, without the audio itself.
 *
 * @param key the content item
 * @param metadata the mime type, size, SHA-256 and duration it was stored with
 * @param updatedAt when it was last stored
 */
public record StoredAudio(ContentKey key, AudioMetadata metadata, Instant updatedAt) {
  public StoredAudio {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(metadata, "metadata == null");
    Objects.requireNonNull(updatedAt, "updatedAt == null");
  }
}
