package dev.replicateaudio.examples.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The download faults, seen by a real HTTP client. */
class ReplicateSimulatorDownloadTest {
  private ReplicateSimulator sim;
  private Api api;

  @BeforeEach
  void start() {
    sim = ReplicateSimulator.builder().startDelay(Duration.ZERO).processingTime(Duration.ZERO)
        .leadSilence(Duration.ZERO).tailSilence(Duration.ZERO)   // 1 s of tone: 88,244 bytes
        .slowDownloadRate(50_000).oversizedBytes(3_000_000).start();
    api = new Api(sim);
  }

  @AfterEach
  void stop() {
    sim.close();
  }

  private String outputOf(String simulate) throws InterruptedException {
    Map<String, Object> input = simulate == null ? Map.of("prompt", "p") : Map.of("prompt", "p", "simulate", simulate);
    JsonNode done = api.awaitTerminal(api.create(Map.of("input", input)).path("id").asText());
    assertThat(done.path("status").asText()).isEqualTo("succeeded");
    return done.path("output").asText();
  }

  private static HttpResponse<byte[]> fetch(String url) throws IOException, InterruptedException {
    return Api.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Test
  void aNormalDownloadServesTheClipWithItsLengthAndTypeWithoutAuthentication() throws Exception {
    String url = outputOf(null);
    HttpResponse<byte[]> r = fetch(url);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type")).hasValue("audio/wav");
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(88_244L);
    assertThat(r.body()).hasSize(88_244).startsWith("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    String id = url.split("/")[4];
    assertThat(sim.downloads(id)).isEqualTo(1);
    assertThat(sim.requestCounts()).containsEntry(ReplicateSimulator.ROUTE_DOWNLOAD, 1L);
  }

  @Test
  void http500AnswersEveryDownloadWith500() throws Exception {
    String url = outputOf("http_500");
    assertThat(fetch(url).statusCode()).isEqualTo(500);
    assertThat(fetch(url).statusCode()).isEqualTo(500);
  }

  @Test
  void disconnectDropsTheConnectionMidBody() throws Exception {
    String url = outputOf("disconnect");
    assertThatThrownBy(() -> fetch(url)).isInstanceOf(IOException.class);

    // the announced length is the full clip, and the bytes stop halfway
    HttpResponse<InputStream> r = Api.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.headers().firstValueAsLong("Content-Length")).hasValue(88_244L);
    long read = 0;
    try (InputStream in = r.body()) {
      byte[] buf = new byte[8192];
      int n;
      while ((n = in.read(buf)) >= 0) {
        read += n;
      }
      throw new AssertionError("the body ended normally after " + read + " bytes");
    } catch (IOException expected) {
      assertThat(read).isEqualTo(88_244L / 2);
    }
  }

  @Test
  void slowDownloadIsThrottledToTheConfiguredRate() throws Exception {
    String url = outputOf("slow_download");
    long start = System.nanoTime();
    HttpResponse<byte[]> r = fetch(url);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).hasSize(88_244);
    assertThat(took).isGreaterThan(Duration.ofMillis(1_300)); // 88,244 bytes at 50,000 B/s is about 1.8 s
  }

  @Test
  void oversizedSendsMoreBytesThanAskedAnnouncedOrChunked() throws Exception {
    HttpResponse<byte[]> clip = fetch(outputOf(null));

    HttpResponse<byte[]> announced = fetch(outputOf("oversized"));
    assertThat(announced.headers().firstValueAsLong("Content-Length")).hasValue(3_000_000L);
    assertThat(announced.body()).hasSize(3_000_000);
    assertThat(Arrays.copyOf(announced.body(), clip.body().length)).isEqualTo(clip.body());

    HttpResponse<byte[]> chunked = fetch(outputOf("oversized_chunked"));
    assertThat(chunked.headers().firstValue("Content-Length")).isEmpty();
    assertThat(chunked.headers().firstValue("Transfer-Encoding")).hasValue("chunked");
    assertThat(chunked.body()).hasSize(3_000_000);
  }

  @Test
  void unknownOrMisnamedDeliveriesAre404() throws Exception {
    String url = outputOf(null);
    assertThat(fetch(url.replace("output.wav", "output.mp3")).statusCode()).isEqualTo(404);
    assertThat(fetch(sim.rootUrl() + "/delivery/nosuchprediction/output.wav").statusCode()).isEqualTo(404);
    assertThat(fetch(sim.rootUrl() + "/delivery/").statusCode()).isEqualTo(404);
  }

  @Test
  void noOutputAndFailedPredictionsHaveNothingToDownload() throws Exception {
    JsonNode noOutput = api.awaitTerminal(api.create(Map.of("input", Map.of("simulate", "no_output"))).path("id").asText());
    assertThat(noOutput.get("output").isNull()).isTrue();
    String id = noOutput.path("id").asText();
    assertThat(fetch(sim.rootUrl() + "/delivery/" + id + "/output.wav").statusCode()).isEqualTo(404);
  }
}
