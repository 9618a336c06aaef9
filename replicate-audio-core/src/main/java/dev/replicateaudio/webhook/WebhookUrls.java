package dev.replicateaudio.webhook;

import dev.replicateaudio.ContentKey;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import java.util.Optional;

/**
 * Builds the per-submission webhook URL that carries a {@link ContentKey} in its query, and reads
 * the key back when the webhook arrives.
 *
 * <pre>{@code
 * URI hook = WebhookUrls.forContent(URI.create("https://example.com/hooks/replicate"), key);
 * // https://example.com/hooks/replicate?content_type=sound_effect&content_id=42
 * }</pre>
 *
 * <p>The query is not covered by Replicate's signature: the key it carries is a routing hint that
 * the pipeline checks against the job recorded for the (signed) prediction id.
 *
 * <p>This class is thread-safe: it has no state.
 */
public final class WebhookUrls {
  /** The query parameter holding the content type. */
  public static final String CONTENT_TYPE_PARAM = "content_type";
  /** The query parameter holding the content id. */
  public static final String CONTENT_ID_PARAM = "content_id";

  private WebhookUrls() {
  }

  /**
   * {@code base} with {@code content_type} and {@code content_id} added to its query (existing
   * parameters are kept).
   *
   * @param base the host's webhook endpoint
   * @param key the content item
   * @return the URL for this item's predictions
   * @throws IllegalArgumentException when {@code base} is not an absolute http(s) URL, or already
   *     carries a content key
   */
  public static URI forContent(URI base, ContentKey key) {
    Objects.requireNonNull(base, "base == null");
    Objects.requireNonNull(key, "key == null");
    String scheme = base.getScheme();
    if (!base.isAbsolute() || base.getHost() == null
        || !("https".equalsIgnoreCase(scheme) || "http".equalsIgnoreCase(scheme))) {
      throw new IllegalArgumentException("webhook base must be an absolute http(s) URL, was '" + base + "'");
    }
    if (base.getFragment() != null) {
      throw new IllegalArgumentException("webhook base must not have a fragment, was '" + base + "'");
    }
    String query = base.getRawQuery();
    if (query != null && (param(query, CONTENT_TYPE_PARAM).isPresent() || param(query, CONTENT_ID_PARAM).isPresent())) {
      throw new IllegalArgumentException("webhook base already has a content_type or content_id parameter: '" + base + "'");
    }
    // content types are [A-Za-z0-9_.-]: nothing to escape
    String added = CONTENT_TYPE_PARAM + "=" + key.contentType() + "&" + CONTENT_ID_PARAM + "=" + key.contentId();
    String newQuery = query == null || query.isEmpty() ? added : query + "&" + added;
    try {
      return new URI(base.getScheme() + "://" + base.getRawAuthority() + (base.getRawPath() == null ? "" : base.getRawPath())
          + "?" + newQuery);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("can't build a webhook URL from '" + base + "'", e);
    }
  }

  /**
   * The content key in a webhook request's raw query string ({@code content_type=...&content_id=...}).
   *
   * @param rawQuery the query as received, still %-encoded; may be null
   * @return empty when either parameter is missing or malformed
   */
  public static Optional<ContentKey> contentKey(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) {
      return Optional.empty();
    }
    try {
      Optional<String> type = param(rawQuery, CONTENT_TYPE_PARAM);
      Optional<String> id = param(rawQuery, CONTENT_ID_PARAM);
      if (type.isEmpty() || id.isEmpty()) {
        return Optional.empty();
      }
      return Optional.of(new ContentKey(type.get(), Long.parseLong(id.get())));
    } catch (IllegalArgumentException e) {
      // a malformed %-escape (URLDecoder), a bad number or a bad content type
      return Optional.empty();
    }
  }

  /**
   * The content key in a webhook request's URI.
   *
   * @param requestUri the request's URI
   * @return the key; empty when either parameter is missing or malformed
   */
  public static Optional<ContentKey> contentKey(URI requestUri) {
    Objects.requireNonNull(requestUri, "requestUri == null");
    return contentKey(requestUri.getRawQuery());
  }

  private static Optional<String> param(String rawQuery, String name) {
    for (String pair : rawQuery.split("&")) {
      int eq = pair.indexOf('=');
      String k = eq < 0 ? pair : pair.substring(0, eq);
      if (URLDecoder.decode(k, StandardCharsets.UTF_8).equals(name)) {
        return Optional.of(eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    return Optional.empty();
  }
}
