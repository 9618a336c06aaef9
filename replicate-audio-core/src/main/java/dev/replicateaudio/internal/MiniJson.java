package dev.replicateaudio.internal;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A small strict JSON reader for the core, which has no JSON library: enough for ffprobe's output.
 * Objects become {@code Map<String, Object>} (insertion-ordered), arrays {@code List<Object>},
 * strings {@code String}, numbers {@code BigDecimal}, {@code true}/{@code false} {@code Boolean}
 * and {@code null} {@code null}. Nesting is limited to {@value #MAX_DEPTH} levels. Thread-safe
 * (stateless).
 */
public final class MiniJson {
  public static final int MAX_DEPTH = 64;

  private final String text;
  private int pos;

  private MiniJson(String text) {
    this.text = text;
  }

  /**
   * Parses one JSON value filling the whole text (surrounding whitespace allowed).
   *
   * @throws IllegalArgumentException naming the offset and what was expected
   */
  public static Object parse(String text) {
    Objects.requireNonNull(text, "text == null");
    MiniJson p = new MiniJson(text);
    p.skipWhitespace();
    Object value = p.value(0);
    p.skipWhitespace();
    if (p.pos != text.length()) {
      throw p.error("end of input");
    }
    return value;
  }

  /** The object at {@code key} of {@code object}, if {@code object} is an object holding one. */
  @SuppressWarnings("unchecked")
  public static Optional<Map<String, Object>> object(Object object, String key) {
    Object v = get(object, key);
    return v instanceof Map ? Optional.of((Map<String, Object>) v) : Optional.empty();
  }

  /** The array at {@code key} of {@code object}, or an empty list. */
  @SuppressWarnings("unchecked")
  public static List<Object> array(Object object, String key) {
    Object v = get(object, key);
    return v instanceof List ? (List<Object>) v : List.of();
  }

  /**
   * The text at {@code key}: strings as they are, numbers in plain notation; empty when missing,
   * null, blank or {@code "N/A"} (ffprobe's marker for an unknown value).
   */
  public static Optional<String> text(Object object, String key) {
    Object v = get(object, key);
    String s;
    if (v instanceof String) {
      s = ((String) v).trim();
    } else if (v instanceof BigDecimal) {
      s = ((BigDecimal) v).toPlainString();
    } else {
      return Optional.empty();
    }
    if (s.isEmpty() || s.equalsIgnoreCase("N/A")) {
      return Optional.empty();
    }
    return Optional.of(s);
  }

  /** The number at {@code key}, whether JSON number or numeric string; empty when missing or not numeric. */
  public static Optional<BigDecimal> number(Object object, String key) {
    Optional<String> s = text(object, key);
    if (s.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(new BigDecimal(s.get()));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  private static Object get(Object object, String key) {
    if (object instanceof Map) {
      return ((Map<?, ?>) object).get(key);
    }
    return null;
  }

  // ---------------------------------------------------------------------------------------------

  private Object value(int depth) {
    if (depth > MAX_DEPTH) {
      throw error("at most " + MAX_DEPTH + " levels of nesting");
    }
    if (pos >= text.length()) {
      throw error("a value");
    }
    char c = text.charAt(pos);
    switch (c) {
      case '{':
        return object(depth);
      case '[':
        return array(depth);
      case '"':
        return string();
      case 't':
        return literal("true", Boolean.TRUE);
      case 'f':
        return literal("false", Boolean.FALSE);
      case 'n':
        return literal("null", null);
      default:
        if (c == '-' || (c >= '0' && c <= '9')) {
          return number();
        }
        throw error("a value");
    }
  }

  private Map<String, Object> object(int depth) {
    pos++; // {
    Map<String, Object> map = new LinkedHashMap<>();
    skipWhitespace();
    if (peek('}')) {
      pos++;
      return Collections.unmodifiableMap(map);
    }
    while (true) {
      skipWhitespace();
      if (!peek('"')) {
        throw error("a string key");
      }
      String key = string();
      skipWhitespace();
      expect(':');
      skipWhitespace();
      map.put(key, value(depth + 1));
      skipWhitespace();
      if (peek(',')) {
        pos++;
      } else if (peek('}')) {
        pos++;
        return Collections.unmodifiableMap(map);
      } else {
        throw error("',' or '}'");
      }
    }
  }

  private List<Object> array(int depth) {
    pos++; // [
    List<Object> list = new ArrayList<>();
    skipWhitespace();
    if (peek(']')) {
      pos++;
      return Collections.unmodifiableList(list);
    }
    while (true) {
      skipWhitespace();
      list.add(value(depth + 1));
      skipWhitespace();
      if (peek(',')) {
        pos++;
      } else if (peek(']')) {
        pos++;
        return Collections.unmodifiableList(list);
      } else {
        throw error("',' or ']'");
      }
    }
  }

  private String string() {
    pos++; // opening quote
    StringBuilder sb = new StringBuilder();
    while (pos < text.length()) {
      char c = text.charAt(pos++);
      if (c == '"') {
        return sb.toString();
      }
      if (c == '\\') {
        if (pos >= text.length()) {
          break;
        }
        char e = text.charAt(pos++);
        switch (e) {
          case '"': sb.append('"'); break;
          case '\\': sb.append('\\'); break;
          case '/': sb.append('/'); break;
          case 'b': sb.append('\b'); break;
          case 'f': sb.append('\f'); break;
          case 'n': sb.append('\n'); break;
          case 'r': sb.append('\r'); break;
          case 't': sb.append('\t'); break;
          case 'u':
            if (pos + 4 > text.length()) {
              throw error("four hex digits");
            }
            try {
              sb.append((char) Integer.parseInt(text.substring(pos, pos + 4), 16));
            } catch (NumberFormatException ex) {
              throw error("four hex digits");
            }
            pos += 4;
            break;
          default:
            pos--;
            throw error("a valid escape");
        }
      } else if (c < 0x20) {
        pos--;
        throw error("no raw control character in a string");
      } else {
        sb.append(c);
      }
    }
    throw error("a closing '\"'");
  }

  private BigDecimal number() {
    int start = pos;
    if (peek('-')) {
      pos++;
    }
    while (pos < text.length() && "0123456789.eE+-".indexOf(text.charAt(pos)) >= 0) {
      pos++;
    }
    try {
      return new BigDecimal(text.substring(start, pos));
    } catch (NumberFormatException e) {
      pos = start;
      throw error("a number");
    }
  }

  private Object literal(String word, Object value) {
    if (!text.startsWith(word, pos)) {
      throw error("'" + word + "'");
    }
    pos += word.length();
    return value;
  }

  private boolean peek(char c) {
    return pos < text.length() && text.charAt(pos) == c;
  }

  private void expect(char c) {
    if (!peek(c)) {
      throw error("'" + c + "'");
    }
    pos++;
  }

  private void skipWhitespace() {
    while (pos < text.length()) {
      char c = text.charAt(pos);
      if (c != ' ' && c != '\t' && c != '\n' && c != '\r') {
        return;
      }
      pos++;
    }
  }

  private IllegalArgumentException error(String expected) {
    String found = pos >= text.length() ? "end of input" : "'" + text.charAt(pos) + "'";
    return new IllegalArgumentException("Invalid JSON at offset " + pos + ": expected " + expected + ", found " + found);
  }
}
