package dev.replicateaudio.examples;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.okhttp.WebhookResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A webhook receiver on the JDK's HTTP server: {@code POST <path>} goes to a {@link WebhookEndpoint}
 * and its answer is sent back. Reading the body happens on the server's executor; processing runs
 * on the pipeline's executor and the answer is sent when it completes, so slow work never holds a
 * server thread.
 */
public final class JdkWebhookServer implements AutoCloseable {
  static {
    // TCP_NODELAY for the JDK's HTTP server, read once per JVM when the first server starts: without it
    // every small answer waits ~40 ms for a delayed ACK. A value the host set wins.
    if (System.getProperty("sun.net.httpserver.nodelay") == null) {
      System.setProperty("sun.net.httpserver.nodelay", "true");
    }
  }

  private final HttpServer server;
  private final String path;
  private final AtomicLong received = new AtomicLong();
  private volatile WebhookEndpoint endpoint;

  private JdkWebhookServer(HttpServer server, String path) {
    this.server = server;
    this.path = path;
  }

  /**
   * Starts a server on {@code address} (port 0 picks a free one) answering {@code POST path} with
   * {@code endpoint}.
   *
   * @param executor runs the server's request reading; the host owns it
   */
  public static JdkWebhookServer start(InetSocketAddress address, String path, WebhookEndpoint endpoint,
      Executor executor) {
    Objects.requireNonNull(endpoint, "endpoint == null");
    JdkWebhookServer server = listen(address, path, executor);
    server.serve(endpoint);
    return server;
  }

  /**
   * Starts listening before the endpoint exists (its URL is often needed to build the endpoint's
   * pipeline); webhooks are answered 503, so Replicate delivers them again, until {@link #serve}.
   */
  public static JdkWebhookServer listen(InetSocketAddress address, String path, Executor executor) {
    try {
      HttpServer server = HttpServer.create(address, 256);
      JdkWebhookServer s = new JdkWebhookServer(server, path);
      server.createContext(path, s::handle);
      server.setExecutor(executor);
      server.start();
      return s;
    } catch (IOException e) {
      throw new UncheckedIOException("can't listen on " + address, e);
    }
  }

  /** Hands webhooks to {@code endpoint} from now on. */
  public JdkWebhookServer serve(WebhookEndpoint endpoint) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint == null");
    return this;
  }

  private void handle(HttpExchange exchange) {
    received.incrementAndGet();
    WebhookEndpoint endpoint = this.endpoint;
    if (!"POST".equals(exchange.getRequestMethod())) {
      send(exchange, new WebhookResponse(405, "POST only\n"));
      return;
    }
    if (endpoint == null) {
      send(exchange, new WebhookResponse(503, "starting up\n"));
      return;
    }
    byte[] body;
    try (InputStream in = exchange.getRequestBody()) {
      body = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, WebhookEndpoint.DEFAULT_MAX_BODY_BYTES + 1));
    } catch (IOException e) {
      exchange.close();
      return;
    }
    endpoint.handleAsync(exchange.getRequestHeaders(), exchange.getRequestURI().getRawQuery(), body)
        .whenComplete((response, failure) -> send(exchange,
            failure == null ? response : new WebhookResponse(500, "internal error\n")));
  }

  private static void send(HttpExchange exchange, WebhookResponse response) {
    byte[] bytes = response.body().getBytes(StandardCharsets.UTF_8);
    try (OutputStream out = exchange.getResponseBody()) {
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      exchange.sendResponseHeaders(response.statusCode(), bytes.length == 0 ? -1 : bytes.length);
      out.write(bytes);
    } catch (IOException e) {
      // the sender went away; Replicate retries terminal webhooks on its own
    } finally {
      exchange.close();
    }
  }

  /** The URL Replicate should call, without a query: {@code http://host:port/path}. */
  public URI url() {
    InetSocketAddress a = server.getAddress();
    return URI.create("http://" + a.getHostString() + ":" + a.getPort() + path);
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** Requests received so far. */
  public long received() {
    return received.get();
  }

  /** Stops accepting, waits up to a second for exchanges in flight. */
  @Override
  public void close() {
    server.stop(1);
  }
}
