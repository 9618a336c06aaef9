package dev.replicateaudio.testing;

import dev.replicateaudio.port.AudioDownloader;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadException;
import dev.replicateaudio.port.DownloadedAudio;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A hand-made fake {@link AudioDownloader}: "downloads" by copying local files registered per URI,
 * enforcing a size cap like the real one, with injectable failures. Completes on the given executor.
 * This class is thread-safe.
 */
public final class FakeAudioDownloader implements AudioDownloader {
  private final Executor executor;
  private final long maxFileSize;
  private final Map<URI, Path> files = new ConcurrentHashMap<>();
  private final Map<URI, Supplier<RuntimeException>> failures = new ConcurrentHashMap<>();
  private final Map<URI, AtomicInteger> failuresLeft = new ConcurrentHashMap<>();
  private final AtomicInteger downloads = new AtomicInteger();

  public FakeAudioDownloader(Executor executor, long maxFileSize) {
    this.executor = Objects.requireNonNull(executor, "executor == null");
    this.maxFileSize = maxFileSize;
  }

  /** Serves {@code file}'s bytes for {@code uri}. */
  public FakeAudioDownloader serve(URI uri, Path file) {
    files.put(uri, file);
    return this;
  }

  /** The next {@code times} downloads of {@code uri} fail with what {@code failure} supplies. */
  public FakeAudioDownloader failNext(URI uri, int times, Supplier<RuntimeException> failure) {
    failures.put(uri, failure);
    failuresLeft.put(uri, new AtomicInteger(times));
    return this;
  }

  /** A retryable failure like a download timeout. */
  public static DownloadException timeout(URI uri) {
    return new DownloadException("Download of " + uri + " timed out (injected)", -1, true, null);
  }

  private volatile String reportedSha256;

  /**
   * Every download reports {@code sha256} as the SHA-256 computed while writing (null: none, the
   * default), as a hashing downloader does; a test can tell by it whether the pipeline reused it.
   */
  public FakeAudioDownloader reportSha256(String sha256) {
    this.reportedSha256 = sha256;
    return this;
  }

  /** How many downloads were attempted. */
  public int downloads() {
    return downloads.get();
  }

  @Override
  public CompletionStage<DownloadedAudio> download(URI source, Path target) {
    return CompletableFuture.supplyAsync(() -> {
      downloads.incrementAndGet();
      AtomicInteger left = failuresLeft.get(source);
      if (left != null && left.getAndDecrement() > 0) {
        throw failures.get(source).get();
      }
      Path file = files.get(source);
      if (file == null) {
        throw new DownloadException("GET " + source + " answered 404", 404, false, null);
      }
      try {
        long size = Files.size(file);
        if (size > maxFileSize) {
          throw new AudioTooLargeException(source.toString(), size, maxFileSize);
        }
        Files.copy(file, target, StandardCopyOption.REPLACE_EXISTING);
        return new DownloadedAudio(target, size, null, reportedSha256);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, executor);
  }
}
