package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.internal.SettingParsers;
import java.util.Objects;

/**
 * The text of one completion in a PostgreSQL notification: seven fields separated by {@code |},
 *
 * <pre>
 * ra1|&lt;instance id&gt;|&lt;content type&gt;|&lt;content id&gt;|&lt;STATUS&gt;|&lt;prediction id&gt;|&lt;error&gt;
 * </pre>
 *
 * <p>The prediction id and the error are escaped so that any text round-trips: {@code \\} for a
 * backslash, {@code \p} for {@code |}, {@code \0} for NUL (which PostgreSQL text can't hold),
 * {@code \n} and {@code \r}, and a backslash, {@code u} and four hex digits for a lone surrogate (and, when the database's
 * encoding is not UTF-8, for every non-ASCII character, so that the payload is plain ASCII). A null
 * field is {@code \N}. A payload never exceeds the byte limit it is encoded for: the error is cut
 * at a character boundary and marked {@code ... [cut, N characters]}.
 */
public final class CompletionPayload {
  /** The first field, naming this format. */
  public static final String VERSION = "ra1";
  /**
   * PostgreSQL refuses payloads of 8000 bytes and more ({@code NOTIFY_PAYLOAD_MAX_LENGTH} with the
   * default 8 KiB block size), counted in the server's encoding.
   */
  public static final int MAX_POSTGRES_BYTES = 7999;

  private static final char SEPARATOR = '|';
  private static final String NULL = "\\N";
  private static final int FIELDS = 7;

  private CompletionPayload() {
  }

  /**
   * An encoded payload.
   *
   * @param text the payload
   * @param bytes its length in the server's encoding
   * @param truncated whether the error text was cut to fit
   */
  public record Encoded(String text, int bytes, boolean truncated) {
  }

  /** A decoded payload. */
  public record Decoded(String instanceId, ContentKey key, CompletionOutcome outcome) {
  }

  /**
   * Encodes a completion.
   *
   * @param asciiOnly escape every non-ASCII character (for a server encoding other than UTF-8)
   * @param maxBytes the most bytes the payload may have
   * @return the payload, or null when even with an empty error it would exceed {@code maxBytes}
   *     (only a prediction id of thousands of characters can do that)
   */
  public static Encoded encode(String instanceId, ContentKey key, CompletionOutcome outcome, boolean asciiOnly,
      int maxBytes) {
    Objects.requireNonNull(instanceId, "instanceId == null");
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(outcome, "outcome == null");
    StringBuilder sb = new StringBuilder(64 + (outcome.error() == null ? 0 : outcome.error().length()));
    sb.append(VERSION).append(SEPARATOR);
    escape(sb, instanceId, asciiOnly);
    sb.append(SEPARATOR).append(key.contentType())
        .append(SEPARATOR).append(key.contentId())
        .append(SEPARATOR).append(outcome.status().name())
        .append(SEPARATOR);
    escape(sb, outcome.predictionId(), asciiOnly);
    sb.append(SEPARATOR);
    int headLength = sb.length();
    String error = outcome.error();
    escape(sb, error, asciiOnly);
    int bytes = utf8Length(sb, 0, sb.length());
    if (bytes <= maxBytes) {
      return new Encoded(sb.toString(), bytes, false);
    }
    // cut the error, code point by code point, leaving room for the marker
    if (error == null) {
      return null;
    }
    int headBytes = utf8Length(sb, 0, headLength);
    sb.setLength(headLength);
    String marker = "... [cut, " + error.length() + " characters]";
    int budget = maxBytes - headBytes - marker.length();
    if (budget < 0) {
      return null;
    }
    int used = 0;
    StringBuilder one = new StringBuilder(12);
    for (int i = 0; i < error.length(); ) {
      int cp = error.codePointAt(i);
      int units = Character.charCount(cp);
      one.setLength(0);
      escape(one, error.substring(i, i + units), asciiOnly);
      int cost = utf8Length(one, 0, one.length());
      if (used + cost > budget) {
        break;
      }
      sb.append(one);
      used += cost;
      i += units;
    }
    sb.append(marker);
    return new Encoded(sb.toString(), headBytes + used + marker.length(), true);
  }

