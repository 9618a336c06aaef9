package dev.replicateaudio.examples.simulator;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * A webhook endpoint for tests: a JDK HTTP server on loopback that records every request and
 * answers with the status a function picks. Thread-safe.
 */
final class WebhookReceiver implements AutoCloseable {
  /** One request as received. */
  record Received(Map<String, List<String>> headers, byte[] body, long nanoTime, String path) {
    String header(String name) {
      for (Map.Entry<String, List<String>> e : headers.entrySet()) {
        if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
          return e.getValue().get(0);
        }
      }
      return null;
    }
  }

  private final HttpServer server;
  private final ExecutorService pool = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "test-webhook-receiver");
    t.setDaemon(true);
    return t;
  });
  private final List<Received> received = new ArrayList<>();
  private volatile Function<Received, Integer> answer;
  private volatile Map<String, String> answerHeaders = Map.of();

  private WebhookReceiver(Function<Received, Integer> answer) {
    this.answer = answer;
    try {
      server = HttpServer.create(new InetSocketAddress(InetAddress.getByName("127.0.0.1"), 0), 64);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    server.createContext("/", ex -> {
      try (ex; InputStream in = ex.getRequestBody()) {
        byte[] body = in.readAllBytes();
        Headers h = ex.getRequestHeaders();
        Received r = new Received(Map.copyOf(h), body, System.nanoTime(), ex.getRequestURI().toString());
        synchronized (received) {
          received.add(r);
          received.notifyAll();
        }
        int status = this.answer.apply(r);
        answerHeaders.forEach((k, v) -> ex.getResponseHeaders().set(k, v));
        ex.sendResponseHeaders(status, -1);
      }
    });
    server.setExecutor(pool);
    server.start();
  }

  /** A receiver answering 200 to everything. */
  static WebhookReceiver ok() {
    return new WebhookReceiver(r -> 200);
  }

  /** A receiver answering what {@code answer} says. */
  static WebhookReceiver answering(Function<Received, Integer> answer) {
    return new WebhookReceiver(answer);
  }

  void answerHeaders(Map<String, String> headers) {
    this.answerHeaders = Map.copyOf(headers);
  }

  URI url(String path) {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + path);
  }

  List<Received> received() {
    synchronized (received) {
      return List.copyOf(received);
    }
  }

  /** Waits until at least {@code n} requests arrived; returns them. */
  List<Received> await(int n, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    synchronized (received) {
      while (received.size() < n) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError("expected " + n + " webhook requests within " + timeout + ", got "
              + received.size());
        }
        TimeUnit.NANOSECONDS.timedWait(received, left);
      }
      return new ArrayList<>(received);
    }
  }

  @Override
  public void close() {
    server.stop(0);
    pool.shutdownNow();
  }
}
