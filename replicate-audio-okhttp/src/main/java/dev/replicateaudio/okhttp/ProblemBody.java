package dev.replicateaudio.okhttp;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What an error response's body says: RFC 7807 {@code title} and {@code detail}, and a retry hint
 * from {@code retry_after} or a "resets in ~Ns" sentence. Lenient: a body that is not JSON keeps
 * its start as the detail.
 *
 * @param title null when absent
 * @param detail null when the body is empty
 * @param retryAfter the body's retry hint; null when it gives none
 */
record ProblemBody(String title, String detail, Duration retryAfter) {
  static final int MAX_DETAIL_CHARS = 500;
  private static final Pattern RESETS_IN = Pattern.compile("resets in ~?\\s*(\\d{1,6})\\s*s", Pattern.CASE_INSENSITIVE);

  static ProblemBody parse(byte[] body) {
    if (body == null || body.length == 0) {
      return new ProblemBody(null, null, null);
    }
    JsonNode root = null;
    try {
      root = PredictionJson.mapper().readTree(body);
    } catch (IOException e) {
      // not JSON: fall back to the raw text
    }
    if (root == null || !root.isObject()) {
      String raw = new String(body, 0, Math.min(body.length, MAX_DETAIL_CHARS * 4), StandardCharsets.UTF_8).strip();
      return new ProblemBody(null, raw.isEmpty() ? null : Texts.printable(raw, MAX_DETAIL_CHARS), resetsIn(raw));
    }
    String title = text(root.get("title"));
    String detail = text(root.get("detail"));
    Duration hint = seconds(root.get("retry_after"));
    if (hint == null) {
      hint = resetsIn(detail);
    }
    if (title == null && detail == null) {
      // JSON, but not a problem document: keep its start
      detail = Texts.excerpt(body, MAX_DETAIL_CHARS);
    }
    return new ProblemBody(title, detail, hint);
  }

  private static String text(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    String s = node.isTextual() ? node.textValue() : node.toString();
    s = s.strip();
    return s.isEmpty() ? null : Texts.printable(s, MAX_DETAIL_CHARS);
  }

  /** {@code retry_after}: seconds as a number or a numeric string; null if absent or unusable. */
  private static Duration seconds(JsonNode node) {
    if (node == null || !(node.isNumber() || node.isTextual())) {
      return null;
    }
    try {
      BigDecimal s = node.isNumber() ? node.decimalValue() : new BigDecimal(node.textValue().strip());
      if (s.signum() < 0 || s.compareTo(BigDecimal.valueOf(86_400)) > 0) {
        return null;
      }
      return Duration.ofMillis(s.movePointRight(3).setScale(0, java.math.RoundingMode.CEILING).longValueExact());
    } catch (NumberFormatException | ArithmeticException e) {
      return null;
    }
  }

  static Duration resetsIn(String text) {
    if (text == null) {
      return null;
    }
    Matcher m = RESETS_IN.matcher(text);
    return m.find() ? Duration.ofSeconds(Long.parseLong(m.group(1))) : null;
  }
}
