package dev.replicateaudio.examples.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Serves files over HTTP on loopback, like a delivery host: {@code GET /files/<name>} streams the
 * published file with its length (64 KiB at a time, never whole in memory). Its own daemon
 * threads, so serving never competes with the pipeline's executor for threads.
 */
final class LoopbackFileServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService threads;
  private final Map<String, Path> files = new ConcurrentHashMap<>();

  private LoopbackFileServer(HttpServer server, ExecutorService threads) {
    this.server = server;
    this.threads = threads;
  }

  static LoopbackFileServer start() {
    try {
      HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 256);
      ExecutorService threads = Executors.newFixedThreadPool(8, r -> {
        Thread t = new Thread(r, "bench-file-server");
        t.setDaemon(true);
        return t;
      });
      LoopbackFileServer s = new LoopbackFileServer(server, threads);
      server.createContext("/files/", s::serve);
      server.setExecutor(threads);
      server.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("can't start the loopback file server", e);
    }
  }

  /** Makes {@code file} downloadable; returns its URL. */
  URI publish(Path file) {
    String name = file.getFileName().toString();
    files.put(name, file);
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getAddress().getHostAddress() + ":" + a.getPort() + "/files/" + name);
  }

  private void serve(HttpExchange ex) throws IOException {
    try (ex) {
      String name = ex.getRequestURI().getPath().substring("/files/".length());
      Path file = files.get(name);
      if (!ex.getRequestMethod().equals("GET") || file == null) {
        ex.sendResponseHeaders(404, -1);
        return;
      }
      ex.getResponseHeaders().set("Content-Type", name.endsWith(".mp3") ? "audio/mpeg" : "audio/wav");
      ex.sendResponseHeaders(200, Files.size(file));
      try (OutputStream out = ex.getResponseBody()) {
        Files.copy(file, out);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdown();
    try {
      threads.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
