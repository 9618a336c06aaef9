package dev.replicateaudio.port;

import java.time.Duration;

/**
 * Observes the downloads of an {@link AudioDownloader} that supports it (the okhttp module's
 * {@code OkHttpAudioDownloader.Builder.listener}), for metrics. Override what you need.
 *
 * <p>Exactly one method is called per download, on the thread that completes it, once the file is
 * complete or removed and before the download's future completes. Methods must be fast and must not
 * block; an exception they throw is caught and logged at WARN, and the download is not affected. A
 * downloader without a listener uses {@link #NONE} and skips the calls and the time measurement.
 *
 * <p>Implementations must be thread-safe.
 */
public interface DownloadListener {
  /** The listener that does nothing; a downloader given it makes no call at all. */
  DownloadListener NONE = new DownloadListener() {
    @Override
    public String toString() {
      return "DownloadListener.NONE";
    }
  };

  /**
   * A download finished.
   *
   * @param sizeBytes the bytes written to the target file
   * @param elapsed from the call to {@code download} to the end
   */
  default void downloadSucceeded(long sizeBytes, Duration elapsed) {
  }

  /**
   * A download failed or was refused; nothing was left behind.
   *
   * @param failure why: an {@link AudioTooLargeException}, a {@link DownloadException}, or the
   *     cancellation of its future
   * @param elapsed from the call to {@code download} to the end
   */
  default void downloadFailed(Throwable failure, Duration elapsed) {
  }
}
