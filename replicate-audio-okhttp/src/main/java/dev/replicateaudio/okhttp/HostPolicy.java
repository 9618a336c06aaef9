package dev.replicateaudio.okhttp;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;

/**
 * Which URLs the downloader may fetch: {@code https} (plus {@code http} when allowed) to hosts that
 * match one of the patterns. A pattern is a host name or IP literal (exact match), {@code *.domain}
 * (any subdomain of {@code domain}, at any depth, but not {@code domain} itself) or {@code *} (any
 * host). Matching is case-insensitive.
 */
final class HostPolicy {
  private static final Pattern HOST = Pattern.compile("[a-z0-9]([a-z0-9-]*[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*"
      + "|\\d{1,3}(\\.\\d{1,3}){3}|[0-9a-f:.]*:[0-9a-f:.]*");

  private final List<String> patterns;
  private final boolean allowPlainHttp;

  private HostPolicy(List<String> patterns, boolean allowPlainHttp) {
    this.patterns = patterns;
    this.allowPlainHttp = allowPlainHttp;
  }

  /**
   * @throws IllegalArgumentException naming the first unusable pattern
   */
  static HostPolicy of(Collection<String> patterns, boolean allowPlainHttp) {
    Objects.requireNonNull(patterns, "allowedHosts == null");
    if (patterns.isEmpty()) {
      throw new IllegalArgumentException("allowedHosts is empty: no download could ever succeed");
    }
    List<String> normalized = new ArrayList<>();
    for (String p : patterns) {
      Objects.requireNonNull(p, "allowedHosts contains null");
      String n = p.strip().toLowerCase(Locale.ROOT);
      if (n.startsWith("[") && n.endsWith("]")) {
        n = n.substring(1, n.length() - 1);
      }
      String host = n.startsWith("*.") ? n.substring(2) : n;
      if (!n.equals("*") && !HOST.matcher(host).matches()) {
        throw new IllegalArgumentException("allowedHosts entry '" + Texts.printable(p, 100)
            + "' is not a host name, an IP literal, '*.domain' or '*'");
      }
      normalized.add(n);
    }
    return new HostPolicy(List.copyOf(normalized), allowPlainHttp);
  }

  List<String> patterns() {
    return patterns;
  }

  boolean allowPlainHttp() {
    return allowPlainHttp;
  }

  /** Null when {@code url} may be fetched; otherwise why not. */
  String refusal(HttpUrl url) {
    if (!url.isHttps() && !allowPlainHttp) {
      return "only https URLs are downloaded (allowPlainHttp is off)";
    }
    String host = url.host().toLowerCase(Locale.ROOT);
    for (String p : patterns) {
      if (p.equals("*") || p.equals(host) || p.startsWith("*.") && host.endsWith(p.substring(1))) {
        return null;
      }
    }
    return "host '" + host + "' is not in the allowed hosts " + patterns;
  }
}
