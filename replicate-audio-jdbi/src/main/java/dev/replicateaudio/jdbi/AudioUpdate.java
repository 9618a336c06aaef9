package dev.replicateaudio.jdbi;

import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A host's own {@code UPDATE} statement that stores a content type's audio in the host's table,
 * instead of the default table {@code ra_audio}. Register it with
 * {@link JdbiAudioStore.Builder#mapContentType}.
 *
 * <pre>{@code
 * // the seed kept sound effects as base64 text in sound_effects.audio_data_b64
 * AudioStore audio = JdbiAudioStore.builder(jdbi)
 *     .mapContentType(ContentKey.SOUND_EFFECT, AudioUpdate.base64(
 *         "UPDATE sound_effects SET audio_data_b64 = :audio, audio_mime_type = :mime_type WHERE id = :content_id"))
 *     .build();
 * }</pre>
 *
 * <p>The statement must change exactly one row: the store throws a permanent
 * {@link dev.replicateaudio.port.StorageException} naming the content key when it changes none (no
 * such content item), and rolls back when it changes more. Named parameters it may use (all are
 * bound, use any):
 *
 * <table>
 *   <caption>Parameters bound to the statement</caption>
 *   <tr><td>{@code :audio}</td><td>the audio, streamed from the file: bytes for
 *       {@link #binary} (a BLOB or bytea column), Base64 text for {@link #base64} (a CLOB or text
 *       column; standard alphabet, padded, no line breaks). Required.</td></tr>
 *   <tr><td>{@code :content_type}, {@code :content_id}</td><td>the content key</td></tr>
 *   <tr><td>{@code :mime_type}</td><td>for example {@code audio/mpeg}</td></tr>
 *   <tr><td>{@code :size_bytes}</td><td>the audio's size in bytes (not of its Base64)</td></tr>
 *   <tr><td>{@code :sha256}</td><td>64 lowercase hex characters</td></tr>
 *   <tr><td>{@code :duration_us}</td><td>playing time in microseconds, or null when unknown</td></tr>
 *   <tr><td>{@code :updated_at}</td><td>the store's clock, as a timestamp with time zone</td></tr>
 * </table>
 *
 * <p>Memory: H2 streams both forms into its LOB storage. The PostgreSQL driver streams
 * {@code binary} audio straight to the server; for {@code base64} text it first spools the text to
 * a temporary file (in {@code java.io.tmpdir}, deleted after the statement), since it can't stream
 * text of unknown length. Neither holds the audio in memory.
 *
 * <p>Instances are immutable and thread-safe.
 */
public final class AudioUpdate {
  /** How {@code :audio} is bound. */
  public enum Encoding {
    /** The audio's bytes, for a BLOB or bytea column. */
    BINARY,
    /** The audio's Base64 text, for a CLOB or text column. */
    BASE64
  }

  private static final Pattern AUDIO_PARAMETER = Pattern.compile(":audio(?![A-Za-z0-9_])");

  private final String sql;
  private final Encoding encoding;

  private AudioUpdate(String sql, Encoding encoding) {
    this.sql = sql;
    this.encoding = encoding;
  }

  /**
   * An update that receives the audio's bytes as {@code :audio}, for a BLOB ({@code bytea} on
   * PostgreSQL) column.
   *
   * @param sql an {@code UPDATE} statement that uses the named parameter {@code :audio}; leading and
   *     trailing whitespace is dropped
   * @return the update
   * @throws NullPointerException if {@code sql} is null
   * @throws IllegalArgumentException if {@code sql} does not start with {@code UPDATE} (any case)
   *     followed by whitespace, or does not use {@code :audio}; the message quotes {@code sql}
   */
  public static AudioUpdate binary(String sql) {
    return new AudioUpdate(check(sql), Encoding.BINARY);
  }

  /**
   * An update that receives the audio's Base64 text as {@code :audio} (standard alphabet, padded, no
   * line breaks), for a CLOB or text column.
   *
   * @param sql an {@code UPDATE} statement that uses the named parameter {@code :audio}; leading and
   *     trailing whitespace is dropped
   * @return the update
   * @throws NullPointerException if {@code sql} is null
   * @throws IllegalArgumentException if {@code sql} does not start with {@code UPDATE} (any case)
   *     followed by whitespace, or does not use {@code :audio}; the message quotes {@code sql}
   */
  public static AudioUpdate base64(String sql) {
    return new AudioUpdate(check(sql), Encoding.BASE64);
  }

  /**
   * The statement as given, without its leading and trailing whitespace.
   *
   * @return the {@code UPDATE} statement
   */
  public String sql() {
    return sql;
  }

  /**
   * How {@code :audio} is bound: {@link Encoding#BINARY} for an update made by {@link #binary},
   * {@link Encoding#BASE64} for one made by {@link #base64}.
   *
   * @return the encoding
   */
  public Encoding encoding() {
    return encoding;
  }

  /**
   * The encoding and the statement, for example
   * {@code AudioUpdate[base64: UPDATE sound_effects SET ...]}.
   *
   * @return a description for logs
   */
  @Override
  public String toString() {
    return "AudioUpdate[" + encoding.name().toLowerCase(Locale.ROOT) + ": " + sql + "]";
  }

  private static String check(String sql) {
    Objects.requireNonNull(sql, "sql == null");
    String trimmed = sql.strip();
    if (!trimmed.regionMatches(true, 0, "UPDATE", 0, 6) || trimmed.length() == 6
        || !Character.isWhitespace(trimmed.charAt(6))) {
      throw new IllegalArgumentException("sql must be an UPDATE statement, was '" + sql + "'");
    }
    if (!AUDIO_PARAMETER.matcher(sql).find()) {
      throw new IllegalArgumentException("sql must use the :audio parameter, was '" + sql + "'");
    }
    return trimmed;
  }
}
