package dev.replicateaudio.examples.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.testing.ChildJvm;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(LeakCheckExtension.class)
class ReplicateSimulatorLifecycleTest {

  private static Set<String> simulatorThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith("replicate-simulator-") || n.equals("HTTP-Dispatcher") || n.equals("server-timer"))
        .collect(Collectors.toCollection(TreeSet::new));
  }

  private static Set<String> cacheDirectories() throws IOException {
    Set<String> names = new TreeSet<>();
    try (DirectoryStream<Path> s = Files.newDirectoryStream(Paths.get(System.getProperty("java.io.tmpdir")),
        "replicate-simulator-*")) {
      s.forEach(p -> names.add(p.getFileName().toString()));
    }
    return names;
  }

  private static Set<String> awaitThreadsGone(Set<String> before) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
    Set<String> left;
    do {
      left = simulatorThreads();
      left.removeAll(before);
      if (left.isEmpty()) {
        break;
      }
      Thread.sleep(20);
    } while (System.nanoTime() < deadline);
    return left;
  }

  @Test
  void closeEndsEveryThreadFreesThePortAndDeletesTheCacheAfterABusyRun() throws Exception {
    Set<String> threadsBefore = simulatorThreads();
    Set<String> dirsBefore = cacheDirectories();
    int port;
    try (WebhookReceiver receiver = WebhookReceiver.answering(r -> r.path().contains("fail") ? 503 : 200)) {
      ReplicateSimulator sim = ReplicateSimulator.builder().processingTime(Duration.ofMillis(10))
          .ffmpeg(TestFfmpeg.settings()).webhookRetryDelays(Duration.ofSeconds(30)).start();
      port = sim.port();
      Api api = new Api(sim);
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        ids.add(api.create(Map.of("input", Map.of("prompt", "p" + i, "output_format", i % 2 == 0 ? "mp3" : "wav"),
            "webhook", receiver.url(i == 5 ? "/fail" : "/ok").toString(),
            "webhook_events_filter", List.of("start", "completed"))).path("id").asText());
      }
      for (String id : ids) {
        api.awaitTerminal(id);
      }
      receiver.await(12, Duration.ofSeconds(20)); // the last terminal webhook waits for a retry 30 s away
      String url = sim.prediction(ids.get(1)).orElseThrow().outputUrls().get(0).toString();
      assertThat(Api.HTTP.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode()).isEqualTo(200);
      assertThat(simulatorThreads()).isNotEmpty();
      assertThat(cacheDirectories()).hasSize(dirsBefore.size() + 1);

      long start = System.nanoTime();
      sim.close();
      Duration closing = Duration.ofNanos(System.nanoTime() - start);
      sim.close(); // idempotent

      assertThat(closing).isLessThan(Duration.ofSeconds(10)); // the pending retry was dropped, not awaited
      assertThat(sim.awaitWebhooks(Duration.ofMillis(10))).isFalse();
      assertThat(sim.toString()).endsWith("closed]");
    }
    assertThat(awaitThreadsGone(threadsBefore)).isEmpty();
    assertThat(cacheDirectories()).isEqualTo(dirsBefore);
    try (ServerSocket again = new ServerSocket(port, 50, InetAddress.getByName("127.0.0.1"))) {
      assertThat(again.getLocalPort()).isEqualTo(port);
    }
  }

  @Test
  void closeInterruptsASlowDownloadInProgress() throws Exception {
    Set<String> threadsBefore = simulatorThreads();
    ReplicateSimulator sim = ReplicateSimulator.builder().processingTime(Duration.ZERO).slowDownloadRate(1_000).start();
    Api api = new Api(sim);
    String url = api.awaitTerminal(api.create(Map.of("input", Map.of("simulate", "slow_download"))).path("id").asText())
        .path("output").asText();
    CompletableFuture<HttpResponse<byte[]>> download = Api.HTTP.sendAsync(
        HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofByteArray());
    Thread.sleep(300);
    assertThat(download).isNotDone(); // 176 KB at 1 KB/s would take minutes

    sim.close();

    assertThat(download).failsWithin(Duration.ofSeconds(10));
    assertThat(awaitThreadsGone(threadsBefore)).isEmpty();
  }

  @Test
  void aClosedSimulatorRefusesConnections() throws Exception {
    ReplicateSimulator sim = ReplicateSimulator.start();
    Api api = new Api(sim);
    assertThat(api.get("/webhooks/default/secret").status()).isEqualTo(200);
    sim.close();
    assertThatThrownBy(() -> api.get("/webhooks/default/secret")).isInstanceOf(UncheckedIOException.class);
  }

  @Test
  void startsInWellUnderASecond() {
    ReplicateSimulator.start().close(); // load the classes once
    List<Long> millis = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      long start = System.nanoTime();
      try (ReplicateSimulator sim = ReplicateSimulator.start()) {
        millis.add((System.nanoTime() - start) / 1_000_000);
        assertThat(sim.port()).isPositive();
      }
    }
    System.out.println("simulator start times (ms): " + millis);
    assertThat(millis).allSatisfy(ms -> assertThat(ms).isLessThan(1_000L));
  }

  @Test
  void twoSimulatorsRunSideBySideOnTheirOwnPorts() {
    try (ReplicateSimulator a = ReplicateSimulator.start(); ReplicateSimulator b = ReplicateSimulator.start()) {
      assertThat(a.port()).isNotEqualTo(b.port());
      assertThat(a.webhookSecret()).isNotEqualTo(b.webhookSecret());
      assertThat(a.baseUrl()).isEqualTo("http://127.0.0.1:" + a.port() + "/v1");
    }
  }

  @Test
  void aTakenPortIsReportedWithThePort() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      Set<String> dirsBefore = cacheDirectories();
      assertThatThrownBy(() -> ReplicateSimulator.builder().port(taken.getLocalPort()).start())
          .isInstanceOf(UncheckedIOException.class)
          .hasMessageContaining("Could not start the Replicate simulator on 127.0.0.1:" + taken.getLocalPort());
      assertThat(cacheDirectories()).isEqualTo(dirsBefore);
    }
  }

  @Test
  void a50MegabyteOutputIsServedTwiceAtOnceFromA64MegabyteHeap() {
    long size = 50_000_000;
    try (ChildJvm child = ChildJvm.start(LargeOutputMain.class, Long.toString(size))) {
      String line = child.readLine();
      System.out.println("child JVM (-Xmx64m) serving two 50 MB downloads: " + line);
      String[] parts = line.split(" ");
      assertThat(parts[0]).isEqualTo("ok");
      assertThat(Long.parseLong(parts[1])).isEqualTo(size);
      assertThat(Long.parseLong(parts[2])).isEqualTo(size);
      assertThat(Long.parseLong(parts[3])).isLessThan(48); // peak heap in MB, against 100 MB of bodies
      assertThat(child.waitFor(60)).isZero();
    }
  }
}
