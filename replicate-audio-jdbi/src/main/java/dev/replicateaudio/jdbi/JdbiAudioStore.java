package dev.replicateaudio.jdbi;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.internal.AudioChunks;
import dev.replicateaudio.jdbi.internal.Base64Reader;
import dev.replicateaudio.jdbi.internal.Sql;
import dev.replicateaudio.jdbi.internal.SqlSupport;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.FileStamp;
import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Clock;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.statement.ParsedSql;
import org.jdbi.v3.core.statement.SqlStatements;
import org.jdbi.v3.core.statement.Update;

/**
 * The audio store on Jdbi: streams each file into the database, never holding it in memory
 * (the seed's {@code crud.update_sound_effect_audio()}).
 *
 * <pre>{@code
 * AudioStore audio = JdbiAudioStore.create(jdbi);      // every content type in ra_audio
 * audio.storeAudio(ContentKey.speech(7), file, metadata);
 * }</pre>
 *
 * <p>By default audio goes to the table {@code ra_audio} ({@link SchemaInstaller}): inserted, or
 * replaced when the content key has audio already. A host that keeps audio in its own tables maps
 * a content type to its own {@code UPDATE} with {@link Builder#mapContentType} and
 * {@link AudioUpdate}; such a statement must change exactly one row.
 *
 * <p>Every store call is atomic on its own, or joins the calling thread's transaction
 * ({@link JdbiTransactionRunner}); share the {@link Jdbi} instance. On its own, a store into
 * {@code ra_audio} on H2 or PostgreSQL is one statement in autocommit; on MySQL, MariaDB and SQLite
 * (the audio in chunks) and with a host {@link AudioUpdate} it is one transaction. While the driver
 * reads the file, the store computes its SHA-256 (or, with a {@link FileStamp}, counts its bytes)
 * and, before handing over the last byte, compares it with {@link AudioMetadata#sha256()} (or checks
 * that the file still has the stamp); a file that changed, ended early or grew underneath fails the
 * statement before it runs, with a permanent {@link StorageException}, and nothing is written. A file
 * whose size differs from {@link AudioMetadata#sizeBytes()}, or that does not exist, is refused
 * before anything is written.
 *
 * <p>Memory: the heap does not grow with the audio, storing or reading back, on any database
 * ({@link SqlDialect.LargeValues}). H2 and PostgreSQL get the file streamed, in the driver's own
 * steps, into one BLOB or bytea value (measured: 50 MB stored with under 0.1 MB of live heap growth on
 * PostgreSQL, about 5 MB with H2 as a server); PostgreSQL's driver receives a bytea value whole,
 * so it is read back in 256 KiB slices. MySQL, MariaDB and SQLite drivers hold a whole value in
 * memory both ways, so there the default table keeps the audio in 256 KiB rows of
 * {@code ra_audio_chunks}, written in the same transaction and read back one at a time. H2
 * <em>embedded</em> in the host's JVM is the exception, by its own design: its MVStore engine
 * keeps a large LOB's pages on the heap until its background writer saves them, some 40 to 100 MB
 * while 50 MB are stored, whoever stores them. Prefer another database, or H2 in server mode, for
 * large audio. A host {@code UPDATE} ({@link AudioUpdate}) writes one value of the host's column:
 * on MySQL, MariaDB and SQLite the driver then holds it in memory once.
 *
 * <p>Reading back ({@link #findAudio}, {@link #readAudio}, {@link #copyAudioTo}) covers the default
 * table; while it reads, the row is locked against a concurrent replace.
 *
 * <p>This class is thread-safe.
 */
public final class JdbiAudioStore implements AudioStore {
  private final Jdbi jdbi;
  private final Clock clock;
  private final Map<String, AudioUpdate> mappings;
  private final FileOpener files;
  private volatile SqlDialect dialect;

  private JdbiAudioStore(Builder b) {
    this.jdbi = b.jdbi;
    this.clock = b.clock;
    this.mappings = Map.copyOf(b.mappings);
    this.files = b.files;
  }

  /**
   * A store that keeps every content type's audio in the default table {@code ra_audio}.
   *
   * @param jdbi the Jdbi on the database whose schema {@link SchemaInstaller} installed; share it with
   *     the job store and the {@link JdbiTransactionRunner}
   * @return a new store, thread-safe
   */
  public static JdbiAudioStore create(Jdbi jdbi) {
    return builder(jdbi).build();
  }

