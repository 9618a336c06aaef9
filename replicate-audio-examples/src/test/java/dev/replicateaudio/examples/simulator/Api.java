package dev.replicateaudio.examples.simulator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.function.Predicate;

/** A JDK HttpClient talking to a simulator, for tests. */
final class Api {
  static final ObjectMapper JSON = new ObjectMapper();
  static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(10))
      .followRedirects(HttpClient.Redirect.NEVER).build();

  /** A status, headers and parsed JSON body. */
  record Answer(int status, java.net.http.HttpHeaders headers, JsonNode json, String text) {
    String header(String name) {
      return headers.firstValue(name).orElse(null);
    }
  }

  private final ReplicateSimulator sim;

  Api(ReplicateSimulator sim) {
    this.sim = sim;
  }

  Answer post(String path, Object body) {
    return post(path, body, Map.of());
  }

  Answer post(String path, Object body, Map<String, String> headers) {
    String text;
    try {
      text = body instanceof String ? (String) body : JSON.writeValueAsString(body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
        .header("Authorization", "Bearer " + sim.apiToken())
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(text));
    headers.forEach(b::setHeader);
    return send(b.build());
  }

  Answer get(String path) {
    return send(HttpRequest.newBuilder(URI.create(sim.baseUrl() + path))
        .header("Authorization", "Bearer " + sim.apiToken()).GET().build());
  }

  static Answer send(HttpRequest request) {
    try {
      HttpResponse<String> r = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      try {
        json = r.body().isEmpty() ? null : JSON.readTree(r.body());
      } catch (IOException notJson) {
        // leave null
      }
      return new Answer(r.statusCode(), r.headers(), json, r.body());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Creates a prediction for model {@code sepal/audiogen} with {@code input}, expecting 201. */
  JsonNode create(Map<String, Object> body) {
    Answer a = post("/models/sepal/audiogen/predictions", body);
    if (a.status() != 201) {
      throw new AssertionError("create answered " + a.status() + ": " + a.text());
    }
    return a.json();
  }

  /** Polls {@code GET /v1/predictions/{id}} until {@code done} holds, up to 20 s. */
  JsonNode awaitPrediction(String id, Predicate<JsonNode> done) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      last = get("/predictions/" + id).json();
      if (done.test(last)) {
        return last;
      }
      Thread.sleep(20);
    }
    throw new AssertionError("prediction " + id + " did not get there within 20 s; last: " + last);
  }

  JsonNode awaitTerminal(String id) throws InterruptedException {
    return awaitPrediction(id, p -> {
      String s = p.path("status").asText();
      return s.equals("succeeded") || s.equals("failed") || s.equals("canceled") || s.equals("aborted");
    });
  }
}
