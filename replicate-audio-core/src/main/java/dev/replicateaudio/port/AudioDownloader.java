package dev.replicateaudio.port;

import java.net.URI;
import java.nio.file.Path;
import java.util.concurrent.CompletionStage;

/**
 * Streams a prediction's output to a file, never holding the whole audio in memory.
 *
 * <p>Implementations enforce the size cap ({@code maxFileSize}) and the whole-call deadline
 * ({@code downloadTimeout}) of their settings, accept {@code data:} URIs under the same cap, and
 * leave no partial file behind on failure: the stage then fails with
 * {@link AudioTooLargeException} (permanent) or {@link DownloadException} (retryable for timeouts,
 * I/O errors, 429 and 5xx; permanent for other statuses and refused URLs). Thread-safe.
 */
public interface AudioDownloader {
  /**
   * Downloads {@code source} into {@code target}, replacing it if present.
   *
   * @param source the output's URL: https on an allowed host, or a {@code data:} URI
   * @param target the file to write; its directory exists
   * @return what was downloaded
   */
  CompletionStage<DownloadedAudio> download(URI source, Path target);
}
