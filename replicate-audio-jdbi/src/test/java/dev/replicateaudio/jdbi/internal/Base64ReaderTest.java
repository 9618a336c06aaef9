package dev.replicateaudio.jdbi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.io.StringWriter;
import java.util.Base64;
import java.util.Random;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class Base64ReaderTest {
  @Test
  void producesTheStandardBase64OfEveryLength() throws IOException {
    Random random = new Random(7);
    for (int length : new int[] {0, 1, 2, 3, 4, 3071, 3072, 3073, 3 * 1024 * 5 + 2, 100_000}) {
      byte[] bytes = new byte[length];
      random.nextBytes(bytes);
      String expected = Base64.getEncoder().encodeToString(bytes);
      String actual;
      try (Reader reader = new Base64Reader(new ByteArrayInputStream(bytes))) {
        StringWriter out = new StringWriter();
        reader.transferTo(out);
        actual = out.toString();
      }
      assertThat(actual).as("length %d", length).isEqualTo(expected);
      assertThat(Base64Reader.encodedLength(length)).isEqualTo(expected.length());
    }
  }

  @Test
  void readsFromAStreamThatDeliversFewBytesAtATime() throws IOException {
    byte[] bytes = new byte[10_000];
    new Random(8).nextBytes(bytes);
    InputStream trickle = new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, 7));
      }
    };
    StringBuilder sb = new StringBuilder();
    try (Reader reader = new Base64Reader(trickle)) {
      char[] buffer = new char[5];
      for (int n; (n = reader.read(buffer, 0, buffer.length)) != -1; ) {
        sb.append(buffer, 0, n);
      }
    }
    assertThat(sb.toString()).isEqualTo(Base64.getEncoder().encodeToString(bytes));
  }

  @Test
  void closingTheReaderClosesTheStream() throws IOException {
    AtomicBoolean closed = new AtomicBoolean();
    InputStream in = new ByteArrayInputStream(new byte[3]) {
      @Override
      public void close() {
        closed.set(true);
      }
    };
    new Base64Reader(in).close();
    assertThat(closed).isTrue();
  }
}
