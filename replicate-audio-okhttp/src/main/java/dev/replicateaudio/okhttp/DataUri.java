package dev.replicateaudio.okhttp;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Locale;

/**
 * An RFC 2397 {@code data:} URI ({@code data:[<media type>][;base64],<data>}), decoded as a stream:
 * the encoded text is read where it lies, a few kilobytes at a time, never copied or decoded whole.
 */
final class DataUri {
  private final String mediaType;
  private final boolean base64;
  private final String text;
  private final int dataStart;

  private DataUri(String mediaType, boolean base64, String text, int dataStart) {
    this.mediaType = mediaType;
    this.base64 = base64;
    this.text = text;
    this.dataStart = dataStart;
  }

  /**
   * @throws IllegalArgumentException when {@code uri} is not a well-formed data URI, saying why
   */
  static DataUri parse(URI uri) {
    String ssp = uri.getRawSchemeSpecificPart();
    if (ssp == null) {
      throw new IllegalArgumentException("no data after 'data:'");
    }
    int comma = ssp.indexOf(',');
    if (comma < 0) {
      throw new IllegalArgumentException("no ',' between the media type and the data");
    }
    String header = percentDecode(ssp.substring(0, comma)).strip();
    boolean base64 = false;
    if (header.toLowerCase(Locale.ROOT).endsWith(";base64")) {
      base64 = true;
      header = header.substring(0, header.length() - ";base64".length());
    }
    return new DataUri(header.isEmpty() ? null : header, base64, ssp, comma + 1);
  }

  /** The declared media type, parameters included; null when none was declared. */
  String mediaType() {
    return mediaType;
  }

  /**
   * The decoded size when it can be known without decoding (base64 or plain data without
   * percent-escapes); -1 otherwise.
   */
  long knownDecodedSize() {
    int len = text.length() - dataStart;
    if (text.indexOf('%', dataStart) >= 0) {
      return -1;
    }
    if (!base64) {
      return len;
    }
    int padding = 0;
    for (int i = text.length() - 1; i >= dataStart && padding < 2 && text.charAt(i) == '='; i--) {
      padding++;
    }
    long chars = len - padding;
    return chars / 4 * 3 + Math.max(0, chars % 4 - 1);
  }

  /** The decoded bytes as a stream; malformed data surfaces as an {@link IOException} while reading. */
  InputStream open() {
    InputStream in = new CharsInputStream(text, dataStart);
    if (text.indexOf('%', dataStart) >= 0) {
      in = new PercentDecodingInputStream(in);
    }
    return base64 ? Base64.getDecoder().wrap(in) : in;
  }

  private static String percentDecode(String s) {
    if (s.indexOf('%') < 0) {
      return s;
    }
    try (InputStream in = new PercentDecodingInputStream(new CharsInputStream(s, 0))) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalArgumentException("malformed media type: " + e.getMessage(), e);
    }
  }

  /** The ASCII characters of a string as bytes, without copying it. */
  private static final class CharsInputStream extends InputStream {
    private final String s;
    private int pos;

    CharsInputStream(String s, int start) {
      this.s = s;
      this.pos = start;
    }

    @Override
    public int read() throws IOException {
      if (pos >= s.length()) {
        return -1;
      }
      char c = s.charAt(pos++);
      if (c > 0x7f) {
        throw new IOException("non-ASCII character U+" + String.format(Locale.ROOT, "%04X", (int) c)
            + " at index " + (pos - 1) + " (data URIs must percent-encode it)");
      }
      return c;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      if (pos >= s.length()) {
        return -1;
      }
      int n = 0;
      while (n < len && pos < s.length()) {
        b[off + n++] = (byte) read();
      }
      return n;
    }
  }

  /** Decodes {@code %XX} escapes of an underlying byte stream. */
  private static final class PercentDecodingInputStream extends InputStream {
    private final InputStream in;

    PercentDecodingInputStream(InputStream in) {
      this.in = in;
    }

    @Override
    public int read() throws IOException {
      int c = in.read();
      if (c != '%') {
        return c;
      }
      int hi = Character.digit(in.read(), 16);
      int lo = Character.digit(in.read(), 16);
      if (hi < 0 || lo < 0) {
        throw new IOException("malformed percent-escape (a '%' must be followed by two hex digits)");
      }
      return hi << 4 | lo;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (len == 0) {
        return 0;
      }
      int n = 0;
      while (n < len) {
        int c = read();
        if (c < 0) {
          return n == 0 ? -1 : n;
        }
        b[off + n++] = (byte) c;
      }
      return n;
    }
  }
}
