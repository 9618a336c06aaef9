package dev.replicateaudio.okhttp;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/** Bounded, printable renderings of untrusted text and URLs for exception messages. */
final class Texts {
  private Texts() {
  }

  /**
   * At most {@code max} characters of {@code value}, control characters escaped as {@code \\uXXXX},
   * with {@code ...} appended when cut.
   */
  static String printable(String value, int max) {
    if (value == null) {
      return "null";
    }
    StringBuilder sb = new StringBuilder(Math.min(value.length(), max) + 8);
    int i = 0;
    for (; i < value.length() && sb.length() < max; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (i < value.length()) {
      sb.append("...");
    }
    return sb.toString();
  }

  /** The first bytes of {@code body} as UTF-8 text, printable and bounded to {@code max} characters. */
  static String excerpt(byte[] body, int max) {
    if (body == null || body.length == 0) {
      return "(empty)";
    }
    // 4 bytes per character at most; decoding a cut multi-byte character yields U+FFFD, harmless here
    int len = Math.min(body.length, max * 4);
    String s = new String(body, 0, len, StandardCharsets.UTF_8);
    String p = printable(s, max);
    return len < body.length && !p.endsWith("...") ? p + "..." : p;
  }

  /**
   * A URL for messages and logs: scheme, host, port and path only. The query (which may hold a
   * signature), user info and fragment are left out; a {@code data:} URI shows its media type and
   * length only.
   */
  static String describe(URI uri) {
    if (uri == null) {
      return "null";
    }
    String scheme = uri.getScheme();
    if (scheme != null && scheme.equalsIgnoreCase("data")) {
      String ssp = uri.getRawSchemeSpecificPart();
      int comma = ssp == null ? -1 : ssp.indexOf(',');
      String header = comma < 0 ? "" : ssp.substring(0, comma);
      return "data:" + printable(header, 60) + ",... (" + (ssp == null ? 0 : ssp.length() - comma - 1) + " chars)";
    }
    if (uri.isOpaque() || uri.getHost() == null) {
      return printable(scheme == null ? "(relative URL)" : scheme + ":...", 100);
    }
    StringBuilder sb = new StringBuilder();
    sb.append(scheme).append("://").append(uri.getHost());
    if (uri.getPort() >= 0) {
      sb.append(':').append(uri.getPort());
    }
    String path = uri.getRawPath();
    sb.append(path == null || path.isEmpty() ? "/" : path);
    if (uri.getRawQuery() != null) {
      sb.append("?...");
    }
    return printable(sb.toString(), 300);
  }
}
