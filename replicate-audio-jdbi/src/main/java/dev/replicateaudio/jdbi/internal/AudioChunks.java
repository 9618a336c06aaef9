package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.SqlDialect;
import java.io.IOException;
import java.io.InputStream;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
import java.util.Objects;
import org.jdbi.v3.core.Handle;

/**
 * Audio in parts of {@value #CHUNK_BYTES} bytes (256 KiB), for drivers that hold a whole value in memory:
 * written as rows of {@code ra_audio_chunks} ({@link SqlDialect.LargeValues#CHUNKED}) and read back
 * one part at a time, from those rows or, on PostgreSQL, as slices of the bytea value
 * ({@link SqlDialect.LargeValues#SLICED_READS}). At most one part is in memory at a time.
 */
public final class AudioChunks {
  /**
   * The size of every part but the last: 256 KiB. Small enough that a part, escaped into a text
   * protocol statement (at worst twice its size, for silence), stays under 1 MiB: MariaDB
   * Connector/J grows a connection's write buffer for a larger statement straight to 16 MiB and
   * keeps it for the connection's life.
   */
  public static final int CHUNK_BYTES = 256 * 1024;

  private AudioChunks() {
  }

  /**
   * Replaces the chunks of {@code key} with the bytes of {@code in}, one row per part, each sent
   * as it is read; in the caller's transaction.
   *
   * @return the number of bytes written
   */
  public static long write(Handle h, SqlDialect dialect, ContentKey key, InputStream in, long size)
      throws SQLException, IOException {
    h.createUpdate(Sql.get(dialect, "audio_chunks_delete"))
        .bind("content_type", key.contentType())
        .bind("content_id", key.contentId())
        .execute();
    byte[] buffer = new byte[(int) Math.min(CHUNK_BYTES, Math.max(1, size))];
    long written = 0;
    try (PreparedStatement insert = h.getConnection().prepareStatement(Sql.get(dialect, "audio_chunk_insert"))) {
      for (int seq = 0; ; seq++) {
        int n = in.readNBytes(buffer, 0, buffer.length);
        if (n == 0) {
          return written;
        }
        insert.setString(1, key.contentType());
        insert.setLong(2, key.contentId());
        insert.setInt(3, seq);
        insert.setBytes(4, n == buffer.length ? buffer : Arrays.copyOf(buffer, n));
        insert.executeUpdate();
        written += n;
      }
    }
  }

  /**
   * The {@code size} bytes stored for {@code key}, fetched one part at a time while the stream is
   * read; valid while {@code h}'s transaction is open. Closing the stream closes its statement.
   */
  public static InputStream reader(Handle h, SqlDialect dialect, ContentKey key, long size) throws SQLException {
    boolean slices = dialect.largeValues() == SqlDialect.LargeValues.SLICED_READS;
    PreparedStatement select = h.getConnection().prepareStatement(
        Sql.get(dialect, slices ? "audio_read_slice" : "audio_chunk_select"));
    return new PartReader(select, key, size, slices);
  }

  /** Reads part after part; not thread-safe. */
  private static final class PartReader extends InputStream {
    private final PreparedStatement select;
    private final ContentKey key;
    private final long size;
    private final boolean slices;
    private byte[] part = new byte[0];
    private int pos;
    private int seq;
    private long delivered;

    PartReader(PreparedStatement select, ContentKey key, long size, boolean slices) {
      this.select = select;
      this.key = key;
      this.size = size;
      this.slices = slices;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      int n = read(one, 0, 1);
      return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (len == 0) {
        return 0;
      }
      if (pos == part.length) {
        if (delivered == size) {
          return -1;
        }
        part = fetch();
        pos = 0;
      }
      int n = Math.min(len, part.length - pos);
      System.arraycopy(part, pos, b, off, n);
      pos += n;
      delivered += n;
      return n;
    }

    private byte[] fetch() throws IOException {
      long offset = (long) seq * CHUNK_BYTES;
      int expected = (int) Math.min(CHUNK_BYTES, size - offset);
      try {
        if (slices) {
          select.setInt(1, (int) (offset + 1)); // substring counts from 1 (a bytea is at most 1 GB)
          select.setInt(2, expected);
          select.setString(3, key.contentType());
          select.setLong(4, key.contentId());
        } else {
          select.setString(1, key.contentType());
          select.setLong(2, key.contentId());
          select.setInt(3, seq);
        }
        byte[] bytes;
        try (ResultSet rs = select.executeQuery()) {
          bytes = rs.next() ? rs.getBytes(1) : null;
        }
        if (bytes == null || bytes.length != expected) {
          throw new IOException("the stored audio of " + key + " is incomplete: part " + seq + " (bytes " + offset
              + " to " + (offset + expected) + " of " + size + ") " + (bytes == null ? "is missing"
                  : "has " + bytes.length + " bytes"));
        }
        seq++;
        return bytes;
      } catch (SQLException e) {
        throw new IOException("reading part " + seq + " of the stored audio of " + key + " failed: "
            + StorageErrors.firstLine(e), e);
      }
    }

    @Override
    public void close() throws IOException {
      try {
        select.close();
      } catch (SQLException e) {
        throw new IOException("closing the audio reader of " + key + " failed", e);
      }
    }
  }
}
