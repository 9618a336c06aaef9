package dev.replicateaudio.port;

import dev.replicateaudio.ContentKey;
import java.nio.file.Path;

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
}
