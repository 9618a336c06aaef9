package dev.replicateaudio.examples.simulator;

import java.io.InputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Run in a child JVM with a small heap: the simulator renders a 50 MB output and serves it to two
 * clients at once. Prints {@code ok <bytes> <bytes> <peak heap MB>}; an implementation holding the
 * body in memory runs out of heap instead.
 */
public final class LargeOutputMain {
  private LargeOutputMain() {
  }

  public static void main(String[] args) throws Exception {
    long size = Long.parseLong(args[0]);
    try (ReplicateSimulator sim = ReplicateSimulator.builder().startDelay(Duration.ZERO)
        .processingTime(Duration.ZERO).start()) {
      Api api = new Api(sim);
      String url = api.awaitTerminal(api.create(Map.of("input", Map.of("prompt", "big", "size_bytes", size)))
          .path("id").asText()).path("output").asText();
      System.gc();
      List<MemoryPoolMXBean> heap = ManagementFactory.getMemoryPoolMXBeans().stream()
          .filter(p -> p.getType() == MemoryType.HEAP).toList();
      heap.forEach(MemoryPoolMXBean::resetPeakUsage);
      HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
      CompletableFuture<Long> a = CompletableFuture.supplyAsync(() -> drain(http, url));
      CompletableFuture<Long> b = CompletableFuture.supplyAsync(() -> drain(http, url));
      long first = a.join();
      long second = b.join();
      long peak = heap.stream().mapToLong(p -> p.getPeakUsage().getUsed()).sum();
      System.out.println("ok " + first + " " + second + " " + (peak >> 20));
    }
  }

  private static long drain(HttpClient http, String url) {
    try {
      HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
          HttpResponse.BodyHandlers.ofInputStream());
      long total = 0;
      try (InputStream in = r.body()) {
        byte[] buf = new byte[64 * 1024];
        int n;
        while ((n = in.read(buf)) >= 0) {
          total += n;
        }
      }
      return total;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
