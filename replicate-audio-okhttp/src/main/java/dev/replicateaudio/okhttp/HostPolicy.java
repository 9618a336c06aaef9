package dev.replicateaudio.okhttp;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import okhttp3.Dns;
import okhttp3.HttpUrl;

/**
 * Which URLs the downloader may fetch: {@code https} (plus {@code http} when allowed) to hosts that
 * match one of the patterns. A pattern is a host name or IP literal (exact match), {@code *.domain}
 * (any subdomain of {@code domain}, at any depth, but not {@code domain} itself) or {@code *} (any
 * host). Matching is case-insensitive.
 *
 * <p>Addresses: a host matched only by a wildcard may be reached at public addresses only, never at
 * a loopback, private, link-local (cloud metadata), unique-local, carrier-grade NAT, multicast or
 * unspecified one, whether the URL names the address or a name resolves to it ({@link #dns}). A
 * host named exactly by a pattern ({@code 127.0.0.1}, {@code minio.internal}) is trusted at any
 * address: naming it is the host's decision.
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
    if (namedExactly(host)) {
      return null;
    }
    for (String p : patterns) {
      if (p.equals("*") || p.startsWith("*.") && host.endsWith(p.substring(1))) {
        // OkHttp connects to an IP literal without asking the Dns: check it here
        InetAddress literal = ipLiteral(host);
        return literal == null || isPublic(literal) ? null
            : "host '" + host + "' is a " + kind(literal) + " address, which only an exact allowedHosts entry allows";
      }
    }
    return "host '" + host + "' is not in the allowed hosts " + patterns;
  }

  /** Whether a pattern names {@code host} itself (not through a wildcard). */
  boolean namedExactly(String host) {
    return patterns.contains(host.toLowerCase(Locale.ROOT));
  }

  /**
   * {@code delegate} restricted to public addresses for hosts not {@linkplain #namedExactly named
   * exactly}: private ones are dropped from the answer, and an answer with none left fails with
   * {@link RefusedAddressException}.
   */
  Dns dns(Dns delegate) {
    return hostname -> {
      List<InetAddress> all = delegate.lookup(hostname);
      if (namedExactly(hostname)) {
        return all;
      }
      List<InetAddress> usable = new ArrayList<>(all.size());
      for (InetAddress a : all) {
        if (isPublic(a)) {
          usable.add(a);
        }
      }
      if (usable.isEmpty() && !all.isEmpty()) {
        throw new RefusedAddressException("host '" + hostname + "' resolves only to non-public addresses "
            + all.stream().map(a -> a.getHostAddress() + " (" + kind(a) + ")").collect(Collectors.toList())
            + ", which only an exact allowedHosts entry allows");
      }
      return usable;
    };
  }

  /** An IP literal as an address (no lookup), or null when {@code host} is a name. */
  private static InetAddress ipLiteral(String host) {
    boolean v4 = host.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    if (!v4 && host.indexOf(':') < 0) {
      return null;
    }
    try {
      return InetAddress.getByName(host); // a literal: parsed, never resolved
    } catch (UnknownHostException e) {
      return null;
    }
  }

  /** Whether {@code a} is a public unicast address (not one an SSRF would aim at). */
  static boolean isPublic(InetAddress a) {
    return kind(a) == null;
  }

  /** What kind of non-public address {@code a} is, or null when it is public. */
  static String kind(InetAddress a) {
    if (a.isLoopbackAddress()) {
      return "loopback";
    }
    if (a.isAnyLocalAddress()) {
      return "unspecified";
    }
    if (a.isLinkLocalAddress()) {
      return "link-local";
    }
    if (a.isSiteLocalAddress()) {
      return "private";
    }
    if (a.isMulticastAddress()) {
      return "multicast";
    }
    byte[] b = a.getAddress();
    if (b.length == 4) {
      int first = b[0] & 0xFF;
      int second = b[1] & 0xFF;
      if (first == 0) {
        return "unspecified";
      }
      if (first == 100 && second >= 64 && second <= 127) {
        return "carrier-grade NAT";
      }
      if (first == 198 && (second == 18 || second == 19) || first >= 240) {
        return "reserved";
      }
      return null;
    }
    if ((b[0] & 0xFE) == 0xFC) {
      return "unique-local";
    }
    // IPv4 embedded in IPv6 (compatible ::a.b.c.d, or NAT64 64:ff9b::a.b.c.d): judge the IPv4 address
    boolean compatible = true;
    for (int i = 0; i < 12; i++) {
      compatible &= b[i] == 0;
    }
    boolean nat64 = b[0] == 0 && b[1] == 0x64 && b[2] == (byte) 0xFF && b[3] == (byte) 0x9B;
    for (int i = 4; nat64 && i < 12; i++) {
      nat64 = b[i] == 0;
    }
    if (compatible || nat64) {
      try {
        return kind(InetAddress.getByAddress(Arrays.copyOfRange(b, 12, 16)));
      } catch (UnknownHostException e) {
        return "invalid";
      }
    }
    return null;
  }

  /** A host whose addresses are all non-public, named only by a wildcard pattern. */
  static final class RefusedAddressException extends UnknownHostException {
    private static final long serialVersionUID = 1L;

    RefusedAddressException(String message) {
      super(message);
    }
  }
}
