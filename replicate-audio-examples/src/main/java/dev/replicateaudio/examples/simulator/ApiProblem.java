package dev.replicateaudio.examples.simulator;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An API error answer in Replicate's RFC 7807 shape ({@code application/problem+json}), thrown by
 * the request handling and written by the handler.
 */
final class ApiProblem extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** One entry of {@code invalid_fields}: a validation error of a 422 answer. */
  record InvalidField(String type, String field, String description) {
  }

  final int status;
  final transient ObjectNode body;
  final transient Map<String, String> headers;

  private ApiProblem(int status, ObjectNode body, Map<String, String> headers) {
    super(status + " " + body.path("detail").asText(), null, false, false);
    this.status = status;
    this.body = body;
    this.headers = headers;
  }

  static ApiProblem of(int status, String title, String detail) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    if (title != null) {
      n.put("title", title);
    }
    n.put("detail", detail);
    n.put("status", status);
    return new ApiProblem(status, n, Map.of());
  }

  /** The recorded real answer to a missing or wrong token. */
  static ApiProblem unauthenticated() {
    return of(401, "Unauthenticated", "You did not pass a valid authentication token");
  }

  static ApiProblem notFound() {
    return of(404, "Not found", "Not found.");
  }

  /** Replicate's 429: {@code detail}, {@code status}, {@code retry_after} and a {@code Retry-After} header. */
  static ApiProblem throttled(long retryAfterSeconds) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("detail", "Request was throttled. Your rate limit resets in ~" + retryAfterSeconds + "s.");
    n.put("status", 429);
    n.put("retry_after", retryAfterSeconds);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put("Retry-After", Long.toString(retryAfterSeconds));
    return new ApiProblem(429, n, headers);
  }

  /** Replicate's 422 "Input validation failed", listing every problem. */
  static ApiProblem validation(List<InvalidField> fields) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    StringBuilder detail = new StringBuilder();
    ArrayNode invalid = JsonNodeFactory.instance.arrayNode();
    for (InvalidField f : fields) {
      detail.append("- ").append(f.field().isEmpty() ? "" : f.field() + ": ").append(f.description()).append('\n');
      ObjectNode o = invalid.addObject();
      o.put("type", f.type());
      o.put("field", f.field());
      o.put("description", f.description());
    }
    n.put("detail", detail.toString());
    n.put("status", 422);
    n.put("title", "Input validation failed");
    n.set("invalid_fields", invalid);
    return new ApiProblem(422, n, Map.of());
  }

  static ApiProblem methodNotAllowed(String method, String allowed) {
    ApiProblem p = of(405, "Method not allowed", "Method \"" + method + "\" not allowed.");
    return new ApiProblem(405, p.body, Map.of("Allow", allowed));
  }
}
