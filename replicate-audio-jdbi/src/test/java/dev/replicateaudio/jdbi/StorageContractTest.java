package dev.replicateaudio.jdbi;

import dev.replicateaudio.testing.MutableClock;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.FileStamp;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StaleClaimException;
import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestReporter;

/**
 * The storage contract, run against H2, PostgreSQL, MariaDB (through MariaDB Connector/J and MySQL
 * Connector/J) and SQLite by the subclasses: one fresh database (schema, file) per class, real
 * pools, real threads, real files. After every test no connection is lent
 * out and no temporary file is left behind.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class StorageContractTest {
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  TestDatabase database;
  HikariDataSource dataSource;
  Jdbi jdbi;
  MutableClock clock;
  JdbiTransactionRunner tx;
  JdbiGenerationJobStore jobs;
  JdbiAudioStore audio;
  DatabaseSessionManager sessions;
  final List<HikariDataSource> extraPools = new ArrayList<>();
  Path tmp;
  Set<String> tmpBefore;

  /** A fresh, empty database for this class. */
  abstract TestDatabase openDatabase();

  /** Starts a database server of its own that the test may stop; returns its settings and a stopper. */
  abstract DisposableServer startDisposableServer() throws Exception;

  interface DisposableServer extends AutoCloseable {
    DatabaseSettings.Builder settings(String poolName);

    @Override
    void close() throws Exception;
  }

  @BeforeAll
  void openPool() {
    tmp = TestTmp.dir();
    database = openDatabase();
    dataSource = database.settings(poolName("contract")).poolSize(4).maxOverflow(12).build().createDataSource();
    SchemaInstaller.install(dataSource);
    jdbi = Jdbi.create(dataSource);
    clock = new MutableClock(T0);
    tx = JdbiTransactionRunner.create(jdbi);
    jobs = JdbiGenerationJobStore.create(jdbi, clock);
    audio = JdbiAudioStore.builder(jdbi).clock(clock).build();
    sessions = DatabaseSessionManager.create(jdbi);
  }

  @BeforeEach
  void rememberTempFiles() throws IOException {
    clock.set(T0);
    tmpBefore = listTmp();
  }

  @AfterEach
  void nothingLeftBehind() throws IOException {
    try {
      assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections still lent out").isZero();
      for (HikariDataSource extra : extraPools) {
        assertThat(extra.getHikariPoolMXBean().getActiveConnections())
            .as("connections still lent out by " + extra.getPoolName()).isZero();
      }
      Set<String> left = listTmp();
      left.removeAll(tmpBefore);
      assertThat(left).as("temporary files left behind").isEmpty();
    } finally {
      extraPools.forEach(HikariDataSource::close);
      extraPools.clear();
    }
  }

  @AfterAll
  void closePool() {
    try {
      assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections lent out after the class")
          .isZero();
    } finally {
      dataSource.close();
      database.close();
    }
  }

  // ---- schema ----

  @Test
  void installingTheSchemaAgainChangesNothing() {
    jobs.recordSubmitted(ContentKey.speech(1), "p-schema");
    SchemaInstaller.install(dataSource);
    SchemaInstaller.install(jdbi);
    assertThat(jobs.find("p-schema")).isPresent();
    for (String table : List.of(SchemaInstaller.JOBS_TABLE, SchemaInstaller.RESULTS_TABLE, SchemaInstaller.AUDIO_TABLE)) {
      assertThat(queryOne("SELECT COUNT(*) FROM " + table, Long.class)).as(table).isNotNull();
    }
  }

  // ---- audio ----

  @Test
  void storedAudioReadsBackByteExact(TestInfo info) throws Exception {
    ContentKey key = ContentKey.soundEffect(1);
    Path file = randomFile(info, 300_001);
    AudioMetadata metadata = AudioMetadata.of(file, "audio/mpeg", Duration.ofMillis(2_345).plusNanos(678_000));
    audio.storeAudio(key, file, metadata);

    assertThat(audio.findAudio(key)).contains(new StoredAudio(key, metadata, T0));
    Path copy = tmp.resolve("copy-" + UUID.randomUUID() + ".mp3");
    try {
      assertThat(audio.copyAudioTo(key, copy)).contains(new StoredAudio(key, metadata, T0));
      assertThat(Files.mismatch(file, copy)).isEqualTo(-1L);
    } finally {
      Files.deleteIfExists(copy);
      Files.delete(file);
    }
    assertThat(audio.readAudio(key, (stored, in) -> in.readAllBytes().length)).contains(300_001);
    assertThat(audio.findAudio(ContentKey.soundEffect(2))).isEmpty();
    assertThat(audio.readAudio(ContentKey.soundEffect(2), (stored, in) -> "read")).isEmpty();
  }

  @Test
  void storingAgainReplacesTheAudio(TestInfo info) throws Exception {
    ContentKey key = ContentKey.speech(2);
    Path first = randomFile(info, 10_000);
    Path second = randomFile(info, 7);
    try {
      audio.storeAudio(key, first, AudioMetadata.of(first, "audio/wav", null));
      clock.advance(Duration.ofMinutes(1));
      audio.storeAudio(key, second, AudioMetadata.of(second, "audio/mpeg", null));
      assertThat(audio.findAudio(key)).contains(new StoredAudio(key, AudioMetadata.of(second, "audio/mpeg", null),
          T0.plus(Duration.ofMinutes(1))));
      byte[] expected = readAll(second);
      assertThat(audio.readAudio(key, (stored, in) -> in.readAllBytes())).hasValueSatisfying(bytes ->
          assertThat(bytes).isEqualTo(expected));
    } finally {
      Files.delete(first);
      Files.delete(second);
    }
  }

  @Test
  void audioThatDoesNotMatchItsMetadataIsRefusedAndNothingIsStored(TestInfo info) throws Exception {
    ContentKey key = ContentKey.soundEffect(3);
    Path file = randomFile(info, 5_000);
    try {
      AudioMetadata good = AudioMetadata.of(file, "audio/mpeg", null);
      AudioMetadata wrongSize = new AudioMetadata("audio/mpeg", 4_999, good.sha256(), null);
      AudioMetadata wrongHash = new AudioMetadata("audio/mpeg", 5_000, "0".repeat(64), null);

      assertThatThrownBy(() -> audio.storeAudio(key, file, wrongSize))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("storeAudio(sound_effect:3)")
          .hasMessageContaining("has 5000 bytes but its metadata says sizeBytes=4999")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
      assertThatThrownBy(() -> audio.storeAudio(key, file, wrongHash))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("has SHA-256 " + good.sha256())
          .hasMessageContaining("but its metadata says " + "0".repeat(64))
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
      assertThat(audio.findAudio(key)).isEmpty();

      Path missing = tmp.resolve("missing-" + UUID.randomUUID() + ".mp3");
      assertThatThrownBy(() -> audio.storeAudio(key, missing, good))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining(missing + " does not exist")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void audioHashedEarlierIsStoredWhileItKeepsItsStampAndRefusedOnceItChanged(TestInfo info) throws Exception {
    ContentKey key = ContentKey.soundEffect(4);
    ContentKey changedKey = ContentKey.soundEffect(5);
    Path file = randomFile(info, 70_000);
    try {
      AudioMetadata metadata = AudioMetadata.of(file, "audio/mpeg", null);
      FileStamp hashedAs = FileStamp.of(file);
      audio.storeAudio(key, file, metadata, hashedAs);
      byte[] expected = readAll(file);
      assertThat(audio.findAudio(key)).contains(new StoredAudio(key, metadata, T0));
      assertThat(audio.readAudio(key, (stored, in) -> in.readAllBytes())).hasValueSatisfying(bytes ->
          assertThat(bytes).isEqualTo(expected));

      // rewritten in place with other bytes of the same length: only the stamp tells
      byte[] other = expected.clone();
      other[35_000] ^= 1;
      Files.write(file, other);
      Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(
          hashedAs.lastModified().toInstant().plusSeconds(5)));
      assertThatThrownBy(() -> audio.storeAudio(changedKey, file, metadata, hashedAs))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("storeAudio(sound_effect:5) failed: " + file + " changed after it was hashed")
          .hasMessageContaining("nothing was stored")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
      assertThat(audio.findAudio(changedKey)).isEmpty();

      // replaced by another file of the same length and time: its file key differs
      Path replacement = randomFile(info, 70_000);
      Files.setLastModifiedTime(replacement, Files.getLastModifiedTime(file));
      FileStamp before = FileStamp.of(file);
      Files.move(replacement, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
      if (before.fileKey() != null) {
        assertThatThrownBy(() -> audio.storeAudio(changedKey, file, metadata, before))
            .isInstanceOf(StorageException.class)
            .hasMessageContaining("changed after it was hashed");
        assertThat(audio.findAudio(changedKey)).isEmpty();
      }

      Files.write(file, new byte[70_001]); // grew: refused by its size before anything is read
      assertThatThrownBy(() -> audio.storeAudio(changedKey, file, metadata, hashedAs))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("has 70001 bytes but its metadata says sizeBytes=70000");
      assertThat(audio.findAudio(changedKey)).isEmpty();
      assertThat(audio.readAudio(key, (stored, in) -> in.readAllBytes())).as("the first store is untouched")
          .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(expected));
    } finally {
      Files.deleteIfExists(file);
    }
  }

  /** How a file changes while the store streams it. */
  enum Change { REWRITTEN, TRUNCATED, GREW }

  @Test
  void aFileThatChangesWhileItIsStreamedIsRefusedLeavingThePreviousAudioAndNoNewRow(TestInfo info) throws Exception {
    int size = 300_000; // more than one 256 KiB chunk where audio is chunked
    int id = 60;
    for (boolean stamped : new boolean[] {true, false}) {
      for (Change change : Change.values()) {
        String what = (stamped ? "stamp" : "SHA-256") + ", " + change;
        ContentKey existing = ContentKey.soundEffect(id++);
        ContentKey fresh = ContentKey.soundEffect(id++);
        Path previous = randomFile(info, size - 1);
        Path file = randomFile(info, size);
        try {
          AudioMetadata previousMetadata = AudioMetadata.of(previous, "audio/wav", null);
          audio.storeAudio(existing, previous, previousMetadata);
          byte[] previousBytes = readAll(previous);
          byte[] original = readAll(file);
          AudioMetadata metadata = AudioMetadata.of(file, "audio/mpeg", Duration.ofSeconds(1));
          FileStamp hashedAs = FileStamp.of(file);
          JdbiAudioStore changing = JdbiAudioStore.builder(jdbi).clock(clock)
              .openFilesWith(f -> changedAfterTheFirstRead(f, change, original)).build();

          for (ContentKey key : List.of(existing, fresh)) {
            Files.write(file, original);
            Files.setLastModifiedTime(file, hashedAs.lastModified());
            assertThat(FileStamp.of(file).sizeBytes()).isEqualTo(size);
            String expected = change == Change.TRUNCATED ? "failed: streamed "
                : stamped ? "failed: " + file + " changed after it was hashed"
                : change == Change.GREW ? "has more than the " + size + " bytes its metadata says"
                : "but its metadata says " + metadata.sha256() + " (did the file change?)";
            assertThatThrownBy(() -> {
              if (stamped) {
                changing.storeAudio(key, file, metadata, hashedAs);
              } else {
                changing.storeAudio(key, file, metadata);
              }
            })
                .as(what)
                .isInstanceOf(StorageException.class)
                .hasMessageStartingWith("storeAudio(" + key + ") failed")
                .hasMessageContaining(expected)
                .hasMessageEndingWith("nothing was stored")
                .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
          }

          assertThat(audio.findAudio(existing)).as(what).contains(new StoredAudio(existing, previousMetadata, T0));
          assertThat(audio.readAudio(existing, (stored, in) -> in.readAllBytes())).as(what)
              .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(previousBytes));
          assertThat(audio.findAudio(fresh)).as(what).isEmpty();
          assertThat(queryOne("SELECT COUNT(*) FROM " + SchemaInstaller.AUDIO_TABLE + " WHERE content_type = '"
              + fresh.contentType() + "' AND content_id = " + fresh.contentId(), Long.class)).as(what).isZero();

          // the connections that saw the refused statements still work; a good store replaces in autocommit
          Files.write(file, original);
          clock.advance(Duration.ofSeconds(1));
          audio.storeAudio(existing, file, metadata, FileStamp.of(file));
          assertThat(audio.findAudio(existing)).as(what)
              .contains(new StoredAudio(existing, metadata, clock.instant()));
          assertThat(audio.readAudio(existing, (stored, in) -> in.readAllBytes())).as(what)
              .hasValueSatisfying(bytes -> assertThat(bytes).isEqualTo(original));
          clock.set(T0);
        } finally {
          Files.delete(previous);
          Files.delete(file);
        }
      }
    }
  }

  @Test
  void aStoreJoinedToTheThreadsTransactionIsRolledBackWithItWhenItsFileChanges(TestInfo info) throws Exception {
    ContentKey key = ContentKey.soundEffect(80);
    Path file = randomFile(info, 100_000);
    try {
      byte[] original = readAll(file);
      AudioMetadata metadata = AudioMetadata.of(file, "audio/mpeg", null);
      JdbiAudioStore changing = JdbiAudioStore.builder(jdbi).clock(clock)
          .openFilesWith(f -> changedAfterTheFirstRead(f, Change.REWRITTEN, original)).build();
      assertThatThrownBy(() -> tx.inTransaction(() -> {
        jobs.recordSubmitted(key, "p-joined-change");
        audio.storeAudio(ContentKey.soundEffect(81), file, metadata); // stored, then rolled back with the rest
        changing.storeAudio(key, file, metadata);
        return null;
      }))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("storeAudio(sound_effect:80) failed: " + file + " has SHA-256 ")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
      assertThat(jobs.find("p-joined-change")).isEmpty();
      assertThat(audio.findAudio(key)).isEmpty();
      assertThat(audio.findAudio(ContentKey.soundEffect(81))).isEmpty();
    } finally {
      Files.delete(file);
    }
  }

  /**
   * {@code file}'s stream, which changes the file as {@code change} says once its first bytes were
   * read; it reads at most 8 KiB at a time (as a stream may), so that the reader comes back for more.
   */
  static java.io.InputStream changedAfterTheFirstRead(Path file, Change change, byte[] original) throws IOException {
    return new java.io.FilterInputStream(Files.newInputStream(file)) {
      private boolean changed;

      @Override
      public int read(byte[] b, int off, int len) throws IOException {
        int n = super.read(b, off, Math.min(len, 8192));
        if (!changed) {
          changed = true;
          java.nio.file.attribute.FileTime before = Files.getLastModifiedTime(file);
          switch (change) {
            case REWRITTEN: {
              byte[] other = original.clone();
              other[other.length - 1] ^= 1; // the same length, a byte that is read later
              Files.write(file, other);
              break;
            }
            case TRUNCATED:
              Files.write(file, java.util.Arrays.copyOf(original, n));
              break;
            default:
              Files.write(file, new byte[] {1, 2, 3}, java.nio.file.StandardOpenOption.APPEND);
          }
          // a later time, as a real writer leaves it, whatever the file system's timestamp granularity
          Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.from(before.toInstant().plusSeconds(5)));
        }
        return n;
      }
    };
  }

  @Test
  void hostMappedBase64UpdateStreamsIntoTheHostsTable(TestInfo info) throws Exception {
    jdbi.useHandle(h -> h.execute("CREATE TABLE sound_effects (id BIGINT PRIMARY KEY, title VARCHAR(100),"
        + " audio_data_b64 " + database.textType() + ", audio_mime_type VARCHAR(100), audio_sha256 VARCHAR(64))"));
    jdbi.useHandle(h -> h.execute("INSERT INTO sound_effects (id, title) VALUES (42, 'door creak')"));
    JdbiAudioStore hostStore = JdbiAudioStore.builder(jdbi).clock(clock)
        .mapContentType(ContentKey.SOUND_EFFECT, AudioUpdate.base64("UPDATE sound_effects SET audio_data_b64 = :audio,"
            + " audio_mime_type = :mime_type, audio_sha256 = :sha256 WHERE id = :content_id"))
        .build();
    Path file = randomFile(info, 100_000);
    try {
      AudioMetadata metadata = AudioMetadata.of(file, "audio/mpeg", Duration.ofSeconds(3));
      hostStore.storeAudio(ContentKey.soundEffect(42), file, metadata);

      String b64 = queryOne("SELECT audio_data_b64 FROM sound_effects WHERE id = 42", String.class);
      assertThat(b64).doesNotContain("\n").hasSize(133_336);
      assertThat(Base64.getDecoder().decode(b64)).isEqualTo(readAll(file));
      assertThat(queryOne("SELECT audio_mime_type FROM sound_effects WHERE id = 42", String.class))
          .isEqualTo("audio/mpeg");
      assertThat(queryOne("SELECT audio_sha256 FROM sound_effects WHERE id = 42", String.class))
          .isEqualTo(metadata.sha256());
      // not in the default table, and not readable through it
      assertThat(audio.findAudio(ContentKey.soundEffect(42))).isEmpty();
      assertThatThrownBy(() -> hostStore.findAudio(ContentKey.soundEffect(42)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("content type 'sound_effect' is stored by the host's own UPDATE");
      // other content types still go to the default table
      hostStore.storeAudio(ContentKey.speech(42), file, metadata);
      assertThat(hostStore.findAudio(ContentKey.speech(42))).isPresent();
    } finally {
      Files.delete(file);
      jdbi.useHandle(h -> h.execute("DROP TABLE sound_effects"));
    }
  }

  @Test
  void hostMappedUpdateOfAMissingRowIsPermanentNamesTheKeyAndRollsBack(TestInfo info) throws Exception {
    jdbi.useHandle(h -> h.execute("CREATE TABLE music (id BIGINT PRIMARY KEY, audio " + database.binaryType() + ")"));
    jdbi.useHandle(h -> h.execute("INSERT INTO music (id) VALUES (1)"));
    jdbi.useHandle(h -> h.execute("INSERT INTO music (id) VALUES (2)"));
    Path file = randomFile(info, 20_000);
    try {
      AudioMetadata metadata = AudioMetadata.of(file, "audio/wav", null);
      JdbiAudioStore hostStore = JdbiAudioStore.builder(jdbi)
          .mapContentType(ContentKey.BACKGROUND_MUSIC, AudioUpdate.binary("UPDATE music SET audio = :audio WHERE id = :content_id"))
          .mapContentType("everything", AudioUpdate.binary("UPDATE music SET audio = :audio"))
          .build();

      hostStore.storeAudio(ContentKey.backgroundMusic(1), file, metadata);
      assertThat(queryOne("SELECT audio FROM music WHERE id = 1", byte[].class)).isEqualTo(readAll(file));

      jobs.recordSubmitted(ContentKey.backgroundMusic(404), "p-missing-row");
      assertThatThrownBy(() -> tx.inTransaction(() -> {
        jobs.claim("p-missing-row", ContentKey.backgroundMusic(404));
        hostStore.storeAudio(ContentKey.backgroundMusic(404), file, metadata);
        return null;
      }))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("storeAudio(background_music:404)")
          .hasMessageContaining("changed 0 rows, expected exactly one: no row for background_music:404 exists")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
      assertThat(jobs.find("p-missing-row")).hasValueSatisfying(job -> {
        assertThat(job.status()).isEqualTo(JobStatus.PENDING);
        assertThat(job.attempts()).isZero();
      });

      assertThatThrownBy(() -> hostStore.storeAudio(ContentKey.of("everything", 1), file, metadata))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("changed 2 rows, expected exactly one");
      assertThat(queryOne("SELECT COUNT(*) FROM music WHERE audio IS NOT NULL", Integer.class))
          .as("the 2-row update was rolled back").isEqualTo(1);
    } finally {
      Files.delete(file);
      jdbi.useHandle(h -> h.execute("DROP TABLE music"));
    }
  }

  @Test
  void fiftyMegabytesAreStoredAndReadBackWithHeapGrowthFarBelowTheirSize(TestInfo info, TestReporter reporter)
      throws Exception {
    ContentKey key = ContentKey.backgroundMusic(50);
    Path file = randomFile(info, 50_000_000);
    Path copy = tmp.resolve("copy-" + UUID.randomUUID() + ".wav");
    try (HeapTarget target = heapTarget()) {
      AudioMetadata metadata = AudioMetadata.of(file, "audio/wav", Duration.ofMinutes(5));
      long started = System.nanoTime();
      long stored;
      int samples;
      try (HeapProbe probe = HeapProbe.start()) {
        target.store().storeAudio(key, file, metadata);
        stored = probe.stop();
        samples = probe.samples();
      }
      long storeMillis = (System.nanoTime() - started) / 1_000_000;
      started = System.nanoTime();
      long read;
      try (HeapProbe probe = HeapProbe.start()) {
        assertThat(target.store().copyAudioTo(key, copy)).isPresent();
        read = probe.stop();
      }
      long readMillis = (System.nanoTime() - started) / 1_000_000;
      reporter.publishEntry("heapGrowthBytes", stored + " stored, " + read + " read back");
      System.out.printf("%s: stored 50,000,000 bytes in %d ms, read them back in %d ms (under forced GCs); live heap"
          + " grew at most %,d bytes storing (%d samples), %,d reading%n", getClass().getSimpleName(), storeMillis,
          readMillis, stored, samples, read);
      assertThat(samples).as("heap samples taken while storing").isGreaterThanOrEqualTo(3);
      assertThat(stored).as("live heap growth while storing 50 MB").isLessThan(10_000_000L);
      assertThat(read).as("live heap growth while reading 50 MB back").isLessThan(16_000_000L);
      assertThat(Files.mismatch(file, copy)).isEqualTo(-1L);
      assertThat(target.store().findAudio(key)).contains(new StoredAudio(key, metadata, T0));
    } finally {
      Files.deleteIfExists(copy);
      Files.delete(file);
    }
  }

  /** An audio store on a database whose engine is outside this JVM's heap, and what to close after. */
  interface HeapTarget extends AutoCloseable {
    JdbiAudioStore store();

    @Override
    void close() throws Exception;
  }

  /** The store the 50 MB test measures: by default this class's own (PostgreSQL runs in its own process). */
  HeapTarget heapTarget() throws Exception {
    return new HeapTarget() {
      @Override
      public JdbiAudioStore store() {
        return audio;
      }

      @Override
      public void close() {
      }
    };
  }

  // ---- transactions ----

  @Test
  void aFailureInALaterStepRollsBackEverything(TestInfo info) throws Exception {
    ContentKey key = ContentKey.soundEffect(10);
    jobs.recordSubmitted(key, "p-rollback");
    GenerationJob claimed = jobs.claim("p-rollback", key).orElseThrow();
    Path file = randomFile(info, 50_000);
    try {
      IllegalStateException boom = new IllegalStateException("notifier exploded");
      assertThatThrownBy(() -> tx.inTransaction(() -> {
        audio.storeAudio(key, file, AudioMetadata.of(file, "audio/mpeg", null));
        jobs.markSucceeded("p-rollback");
        jobs.logResult(result("p-rollback", key, CompletionStatus.SUCCEEDED, null));
        throw boom;
      })).isSameAs(boom);

      assertThat(audio.findAudio(key)).as("no audio row").isEmpty();
      assertThat(jobs.find("p-rollback")).as("job unchanged").contains(claimed);
      assertThat(jobs.results("p-rollback")).as("no result row").isEmpty();
    } finally {
      Files.delete(file);
    }
  }

  @Test
  void nestedTransactionsJoinTheOuterOne() throws Exception {
    ContentKey key = ContentKey.speech(11);
    CompletableFuture<Optional<GenerationJob>> seenFromOutside = new CompletableFuture<>();
    assertThatThrownBy(() -> tx.inTransaction(() -> {
      jobs.recordSubmitted(key, "p-nested");
      tx.inTransaction(() -> {
        jobs.claim("p-nested", key);
        return tx.inTransaction(() -> jobs.find("p-nested"));
      });
      // the inner calls returned: had they committed on their own, another connection would see the job
      CompletableFuture.runAsync(() -> seenFromOutside.complete(jobs.find("p-nested"))).get(30, TimeUnit.SECONDS);
      assertThat(jobs.find("p-nested")).hasValueSatisfying(j -> assertThat(j.status()).isEqualTo(JobStatus.PROCESSING));
      throw new IllegalStateException("roll it all back");
    })).isInstanceOf(IllegalStateException.class).hasMessage("roll it all back");

    assertThat(seenFromOutside).succeedsWithin(Duration.ofSeconds(5)).isEqualTo(Optional.empty());
    assertThat(jobs.find("p-nested")).isEmpty();
  }

  @Test
  void aTransactionCommitsWhatItsWorkDid() {
    String result = tx.inTransaction(() -> {
      jobs.recordSubmitted(ContentKey.speech(12), "p-commit");
      return "done";
    });
    assertThat(result).isEqualTo("done");
    assertThat(jobs.find("p-commit")).isPresent();
  }

  @Test
  void aTransactionThatCannotBeginFailsWithAStorageExceptionAndDoesNotRunTheWork() {
    HikariDataSource closed = extraPool(database.settings(poolName("closed")).poolSize(1).maxOverflow(0));
    closed.close();
    AtomicInteger runs = new AtomicInteger();
    assertThatThrownBy(() -> JdbiTransactionRunner.create(Jdbi.create(closed)).inTransaction(runs::incrementAndGet))
        .isInstanceOf(StorageException.class)
        .hasMessageStartingWith("inTransaction failed: ")
        .hasMessageContaining("has been closed");
    assertThat(runs).hasValue(0);
  }

  @Test
  void aCheckedExceptionFromTheWorkArrivesWrappedInAStorageException() {
    IOException io = new IOException("disk on fire");
    assertThatThrownBy(() -> tx.inTransaction(() -> {
      jobs.recordSubmitted(ContentKey.speech(13), "p-checked");
      throw io;
    }))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("inTransaction: the work threw a checked exception and was rolled back")
        .hasCause(io);
    assertThat(jobs.find("p-checked")).isEmpty();
  }

  @Test
  void safeExecuteRollsBackAndReturnsEmptyInsteadOfThrowing() {
    Optional<Integer> failed = sessions.safeExecute("update_sound_effect_audio_14", h -> {
      jobs.recordSubmitted(ContentKey.soundEffect(14), "p-safe");
      return h.createUpdate("UPDATE no_such_table SET x = 1").execute();
    });
    assertThat(failed).isEmpty();
    assertThat(jobs.find("p-safe")).as("rolled back").isEmpty();

    assertThat(sessions.safeExecute("count_jobs", h -> h.createQuery("SELECT COUNT(*) FROM ra_generation_jobs"
        + " WHERE prediction_id = 'p-safe'").mapTo(Integer.class).one())).contains(0);
  }

  @Test
  void safeExecuteInsideATransactionUndoesOnlyItsOwnChanges() {
    tx.inTransaction(() -> {
      jobs.recordSubmitted(ContentKey.soundEffect(15), "p-outer");
      Optional<Integer> failed = sessions.safeExecute("doomed", h -> {
        jobs.recordSubmitted(ContentKey.soundEffect(16), "p-inner");
        return h.createUpdate("UPDATE no_such_table SET x = 1").execute();
      });
      assertThat(failed).isEmpty();
      // the transaction is still usable (PostgreSQL would refuse everything after an error without the savepoint)
      jobs.recordSubmitted(ContentKey.soundEffect(17), "p-after");
      assertThat(sessions.safeExecute("fine", h -> {
        jobs.recordSubmitted(ContentKey.soundEffect(18), "p-inner-ok");
        return 1;
      })).contains(1);
      return null;
    });
    assertThat(jobs.find("p-outer")).isPresent();
    assertThat(jobs.find("p-inner")).isEmpty();
    assertThat(jobs.find("p-after")).isPresent();
    assertThat(jobs.find("p-inner-ok")).isPresent();
  }

  @Test
  void executeNamesTheOperationInItsStorageException() {
    assertThatThrownBy(() -> sessions.execute("rename_everything", h -> h.createUpdate("UPDATE no_such_table SET x = 1")
        .execute()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("rename_everything failed: a table is missing; install the schema")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
  }

  // ---- jobs ----

  @Test
  void recordSubmittedIsIdempotentAndRefusesAnotherKey() {
    jobs.recordSubmitted(ContentKey.speech(20), "p-record");
    jobs.recordSubmitted(ContentKey.speech(20), "p-record");
    assertThat(jobs.find("p-record")).contains(new GenerationJob("p-record", ContentKey.speech(20), JobStatus.PENDING,
        0, null, T0, T0));
    assertThatThrownBy(() -> jobs.recordSubmitted(ContentKey.speech(21), "p-record"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("prediction id 'p-record' is already recorded for speech:20")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
  }

  @Test
  void claimMovesPendingToProcessingOnceAndOnlyForItsKey() {
    ContentKey key = ContentKey.soundEffect(22);
    jobs.recordSubmitted(key, "p-claim");
    clock.advance(Duration.ofSeconds(5));
    assertThat(jobs.claim("p-claim", ContentKey.soundEffect(23))).as("another key").isEmpty();
    assertThat(jobs.claim("p-claim", key)).contains(new GenerationJob("p-claim", key, JobStatus.PROCESSING, 1, null,
        T0, T0.plusSeconds(5)));
    assertThat(jobs.claim("p-claim", key)).as("already processing").isEmpty();
    jobs.markSucceeded("p-claim");
    assertThat(jobs.claim("p-claim", key)).as("finished").isEmpty();
  }

  @Test
  void claimingAnUnknownPredictionCreatesItClaimed() {
    assertThat(jobs.claim("p-unknown", ContentKey.speech(24))).contains(new GenerationJob("p-unknown",
        ContentKey.speech(24), JobStatus.PROCESSING, 1, null, T0, T0));
    assertThat(jobs.claim("p-unknown", ContentKey.speech(24))).isEmpty();
  }

  @Test
  void fiftyThreadsClaimingOneJobHaveExactlyOneWinner() throws Exception {
    ContentKey key = ContentKey.soundEffect(25);
    jobs.recordSubmitted(key, "p-race");
    assertThat(claimConcurrently(50, "p-race", key)).isEqualTo(1);
    assertThat(jobs.find("p-race")).hasValueSatisfying(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.PROCESSING);
      assertThat(job.attempts()).isEqualTo(1);
    });
  }

  @Test
  void fiftyThreadsClaimingAnUnknownPredictionHaveExactlyOneWinner() throws Exception {
    assertThat(claimConcurrently(50, "p-race-new", ContentKey.soundEffect(26))).isEqualTo(1);
    assertThat(jobs.find("p-race-new")).hasValueSatisfying(job -> assertThat(job.attempts()).isEqualTo(1));
  }

  @Test
  void aWebhookClaimRacingTheUncommittedSubmissionStillClaimsTheJob() throws Exception {
    // the webhook of a fast-failing prediction arrives while the submitter's INSERT is not committed:
    // the claim's UPDATE sees no row, its INSERT waits for the submitter's commit and then inserts
    // nothing, and the claim must still take the now PENDING job (not leave it for recovery)
    ContentKey key = ContentKey.speech(29);
    CountDownLatch inserted = new CountDownLatch(1);
    CountDownLatch commit = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(2);
    try {
      Future<?> submitter = threads.submit(() -> tx.inTransaction(() -> {
        jobs.recordSubmitted(key, "p-racing-webhook");
        inserted.countDown();
        assertThat(commit.await(30, TimeUnit.SECONDS)).isTrue();
        return null;
      }));
      assertThat(inserted.await(30, TimeUnit.SECONDS)).isTrue();
      Future<Optional<GenerationJob>> webhook = threads.submit(() -> jobs.claim("p-racing-webhook", key));
      Thread.sleep(500); // let the claim reach its INSERT and wait there
      commit.countDown();
      submitter.get(30, TimeUnit.SECONDS);
      assertThat(webhook.get(30, TimeUnit.SECONDS)).hasValueSatisfying(job -> {
        assertThat(job.status()).isEqualTo(JobStatus.PROCESSING);
        assertThat(job.attempts()).isEqualTo(1);
      });
    } finally {
      threads.shutdownNow();
    }
  }

  @Test
  void transitionsFollowThePortsRulesAndARepeatedOneIsAStaleClaim() {
    ContentKey key = ContentKey.backgroundMusic(27);
    jobs.recordSubmitted(key, "p-moves");
    assertThatThrownBy(() -> jobs.markSucceeded("p-moves"))
        .isInstanceOf(StaleClaimException.class)
        .hasMessageContaining("markSucceeded(p-moves) failed: the job of prediction 'p-moves' (background_music:27)"
            + " is PENDING; only a PROCESSING job can succeed")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
    assertThatThrownBy(() -> jobs.release("p-nope", "x"))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("release(p-nope) failed: no generation job has prediction id 'p-nope'");

    jobs.claim("p-moves", key);
    clock.advance(Duration.ofSeconds(1));
    jobs.release("p-moves", "download timed out");
    assertThatThrownBy(() -> jobs.release("p-moves", "again"))
        .isInstanceOf(StaleClaimException.class)
        .hasMessageContaining("is PENDING; only a PROCESSING job can be released")
        .satisfies(e -> assertThat(((StaleClaimException) e).actualStatus()).isEqualTo(JobStatus.PENDING));
    assertThat(jobs.find("p-moves")).contains(new GenerationJob("p-moves", key, JobStatus.PENDING, 1,
        "download timed out", T0, T0.plusSeconds(1)));

    jobs.claim("p-moves", key);
    jobs.release("p-moves", null); // given back unharmed: the last error stays
    assertThat(jobs.find("p-moves")).hasValueSatisfying(job -> assertThat(job.lastError())
        .isEqualTo("download timed out"));

    jobs.claim("p-moves", key);
    jobs.markSucceeded("p-moves");
    assertThatThrownBy(() -> jobs.markSucceeded("p-moves"))
        .isInstanceOf(StaleClaimException.class)
        .hasMessageContaining("is SUCCEEDED; only a PROCESSING job can succeed")
        .satisfies(e -> assertThat(((StaleClaimException) e).isRetryable()).isFalse());
    assertThatThrownBy(() -> jobs.markFailed("p-moves", "late failure"))
        .isInstanceOf(StaleClaimException.class)
        .hasMessageContaining("is SUCCEEDED; only a PROCESSING or PENDING job can fail");
    assertThat(jobs.find("p-moves")).hasValueSatisfying(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
      assertThat(job.attempts()).isEqualTo(3);
    });

    jobs.recordSubmitted(key, "p-fails");
    jobs.markFailed("p-fails", "x".repeat(10_000));
    assertThatThrownBy(() -> jobs.markFailed("p-fails", "second opinion"))
        .isInstanceOf(StaleClaimException.class);
    assertThat(jobs.find("p-fails")).hasValueSatisfying(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.FAILED);
      assertThat(job.lastError()).hasSize(4000).endsWith("... [cut, 10000 characters]");
    });
  }

  @Test
  void findLatestReturnsTheMostRecentlyCreatedJob() {
    ContentKey key = ContentKey.speech(28);
    jobs.recordSubmitted(key, "p-old");
    clock.advance(Duration.ofMinutes(1));
    jobs.recordSubmitted(key, "p-new");
    jobs.recordSubmitted(key, "p-new-same-instant");
    clock.advance(Duration.ofMinutes(1));
    jobs.claim("p-old", key); // updating does not make it the latest
    assertThat(jobs.findLatest(key)).map(GenerationJob::predictionId).contains("p-new-same-instant");
    assertThat(jobs.findLatest(ContentKey.speech(29))).isEmpty();
  }

  @Test
  void finishMovesTheJobAndLogsItsResultTogetherOrNotAtAll() {
    ContentKey key = ContentKey.soundEffect(32);
    jobs.recordSubmitted(key, "p-finish");
    GenerationJob claimed = jobs.claim("p-finish", key).orElseThrow();
    clock.advance(Duration.ofSeconds(2));
    ResultRecord succeeded = new ResultRecord("p-finish", key, CompletionStatus.SUCCEEDED, null, 48_000,
        Duration.ofMillis(1500), Duration.ofMillis(1200), Duration.ofMillis(900), T0.plusSeconds(2));
    jobs.finish(succeeded);
    assertThat(jobs.find("p-finish")).contains(new GenerationJob("p-finish", key, JobStatus.SUCCEEDED, 1, null,
        claimed.createdAt(), T0.plusSeconds(2)));
    assertThat(jobs.results("p-finish")).containsExactly(succeeded);

    assertThatThrownBy(() -> jobs.finish(succeeded))
        .isInstanceOf(StaleClaimException.class)
        .hasMessageContaining("finish(p-finish, SUCCEEDED) failed: the job of prediction 'p-finish' (sound_effect:32)"
            + " is SUCCEEDED; only a PROCESSING job can succeed");
    assertThat(jobs.results("p-finish")).as("a refused move logs nothing").containsExactly(succeeded);

    jobs.recordSubmitted(key, "p-finish-canceled");
    ResultRecord canceled = new ResultRecord("p-finish-canceled", key, CompletionStatus.CANCELED, "canceled by host",
        0, null, null, Duration.ofMillis(3), T0.plusSeconds(3));
    jobs.finish(canceled); // PENDING may fail too
    assertThat(jobs.find("p-finish-canceled")).hasValueSatisfying(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.FAILED);
      assertThat(job.lastError()).isEqualTo("canceled by host");
    });
    assertThat(jobs.results("p-finish-canceled")).containsExactly(canceled);

    jobs.recordSubmitted(key, "p-finish-rollback");
    jobs.claim("p-finish-rollback", key);
    ResultRecord failed = new ResultRecord("p-finish-rollback", key, CompletionStatus.FAILED, "x".repeat(5_000),
        0, null, null, Duration.ofMillis(3), T0.plusSeconds(3));
    assertThatThrownBy(() -> tx.inTransaction(() -> {
      jobs.finish(failed);
      throw new IllegalStateException("host failure after finish");
    })).hasMessage("host failure after finish");
    assertThat(jobs.find("p-finish-rollback")).map(GenerationJob::status).contains(JobStatus.PROCESSING);
    assertThat(jobs.results("p-finish-rollback")).isEmpty();
    jobs.finish(failed);
    assertThat(jobs.find("p-finish-rollback")).hasValueSatisfying(job ->
        assertThat(job.lastError()).hasSize(4000).endsWith("... [cut, 5000 characters]"));
    assertThat(jobs.results("p-finish-rollback")).singleElement().satisfies(row ->
        assertThat(row.error()).hasSize(4000));

    assertThatThrownBy(() -> jobs.finish(new ResultRecord("p-never", key, CompletionStatus.SUCCEEDED, null, 1,
        null, null, Duration.ZERO, T0)))
        .isInstanceOf(StorageException.class)
        .isNotInstanceOf(StaleClaimException.class)
        .hasMessageContaining("no generation job has prediction id 'p-never'");
    assertThat(jobs.results("p-never")).isEmpty();
    assertThatThrownBy(() -> jobs.finish(new ResultRecord("p-finish-canceled", key, CompletionStatus.FAILED, null, 0,
        null, null, Duration.ZERO, T0)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("a FAILED result record must carry an error");
  }

  @Test
  void theResultLogKeepsEveryRowOldestFirst() {
    ContentKey key = ContentKey.soundEffect(30);
    ResultRecord failed = new ResultRecord("p-log", key, CompletionStatus.FAILED, "silent audio", 0,
        Duration.ofMillis(1500), null, Duration.ofNanos(123_456_000), T0.plusSeconds(1));
    ResultRecord succeeded = new ResultRecord("p-log", key, CompletionStatus.SUCCEEDED, null, 48_000,
        Duration.ofMillis(1500), Duration.ofMillis(1200), Duration.ofMillis(900), T0.plusSeconds(2));
    jobs.logResult(succeeded);
    jobs.logResult(failed);
    assertThat(jobs.results("p-log")).containsExactly(failed, succeeded);
    assertThat(jobs.results("p-other")).isEmpty();
  }

  @Test
  void claimStaleTakesOldUnfinishedJobsOldestFirst() {
    ContentKey key = ContentKey.speech(31);
    clock.set(T0.minus(Duration.ofHours(2)));
    jobs.recordSubmitted(key, "stale-2");
    clock.set(T0.minus(Duration.ofHours(3)));
    jobs.recordSubmitted(key, "stale-1");
    clock.set(T0.minus(Duration.ofHours(5)));
    jobs.recordSubmitted(key, "abandoned");
    clock.set(T0.minus(Duration.ofHours(4)));
    jobs.claim("abandoned", key); // processing since 4 h ago
    jobs.recordSubmitted(key, "finished");
    jobs.claim("finished", key);
    jobs.markSucceeded("finished");
    clock.set(T0);
    jobs.recordSubmitted(key, "fresh");

    List<GenerationJob> claimed = jobs.claimStale(T0.minus(Duration.ofHours(1)), 10);
    assertThat(claimed).extracting(GenerationJob::predictionId).containsExactly("abandoned", "stale-1", "stale-2");
    assertThat(claimed).allSatisfy(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.PROCESSING);
      assertThat(job.updatedAt()).isEqualTo(T0);
    });
    assertThat(claimed).extracting(GenerationJob::attempts).containsExactly(2, 1, 1);
    assertThat(jobs.find("stale-1")).contains(claimed.get(1));
    assertThat(jobs.claimStale(T0.minus(Duration.ofHours(1)), 10)).isEmpty();
    assertThatThrownBy(() -> jobs.claimStale(T0, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("limit=0 is out of range: accepted 1 to 10000");
  }

  @Test
  void twoConcurrentRecoverersNeverGetTheSameJob() throws Exception {
    ContentKey key = ContentKey.soundEffect(32);
    Set<String> stale = new HashSet<>();
    for (int i = 0; i < 60; i++) {
      clock.set(T0.minus(Duration.ofHours(2)).plusSeconds(i));
      String id = "recover-" + i;
      jobs.recordSubmitted(key, id);
      if (i % 3 == 0) {
        jobs.claim(id, key); // abandoned while processing
      }
      stale.add(id);
    }
    clock.set(T0);
    Instant cutoff = T0.minus(Duration.ofHours(1));

    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      CyclicBarrier start = new CyclicBarrier(2);
      List<Future<List<GenerationJob>>> recoverers = new ArrayList<>();
      for (int r = 0; r < 2; r++) {
        recoverers.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          List<GenerationJob> mine = new ArrayList<>();
          int emptyInARow = 0;
          while (emptyInARow < 3) {
            List<GenerationJob> batch = jobs.claimStale(cutoff, 7);
            emptyInARow = batch.isEmpty() ? emptyInARow + 1 : 0;
            mine.addAll(batch);
            Thread.yield();
          }
          return mine;
        }));
      }
      List<GenerationJob> first = recoverers.get(0).get(60, TimeUnit.SECONDS);
      List<GenerationJob> second = recoverers.get(1).get(60, TimeUnit.SECONDS);
      Set<String> firstIds = first.stream().map(GenerationJob::predictionId).collect(Collectors.toSet());
      Set<String> secondIds = second.stream().map(GenerationJob::predictionId).collect(Collectors.toSet());
      // noneMatch, not doesNotContainAnyElementsOf: that one throws when one recoverer got every job
      assertThat(firstIds).hasSize(first.size()).noneMatch(secondIds::contains);
      assertThat(secondIds).hasSize(second.size());
      Set<String> all = new HashSet<>(firstIds);
      all.addAll(secondIds);
      assertThat(all).isEqualTo(stale);
      System.out.printf("%s: recoverers claimed %d and %d of %d stale jobs%n", getClass().getSimpleName(),
          first.size(), second.size(), stale.size());
      for (String id : stale) {
        int expected = Integer.parseInt(id.substring("recover-".length())) % 3 == 0 ? 2 : 1;
        assertThat(jobs.find(id)).hasValueSatisfying(job -> assertThat(job.attempts()).as(id).isEqualTo(expected));
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void eightRecoverersOverThreeThousandStaleJobsNeverClaimOneTwice(TestReporter reporter) throws Exception {
    ContentKey key = ContentKey.speech(34);
    int total = 3_000;
    tx.inTransaction(() -> {
      for (int i = 0; i < total; i++) {
        clock.set(T0.minus(Duration.ofHours(3)).plusMillis(i));
        jobs.recordSubmitted(key, "swept-" + i);
        if (i % 4 == 0) {
          jobs.claim("swept-" + i, key); // abandoned while processing
        }
      }
      return null;
    });
    clock.set(T0);
    Instant cutoff = T0.minus(Duration.ofHours(1));
    int claimers = 8;
    java.util.concurrent.ConcurrentHashMap<String, AtomicInteger> claims = new java.util.concurrent.ConcurrentHashMap<>();
    ExecutorService pool = Executors.newFixedThreadPool(claimers);
    long started = System.nanoTime();
    try {
      CyclicBarrier start = new CyclicBarrier(claimers);
      List<Future<Integer>> sweeps = new ArrayList<>();
      for (int c = 0; c < claimers; c++) {
        sweeps.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          int mine = 0;
          int emptyInARow = 0;
          while (emptyInARow < 3) {
            List<GenerationJob> batch = jobs.claimStale(cutoff, 25);
            emptyInARow = batch.isEmpty() ? emptyInARow + 1 : 0;
            for (GenerationJob job : batch) {
              claims.computeIfAbsent(job.predictionId(), id -> new AtomicInteger()).incrementAndGet();
            }
            mine += batch.size();
            if (batch.isEmpty()) {
              Thread.sleep(5);
            }
          }
          return mine;
        }));
      }
      List<Integer> perClaimer = new ArrayList<>();
      for (Future<Integer> f : sweeps) {
        perClaimer.add(f.get(120, TimeUnit.SECONDS));
      }
      long millis = (System.nanoTime() - started) / 1_000_000;
      List<String> twice = claims.entrySet().stream().filter(e -> e.getValue().get() > 1).map(e -> e.getKey())
          .sorted().collect(Collectors.toList());
      String summary = String.format("%s: %d claimers swept %d stale jobs in %d ms, per claimer %s, claimed twice: %d",
          getClass().getSimpleName(), claimers, claims.size(), millis, perClaimer, twice.size());
      reporter.publishEntry("sweep", summary);
      System.out.println(summary);
      assertThat(twice).as("jobs claimed by two recoverers").isEmpty();
      assertThat(claims).hasSize(total);
      assertThat(perClaimer.stream().mapToInt(Integer::intValue).sum()).isEqualTo(total);
      Map<Integer, Long> attempts = jdbi.withHandle(h -> h.createQuery("SELECT attempts, COUNT(*) AS n FROM"
              + " ra_generation_jobs WHERE prediction_id LIKE 'swept-%' GROUP BY attempts")
          .map((rs, ctx) -> Map.entry(rs.getInt(1), rs.getLong(2)))
          .collect(Collectors.toMap(Map.Entry::getKey, Map.Entry::getValue)));
      assertThat(attempts).as("attempts per job after the sweep: claimed exactly once more")
          .isEqualTo(Map.of(1, (long) (total - total / 4), 2, (long) (total / 4)));
    } finally {
      pool.shutdownNow();
    }
  }

  // ---- pool and timeouts ----

  @Test
  void anExhaustedPoolFailsWithAnErrorNamingItsSizeAndTimeout() throws Exception {
    HikariDataSource small = extraPool(database.settings(poolName("tiny")).poolSize(1).maxOverflow(0)
        .poolTimeout(Duration.ofMillis(500)));
    Jdbi smallJdbi = Jdbi.create(small);
    JdbiGenerationJobStore smallJobs = JdbiGenerationJobStore.create(smallJdbi, clock);
    JdbiTransactionRunner smallTx = JdbiTransactionRunner.create(smallJdbi);
    CountDownLatch holding = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> smallTx.inTransaction(() -> {
      holding.countDown();
      return release.await(60, TimeUnit.SECONDS);
    }));
    try {
      assertThat(holding.await(30, TimeUnit.SECONDS)).isTrue();
      assertThatThrownBy(() -> smallJobs.find("p-starved"))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("find(p-starved) failed: pool '" + small.getPoolName() + "' is exhausted")
          .hasMessageContaining("(pool size 1;")
          .hasMessageContaining("DB_POOL_TIMEOUT")
          .hasMessageMatching("(?s).*no connection became free within 5\\d\\d ms.*")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
    } finally {
      release.countDown();
      assertThat(holder).succeedsWithin(Duration.ofSeconds(30));
    }
    assertThat(smallJobs.find("p-starved")).isEmpty();
  }

  @Test
  void aLockWaitLongerThanTheStatementTimeoutFailsClearly() throws Exception {
    ContentKey key = ContentKey.soundEffect(40);
    jobs.recordSubmitted(key, "p-locked");
    HikariDataSource impatient = extraPool(database.settings(poolName("impatient"))
        .statementTimeout(Duration.ofMillis(500)));
    JdbiGenerationJobStore impatientJobs = JdbiGenerationJobStore.create(Jdbi.create(impatient), clock);
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    CompletableFuture<Void> holder = CompletableFuture.runAsync(() -> tx.inTransaction(() -> {
      jobs.markFailed("p-locked", "holding the row lock");
      locked.countDown();
      return release.await(60, TimeUnit.SECONDS);
    }));
    try {
      assertThat(locked.await(30, TimeUnit.SECONDS)).isTrue();
      long start = System.nanoTime();
      assertThatThrownBy(() -> impatientJobs.claim("p-locked", key))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("claim(p-locked, sound_effect:40) failed:")
          .hasMessageContaining("DB_STATEMENT_TIMEOUT")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    } finally {
      release.countDown();
      assertThat(holder).succeedsWithin(Duration.ofSeconds(30));
    }
  }

  @Test
  void aHealthyDatabaseReportsHealthy() {
    DatabaseHealth health = DatabaseConnectionMonitor.create(dataSource).healthCheck();
    assertThat(health.healthy()).isTrue();
    assertThat(health.errorMessage()).isEmpty();
    assertThat(health.latency()).isPositive().isLessThan(Duration.ofSeconds(10));
  }

  @Test
  void aDatabaseThatIsDownIsReportedUnhealthyWithoutThrowing() throws Exception {
    HikariDataSource pool;
    DatabaseConnectionMonitor monitor;
    try (DisposableServer server = startDisposableServer()) {
      pool = extraPool(server.settings(poolName("doomed")).poolSize(1).maxOverflow(0)
          .poolTimeout(Duration.ofSeconds(1)));
      monitor = DatabaseConnectionMonitor.builder(pool).healthCheckTimeout(Duration.ofSeconds(1)).build();
      assertThat(monitor.healthCheck().healthy()).isTrue();
    }
    // the server is stopped now; the pool's connection is dropped, as a pool does with a broken one
    pool.getHikariPoolMXBean().softEvictConnections();
    long start = System.nanoTime();
    DatabaseHealth health = monitor.healthCheck();
    assertThat(health.healthy()).isFalse();
    assertThat(health.error()).startsWith("health check failed:").hasSizeGreaterThan(30);
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(20));
    assertThat(monitor.healthCheck().healthy()).isFalse();
    assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
  }

  // ---- helpers ----

  <T> T queryOne(String sql, Class<T> type) {
    return jdbi.withHandle(h -> h.createQuery(sql).mapTo(type).one());
  }

  HikariDataSource extraPool(DatabaseSettings.Builder settings) {
    HikariDataSource ds = settings.build().createDataSource();
    extraPools.add(ds);
    return ds;
  }

  String poolName(String what) {
    return getClass().getSimpleName() + "-" + what + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private int claimConcurrently(int threads, String predictionId, ContentKey key) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CyclicBarrier start = new CyclicBarrier(threads);
      AtomicInteger winners = new AtomicInteger();
      List<Future<?>> futures = new ArrayList<>();
      for (int i = 0; i < threads; i++) {
        futures.add(pool.submit(() -> {
          start.await(30, TimeUnit.SECONDS);
          if (jobs.claim(predictionId, key).isPresent()) {
            winners.incrementAndGet();
          }
          return null;
        }));
      }
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      return winners.get();
    } finally {
      pool.shutdownNow();
    }
  }

  static ResultRecord result(String predictionId, ContentKey key, CompletionStatus status, String error) {
    return new ResultRecord(predictionId, key, status, error, 0, null, null, Duration.ofMillis(5), T0);
  }

  Path randomFile(TestInfo info, long size) throws IOException {
    Path file = Files.createTempFile("audio-", ".bin");
    Random random = new Random(size ^ info.getDisplayName().hashCode());
    byte[] buffer = new byte[1 << 20];
    try (OutputStream out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= buffer.length) {
        random.nextBytes(buffer);
        out.write(buffer, 0, (int) Math.min(buffer.length, left));
      }
    }
    tmpBefore.add(file.getFileName().toString());
    return file;
  }


  static byte[] readAll(Path file) throws IOException {
    return Files.readAllBytes(file);
  }

  private Set<String> listTmp() throws IOException {
    try (Stream<Path> files = Files.list(tmp)) {
      return files.map(p -> p.getFileName().toString()).collect(Collectors.toCollection(HashSet::new));
    }
  }
}
