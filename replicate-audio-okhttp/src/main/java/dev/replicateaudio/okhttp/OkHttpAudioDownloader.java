package dev.replicateaudio.okhttp;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.port.AudioDownloader;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadException;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.port.DownloadedAudio;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import okhttp3.Call;
import okhttp3.Callback;
import okhttp3.Dns;
import okhttp3.HttpUrl;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;
import okio.Buffer;
import okio.BufferedSource;
import okio.HashingSink;
import okio.Okio;
import okio.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams prediction outputs to files with OkHttp: the core's {@link AudioDownloader}.
 *
 * <pre>{@code
 * AudioDownloader downloader = OkHttpAudioDownloader.builder(settings)
 *     .okHttpClient(sharedOkHttp)          // optional; never modified
 *     .build();
 * downloader.download(prediction.firstOutput().orElseThrow(), target)
 *     .thenAccept(audio -> ...);
 * }</pre>
 *
 * <ul>
 *   <li><b>Size</b>: {@code settings.maxFileSize()}. A {@code Content-Length} above it fails before a
 *       byte of the body is read; without one the download stops at the limit plus one byte. Either
 *       way: {@link AudioTooLargeException}.</li>
 *   <li><b>Time</b>: {@code settings.downloadTimeout()} bounds the whole call, redirects, connecting
 *       and every byte of the body included (OkHttp's call timeout). On its own client that is the
 *       only bound besides OkHttp's 10 s connect timeout (no separate read or write timeout); a host's
 *       client ({@link Builder#okHttpClient}) keeps its own read and write timeouts.</li>
 *   <li><b>Where from</b>: {@code https} only, to {@code replicate.delivery} and its subdomains by
 *       default ({@link Builder#allowedHosts}); every redirect is checked against the same rule before
 *       it is followed (at most 5). A host allowed only through a wildcard is reached at public
 *       addresses only: a name that resolves to a loopback, private, link-local (cloud metadata),
 *       unique-local or carrier-grade NAT address, or such an IP literal, is refused (permanent
 *       {@link DownloadException}); a host named exactly in the allowed hosts is trusted at any address.
 *       No {@code Authorization} header is ever sent, even when the OkHttpClient you share adds one.</li>
 *   <li><b>{@code data:} URIs</b> (base64 or percent-encoded) are decoded as a stream under the same
 *       size cap.</li>
 *   <li><b>Files</b>: bytes go to a hidden temporary file beside the target
 *       ({@code .<name>.<random>.part}), which is moved over the target only when complete. A
 *       failure or cancellation deletes it: no partial file is ever left.</li>
 *   <li><b>Failures</b>: {@link DownloadException} with the HTTP status (retryable for 408, 429, 5xx,
 *       timeouts and I/O errors; permanent for other statuses, refused URLs and malformed data URIs).</li>
 * </ul>
 *
 * <p>Threads: the body is streamed to disk on an OkHttp dispatcher thread (a {@code data:} URI is
 * decoded on the dispatcher's executor service), and the returned stage completes there, unless a
 * {@link Builder#callbackExecutor callback executor} is set. Cancelling the returned future cancels the
 * call and deletes the temporary file. {@link #close()} releases an OkHttpClient this class created.
 * This class is thread-safe; its {@link Builder} is not.
 */
public final class OkHttpAudioDownloader implements AudioDownloader, AutoCloseable {
  /** The hosts allowed by default: Replicate's delivery domain and its subdomains. */
  public static final List<String> DEFAULT_ALLOWED_HOSTS = List.of("replicate.delivery", "*.replicate.delivery");
  /** How many redirects are followed at most. */
  public static final int MAX_REDIRECTS = 5;

  private static final Logger LOG = LoggerFactory.getLogger(OkHttpAudioDownloader.class);
  private static final int CHUNK = 8192;
  /** Bytes written to the file per system call. */
  private static final int WRITE_BUFFER = 64 * 1024;

  private final OkHttpClient client;
  private final boolean ownsClient;
  private final HostPolicy policy;
  private final long maxFileSize;
  private final Duration timeout;
  private final Executor callbackExecutor;
  private final DownloadListener listener;
  private final AtomicBoolean closed = new AtomicBoolean();

  private OkHttpAudioDownloader(Builder b) {
    this.policy = HostPolicy.of(b.allowedHosts, b.allowPlainHttp);
    this.maxFileSize = b.settings.maxFileSize();
    this.timeout = b.settings.downloadTimeout();
    this.callbackExecutor = b.callbackExecutor;
    this.listener = b.listener;
    this.ownsClient = b.okHttpClient == null;
    OkHttpClient.Builder cb = b.okHttpClient == null
        // its own client: downloadTimeout (the call timeout) is the one bound. OkHttp's default 10 s read and
        // write timeouts would arm and disarm a timer under Okio's shared lock on every socket read.
        ? new OkHttpClient.Builder().readTimeout(Duration.ZERO).writeTimeout(Duration.ZERO)
        : b.okHttpClient.newBuilder();
    this.client = cb
        .callTimeout(timeout)
        .cache(null) // one-shot downloads of up to maxFileSize: never into the host's HTTP cache
        .followRedirects(false)
        .followSslRedirects(false)
        .dns(policy.dns(b.okHttpClient == null ? Dns.SYSTEM : b.okHttpClient.dns()))
        .addInterceptor(new RedirectGuard(policy))
        .addNetworkInterceptor(chain -> chain.request().header("Authorization") == null
            ? chain.proceed(chain.request())
            : chain.proceed(chain.request().newBuilder().removeHeader("Authorization").build()))
        .build();
  }

  /** The client the downloads run on, for tests. */
  OkHttpClient client() {
    return client;
  }

  /**
   * A downloader with the default host rules, on its own OkHttpClient.
   *
   * @param settings the size cap ({@code maxFileSize}) and timeout ({@code downloadTimeout})
   * @return a new downloader; close it when done
   */
  public static OkHttpAudioDownloader create(ReplicateAudioSettings settings) {
    return builder(settings).build();
  }

  /**
   * A builder taking the size cap and timeout from {@code settings}.
   *
   * @param settings the size cap ({@code maxFileSize}) and timeout ({@code downloadTimeout})
   * @return a new builder
   */
  public static Builder builder(ReplicateAudioSettings settings) {
    return new Builder(settings);
  }

  /**
   * Downloads {@code source} ({@code https:}, {@code http:} when allowed, or {@code data:}) into
   * {@code target}, replacing it if present. The target's directory must exist.
   *
   * @return a future of what was written; cancelling it cancels the download
   */
  @Override
  public CompletableFuture<DownloadedAudio> download(URI source, Path target) {
    Objects.requireNonNull(source, "source == null");
    Objects.requireNonNull(target, "target == null");
    if (closed.get()) {
      throw new IllegalStateException("OkHttpAudioDownloader is closed");
    }
    if (listener == DownloadListener.NONE) {
      return start(source, target);
    }
    long startNanos = System.nanoTime();
    CompletableFuture<DownloadedAudio> download = start(source, target);
    // the caller's future completes after the listener ran; cancelling it cancels the download
    CompletableFuture<DownloadedAudio> result = new CompletableFuture<>();
    download.whenComplete((downloaded, failure) -> {
      Duration elapsed = Duration.ofNanos(System.nanoTime() - startNanos);
      try {
        if (failure == null) {
          listener.downloadSucceeded(downloaded.sizeBytes(), elapsed);
        } else {
          listener.downloadFailed(failure instanceof CompletionException && failure.getCause() != null
              ? failure.getCause() : failure, elapsed);
        }
      } catch (RuntimeException e) {
        LOG.warn("DownloadListener {} threw; ignored", listener, e);
      }
      if (failure == null) {
        result.complete(downloaded);
      } else {
        result.completeExceptionally(failure);
      }
    });
    result.whenComplete((v, t) -> {
      if (result.isCancelled()) {
        download.cancel(false);
      }
    });
    return result;
  }

  private CompletableFuture<DownloadedAudio> start(URI source, Path target) {
    Path absoluteTarget = target.toAbsolutePath();
    CompletableFuture<DownloadedAudio> result = new CompletableFuture<>();
    String described = Texts.describe(source);
    String scheme = source.getScheme() == null ? "" : source.getScheme().toLowerCase(Locale.ROOT);
    if (scheme.equals("data")) {
      downloadDataUri(source, described, absoluteTarget, result);
      return result;
    }
    if (!scheme.equals("https") && !scheme.equals("http")) {
      result.completeExceptionally(new DownloadException("Refused to download " + described
          + ": only https (and data:) URLs are downloaded", -1, false, null));
      return result;
    }
    HttpUrl url = HttpUrl.get(source);
    if (url == null) {
      result.completeExceptionally(new DownloadException("Refused to download " + described
          + ": not a valid " + scheme + " URL", -1, false, null));
      return result;
    }
    String refusal = policy.refusal(url);
    if (refusal != null) {
      result.completeExceptionally(new DownloadException("Refused to download " + described + ": " + refusal,
          -1, false, null));
      return result;
    }
    Call call = client.newCall(new Request.Builder().url(url).get().build());
    result.whenComplete((v, t) -> {
      if (result.isCancelled()) {
        call.cancel();
      }
    });
    call.enqueue(new Transfer(source, described, absoluteTarget, result));
    return result;
  }

  /**
   * The host patterns downloads are allowed from.
   *
   * @return the patterns, unmodifiable
   */
  public List<String> allowedHosts() {
    return policy.patterns();
  }

  /**
   * Releases the dispatcher threads and pooled connections of an OkHttpClient this instance created
   * (downloads in flight fail); does nothing to one passed to {@link Builder#okHttpClient}. Later
   * downloads throw {@link IllegalStateException}. Safe to call twice.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true) || !ownsClient) {
      return;
    }
    OkHttpClients.release(client);
  }

  @Override
  public String toString() {
    return "OkHttpAudioDownloader{allowedHosts=" + policy.patterns() + ", allowPlainHttp=" + policy.allowPlainHttp()
        + ", maxFileSize=" + maxFileSize + ", downloadTimeout=" + SettingParsers.describe(timeout) + "}";
  }

  // ---- HTTP ----

  /** Streams one response to its temp file. */
  private final class Transfer implements Callback {
    private final URI source;
    private final String described;
    private final Path target;
    private final CompletableFuture<DownloadedAudio> result;
    private final long startNanos = System.nanoTime();

    Transfer(URI source, String described, Path target, CompletableFuture<DownloadedAudio> result) {
      this.source = source;
      this.described = described;
      this.target = target;
      this.result = result;
    }

    @Override
    public void onFailure(Call call, IOException e) {
      if (result.isCancelled()) {
        return;
      }
      complete(null, failure(e));
    }

    @Override
    public void onResponse(Call call, Response response) {
      DownloadedAudio audio = null;
      Throwable failure = null;
      try (response) {
        int code = response.code();
        if (!response.isSuccessful()) {
          boolean retryable = code == 408 || code == 429 || code >= 500 && code <= 599;
          failure = new DownloadException("Download of " + described + " failed: HTTP " + code
              + (code == 404 || code == 403 || code == 410 ? " (Replicate outputs expire an hour after completion)" : ""),
              code, retryable, null);
        } else {
          ResponseBody body = response.body();
          long declared = body.contentLength();
          if (declared > maxFileSize) {
            failure = new AudioTooLargeException(described, declared, maxFileSize);
          } else {
            String contentType = response.header("Content-Type");
            audio = writeAtomically(target, contentType, result, out -> copy(body.source(), out));
            if (LOG.isDebugEnabled()) {
              LOG.debug("Downloaded {} bytes from {} in {} ms", audio.sizeBytes(), described,
                  TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNanos));
            }
          }
        }
      } catch (IOException e) {
        failure = failure(e);
      } catch (DownloadException e) {
        failure = e;
      } catch (RuntimeException | Error e) {
        failure = e;
      }
      if (!result.isCancelled()) {
        complete(audio, failure);
      }
    }

    private long copy(BufferedSource source, Sink out) throws IOException {
      Buffer buffer = new Buffer();
      long total = 0;
      while (true) {
        // read at most one byte past the cap: that byte proves the audio too large
        long n = source.read(buffer, Math.min(CHUNK, maxFileSize + 1 - total));
        if (n == -1) {
          return total;
        }
        total += n;
        if (total > maxFileSize) {
          throw new AudioTooLargeException(described, -1, maxFileSize);
        }
        out.write(buffer, n);
      }
    }

    private DownloadException failure(IOException e) {
      if (e instanceof HostPolicy.RefusedAddressException) {
        return new DownloadException("Refused to download " + described + ": " + e.getMessage(), -1, false, e);
      }
      if (e instanceof RefusedRedirectException) {
        return new DownloadException("Refused to download " + described + ": " + e.getMessage(), -1, false, e);
      }
      if (e instanceof TargetException) {
        return new DownloadException(e.getMessage(), -1, false, e.getCause());
      }
      if (e instanceof InterruptedIOException) {
        return new DownloadException("Download of " + described + " timed out after "
            + SettingParsers.describe(timeout) + " (downloadTimeout, " + ReplicateAudioSettings.ENV_DOWNLOAD_TIMEOUT
            + ")", -1, true, e);
      }
      return new DownloadException("Download of " + described + " failed: " + e, -1, true, e);
    }

    private void complete(DownloadedAudio audio, Throwable failure) {
      Runnable completion = failure == null ? () -> result.complete(audio) : () -> result.completeExceptionally(failure);
      Executor executor = callbackExecutor;
      if (executor == null) {
        completion.run();
        return;
      }
      try {
        executor.execute(completion);
      } catch (RejectedExecutionException e) {
        completion.run();
      }
    }
  }

  // ---- data: URIs ----

  private void downloadDataUri(URI source, String described, Path target, CompletableFuture<DownloadedAudio> result) {
    DataUri data;
    try {
      data = DataUri.parse(source);
    } catch (IllegalArgumentException e) {
      result.completeExceptionally(new DownloadException("Malformed data: URI " + described + ": " + e.getMessage(),
          -1, false, e));
      return;
    }
    long known = data.knownDecodedSize();
    if (known > maxFileSize) {
      result.completeExceptionally(new AudioTooLargeException(described, known, maxFileSize));
      return;
    }
    Runnable task = () -> {
      if (result.isDone()) {
        return;
      }
      try (InputStream in = data.open()) {
        result.complete(writeAtomically(target, data.mediaType(), result, out -> copy(in, out, described, result)));
      } catch (DownloadException e) {
        result.completeExceptionally(e);
      } catch (IOException e) {
        result.completeExceptionally(new DownloadException("Malformed data: URI " + described + ": " + e.getMessage(),
            -1, false, e));
      } catch (RuntimeException | Error e) {
        result.completeExceptionally(e);
      }
    };
    Executor executor = callbackExecutor != null ? callbackExecutor : client.dispatcher().executorService();
    try {
      executor.execute(task);
    } catch (RejectedExecutionException e) {
      result.completeExceptionally(new DownloadException("Can't decode " + described + ": executor refused the task",
          -1, true, e));
    }
  }

  private long copy(InputStream in, Sink out, String described, CompletableFuture<?> result) throws IOException {
    byte[] chunk = new byte[CHUNK];
    Buffer buffer = new Buffer();
    long total = 0;
    while (true) {
      if (result.isCancelled()) {
        throw new InterruptedIOException("canceled");
      }
      int n = in.read(chunk, 0, (int) Math.min(CHUNK, maxFileSize + 1 - total));
      if (n == -1) {
        return total;
      }
      total += n;
      if (total > maxFileSize) {
        throw new AudioTooLargeException(described, -1, maxFileSize);
      }
      buffer.write(chunk, 0, n);
      out.write(buffer, n);
    }
  }

  // ---- files ----

  @FunctionalInterface
  private interface Writer {
    long write(Sink out) throws IOException;
  }

  /**
   * Runs {@code writer} against a temporary file beside {@code target}, hashing (SHA-256) what it
   * writes, and moves it over the target when it returns; deletes it when anything fails or the
   * future was canceled meanwhile.
   */
  private static DownloadedAudio writeAtomically(Path target, String contentType, CompletableFuture<?> result,
      Writer writer) throws IOException {
    Path dir = target.getParent();
    String name = target.getFileName().toString();
    Path tmp;
    try {
      tmp = Files.createTempFile(dir, "." + (name.length() > 100 ? name.substring(0, 100) : name) + ".", ".part");
    } catch (NoSuchFileException e) {
      throw new TargetException("Can't download into " + target + ": the directory " + dir + " does not exist", e);
    } catch (IOException e) {
      throw new TargetException("Can't create a temporary file in " + dir + ": " + e, e);
    }
    boolean moved = false;
    try {
      long written;
      String sha256;
      // 64 KiB writes instead of one per 8 KiB segment: half the CPU of writing 200 KB (measured 58 vs 113 us).
      // WRITE alone, not newOutputStream's default TRUNCATE_EXISTING: the file was just created empty, and on
      // ext4 a truncating open makes close() start writing the data out (auto_da_alloc), so a download that
      // lives a few milliseconds would reach the disk (measured: 300 vs 400-590 us per 200 KB file, written,
      // renamed and deleted)
      try (HashingSink out = HashingSink.sha256(Okio.sink(new BufferedOutputStream(
          Files.newOutputStream(tmp, StandardOpenOption.WRITE), WRITE_BUFFER)))) {
        written = writer.write(out);
        out.flush();
        sha256 = out.hash().hex();
      }
      if (result.isCancelled()) {
        throw new InterruptedIOException("canceled");
      }
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
      moved = true;
      return new DownloadedAudio(target, written, contentType, sha256);
    } finally {
      if (!moved) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          LOG.warn("Could not delete the partial download {}: {}", tmp, e.toString());
        }
      }
    }
  }

  /** A local file problem (the target's directory), not a network one. */
  private static final class TargetException extends IOException {
    private static final long serialVersionUID = 1L;

    TargetException(String message, IOException cause) {
      super(message, cause);
    }
  }

  /** A redirect that the host rules do not allow, or one too many. */
  static final class RefusedRedirectException extends IOException {
    private static final long serialVersionUID = 1L;

    RefusedRedirectException(String message) {
      super(message);
    }
  }

  /** Follows redirects itself, checking each target before connecting to it. */
  private static final class RedirectGuard implements Interceptor {
    private final HostPolicy policy;

    RedirectGuard(HostPolicy policy) {
      this.policy = policy;
    }

    @Override
    public Response intercept(Chain chain) throws IOException {
      Request request = chain.request();
      for (int redirects = 0; ; redirects++) {
        Response response = chain.proceed(request);
        if (!response.isRedirect()) {
          return response;
        }
        String location = response.header("Location");
        if (location == null) {
          return response;
        }
        HttpUrl from = response.request().url();
        HttpUrl next = from.resolve(location);
        response.close();
        if (next == null) {
          throw new RefusedRedirectException("redirect " + response.code() + " to an unusable Location '"
              + Texts.printable(location, 100) + "'");
        }
        if (redirects >= MAX_REDIRECTS) {
          throw new RefusedRedirectException("more than " + MAX_REDIRECTS + " redirects");
        }
        String refusal = policy.refusal(next);
        if (refusal != null) {
          throw new RefusedRedirectException("redirect to " + Texts.describe(next.uri()) + " refused: " + refusal);
        }
        request = request.newBuilder().url(next).get().build();
      }
    }
  }

  /**
   * Builds an {@link OkHttpAudioDownloader}. Not thread-safe.
   *
   * <p>Defaults: hosts {@link #DEFAULT_ALLOWED_HOSTS}, https only, futures completed on OkHttp's threads.
   */
  public static final class Builder {
    private final ReplicateAudioSettings settings;
    private OkHttpClient okHttpClient;
    private Collection<String> allowedHosts = DEFAULT_ALLOWED_HOSTS;
    private boolean allowPlainHttp;
    private Executor callbackExecutor;
    private DownloadListener listener = DownloadListener.NONE;

    private Builder(ReplicateAudioSettings settings) {
      this.settings = Objects.requireNonNull(settings, "settings == null");
    }

    /**
     * Told about every download (metrics); see {@link DownloadListener}. Default: none.
     *
     * @param listener the listener
     * @return this builder
     */
    public Builder listener(DownloadListener listener) {
      this.listener = Objects.requireNonNull(listener, "listener == null");
      return this;
    }

    /**
     * A client to share connection pool and threads with; never modified (a {@code newBuilder()} copy is used).
     *
     * @param okHttpClient the host's client
     * @return this builder
     */
    public Builder okHttpClient(OkHttpClient okHttpClient) {
      this.okHttpClient = Objects.requireNonNull(okHttpClient, "okHttpClient == null");
      return this;
    }

    /**
     * The hosts downloads and redirects may go to, replacing the default. Each entry is a host name
     * or IP literal ({@code 127.0.0.1}), {@code *.domain} for any subdomain, or {@code *} for any
     * host (not recommended: outputs come from Replicate's delivery hosts). Hosts matched by a
     * wildcard are reached at public addresses only; name a host exactly to reach it on a private
     * network or on loopback.
     *
     * @param hosts the patterns
     * @return this builder
     * @throws IllegalArgumentException when empty or an entry is not such a pattern
     */
    public Builder allowedHosts(Collection<String> hosts) {
      List<String> copy = List.copyOf(Objects.requireNonNull(hosts, "hosts == null"));
      HostPolicy.of(copy, false); // validates now, so the error points here
      this.allowedHosts = copy;
      return this;
    }

    /**
     * See {@link #allowedHosts(Collection)}.
     *
     * @param hosts the patterns
     * @return this builder
     */
    public Builder allowedHosts(String... hosts) {
      return allowedHosts(Arrays.asList(Objects.requireNonNull(hosts, "hosts == null")));
    }

    /**
     * Also download over plain {@code http} (local simulators and tests); default false.
     *
     * @param allowPlainHttp whether {@code http:} URLs are accepted
     * @return this builder
     */
    public Builder allowPlainHttp(boolean allowPlainHttp) {
      this.allowPlainHttp = allowPlainHttp;
      return this;
    }

    /**
     * Where the returned futures complete. Default: the OkHttp thread that streamed the body. Should
     * the executor reject a task, the future completes on that thread.
     *
     * @param callbackExecutor the executor
     * @return this builder
     */
    public Builder callbackExecutor(Executor callbackExecutor) {
      this.callbackExecutor = Objects.requireNonNull(callbackExecutor, "callbackExecutor == null");
      return this;
    }

    /**
     * Builds the downloader; close it when done (see {@link OkHttpAudioDownloader#close()}).
     *
     * @return a new downloader
     */
    public OkHttpAudioDownloader build() {
      return new OkHttpAudioDownloader(this);
    }
  }
}
