package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.port.AudioTooLargeException;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.webhook.WebhookListener;
import dev.replicateaudio.webhook.WebhookProcessingException;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okio.Buffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The endpoint and the downloader report to their listeners; a listener that throws changes nothing. */
class ListenerHooksTest {
  private static final String SECRET = WebhookEndpointTest.SECRET;
  private static final String QUERY = WebhookEndpointTest.QUERY;

  @StartStop final MockWebServer server = new MockWebServer();
  @TempDir Path dir;
  private final OkHttpClient shared = new OkHttpClient();
  private final List<String> events = new CopyOnWriteArrayList<>();

  @AfterEach
  void release() {
    shared.dispatcher().executorService().shutdown();
    shared.connectionPool().evictAll();
  }

  private final WebhookListener recordingWebhooks = new WebhookListener() {
    @Override
    public void requestAnswered(int statusCode, Duration elapsed) {
      events.add("answered " + statusCode);
    }

    @Override
    public void processingFinished(CompletionOutcome outcome, Duration elapsed) {
      events.add("processed " + outcome.status());
    }

    @Override
    public void processingFailed(Throwable failure, Duration elapsed) {
      events.add("failed " + failure.getClass().getSimpleName());
    }
  };

  private static Map<String, List<String>> signed(byte[] body) {
    Map<String, List<String>> headers = new HashMap<>();
    WebhookVerifier.create(SECRET).signedHeaders("msg_" + System.nanoTime(), Instant.now(), body)
        .forEach((name, value) -> headers.put(name, List.of(value)));
    return headers;
  }

  @Test
  void theEndpointReportsEveryAnswerAndEachProcessingOutcomeAlsoAfterA202() {
    CompletableFuture<CompletionOutcome> slow = new CompletableFuture<>();
    WebhookEndpointTest.FakeProcessor processor = new WebhookEndpointTest.FakeProcessor();
    WebhookEndpoint endpoint = WebhookEndpoint.builder(WebhookVerifier.create(SECRET), processor)
        .acknowledgeAfter(Duration.ofMillis(50)).maxBodyBytes(100_000).listener(recordingWebhooks).build();
    byte[] body = PredictionJsonTest.fixture("audio/audiogen-succeeded-uri.json");

    assertThat(endpoint.handle(signed(body), QUERY, body).statusCode()).isEqualTo(200);
    body[body.length - 3] ^= 1;
    assertThat(endpoint.handle(signed(PredictionJsonTest.fixture("audio/audiogen-succeeded-uri.json")), QUERY, body)
        .statusCode()).isEqualTo(401);
    assertThat(endpoint.handle(Map.of(), QUERY, new byte[100_001]).statusCode()).isEqualTo(413);
    processor.answer = (k, p) -> slow;
    byte[] again = PredictionJsonTest.fixture("audio/audiogen-succeeded-uri.json");
    assertThat(endpoint.handle(signed(again), QUERY, new java.io.ByteArrayInputStream(again)).statusCode())
        .isEqualTo(202);
    assertThat(events).containsExactly("processed SUCCEEDED", "answered 200", "answered 401", "answered 413",
        "answered 202").doesNotContain("processed PENDING");
    slow.complete(CompletionOutcome.failed("p1", "too quiet"));
    assertThat(events).endsWith("processed FAILED");

    processor.answer = (k, p) -> CompletableFuture.failedFuture(
        new WebhookProcessingException("db down", p.id(), true, null));
    assertThat(endpoint.handle(signed(again), QUERY, again).statusCode()).isEqualTo(503);
    assertThat(events).endsWith("failed WebhookProcessingException", "answered 503");
  }

  @Test
  void aThrowingWebhookListenerChangesNoAnswer() {
    WebhookListener throwing = new WebhookListener() {
      @Override
      public void requestAnswered(int statusCode, Duration elapsed) {
        throw new IllegalStateException("listener bug");
      }

      @Override
      public void processingFinished(CompletionOutcome outcome, Duration elapsed) {
        throw new IllegalStateException("listener bug");
      }
    };
    WebhookEndpoint endpoint = WebhookEndpoint.builder(WebhookVerifier.create(SECRET),
        new WebhookEndpointTest.FakeProcessor()).listener(throwing).build();
    byte[] body = PredictionJsonTest.fixture("audio/audiogen-succeeded-uri.json");
    assertThat(endpoint.handle(signed(body), QUERY, body).statusCode()).isEqualTo(200);
  }

  @Test
  void theDownloaderReportsSizeAndFailures() {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[1234])).build());
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[5000])).build());
    DownloadListener listener = new DownloadListener() {
      @Override
      public void downloadSucceeded(long sizeBytes, Duration elapsed) {
        events.add("ok " + sizeBytes);
      }

      @Override
      public void downloadFailed(Throwable failure, Duration elapsed) {
        events.add("failed " + failure.getClass().getSimpleName());
      }
    };
    try (OkHttpAudioDownloader downloader = OkHttpAudioDownloader
        .builder(ReplicateAudioSettings.builder().maxFileSize(2000).build())
        .okHttpClient(shared).allowedHosts("localhost").allowPlainHttp(true).listener(listener).build()) {
      URI url = server.url("/a.wav").uri();
      assertThat(downloader.download(url, dir.resolve("a.wav")).join().sizeBytes()).isEqualTo(1234);
      assertThat(downloader.download(url, dir.resolve("b.wav")).handle((r, e) -> e).join())
          .isInstanceOf(AudioTooLargeException.class);
    }
    assertThat(events).containsExactly("ok 1234", "failed AudioTooLargeException");
  }

  @Test
  void cancellingTheFutureStillCancelsTheDownload() throws Exception {
    server.enqueue(new MockResponse.Builder().bodyDelay(5, java.util.concurrent.TimeUnit.SECONDS)
        .body(new Buffer().write(new byte[10])).build());
    DownloadListener listener = new DownloadListener() {
      @Override
      public void downloadFailed(Throwable failure, Duration elapsed) {
        events.add("failed " + failure.getClass().getSimpleName());
      }
    };
    try (OkHttpAudioDownloader downloader = OkHttpAudioDownloader.builder(ReplicateAudioSettings.defaults())
        .okHttpClient(shared).allowedHosts("localhost").allowPlainHttp(true).listener(listener).build()) {
      CompletableFuture<?> f = downloader.download(server.url("/slow.wav").uri(), dir.resolve("slow.wav"));
      server.takeRequest();
      f.cancel(true);
      long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
      while (events.isEmpty() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
    }
    assertThat(events).singleElement().asString().startsWith("failed ");
    assertThat(dir.resolve("slow.wav")).doesNotExist();
  }

  @Test
  void aThrowingDownloadListenerChangesNoResult() {
    server.enqueue(new MockResponse.Builder().body(new Buffer().write(new byte[10])).build());
    DownloadListener throwing = new DownloadListener() {
      @Override
      public void downloadSucceeded(long sizeBytes, Duration elapsed) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (OkHttpAudioDownloader downloader = OkHttpAudioDownloader.builder(ReplicateAudioSettings.defaults())
        .okHttpClient(shared).allowedHosts("localhost").allowPlainHttp(true).listener(throwing).build()) {
      assertThat(downloader.download(server.url("/a.wav").uri(), dir.resolve("a.wav")).join().sizeBytes())
          .isEqualTo(10);
    }
  }
}
