package dev.replicateaudio.examples.simulator;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves outputs at {@code /delivery/<id>/output.<ext>} like {@code replicate.delivery}: no
 * authentication, 404 once expired, and the download faults of the prediction.
 */
final class DeliveryHandler implements HttpHandler {
  private static final Logger LOG = LoggerFactory.getLogger(DeliveryHandler.class);
  private static final byte[] ZEROS = new byte[64 * 1024];
  /** How often a throttled body is written to: every 50 ms. */
  private static final long SLOW_TICK_MILLIS = 50;

  private final Config config;
  private final PredictionEngine engine;
  private final ApiHandler.RequestCounter counter;

  DeliveryHandler(Config config, PredictionEngine engine, ApiHandler.RequestCounter counter) {
    this.config = config;
    this.engine = engine;
    this.counter = counter;
  }

  @Override
  public void handle(HttpExchange ex) throws IOException {
    try (ex) {
      serve(ex);
    } catch (IOException e) {
      LOG.debug("download of {} ended early: {}", ex.getRequestURI().getRawPath(), e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void serve(HttpExchange ex) throws IOException, InterruptedException {
    counter.count(ReplicateSimulator.ROUTE_DOWNLOAD);
    if (!ex.getRequestMethod().equals("GET")) {
      ex.getResponseHeaders().set("Allow", "GET");
      text(ex, 405, "Method Not Allowed\n");
      return;
    }
    String[] parts = ex.getRequestURI().getRawPath().split("/", -1); // "", "delivery", id, file
    SimulatedPrediction p = parts.length == 4 ? engine.find(parts[2]).orElse(null) : null;
    AudioClips.Clip clip = p == null ? null : p.downloadableClip(Instant.now(), config.outputRetention());
    if (clip == null || !parts[3].equals("output" + clip.spec.format().extension())) {
      text(ex, 404, "Not Found\n");
      return;
    }
    engine.recordDownload(p.id);
    Set<Fault> faults = p.faults;
    if (faults.contains(Fault.HTTP_500)) {
      text(ex, 500, "Internal Server Error\n");
      return;
    }
    if (faults.contains(Fault.REDIRECT_LOOP) || faults.contains(Fault.REDIRECT_PRIVATE)) {
      String target = faults.contains(Fault.REDIRECT_PRIVATE) ? Fault.PRIVATE_REDIRECT_TARGET
          : ex.getRequestURI().getRawPath();
      ex.getResponseHeaders().set("Location", target);
      ex.sendResponseHeaders(302, -1);
      return;
    }
    ex.getResponseHeaders().set("Content-Type", clip.mimeType());
    if (faults.contains(Fault.HANG_DOWNLOAD)) {
      ex.sendResponseHeaders(200, clip.size);
      ex.getResponseBody().flush();
      // nothing more: the client's timeout ends it; the simulator's shutdown interrupts the wait
      Thread.sleep(config.hangTime().toMillis());
      return;
    }
    if (faults.contains(Fault.DISCONNECT)) {
      ex.sendResponseHeaders(200, clip.size);
      OutputStream out = ex.getResponseBody();
      try (InputStream in = clip.open()) {
        copy(in, out, clip.size / 2, 0);
      }
      out.flush();
      // closing the exchange with bytes missing makes the server drop the connection
      return;
    }
    if (faults.contains(Fault.OVERSIZED) || faults.contains(Fault.OVERSIZED_CHUNKED)) {
      long length = Math.max(config.oversizedBytes(), clip.size + 1);
      boolean chunked = !faults.contains(Fault.OVERSIZED);
      ex.sendResponseHeaders(200, chunked ? 0 : length);
      try (OutputStream out = ex.getResponseBody(); InputStream in = clip.open()) {
        long written = copy(in, out, clip.size, 0);
        while (written < length) {
          int n = (int) Math.min(ZEROS.length, length - written);
          out.write(ZEROS, 0, n);
          written += n;
        }
      }
      return;
    }
    long rate = faults.contains(Fault.SLOW_DOWNLOAD) ? config.slowDownloadRate() : 0;
    ex.sendResponseHeaders(200, clip.size);
    try (OutputStream out = ex.getResponseBody(); InputStream in = clip.open()) {
      copy(in, out, clip.size, rate);
    }
  }

  /** Copies up to {@code limit} bytes, at most {@code bytesPerSecond} when that is positive. */
  private static long copy(InputStream in, OutputStream out, long limit, long bytesPerSecond)
      throws IOException, InterruptedException {
    int chunk = bytesPerSecond > 0
        ? (int) Math.max(1, Math.min(64 * 1024, bytesPerSecond * SLOW_TICK_MILLIS / 1000))
        : 64 * 1024;
    byte[] buf = new byte[chunk];
    long written = 0;
    while (written < limit) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, limit - written));
      if (n < 0) {
        break;
      }
      out.write(buf, 0, n);
      written += n;
      if (bytesPerSecond > 0 && written < limit) {
        out.flush();
        Thread.sleep(SLOW_TICK_MILLIS);
      }
    }
    return written;
  }

  private static void text(HttpExchange ex, int status, String body) throws IOException {
    byte[] b = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
    ex.sendResponseHeaders(status, b.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(b);
    }
  }
}
