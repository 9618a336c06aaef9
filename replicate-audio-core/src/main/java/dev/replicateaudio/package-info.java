/**
 * The entry points of replicate-audio: {@link dev.replicateaudio.ReplicateAudio} (submit predictions
 * with a webhook per content item and wait for their audio, event-driven), its
 * {@link dev.replicateaudio.ReplicateAudioSettings}, the content key and outcome types, the
 * {@link dev.replicateaudio.ManagedTempFiles} resource manager, and the exception root
 * {@link dev.replicateaudio.ReplicateAudioException}.
 *
 * <p>This module depends on the JDK only. The adapters {@code replicate-audio-okhttp} (Replicate's
 * API, downloads, the webhook endpoint) and {@code replicate-audio-jdbi} (storage) implement its
 * ports ({@link dev.replicateaudio.port}). Every argument and return value is non-null unless its
 * Javadoc says otherwise.
 */
package dev.replicateaudio;
