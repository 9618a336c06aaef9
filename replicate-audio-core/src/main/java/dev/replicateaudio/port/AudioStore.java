package dev.replicateaudio.port;

import dev.replicateaudio.ContentKey;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Objects;

/**
 * Stores a content item's audio. Implementations stream the file into the database and never load
 * it whole into memory. Called inside {@link TransactionRunner#inTransaction} by the pipeline, so
 * the store joins the surrounding transaction. Blocking; thread-safe.
 */
public interface AudioStore {
  /**
   * Stores (inserts or replaces) the audio of {@code key}.
   *
   * @param audioFile the processed audio; read once, streamed
   * @param metadata what the pipeline knows about it
   * @param key the content item the audio belongs to
   * @throws StorageException on failure: retryable for connection problems, permanent when the
   *     content item does not exist
   */
  void storeAudio(ContentKey key, Path audioFile, AudioMetadata metadata);

  /**
   * Stores the audio of {@code key} from a file hashed earlier, when its stamp was {@code hashedAs}:
   * instead of hashing the file again, a store checks that it still has that stamp before and after
   * streaming it, and that it streamed {@code metadata.sizeBytes()} bytes. The pipeline calls this
   * with the hash computed while the audio was downloaded. This default checks the stamp and then
   * calls {@link #storeAudio(ContentKey, Path, AudioMetadata)}, which verifies the hash itself.
   *
   * @param key the content item the audio belongs to
   * @param audioFile the processed audio; read once, streamed
   * @param metadata what the pipeline knows about it; its SHA-256 is of the file as stamped
   * @param hashedAs the file's stamp when {@code metadata} was computed
   * @throws StorageException permanent when the file is missing or no longer has the stamp (it
   *     changed underneath; nothing is stored); as the three-argument form otherwise
   */
  default void storeAudio(ContentKey key, Path audioFile, AudioMetadata metadata, FileStamp hashedAs) {
    Objects.requireNonNull(audioFile, "audioFile == null");
    Objects.requireNonNull(hashedAs, "hashedAs == null");
    FileStamp now;
    try {
      now = FileStamp.of(audioFile);
    } catch (UncheckedIOException e) {
      throw StorageException.permanent("storeAudio(" + key + ") failed: " + e.getMessage(), e);
    }
    if (!now.equals(hashedAs)) {
      throw StorageException.permanent("storeAudio(" + key + ") failed: " + audioFile + " changed after it was hashed"
          + " (was " + hashedAs + ", now " + now + "); nothing was stored", null);
    }
    storeAudio(key, audioFile, metadata);
  }
}
