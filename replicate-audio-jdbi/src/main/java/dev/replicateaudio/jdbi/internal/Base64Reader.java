package dev.replicateaudio.jdbi.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.util.Arrays;
import java.util.Base64;
import java.util.Objects;

/**
 * The standard Base64 (RFC 4648, with padding, no line breaks) of a byte stream, as a character
 * stream: reads and encodes 3 KiB at a time, so memory stays constant whatever the input size.
 * Closing the reader closes the stream. Not thread-safe.
 */
public final class Base64Reader extends Reader {
  private static final int CHUNK = 3 * 1024;

  private final InputStream in;
  private final byte[] raw = new byte[CHUNK];
  private final byte[] encoded = new byte[CHUNK / 3 * 4];
  private int pos;
  private int limit;
  private boolean eof;

  public Base64Reader(InputStream in) {
    this.in = Objects.requireNonNull(in, "in == null");
  }

  /** How many characters the Base64 of {@code bytes} bytes has. */
  public static long encodedLength(long bytes) {
    return (bytes + 2) / 3 * 4;
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    Objects.checkFromIndexSize(off, len, cbuf.length);
    if (len == 0) {
      return 0;
    }
    if (pos == limit && !fill()) {
      return -1;
    }
    int n = Math.min(len, limit - pos);
    for (int i = 0; i < n; i++) {
      cbuf[off + i] = (char) encoded[pos + i];
    }
    pos += n;
    return n;
  }

  private boolean fill() throws IOException {
    if (eof) {
      return false;
    }
    // whole 3-byte groups except at the very end, so no padding appears mid-stream
    int n = 0;
    while (n < CHUNK) {
      int read = in.read(raw, n, CHUNK - n);
      if (read < 0) {
        eof = true;
        break;
      }
      n += read;
    }
    if (n == 0) {
      return false;
    }
    limit = Base64.getEncoder().encode(n == CHUNK ? raw : Arrays.copyOf(raw, n), encoded);
    pos = 0;
    return true;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }

  @Override
  public String toString() {
    return "Base64Reader";
  }
}
