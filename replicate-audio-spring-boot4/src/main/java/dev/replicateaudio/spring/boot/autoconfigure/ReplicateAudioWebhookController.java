package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.okhttp.WebhookResponse;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.servlet.function.RequestPredicates;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.RouterFunctions;
import org.springframework.web.servlet.function.ServerRequest;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Serves Replicate's webhooks on Spring MVC: {@code POST <path>} hands the request's raw body
 * bytes, its headers and its raw query string to {@link WebhookEndpoint}, which verifies the
 * signature over exactly those bytes. Nothing reads the body before it: no {@code @RequestBody}
 * conversion (a decoded or re-serialised body would no longer verify), no request parameters (which
 * would consume a form body). The answer is sent asynchronously, when the endpoint has one
 * (at the latest after {@code acknowledge-after}: 202).
 *
 * <p>While the application shuts down (after the web server has drained), new webhooks get 503 so
 * that Replicate delivers them again, to another instance or later.
 *
 * <p>Spring Security: open the path for Replicate, which signs its webhooks but sends no
 * credentials, and exempt it from CSRF (see README, "Spring Boot"). This class is thread-safe.
 */
public final class ReplicateAudioWebhookController {
  private final WebhookEndpoint endpoint;
  private final String path;
  private final BooleanSupplier accepting;

  ReplicateAudioWebhookController(WebhookEndpoint endpoint, String path, BooleanSupplier accepting) {
    this.endpoint = Objects.requireNonNull(endpoint, "endpoint == null");
    this.path = Objects.requireNonNull(path, "path == null");
    this.accepting = Objects.requireNonNull(accepting, "accepting == null");
  }

  /**
   * The path served.
   *
   * @return the path
   */
  public String path() {
    return path;
  }

  /**
   * The route: {@code POST <path>} to {@link #handle}.
   *
   * @return the route
   */
  public RouterFunction<ServerResponse> route() {
    return RouterFunctions.route(RequestPredicates.POST(path), this::handle);
  }

  /**
   * Handles one webhook request.
   *
   * @param request the request, its body unread
   * @return the answer, asynchronous
   * @throws IOException when the body can't be read
   */
  public ServerResponse handle(ServerRequest request) throws IOException {
    HttpServletRequest servlet = request.servletRequest();
    if (!accepting.getAsBoolean()) {
      return ServerResponse.status(HttpStatus.SERVICE_UNAVAILABLE).contentType(MediaType.TEXT_PLAIN)
          .body("shutting down; retry later");
    }
    Map<String, List<String>> headers = new LinkedHashMap<>();
    for (String name : Collections.list(servlet.getHeaderNames())) {
      headers.put(name, new ArrayList<>(Collections.list(servlet.getHeaders(name))));
    }
    CompletableFuture<WebhookResponse> answer;
    try (InputStream body = servlet.getInputStream()) {
      answer = endpoint.handleAsync(headers, servlet.getQueryString(), body);
    }
    return ServerResponse.async(answer.thenApply(ReplicateAudioWebhookController::toResponse));
  }

  private static ServerResponse toResponse(WebhookResponse answer) {
    return ServerResponse.status(answer.statusCode()).contentType(MediaType.parseMediaType(WebhookResponse.CONTENT_TYPE))
        .body(answer.body());
  }

  @Override
  public String toString() {
    return "ReplicateAudioWebhookController{POST " + path + ", " + endpoint + "}";
  }
}
