package dev.replicateaudio.spring.boot.autoconfigure;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;

/** Replicate's API and its file host on one MockWebServer: creates predictions, serves one audio file. */
final class FakeReplicate implements AutoCloseable {
  final MockWebServer server = new MockWebServer();
  final AtomicInteger created = new AtomicInteger();
  final AtomicInteger downloads = new AtomicInteger();
  final AtomicLong downloadDelayMillis = new AtomicLong();
  private final byte[] audio;

  FakeReplicate(Path audioFile) throws IOException {
    this.audio = Files.readAllBytes(audioFile);
    server.setDispatcher(new Dispatcher() {
      @Override
      public MockResponse dispatch(RecordedRequest request) {
        String path = request.getUrl().encodedPath();
        if (request.getMethod().equals("POST") && path.endsWith("/predictions")) {
          String id = "pred" + created.incrementAndGet();
          return new MockResponse.Builder().code(201).setHeader("Content-Type", "application/json")
              .body("{\"id\":\"" + id + "\",\"model\":\"sepal/audiogen\",\"version\":\"v1\",\"input\":{},"
                  + "\"status\":\"starting\",\"created_at\":\"2026-12-01T00:00:00Z\",\"urls\":{}}").build();
        }
        if (path.startsWith("/files/")) {
          downloads.incrementAndGet();
          return new MockResponse.Builder().setHeader("Content-Type", "audio/wav")
              .bodyDelay(downloadDelayMillis.get(), TimeUnit.MILLISECONDS).body(new Buffer().write(audio)).build();
        }
        return new MockResponse.Builder().code(404).body("{\"detail\":\"not found\"}").build();
      }
    });
    server.start();
  }

  String apiBaseUrl() {
    return server.url("/v1").toString();
  }

  String fileUrl(String name) {
    return server.url("/files/" + name).toString();
  }

  String host() {
    return server.getHostName();
  }

  /** A webhook body: the prediction, succeeded, with its output on the file host. */
  String succeeded(String id, String file) {
    return "{\"id\":\"" + id + "\",\"model\":\"sepal/audiogen\",\"version\":\"v1\",\"input\":{\"prompt\":\"door\"},"
        + "\"output\":\"" + fileUrl(file) + "\",\"status\":\"succeeded\",\"error\":null,\"logs\":\"\","
        + "\"created_at\":\"2026-12-01T00:00:00Z\",\"completed_at\":\"2026-12-01T00:00:02Z\",\"urls\":{}}";
  }

  @Override
  public void close() {
    server.close();
  }
}