  /**
   * A builder for a store with a clock of its own or host tables for some content types
   * ({@link Builder#mapContentType}).
   *
   * @param jdbi the Jdbi on the database whose schema {@link SchemaInstaller} installed
   * @return a new builder
   */
  public static Builder builder(Jdbi jdbi) {
    return new Builder(Objects.requireNonNull(jdbi, "jdbi == null"));
  }

  /**
   * Streams {@code audioFile} into the database as the audio of {@code key}.
   *
   * @throws StorageException permanent when the file is missing or does not match {@code metadata},
   *     or when a host {@code UPDATE} changes no row (no such content item) or several; retryable for
   *     database and I/O failures. Nothing is stored in either case.
   */
  @Override
  public void storeAudio(ContentKey key, Path audioFile, AudioMetadata metadata) {
    store(key, audioFile, metadata, null);
  }

  /**
   * Streams {@code audioFile} into the database as the audio of {@code key}, without hashing it again:
   * the file must have the stamp {@code hashedAs} (taken when {@code metadata} was computed) before it
   * is streamed and still when its last byte is read, and exactly {@code metadata.sizeBytes()} bytes
   * must be streamed; otherwise nothing is written and a permanent {@link StorageException} is thrown.
   *
   * @throws StorageException as {@link #storeAudio(ContentKey, Path, AudioMetadata)}, and permanent
   *     when the file no longer has the stamp {@code hashedAs}
   */
  @Override
  public void storeAudio(ContentKey key, Path audioFile, AudioMetadata metadata, FileStamp hashedAs) {
    store(key, audioFile, metadata, Objects.requireNonNull(hashedAs, "hashedAs == null"));
  }

