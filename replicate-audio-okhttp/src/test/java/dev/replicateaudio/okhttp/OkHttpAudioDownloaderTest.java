package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadException;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.DownloadedAudio;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OkHttpAudioDownloaderTest {
  static final Duration WAIT = Duration.ofSeconds(20);
  static final long CAP = 10_000;

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;

  private final OkHttpClient shared = new OkHttpClient();
  private OkHttpAudioDownloader downloader;

  @AfterEach
  void release() {
    if (downloader != null) {
      downloader.close();
    }
    shared.dispatcher().executorService().shutdown();
    shared.connectionPool().evictAll();
  }

  private static ReplicateAudioSettings settings(long maxFileSize, Duration timeout) {
    return ReplicateAudioSettings.builder().maxFileSize(maxFileSize).downloadTimeout(timeout).build();
  }

  private OkHttpAudioDownloader.Builder localBuilder(ReplicateAudioSettings settings) {
    return OkHttpAudioDownloader.builder(settings).okHttpClient(shared).allowedHosts("localhost").allowPlainHttp(true);
  }

  private OkHttpAudioDownloader local() {
    downloader = localBuilder(settings(CAP, Duration.ofSeconds(10))).build();
    return downloader;
  }

  private URI url(String path) {
    return server.url(path).uri();
  }

  private List<String> files() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  private static byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    new Random(n).nextBytes(b);
    return b;
  }

  private static MockResponse audio(byte[] bytes) {
    return new MockResponse.Builder().setHeader("Content-Type", "audio/wav").body(new Buffer().write(bytes)).build();
  }

  private static DownloadException failure(CompletableFuture<DownloadedAudio> future) {
    assertThat(future).failsWithin(WAIT);
    try {
      future.get();
      throw new AssertionError("expected a failure");
    } catch (ExecutionException e) {
      assertThat(e.getCause()).isInstanceOf(DownloadException.class);
      return (DownloadException) e.getCause();
    } catch (InterruptedException e) {
      throw new AssertionError(e);
    }
  }

  // ---- success ----

  @Test
  void streamsTheBodyToTheTarget() throws Exception {
    byte[] bytes = randomBytes(9_000);
    server.enqueue(audio(bytes));
    Path target = dir.resolve("out.wav");

    DownloadedAudio audio = local().download(url("/xezq/out.wav"), target).toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(audio.file()).isEqualTo(target.toAbsolutePath());
    assertThat(audio.sizeBytes()).isEqualTo(9_000);
    assertThat(audio.contentType()).isEqualTo("audio/wav");
    assertThat(Files.readAllBytes(target)).isEqualTo(bytes);
    assertThat(audio.sha256()).as("hashed while written").isEqualTo(AudioMetadata.of(target, "audio/wav", null).sha256());
    assertThat(files()).containsExactly("out.wav");
  }

  @Test
  void replacesAnExistingTarget() throws Exception {
    Path target = dir.resolve("out.wav");
    Files.writeString(target, "old content that is longer than the new one");
    server.enqueue(audio("new".getBytes(StandardCharsets.UTF_8)));

    assertThat(local().download(url("/o.wav"), target)).succeedsWithin(WAIT);

    assertThat(Files.readString(target)).isEqualTo("new");
    assertThat(files()).containsExactly("out.wav");
  }

  @Test
  void aBodyExactlyAtTheCapIsAccepted() throws Exception {
    byte[] bytes = randomBytes((int) CAP);
    server.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(bytes), 1000).build());

    DownloadedAudio audio = local().download(url("/o.wav"), dir.resolve("o.wav")).toCompletableFuture()
        .get(20, TimeUnit.SECONDS);
    assertThat(audio.sizeBytes()).isEqualTo(CAP);
    assertThat(audio.sha256()).as("hashed across chunks").isEqualTo(new Buffer().write(bytes).sha256().hex());
  }

  // ---- size cap ----

  @Test
  void declaredLengthOverTheCapFailsBeforeReadingTheBody() throws Exception {
    // 20 KB at 1 KB per second: reading it would take 20 s
    server.enqueue(audio(randomBytes(20_000)).newBuilder().throttleBody(1024, 1, TimeUnit.SECONDS).build());

    long start = System.nanoTime();
    DownloadException e = failure(local().download(url("/big.wav"), dir.resolve("big.wav")).toCompletableFuture());

    assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isLessThan(8_000);
    assertThat(e).isInstanceOfSatisfying(AudioTooLargeException.class, tooLarge -> {
      assertThat(tooLarge.sizeBytes()).isEqualTo(20_000);
      assertThat(tooLarge.limitBytes()).isEqualTo(CAP);
      assertThat(tooLarge.isRetryable()).isFalse();
    });
    assertThat(e).hasMessageContaining("larger than the limit of 10000 bytes (20000 bytes)");
    assertThat(files()).isEmpty();
  }

  @Test
  void streamingWithoutLengthStopsAtTheCapAndLeavesNoFile() throws Exception {
    server.enqueue(new MockResponse.Builder().chunkedBody(new Buffer().write(randomBytes(50_000)), 4096).build());

    DownloadException e = failure(local().download(url("/big.wav"), dir.resolve("big.wav")).toCompletableFuture());

    assertThat(e).isInstanceOfSatisfying(AudioTooLargeException.class,
        tooLarge -> assertThat(tooLarge.sizeBytes()).isEqualTo(-1));
    assertThat(files()).isEmpty();
  }

  // ---- time and network failures ----

  @Test
  void aSlowBodyPastTheTimeoutFailsRetryablyAndLeavesNoFile() throws Exception {
    downloader = localBuilder(settings(1_000_000, Duration.ofSeconds(1))).build();
    server.enqueue(audio(randomBytes(8_000)).newBuilder().throttleBody(1000, 500, TimeUnit.MILLISECONDS).build());

    DownloadException e = failure(downloader.download(url("/slow.wav"), dir.resolve("slow.wav")).toCompletableFuture());

    assertThat(e.isRetryable()).isTrue();
    assertThat(e.statusCode()).isEqualTo(-1);
    assertThat(e).hasMessageContaining("timed out after 1 s (downloadTimeout, REPLICATE_DOWNLOAD_TIMEOUT)");
    assertThat(files()).isEmpty();
  }

  @Test
  void aDisconnectMidBodyFailsRetryablyAndLeavesNoFile() throws Exception {
    server.enqueue(audio(randomBytes(9_000)).newBuilder().onResponseBody(new SocketEffect.CloseSocket()).build());

    DownloadException e = failure(local().download(url("/cut.wav"), dir.resolve("cut.wav")).toCompletableFuture());

    assertThat(e.isRetryable()).isTrue();
    assertThat(e).hasMessageContaining("failed").hasMessageContaining("unexpected end of stream");
    assertThat(files()).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"404, false", "403, false", "400, false", "408, true", "429, true", "500, true", "503, true"})
  void nonSuccessStatusesCarryTheStatusAndLeaveNoFile(int code, boolean retryable) throws Exception {
    // OkHttp itself repeats a request once after a 408: serve the status twice
    server.enqueue(new MockResponse.Builder().code(code).body("nope").build());
    server.enqueue(new MockResponse.Builder().code(code).body("nope").build());

    DownloadException e = failure(local().download(url("/x.wav"), dir.resolve("x.wav")).toCompletableFuture());

    assertThat(e.statusCode()).isEqualTo(code);
    assertThat(e.isRetryable()).isEqualTo(retryable);
    assertThat(e).hasMessageContaining("failed: HTTP " + code);
    assertThat(files()).isEmpty();
  }

  @Test
  void cancellingTheFutureStopsTheDownloadAndDeletesTheTemporaryFile() throws Exception {
    server.enqueue(audio(randomBytes(9_000)).newBuilder().throttleBody(500, 200, TimeUnit.MILLISECONDS).build());
    CompletableFuture<DownloadedAudio> future = local().download(url("/slow.wav"), dir.resolve("slow.wav"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (files().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(files()).singleElement().asString().startsWith(".slow.wav.").endsWith(".part");

    future.cancel(true);

    while (!files().isEmpty() && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(files()).isEmpty();
    assertThat(future).isCancelled();
  }

  // ---- where from ----

  @Test
  void aRedirectToADisallowedHostIsRefusedBeforeConnecting() throws Exception {
    String elsewhere = "http://127.0.0.1:" + server.getPort() + "/evil.wav";
    server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", elsewhere).build());
    server.enqueue(audio(randomBytes(100)));

    DownloadException e = failure(local().download(url("/a.wav"), dir.resolve("a.wav")).toCompletableFuture());

    assertThat(e.isRetryable()).isFalse();
    assertThat(e).hasMessageContaining("redirect to http://127.0.0.1:" + server.getPort() + "/evil.wav refused:"
        + " host '127.0.0.1' is not in the allowed hosts [localhost]");
    assertThat(server.getRequestCount()).isEqualTo(1);
    assertThat(files()).isEmpty();
  }

  // ---- private addresses (#13) ----

  /** A client whose DNS answers {@code cdn.replicate.test} with the loopback address of the test server. */
  private OkHttpClient rebinding() {
    return shared.newBuilder().dns(host -> host.equals("cdn.replicate.test")
        ? List.of(java.net.InetAddress.getLoopbackAddress()) : okhttp3.Dns.SYSTEM.lookup(host)).build();
  }

  @Test
  void aWildcardHostThatResolvesToLoopbackIsRefusedBeforeConnecting() throws Exception {
    server.enqueue(audio(randomBytes(100)));
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(10))).okHttpClient(rebinding())
        .allowedHosts("*.replicate.test").allowPlainHttp(true).build();

    DownloadException e = failure(downloader.download(
        URI.create("http://cdn.replicate.test:" + server.getPort() + "/a.wav"), dir.resolve("a.wav")).toCompletableFuture());

    assertThat(e.isRetryable()).isFalse();
    assertThat(e).hasMessageContaining("host 'cdn.replicate.test' resolves only to non-public addresses [127.0.0.1 (loopback)]"
        + ", which only an exact allowedHosts entry allows");
    assertThat(server.getRequestCount()).isZero();
    assertThat(files()).isEmpty();
  }

  @Test
  void aHostNamedExactlyIsReachedAtAPrivateAddress() throws Exception {
    server.enqueue(audio(randomBytes(100)));
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(10))).okHttpClient(rebinding())
        .allowedHosts("cdn.replicate.test").allowPlainHttp(true).build();

    assertThat(downloader.download(URI.create("http://cdn.replicate.test:" + server.getPort() + "/a.wav"),
        dir.resolve("a.wav"))).succeedsWithin(WAIT);
  }

  @Test
  void aRedirectToAPrivateAddressLiteralIsRefusedEvenWhenEveryHostIsAllowed() throws Exception {
    server.enqueue(new MockResponse.Builder().code(302)
        .setHeader("Location", "http://169.254.169.254/latest/meta-data/").build());
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(10))).okHttpClient(shared)
        .allowedHosts("localhost", "*").allowPlainHttp(true).build();

    DownloadException e = failure(downloader.download(url("/a.wav"), dir.resolve("a.wav")).toCompletableFuture());

    assertThat(e.isRetryable()).isFalse();
    assertThat(e).hasMessageContaining("redirect to http://169.254.169.254/latest/meta-data/ refused: host"
        + " '169.254.169.254' is a link-local address, which only an exact allowedHosts entry allows");
    assertThat(server.getRequestCount()).isEqualTo(1);
  }

  @Test
  void addressesAreSortedIntoPublicAndTheKindsAnSsrfAimsAt() throws Exception {
    Map<String, String> kinds = new java.util.LinkedHashMap<>();
    for (String a : List.of("127.0.0.1", "::1", "0.0.0.0", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254",
        "fe80::1", "fd00::1", "100.64.0.1", "224.0.0.1", "::ffff:10.0.0.1", "64:ff9b::a9fe:a9fe", "8.8.8.8",
        "2606:4700::1111", "100.128.0.1")) {
      kinds.put(a, String.valueOf(HostPolicy.kind(java.net.InetAddress.getByName(a))));
    }
    assertThat(kinds).containsExactly(Map.entry("127.0.0.1", "loopback"), Map.entry("::1", "loopback"),
        Map.entry("0.0.0.0", "unspecified"), Map.entry("10.1.2.3", "private"), Map.entry("172.16.0.1", "private"),
        Map.entry("192.168.1.1", "private"), Map.entry("169.254.169.254", "link-local"), Map.entry("fe80::1", "link-local"),
        Map.entry("fd00::1", "unique-local"), Map.entry("100.64.0.1", "carrier-grade NAT"),
        Map.entry("224.0.0.1", "multicast"), Map.entry("::ffff:10.0.0.1", "private"),
        Map.entry("64:ff9b::a9fe:a9fe", "link-local"), Map.entry("8.8.8.8", "null"),
        Map.entry("2606:4700::1111", "null"), Map.entry("100.128.0.1", "null"));
  }

  @Test
  void aRedirectToAnAllowedHostIsFollowed() throws Exception {
    server.enqueue(new MockResponse.Builder().code(307).setHeader("Location", "/moved/a.wav").build());
    server.enqueue(audio("RIFF".getBytes(StandardCharsets.US_ASCII)));

    assertThat(local().download(url("/a.wav"), dir.resolve("a.wav"))).succeedsWithin(WAIT)
        .extracting(DownloadedAudio::sizeBytes).isEqualTo(4L);
    server.takeRequest();
    assertThat(server.takeRequest().getUrl().encodedPath()).isEqualTo("/moved/a.wav");
  }

  @Test
  void tooManyRedirectsAreRefused() throws Exception {
    for (int i = 0; i < 7; i++) {
      server.enqueue(new MockResponse.Builder().code(301).setHeader("Location", "/hop" + i).build());
    }

    DownloadException e = failure(local().download(url("/a.wav"), dir.resolve("a.wav")).toCompletableFuture());

    assertThat(e).hasMessageContaining("more than 5 redirects");
    assertThat(server.getRequestCount()).isEqualTo(6);
    assertThat(files()).isEmpty();
  }

  @Test
  void onlyHttpsToReplicateDeliveryByDefault() throws Exception {
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(5))).okHttpClient(shared).build();

    assertThat(downloader.allowedHosts()).containsExactly("replicate.delivery", "*.replicate.delivery");
    assertThat(failure(downloader.download(url("/a.wav"), dir.resolve("a.wav"))))
        .hasMessageContaining("only https URLs are downloaded (allowPlainHttp is off)");
    assertThat(failure(downloader.download(URI.create("https://evil.example.com/a.wav"), dir.resolve("a.wav"))))
        .hasMessageContaining("host 'evil.example.com' is not in the allowed hosts");
    assertThat(failure(downloader.download(URI.create("ftp://replicate.delivery/a.wav"), dir.resolve("a.wav"))))
        .hasMessageContaining("only https (and data:) URLs are downloaded");
    assertThat(server.getRequestCount()).isZero();
    assertThat(files()).isEmpty();
  }

  @Test
  void hostPatternsMatchExactHostsAndSubdomains() {
    HostPolicy policy = HostPolicy.of(OkHttpAudioDownloader.DEFAULT_ALLOWED_HOSTS, false);

    assertThat(policy.refusal(HttpUrl.get("https://replicate.delivery/a.wav"))).isNull();
    assertThat(policy.refusal(HttpUrl.get("https://pbxt.replicate.delivery/a.wav"))).isNull();
    assertThat(policy.refusal(HttpUrl.get("https://a.b.REPLICATE.delivery/a.wav"))).isNull();
    assertThat(policy.refusal(HttpUrl.get("https://evilreplicate.delivery/a.wav"))).isNotNull();
    assertThat(policy.refusal(HttpUrl.get("https://replicate.delivery.evil.com/a.wav"))).isNotNull();
    assertThat(policy.refusal(HttpUrl.get("http://replicate.delivery/a.wav"))).contains("only https");
    assertThat(HostPolicy.of(List.of("*"), false).refusal(HttpUrl.get("https://anything.example/x"))).isNull();
    assertThatThrownBy(() -> OkHttpAudioDownloader.builder(ReplicateAudioSettings.defaults()).allowedHosts("exa mple.com"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("allowedHosts entry 'exa mple.com' is not a host name, an IP literal, '*.domain' or '*'");
    assertThatThrownBy(() -> OkHttpAudioDownloader.builder(ReplicateAudioSettings.defaults()).allowedHosts(List.of()))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("allowedHosts is empty");
  }

  @Test
  void noAuthorizationHeaderReachesTheDeliveryHostEvenWhenTheSharedClientAddsOne() throws Exception {
    OkHttpClient leaky = shared.newBuilder().addInterceptor(chain -> chain.proceed(chain.request().newBuilder()
        .header("Authorization", "Bearer r8_HOST_TOKEN").build())).build();
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(10))).okHttpClient(leaky)
        .allowedHosts("localhost").allowPlainHttp(true).build();
    server.enqueue(new MockResponse.Builder().code(302).setHeader("Location", "/b.wav").build());
    server.enqueue(audio(randomBytes(10)));

    assertThat(downloader.download(url("/a.wav"), dir.resolve("a.wav"))).succeedsWithin(WAIT);

    RecordedRequest first = server.takeRequest();
    RecordedRequest second = server.takeRequest();
    assertThat(first.getHeaders().get("Authorization")).isNull();
    assertThat(second.getHeaders().get("Authorization")).isNull();
  }

  @Test
  void messagesNeverShowTheQueryString() throws Exception {
    server.enqueue(new MockResponse.Builder().code(404).build());

    DownloadException e = failure(local().download(url("/a.wav?X-Amz-Signature=SECRETSIG"), dir.resolve("a.wav"))
        .toCompletableFuture());

    assertThat(e).hasMessageContaining("/a.wav?...").hasMessageNotContaining("SECRETSIG");
  }

  // ---- data: URIs ----

  @Test
  void decodesABase64DataUri() throws Exception {
    byte[] bytes = randomBytes(3_001);
    URI uri = URI.create("data:audio/wav;base64," + Base64.getEncoder().encodeToString(bytes));

    DownloadedAudio audio = local().download(uri, dir.resolve("d.wav")).toCompletableFuture().get(20, TimeUnit.SECONDS);

    assertThat(audio.sizeBytes()).isEqualTo(3_001);
    assertThat(audio.contentType()).isEqualTo("audio/wav");
    assertThat(Files.readAllBytes(dir.resolve("d.wav"))).isEqualTo(bytes);
    assertThat(audio.sha256()).isEqualTo(new Buffer().write(bytes).sha256().hex());
    assertThat(server.getRequestCount()).isZero();
  }

  @Test
  void decodesPercentEncodedDataUris() throws Exception {
    assertThat(local().download(URI.create("data:text/plain;charset=utf-8,hello%20w%C3%B6rld"), dir.resolve("t.txt")))
        .succeedsWithin(WAIT).extracting(DownloadedAudio::contentType).isEqualTo("text/plain;charset=utf-8");
    assertThat(Files.readString(dir.resolve("t.txt"))).isEqualTo("hello wörld");

    assertThat(local().download(URI.create("data:,abc"), dir.resolve("plain"))).succeedsWithin(WAIT)
        .satisfies(a -> assertThat(a.contentType()).isNull());
    assertThat(Files.readString(dir.resolve("plain"))).isEqualTo("abc");
  }

  @Test
  void dataUrisObeyTheCap() throws Exception {
    URI known = URI.create("data:audio/wav;base64," + Base64.getEncoder().encodeToString(randomBytes((int) CAP + 1)));
    URI streamed = URI.create("data:application/octet-stream," + "%41".repeat((int) CAP + 1));
    URI atCap = URI.create("data:audio/wav;base64," + Base64.getEncoder().encodeToString(randomBytes((int) CAP)));

    assertThat(failure(local().download(known, dir.resolve("a.wav")))).isInstanceOfSatisfying(AudioTooLargeException.class,
        e -> assertThat(e.sizeBytes()).isEqualTo(CAP + 1));
    assertThat(failure(local().download(streamed, dir.resolve("b.bin")))).isInstanceOfSatisfying(AudioTooLargeException.class,
        e -> assertThat(e.sizeBytes()).isEqualTo(-1));
    assertThat(files()).isEmpty();
    assertThat(local().download(atCap, dir.resolve("c.wav"))).succeedsWithin(WAIT)
        .extracting(DownloadedAudio::sizeBytes).isEqualTo(CAP);
  }

  @Test
  void malformedDataUrisFailPermanentlyAndLeaveNoFile() throws Exception {
    DownloadException badBase64 = failure(local().download(URI.create("data:audio/wav;base64,AAAA*AAA"), dir.resolve("a")));
    DownloadException noComma = failure(local().download(URI.create("data:audio/wav;base64"), dir.resolve("b")));

    assertThat(badBase64.isRetryable()).isFalse();
    assertThat(badBase64).hasMessageContaining("Malformed data: URI data:audio/wav;base64,... (8 chars)")
        .hasMessageContaining("Illegal base64 character");
    assertThat(noComma).hasMessageContaining("no ',' between the media type and the data");
    assertThat(files()).isEmpty();
  }

  // ---- files and threads ----

  @Test
  void aMissingTargetDirectoryIsAPermanentFailure() throws Exception {
    server.enqueue(audio(randomBytes(10)));

    DownloadException e = failure(local().download(url("/a.wav"), dir.resolve("no/such/dir/a.wav")).toCompletableFuture());

    assertThat(e.isRetryable()).isFalse();
    assertThat(e).hasMessageContaining("does not exist");
  }

  @Test
  void callbackExecutorCompletesTheFuture() {
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "host-io"));
    try {
      downloader = localBuilder(settings(CAP, Duration.ofSeconds(10))).callbackExecutor(executor).build();
      server.enqueue(audio(randomBytes(10)));

      assertThat(downloader.download(url("/a.wav"), dir.resolve("a.wav")).thenApply(a -> Thread.currentThread().getName()))
          .succeedsWithin(WAIT).isEqualTo("host-io");
    } finally {
      executor.shutdownNow();
    }
  }

  @Test
  void onItsOwnClientTheDownloadTimeoutIsTheOnlyBoundAndAHostClientKeepsItsTimeouts() throws Exception {
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(7)))
        .allowedHosts("localhost").allowPlainHttp(true).build();
    assertThat(downloader.client().callTimeoutMillis()).isEqualTo(7_000);
    assertThat(downloader.client().readTimeoutMillis()).isZero(); // no timer armed per socket read
    assertThat(downloader.client().writeTimeoutMillis()).isZero();
    byte[] body = randomBytes((int) CAP);
    server.enqueue(audio(body));
    assertThat(downloader.download(url("/own.wav"), dir.resolve("own.wav"))).succeedsWithin(WAIT)
        .satisfies(a -> assertThat(a.sizeBytes()).isEqualTo(body.length));
    assertThat(Files.readAllBytes(dir.resolve("own.wav"))).isEqualTo(body);
    downloader.close();

    OkHttpClient host = shared.newBuilder().readTimeout(Duration.ofSeconds(3)).writeTimeout(Duration.ofSeconds(4)).build();
    downloader = OkHttpAudioDownloader.builder(settings(CAP, Duration.ofSeconds(7))).okHttpClient(host).build();
    assertThat(downloader.client().callTimeoutMillis()).isEqualTo(7_000);
    assertThat(downloader.client().readTimeoutMillis()).isEqualTo(3_000);
    assertThat(downloader.client().writeTimeoutMillis()).isEqualTo(4_000);
  }

  @Test
  void theSharedClientIsNeverModified() {
    local();

    assertThat(shared.followRedirects()).isTrue();
    assertThat(shared.callTimeoutMillis()).isZero();
    assertThat(shared.interceptors()).isEmpty();
    assertThat(shared.networkInterceptors()).isEmpty();
  }
}