  /**
   * Decodes a payload.
   *
   * @throws IllegalArgumentException naming what is wrong, for text that is not a valid payload
   *     of this version
   */
  public static Decoded decode(String payload) {
    Objects.requireNonNull(payload, "payload == null");
    String[] f = payload.split("\\|", -1);
    if (f.length != FIELDS || !VERSION.equals(f[0])) {
      throw new IllegalArgumentException("not a " + VERSION + " completion payload (" + FIELDS
          + " fields separated by |): '" + SettingParsers.printable(payload) + "'");
    }
    String instanceId = unescape(f[1]);
    if (instanceId == null || instanceId.isEmpty()) {
      throw new IllegalArgumentException("completion payload without an instance id: '"
          + SettingParsers.printable(payload) + "'");
    }
    long contentId;
    try {
      contentId = Long.parseLong(f[3]);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("completion payload with content id '" + SettingParsers.printable(f[3])
          + "', not a number", e);
    }
    ContentKey key = new ContentKey(f[2], contentId);
    CompletionStatus status;
    try {
      status = CompletionStatus.valueOf(f[4]);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("completion payload with unknown status '" + SettingParsers.printable(f[4])
          + "'", e);
    }
    if (!status.isFinal()) {
      throw new IllegalArgumentException("completion payload with status " + status + ", not a completion");
    }
    return new Decoded(instanceId, key, new CompletionOutcome(status, unescape(f[5]), unescape(f[6])));
  }

  /** Appends {@code value} escaped; null as {@code \N}. */
  static void escape(StringBuilder sb, String value, boolean asciiOnly) {
    if (value == null) {
      sb.append(NULL);
      return;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      switch (c) {
        case '\\':
          sb.append("\\\\");
          break;
        case SEPARATOR:
          sb.append("\\p");
          break;
        case '\0':
          sb.append("\\0");
          break;
        case '\n':
          sb.append("\\n");
          break;
        case '\r':
          sb.append("\\r");
          break;
        default:
          if (Character.isSurrogate(c)) {
            boolean paired = Character.isHighSurrogate(c) && i + 1 < value.length()
                && Character.isLowSurrogate(value.charAt(i + 1));
            if (paired && !asciiOnly) {
              sb.append(c).append(value.charAt(++i));
            } else {
              hex(sb, c); // a lone surrogate has no UTF-8 form; a pair in ASCII mode: two escapes
            }
          } else if (c > 0x7e && asciiOnly) {
            hex(sb, c);
          } else {
            sb.append(c);
          }
      }
    }
  }

  private static void hex(StringBuilder sb, char c) {
    String h = Integer.toHexString(c);
    sb.append("\\u");
    for (int pad = h.length(); pad < 4; pad++) {
      sb.append('0');
    }
    sb.append(h);
  }

  /** The value {@link #escape} wrote; null for {@code \N}. */
  static String unescape(String field) {
    if (NULL.equals(field)) {
      return null;
    }
    if (field.indexOf('\\') < 0) {
      return field;
    }
    StringBuilder sb = new StringBuilder(field.length());
    for (int i = 0; i < field.length(); i++) {
      char c = field.charAt(i);
      if (c != '\\') {
        sb.append(c);
        continue;
      }
      if (i + 1 >= field.length()) {
        throw new IllegalArgumentException("completion payload field ends in a lone backslash: '"
            + SettingParsers.printable(field) + "'");
      }
      char e = field.charAt(++i);
      switch (e) {
        case '\\':
          sb.append('\\');
          break;
        case 'p':
          sb.append(SEPARATOR);
          break;
        case '0':
          sb.append('\0');
          break;
        case 'n':
          sb.append('\n');
          break;
        case 'r':
          sb.append('\r');
          break;
        case 'u':
          if (i + 4 >= field.length()) {
            throw new IllegalArgumentException("completion payload field has a short \\u escape: '"
                + SettingParsers.printable(field) + "'");
          }
          try {
            sb.append((char) Integer.parseInt(field.substring(i + 1, i + 5), 16));
          } catch (NumberFormatException ex) {
            throw new IllegalArgumentException("completion payload field has a bad \\u escape: '"
                + SettingParsers.printable(field) + "'", ex);
          }
          i += 4;
          break;
        default:
          throw new IllegalArgumentException("completion payload field has an unknown escape \\" + e + ": '"
              + SettingParsers.printable(field) + "'");
      }
    }
    return sb.toString();
  }

  /** The UTF-8 length of {@code s[from, to)}; a lone surrogate counts as the 3 bytes of its replacement. */
  static int utf8Length(CharSequence s, int from, int to) {
    int n = 0;
    for (int i = from; i < to; i++) {
      char c = s.charAt(i);
      if (c < 0x80) {
        n += 1;
      } else if (c < 0x800) {
        n += 2;
      } else if (Character.isHighSurrogate(c) && i + 1 < to && Character.isLowSurrogate(s.charAt(i + 1))) {
        n += 4;
        i++;
      } else {
        n += 3;
      }
    }
    return n;
  }
}