  /**
   * Stores; the file's SHA-256 ({@code hashedAs} null) or its stamp and length are checked by the
   * stream the driver reads ({@link VerifyingStream}) before it hands over the last byte, so a file
   * that changed fails the statement before it runs. A standalone store into the default table on a
   * dialect that writes it in one statement (not {@link SqlDialect.LargeValues#CHUNKED}) therefore
   * needs no transaction of its own and runs in autocommit; several statements (chunks) and a host
   * {@code UPDATE} (whose row count is checked after it ran) keep theirs.
   */
  private void store(ContentKey key, Path audioFile, AudioMetadata metadata, FileStamp hashedAs) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(audioFile, "audioFile == null");
    Objects.requireNonNull(metadata, "metadata == null");
    String operation = "storeAudio(" + key + ")";
    checkFile(operation, audioFile, metadata, hashedAs);
    AudioUpdate mapped = mappings.get(key.contentType());
    SqlDialect known = dialect;
    if (known == null) {
      known = SqlSupport.read(jdbi, operation, this::dialect);
    }
    boolean chunked = mapped == null && known.largeValues() == SqlDialect.LargeValues.CHUNKED;
    SqlDialect d = known;
    HandleCallback<Void, Exception> work = h -> {
      VerifyingStream in = VerifyingStream.open(files, operation, audioFile, metadata, hashedAs);
      try (in) {
        int rows;
        try {
          rows = mapped == null && !chunked ? upsert(h, d, key, metadata, in) : update(h, d, key, metadata, in, mapped);
        } catch (Exception e) {
          // the driver wraps the stream's IOException its own way: report the stream's own finding
          throw in.failure() != null ? in.failure() : e;
        }
        in.checkVerified();
        if (mapped != null && rows != 1) {
          throw StorageException.permanent(operation + " failed: the UPDATE mapped to content type '"
              + key.contentType() + "' changed " + rows + " rows, expected exactly one"
              + (rows == 0 ? ": no row for " + key + " exists" : "") + "; nothing was stored", null);
        }
      }
      return null;
    };
    if (mapped == null && !chunked) {
      SqlSupport.autocommitRetryingConflicts(jdbi, operation, work); // one statement: atomic alone
    } else {
      SqlSupport.inTransactionRetryingConflicts(jdbi, operation, work);
    }
  }

  /**
   * The default table's one-statement upsert (H2, PostgreSQL), on plain JDBC: it runs on every
   * store, and Jdbi's per-call binding cost about as much as the rest of the library's share.
   */
  private int upsert(Handle h, SqlDialect d, ContentKey key, AudioMetadata metadata, InputStream in)
      throws SQLException {
    ParsedSql sql = Sql.parsed(d, "audio_upsert");
    List<String> names = sql.getParameters().getParameterNames();
    try (PreparedStatement ps = h.getConnection().prepareStatement(sql.getSql())) {
      for (int i = 0; i < names.size(); i++) {
        int p = i + 1;
        switch (names.get(i)) {
          case "content_type" -> ps.setString(p, key.contentType());
          case "content_id" -> ps.setLong(p, key.contentId());
          case "audio" -> ps.setBinaryStream(p, in, metadata.sizeBytes());
          case "mime_type" -> ps.setString(p, metadata.mimeType());
          case "size_bytes" -> ps.setLong(p, metadata.sizeBytes());
          case "sha256" -> ps.setString(p, metadata.sha256());
          case "duration_us" -> {
            Long micros = SqlSupport.micros(metadata.duration());
            if (micros == null) {
              ps.setNull(p, Types.BIGINT);
            } else {
              ps.setLong(p, micros);
            }
          }
          case "updated_at" -> SqlSupport.timestamp(d, SqlSupport.now(clock)).apply(p, ps, null);
          default -> throw new IllegalStateException("audio_upsert.sql for " + d.displayName()
              + " has a parameter this store does not know: " + names.get(i));
        }
      }
      return ps.executeUpdate();
    }
  }

  /** A host {@code UPDATE}, or the chunked dialects' row and then its chunks, on Jdbi. */
  private int update(Handle h, SqlDialect d, ContentKey key, AudioMetadata metadata, InputStream in,
      AudioUpdate mapped) throws SQLException, IOException {
    Update update = mapped != null
        ? h.createUpdate(mapped.sql()).configure(SqlStatements.class, c -> c.setUnusedBindingAllowed(true))
        : h.createUpdate(Sql.get(d, "audio_upsert_info"));
    update.bind("content_type", key.contentType())
        .bind("content_id", key.contentId())
        .bind("mime_type", metadata.mimeType())
        .bind("size_bytes", metadata.sizeBytes())
        .bind("sha256", metadata.sha256())
        .bind("duration_us", SqlSupport.micros(metadata.duration()))
        .bind("updated_at", SqlSupport.timestamp(d, SqlSupport.now(clock)));
    if (mapped != null) {
      update.bind("audio", mapped.encoding() == AudioUpdate.Encoding.BASE64 ? base64Text(in)
          : binary(in, metadata.sizeBytes()));
    }
    int rows = update.execute();
    if (mapped == null) {
      AudioChunks.write(h, d, key, in, metadata.sizeBytes());
    }
    return rows;
  }

  /** Refuses a file that no longer has the stamp it was hashed with. */
  private static void checkStamp(String operation, Path file, FileStamp hashedAs) {
    FileStamp now;
    try {
      now = FileStamp.of(file);
    } catch (UncheckedIOException e) {
      throw StorageException.permanent(operation + " failed: " + e.getMessage() + "; nothing was stored", e);
    }
    checkStamp(operation, file, hashedAs, now);
  }

  private static void checkStamp(String operation, Path file, FileStamp hashedAs, FileStamp now) {
    if (!now.equals(hashedAs)) {
      throw StorageException.permanent(operation + " failed: " + file + " changed after it was hashed (was "
          + hashedAs + ", now " + now + "); nothing was stored", null);
    }
  }

  /**
   * The file's bytes as the driver reads them, checked before the last one is handed over: it
   * counts them and, once {@code size} have been read, compares their SHA-256 with the metadata's
   * (or, with a {@link FileStamp}, checks that the file still has it); a file that ends early or
   * has more bytes fails too. A failed check throws an {@link IOException} from {@code read}, so the
   * driver fails the statement before it executes (pgjdbc, H2, and the chunk writer read the whole
   * value before anything is executed or committed), and is kept in {@link #failure()} with its
   * permanent {@link StorageException}, whatever the driver wraps the IOException in. Never reads
   * beyond {@code size}. Not thread-safe.
   */
  private static final class VerifyingStream extends InputStream {
    private final InputStream in;
    private final String operation;
    private final Path file;
    private final AudioMetadata metadata;
    private final FileStamp hashedAs;
    private final MessageDigest sha256;
    private final long size;
    private long count;
    private boolean verified;
    private StorageException failure;

    private VerifyingStream(InputStream in, String operation, Path file, AudioMetadata metadata, FileStamp hashedAs) {
      this.in = in;
      this.operation = operation;
      this.file = file;
      this.metadata = metadata;
      this.hashedAs = hashedAs;
      this.sha256 = hashedAs == null ? sha256() : null;
      this.size = metadata.sizeBytes();
    }

    /** Opens {@code file}; an empty one is checked at once (a driver may read nothing of it). */
    static VerifyingStream open(FileOpener files, String operation, Path file, AudioMetadata metadata,
        FileStamp hashedAs) throws IOException {
      VerifyingStream s = new VerifyingStream(files.open(file), operation, file, metadata, hashedAs);
      if (s.size == 0) {
        try {
          s.verify();
        } catch (IOException e) {
          s.close();
          if (s.failure != null) {
            throw s.failure;
          }
          throw e;
        }
      }
      return s;
    }

    /** The check that failed, or null. */
    StorageException failure() {
      return failure;
    }

    /** Fails when the reader stopped before the last byte, so the check never ran (a driver's bug). */
    void checkVerified() {
      if (!verified) {
        throw new IllegalStateException(operation + ": the driver read " + count + " of " + size + " bytes of "
            + file + " and executed the statement anyway");
      }
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      Objects.checkFromIndexSize(off, len, b.length);
      if (failure != null) {
        throw new IOException(failure.getMessage(), failure);
      }
      if (count == size) {
        return -1;
      }
      if (len == 0) {
        return 0;
      }
      int n = in.read(b, off, (int) Math.min(len, size - count));
      if (n < 0) {
        throw fail(StorageException.permanent(operation + " failed: streamed " + count + " bytes of " + file
            + " but its metadata says sizeBytes=" + size + " (did the file change?); nothing was stored", null));
      }
      if (sha256 != null) {
        sha256.update(b, off, n);
      }
      count += n;
      if (count == size) {
        verify();
      }
      return n;
    }

    private void verify() throws IOException {
      if (sha256 != null) {
        if (in.read() >= 0) {
          throw fail(StorageException.permanent(operation + " failed: " + file + " has more than the " + size
              + " bytes its metadata says (sizeBytes=" + size + "; did the file change?); nothing was stored", null));
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (!actual.equals(metadata.sha256())) {
          throw fail(StorageException.permanent(operation + " failed: " + file + " has SHA-256 " + actual
              + " but its metadata says " + metadata.sha256() + " (did the file change?); nothing was stored", null));
        }
      } else {
        try {
          checkStamp(operation, file, hashedAs); // the stamp holds the size: a file that grew changed it
        } catch (StorageException e) {
          throw fail(e);
        }
      }
      verified = true;
    }

    private IOException fail(StorageException e) {
      failure = e;
      return new IOException(e.getMessage(), e);
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }

  /**
   * The metadata of the audio stored for {@code key} in the default table, if any; the bytes are
   * not read.
   *
   * @param key the content the audio belongs to
   * @return its size, SHA-256, duration, content type and time of storing; empty when none is stored
   * @throws IllegalArgumentException when {@code key}'s content type is mapped to a host table, whose
   *     rows this store does not read
   * @throws StorageException when the database fails
   */
  public Optional<StoredAudio> findAudio(ContentKey key) {
    checkReadable(key);
    return SqlSupport.read(jdbi, "findAudio(" + key + ")", h -> {
      SqlDialect d = dialect(h);
      return h.createQuery(Sql.get(d, "audio_find"))
          .bind("content_type", key.contentType())
          .bind("content_id", key.contentId())
          .map((rs, ctx) -> info(d, rs))
          .findOne();
    });
  }

  /**
   * Hands the audio stored for {@code key} in the default table to {@code reader} as a stream,
   * open only while the reader runs (in one transaction, or in the calling thread's).
   *
   * @param <T> what the reader makes of the audio
   * @param key the content the audio belongs to
   * @param reader called once with the metadata and the stream when audio is stored
   * @return what the reader returned; empty when no audio is stored for {@code key} (or the reader
   *     returned null)
   * @throws StorageException when the database or the reader fails
   */
  public <T> Optional<T> readAudio(ContentKey key, AudioReader<T> reader) {
    checkReadable(key);
    Objects.requireNonNull(reader, "reader == null");
    return SqlSupport.inTransaction(jdbi, "readAudio(" + key + ")", h -> read(h, dialect(h), key, reader));
  }

  /**
   * Copies the audio stored for {@code key} in the default table to {@code target} (replaced if
   * present), checking its size and SHA-256 on the way. The file appears whole or not at all.
   *
   * @param key the content the audio belongs to
   * @param target the file to write; its directory must exist
   * @return what was copied; empty when no audio is stored for {@code key}
   * @throws StorageException permanent when the stored audio does not match its recorded SHA-256
   */
  public Optional<StoredAudio> copyAudioTo(ContentKey key, Path target) {
    checkReadable(key);
    Objects.requireNonNull(target, "target == null");
    String operation = "copyAudioTo(" + key + ", " + target + ")";
    return SqlSupport.inTransaction(jdbi, operation, h -> read(h, dialect(h), key, (info, in) -> {
      Path dir = target.toAbsolutePath().getParent();
      Path part = Files.createTempFile(dir, "." + target.getFileName(), ".part");
      try {
        MessageDigest sha256 = sha256();
        long copied;
        try (OutputStream out = Files.newOutputStream(part);
            DigestInputStream digesting = new DigestInputStream(in, sha256)) {
          copied = digesting.transferTo(out);
        }
        String actual = HexFormat.of().formatHex(sha256.digest());
        if (copied != info.metadata().sizeBytes() || !actual.equals(info.metadata().sha256())) {
          throw StorageException.permanent(operation + " failed: the stored audio is corrupt: " + copied
              + " bytes with SHA-256 " + actual + ", recorded " + info.metadata().sizeBytes() + " bytes with SHA-256 "
              + info.metadata().sha256(), null);
        }
        try {
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
          Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
        }
        return info;
      } finally {
        Files.deleteIfExists(part);
      }
    }));
  }

  @Override
  public String toString() {
    return "JdbiAudioStore" + (mappings.isEmpty() ? "" : mappings.keySet());
  }

  private static <T> Optional<T> read(Handle h, SqlDialect d, ContentKey key, AudioReader<T> reader)
      throws SQLException, IOException {
    boolean whole = d.largeValues() == SqlDialect.LargeValues.STREAMED;
    try (PreparedStatement ps = h.getConnection().prepareStatement(Sql.get(d, whole ? "audio_read" : "audio_read_info"))) {
      ps.setString(1, key.contentType());
      ps.setLong(2, key.contentId());
      try (ResultSet rs = ps.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        StoredAudio info = info(d, rs);
        try (InputStream in = whole ? rs.getBinaryStream("audio")
            : AudioChunks.reader(h, d, key, info.metadata().sizeBytes())) {
          return Optional.ofNullable(reader.read(info, in));
        }
      }
    }
  }

  private static StoredAudio info(SqlDialect d, ResultSet rs) throws SQLException {
    return new StoredAudio(
        new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
        new AudioMetadata(rs.getString("mime_type"), rs.getLong("size_bytes"), rs.getString("sha256"),
            SqlSupport.duration(rs, "duration_us")),
        SqlSupport.instant(d, rs, "updated_at"));
  }

  /** The database's dialect, detected (and its version checked) on first use. */
  private SqlDialect dialect(Handle h) throws SQLException {
    SqlDialect d = dialect;
    if (d == null) {
      d = SqlDialect.detect(h.getConnection());
      dialect = d;
    }
    return d;
  }

  private void checkReadable(ContentKey key) {
    Objects.requireNonNull(key, "key == null");
    if (mappings.containsKey(key.contentType())) {
      throw new IllegalArgumentException("content type '" + key.contentType() + "' is stored by the host's own"
          + " UPDATE, not in ra_audio: read it from the host's table");
    }
  }

  /**
   * Refuses a file that is missing, not a regular file, of another size than {@code metadata}'s, or
   * (when {@code hashedAs} is given) without that stamp; one {@code stat}.
   */
  private static void checkFile(String operation, Path file, AudioMetadata metadata, FileStamp hashedAs) {
    BasicFileAttributes a;
    try {
      a = Files.readAttributes(file, BasicFileAttributes.class);
    } catch (NoSuchFileException e) {
      throw StorageException.permanent(operation + " failed: " + file + " does not exist", e);
    } catch (IOException e) {
      throw new StorageException(operation + " failed: can't read the size of " + file + ": " + e, e);
    }
    if (!a.isRegularFile()) {
      throw StorageException.permanent(operation + " failed: " + file + " is not a regular file", null);
    }
    if (a.size() != metadata.sizeBytes()) {
      throw StorageException.permanent(operation + " failed: " + file + " has " + a.size()
          + " bytes but its metadata says sizeBytes=" + metadata.sizeBytes() + "; nothing was stored", null);
    }
    if (hashedAs != null) {
      checkStamp(operation, file, hashedAs, new FileStamp(a.size(), a.lastModifiedTime(), a.fileKey()));
    }
  }

  /** The audio's bytes, streamed with their length (the drivers then stream without buffering). */
  private static Argument binary(InputStream in, long size) {
    return (position, statement, ctx) -> statement.setBinaryStream(position, in, size);
  }

  /**
   * The audio's Base64 as a character stream of unstated length: PostgreSQL's driver supports
   * streaming text only in this form (it spools to a temp file); H2 streams it into a CLOB.
   */
  private static Argument base64Text(InputStream in) {
    return (position, statement, ctx) -> statement.setCharacterStream(position, new Base64Reader(in));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java platform has SHA-256", e);
    }
  }

  /**
   * Reads stored audio. Called while the database stream is open; the stream is closed afterwards.
   */
  @FunctionalInterface
  public interface AudioReader<T> {
    /**
     * Reads the audio, or as much of it as needed.
     *
     * @param audio what is known about the stored audio
     * @param in its bytes; valid only during this call
     * @return what the reader made of it; null counts as nothing read
     * @throws IOException when reading fails; the store reports it as a {@link StorageException}
     */
    T read(StoredAudio audio, InputStream in) throws IOException;
  }

  /** Opens the file to store; tests change the file while it is read. */
  @FunctionalInterface
  interface FileOpener {
    InputStream open(Path file) throws IOException;
  }

  /** Builds a {@link JdbiAudioStore}. Not thread-safe. */
  public static final class Builder {
    private final Jdbi jdbi;
    private Clock clock = Clock.systemUTC();
    private final Map<String, AudioUpdate> mappings = new LinkedHashMap<>();
    private FileOpener files = Files::newInputStream;

    private Builder(Jdbi jdbi) {
      this.jdbi = jdbi;
    }

    /**
     * Where {@code updated_at} comes from. Default: the system clock (UTC).
     *
     * @param clock the clock
     * @return this builder
     */
    public Builder clock(Clock clock) {
      this.clock = Objects.requireNonNull(clock, "clock == null");
      return this;
    }

    /**
     * Stores the audio of {@code contentType} with the host's {@code update} instead of in
     * {@code ra_audio}. One mapping per content type.
     *
     * @param contentType the content type, as in {@link ContentKey#contentType()}
     * @param update the host's statement that writes the audio into its own row
     * @return this builder
     * @throws IllegalArgumentException when {@code contentType} is not a valid content type
     * @throws IllegalStateException when {@code contentType} is mapped already
     */
    public Builder mapContentType(String contentType, AudioUpdate update) {
      Objects.requireNonNull(update, "update == null");
      String type = ContentKey.of(contentType, 0).contentType(); // validates the type's form
      if (mappings.putIfAbsent(type, update) != null) {
        throw new IllegalStateException("content type '" + type + "' is mapped already, to " + mappings.get(type));
      }
      return this;
    }

    /** How files are opened for storing (tests only). Default: {@link Files#newInputStream}. */
    Builder openFilesWith(FileOpener files) {
      this.files = Objects.requireNonNull(files, "files == null");
      return this;
    }

    /**
     * Builds the store.
     *
     * @return a new store, thread-safe
     */
    public JdbiAudioStore build() {
      return new JdbiAudioStore(this);
    }
  }
}
