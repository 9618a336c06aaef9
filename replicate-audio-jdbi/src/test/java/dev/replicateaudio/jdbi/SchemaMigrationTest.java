package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.internal.SchemaMigrations;
import dev.replicateaudio.jdbi.internal.SqlSupport;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.testing.MutableClock;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Schema versions on a real database (H2, PostgreSQL, MariaDB, SQLite by the subclasses): the first
 * schema upgraded in place with its rows kept and readable through the stores, the last step rolled
 * back and applied again, the schema file equal to the migrations, a newer or altered schema refused,
 * an unversioned schema baselined, and installers racing on one database. Every test gets a fresh
 * database.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SchemaMigrationTest {
  static final Instant T0 = Instant.parse("2026-03-01T12:00:00Z");

  private final List<AutoCloseable> toClose = new ArrayList<>();
  private List<String> schemaFileSnapshot;

  TestDatabase database;
  HikariDataSource dataSource;
  Jdbi jdbi;
  SqlDialect dialect;

  /** A fresh, empty database. */
  abstract TestDatabase openDatabase();

  @BeforeEach
  void freshDatabase() throws SQLException {
    database = openDatabase();
    dataSource = pool(database, "migration");
    jdbi = Jdbi.create(dataSource);
    dialect = jdbi.withHandle(h -> SqlDialect.detect(h.getConnection()));
  }

  @AfterEach
  void dropDatabase() throws Exception {
    try {
      assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).as("connections still lent out").isZero();
    } finally {
      dataSource.close();
      database.close();
    }
  }

  @AfterAll
  void closeTheRest() throws Exception {
    for (int i = toClose.size() - 1; i >= 0; i--) {
      toClose.get(i).close();
    }
  }

  HikariDataSource pool(TestDatabase db, String name) {
    return db.settings(name + "-" + getClass().getSimpleName()).poolSize(2).maxOverflow(10).build().createDataSource();
  }

  // ---- upgrade, rollback ----

  @Test
  void theFirstSchemaIsUpgradedInPlaceWithItsRowsAndTheLastStepRollsBack() throws Exception {
    SchemaInstaller.migrate(dataSource, 1);
    assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(1);
    assertThat(tables()).doesNotContain(SchemaInstaller.COMPLETION_EVENTS_TABLE)
        .contains(SchemaInstaller.JOBS_TABLE, SchemaInstaller.RESULTS_TABLE, SchemaInstaller.AUDIO_TABLE);

    // rows written through the stores while the database is at version 1
    MutableClock clock = new MutableClock(T0);
    ContentKey key = ContentKey.soundEffect(7);
    JdbiGenerationJobStore oldJobs = JdbiGenerationJobStore.create(jdbi, clock);
    oldJobs.recordSubmitted(key, "p-v1");
    oldJobs.claim("p-v1", key).orElseThrow();
    oldJobs.markSucceeded("p-v1");
    oldJobs.recordSubmitted(ContentKey.speech(8), "p-v1-pending");
    ResultRecord result = new ResultRecord("p-v1", key, CompletionStatus.SUCCEEDED, null, 300_001,
        Duration.ofMillis(3_250), Duration.ofMillis(3_000), Duration.ofMillis(41), T0);
    oldJobs.logResult(result);
    Path file = randomFile(300_001);
    try {
      AudioMetadata metadata = AudioMetadata.of(file, "audio/mpeg", Duration.ofMillis(3_000));
      JdbiAudioStore.builder(jdbi).clock(clock).build().storeAudio(key, file, metadata);

      SchemaInstaller.install(dataSource);
      assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(2);
      assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration");
      assertThat(snapshot(jdbi)).as("upgraded schema vs the schema file").isEqualTo(schemaFileSnapshot());
      assertRowsKept(key, result, metadata, file);
      assertThat(count(SchemaInstaller.COMPLETION_EVENTS_TABLE)).isZero();

      SchemaInstaller.rollbackTo(dataSource, 1);
      assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(1);
      assertThat(versionRows()).containsExactly("1 storage_tables migration");
      assertThat(tables()).doesNotContain(SchemaInstaller.COMPLETION_EVENTS_TABLE);
      assertRowsKept(key, result, metadata, file);

      SchemaInstaller.install(dataSource);
      assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration");
      assertThat(snapshot(jdbi)).as("rolled back and upgraded again vs the schema file").isEqualTo(schemaFileSnapshot());
      assertRowsKept(key, result, metadata, file);
    } finally {
      Files.delete(file);
    }
  }

  private void assertRowsKept(ContentKey key, ResultRecord result, AudioMetadata metadata, Path file) throws IOException {
    JdbiGenerationJobStore jobs = JdbiGenerationJobStore.create(jdbi, new MutableClock(T0));
    JdbiAudioStore audio = JdbiAudioStore.builder(jdbi).clock(new MutableClock(T0)).build();
    assertThat(jobs.find("p-v1")).hasValueSatisfying(job -> {
      assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
      assertThat(job.key()).isEqualTo(key);
      assertThat(job.createdAt()).isEqualTo(T0);
    });
    assertThat(jobs.find("p-v1-pending")).hasValueSatisfying(job -> assertThat(job.status()).isEqualTo(JobStatus.PENDING));
    assertThat(jobs.results("p-v1")).containsExactly(result);
    assertThat(audio.findAudio(key)).contains(new StoredAudio(key, metadata, T0));
    byte[] expected = Files.readAllBytes(file);
    assertThat(audio.readAudio(key, (stored, in) -> in.readAllBytes())).hasValueSatisfying(bytes ->
        assertThat(bytes).isEqualTo(expected));
  }

  @Test
  void rollingBackToZeroDropsEveryTableAndTheMigrationsRebuildTheSchemaFile() throws Exception {
    SchemaInstaller.install(dataSource);
    JdbiGenerationJobStore.create(jdbi).recordSubmitted(ContentKey.speech(1), "p-gone");
    SchemaInstaller.rollbackTo(dataSource, 0);
    assertThat(SchemaInstaller.currentVersion(dataSource)).isZero();
    assertThat(tables()).containsExactly(SchemaInstaller.VERSION_TABLE);
    assertThat(versionRows()).isEmpty();

    SchemaInstaller.migrate(dataSource, 1);
    SchemaInstaller.migrate(dataSource, 1);
    assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(1);
    SchemaInstaller.install(dataSource);
    assertThat(snapshot(jdbi)).isEqualTo(schemaFileSnapshot());
    assertThat(JdbiGenerationJobStore.create(jdbi).find("p-gone")).isEmpty();

    assertThatThrownBy(() -> SchemaInstaller.migrate(dataSource, 1))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("at version 2, newer than the target 1")
        .hasMessageContaining("rollbackTo(1)");
    SchemaInstaller.rollbackTo(dataSource, 2); // nothing to undo
    assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(2);
  }

  @Test
  void aStepThatRanButWasNotRecordedRunsAgainWhole() throws Exception {
    // what a crash between a step's DDL and its version row leaves where DDL commits (H2, MySQL, MariaDB)
    SchemaInstaller.migrate(dataSource, 1);
    jdbi.useHandle(h -> h.createScript(SchemaMigrations.read(SchemaInstaller.migrationsDirectory(dialect)
        + "/V2__completion_events.sql")).executeAsSeparateStatements());
    assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(1);
    SchemaInstaller.install(dataSource);
    assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration");
    assertThat(snapshot(jdbi)).isEqualTo(schemaFileSnapshot());
  }

  /**
   * A step that fails (V2's index on a view of the events table's name): with transactional DDL the
   * whole run is undone, otherwise the steps before it stay applied and recorded; either way the next
   * install, once the cause is gone, completes the schema.
   */
  void checkAFailingStep(boolean transactionalDdl) throws Exception {
    jdbi.useHandle(h -> h.execute("CREATE VIEW " + SchemaInstaller.COMPLETION_EVENTS_TABLE + " AS SELECT 1 AS created_at"));
    assertThatThrownBy(() -> SchemaInstaller.install(dataSource))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("SchemaInstaller.migrate(2) failed");
    if (transactionalDdl) {
      assertThat(tables()).as("not even the version table").isEmpty(); // the view is no table
      assertThat(SchemaInstaller.currentVersion(dataSource)).isZero();
    } else {
      assertThat(versionRows()).containsExactly("1 storage_tables migration");
      assertThat(tables()).contains(SchemaInstaller.JOBS_TABLE, SchemaInstaller.VERSION_TABLE);
    }
    jdbi.useHandle(h -> h.execute("DROP VIEW " + SchemaInstaller.COMPLETION_EVENTS_TABLE));
    SchemaInstaller.install(dataSource);
    assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration");
    assertThat(snapshot(jdbi)).isEqualTo(schemaFileSnapshot());
  }

  // ---- refusals ----

  @Test
  void aSchemaNewerThanThisBuildIsRefusedAndLeftAlone() throws Exception {
    SchemaInstaller.install(dataSource);
    jdbi.useHandle(h -> h.createUpdate("INSERT INTO " + SchemaInstaller.VERSION_TABLE
            + " (version, description, checksum, applied_by, applied_at) VALUES (3, 'from_the_future', 'x', 'migration', :at)")
        .bind("at", SqlSupport.timestamp(dialect, T0)).execute());
    assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(3);

    for (Runnable call : List.<Runnable>of(() -> SchemaInstaller.install(dataSource),
        () -> SchemaInstaller.rollbackTo(dataSource, 1))) {
      assertThatThrownBy(call::run)
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("schema is at version 3 (ra_schema_version), newer than this replicate-audio-jdbi"
              + " supports (versions 0 to 2)")
          .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
    }
    assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration",
        "3 from_the_future migration");
    assertThat(tables()).contains(SchemaInstaller.COMPLETION_EVENTS_TABLE);
  }

  @Test
  void aMigrationWhoseScriptChangedIsRefused() throws Exception {
    SchemaInstaller.install(dataSource);
    jdbi.useHandle(h -> h.execute("UPDATE " + SchemaInstaller.VERSION_TABLE + " SET checksum = 'abc' WHERE version = 1"));
    assertThatThrownBy(() -> SchemaInstaller.install(dataSource))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("records migration 1 (storage_tables) with checksum abc, but this build's "
            + SchemaInstaller.migrationsDirectory(dialect) + "/V1__storage_tables.sql has "
            + SchemaMigrations.checksum(SchemaMigrations.read(SchemaInstaller.migrationsDirectory(dialect)
                + "/V1__storage_tables.sql")));
  }

  @Test
  void aVersionGapIsRefused() throws Exception {
    SchemaInstaller.install(dataSource);
    jdbi.useHandle(h -> h.execute("DELETE FROM " + SchemaInstaller.VERSION_TABLE + " WHERE version = 1"));
    assertThatThrownBy(() -> SchemaInstaller.install(dataSource))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("records versions [2], not 1 to 2 without a gap");
  }

  @Test
  void aTargetThisBuildDoesNotKnowIsRefusedBeforeConnecting() throws Exception {
    assertThatThrownBy(() -> SchemaInstaller.migrate(dataSource, 3))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target version 3 is not one this build knows: 0 to 2");
    assertThatThrownBy(() -> SchemaInstaller.rollbackTo(dataSource, -1))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("target version -1 is not one this build knows: 0 to 2");
    assertThat(tables()).isEmpty();
  }

  // ---- baseline ----

  @Test
  void aSchemaAnEarlierBuildInstalledWithoutVersionsIsBaselined() throws Exception {
    // what SchemaInstaller.install did before schema versions: the schema file, nothing else
    jdbi.useHandle(h -> h.createScript(SchemaMigrations.read(dialect.schemaResource())).executeAsSeparateStatements());
    JdbiGenerationJobStore.create(jdbi).recordSubmitted(ContentKey.speech(3), "p-unversioned");
    assertThat(SchemaInstaller.currentVersion(dataSource)).as("read from the tables, nothing written").isEqualTo(2);
    assertThat(tables()).doesNotContain(SchemaInstaller.VERSION_TABLE);

    SchemaInstaller.install(dataSource);
    assertThat(versionRows()).containsExactly("1 storage_tables baseline", "2 completion_events baseline");
    assertThat(JdbiGenerationJobStore.create(jdbi).find("p-unversioned")).isPresent();
    SchemaInstaller.install(dataSource);
    assertThat(versionRows()).hasSize(2);
  }

  @Test
  void anUnversionedFirstSchemaIsBaselinedThenUpgraded() throws Exception {
    jdbi.useHandle(h -> h.createScript(SchemaMigrations.read(SchemaInstaller.migrationsDirectory(dialect)
        + "/V1__storage_tables.sql")).executeAsSeparateStatements());
    JdbiGenerationJobStore.create(jdbi).recordSubmitted(ContentKey.speech(4), "p-first");
    assertThat(SchemaInstaller.currentVersion(dataSource)).isEqualTo(1);

    SchemaInstaller.install(dataSource);
    assertThat(versionRows()).containsExactly("1 storage_tables baseline", "2 completion_events migration");
    assertThat(snapshot(jdbi)).isEqualTo(schemaFileSnapshot());
    assertThat(JdbiGenerationJobStore.create(jdbi).find("p-first")).isPresent();
  }

  // ---- concurrency ----

  @Test
  void installersStartingTogetherApplyEachStepOnce() throws Exception {
    race(4); // on an empty database: the version table too is created once
    assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration");
    SchemaInstaller.rollbackTo(dataSource, 1);
    race(4); // on a schema at version 1: one of them upgrades it
    assertThat(versionRows()).containsExactly("1 storage_tables migration", "2 completion_events migration");
    assertThat(snapshot(jdbi)).isEqualTo(schemaFileSnapshot());
  }

  private void race(int installers) throws Exception {
    CyclicBarrier start = new CyclicBarrier(installers);
    ExecutorService threads = Executors.newFixedThreadPool(installers);
    try {
      List<Future<Integer>> done = new ArrayList<>();
      for (int i = 0; i < installers; i++) {
        done.add(threads.submit(() -> {
          Jdbi own = Jdbi.create(dataSource);
          start.await(10, TimeUnit.SECONDS);
          SchemaInstaller.install(own);
          return SchemaInstaller.currentVersion(own);
        }));
      }
      for (Future<Integer> f : done) {
        assertThat(f.get(60, TimeUnit.SECONDS)).isEqualTo(2);
      }
    } finally {
      threads.shutdownNow();
    }
  }

  // ---- helpers ----

  /** The tables of this module's schema, the schema file applied to a database of its own. */
  List<String> schemaFileSnapshot() throws SQLException {
    if (schemaFileSnapshot == null) {
      TestDatabase other = openDatabase();
      HikariDataSource ds = pool(other, "schema-file");
      toClose.add(other);
      toClose.add(ds);
      Jdbi j = Jdbi.create(ds);
      j.useHandle(h -> h.createScript(SchemaMigrations.read(dialect.schemaResource())).executeAsSeparateStatements());
      schemaFileSnapshot = snapshot(j);
    }
    return schemaFileSnapshot;
  }

  /**
   * What JDBC metadata says of the module's tables (not the version table): columns with type, size,
   * nullability, default and auto-increment, the primary key, and indexes by columns and uniqueness
   * (names too where the database does not generate them).
   */
  List<String> snapshot(Jdbi j) throws SQLException {
    return j.withHandle(h -> {
      Connection c = h.getConnection();
      DatabaseMetaData meta = c.getMetaData();
      String schema = schema(c);
      List<String> lines = new ArrayList<>();
      for (String table : tableNames(c)) {
        if (table.equalsIgnoreCase(SchemaInstaller.VERSION_TABLE)) {
          continue;
        }
        String t = table.toLowerCase(Locale.ROOT);
        lines.add("table " + t);
        try (ResultSet rs = meta.getColumns(c.getCatalog(), schema, table, "%")) {
          while (rs.next()) {
            lines.add(t + " column " + rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT)
                + " " + rs.getString("TYPE_NAME") + "(" + rs.getInt("COLUMN_SIZE") + "," + rs.getInt("DECIMAL_DIGITS") + ")"
                + " nullable=" + rs.getString("IS_NULLABLE") + " default=" + rs.getString("COLUMN_DEF")
                + " auto=" + rs.getString("IS_AUTOINCREMENT"));
          }
        }
        try (ResultSet rs = meta.getPrimaryKeys(c.getCatalog(), schema, table)) {
          while (rs.next()) {
            lines.add(t + " pk " + rs.getInt("KEY_SEQ") + " " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
          }
        }
        try (ResultSet rs = meta.getIndexInfo(c.getCatalog(), schema, table, false, false)) {
          while (rs.next()) {
            if (rs.getString("COLUMN_NAME") == null) {
              continue; // table statistics, not an index
            }
            String name = dialect == SqlDialect.H2 || dialect == SqlDialect.SQLITE
                ? "" : " " + rs.getString("INDEX_NAME").toLowerCase(Locale.ROOT);
            lines.add(t + " index" + name + " unique=" + !rs.getBoolean("NON_UNIQUE") + " "
                + rs.getInt("ORDINAL_POSITION") + " " + rs.getString("COLUMN_NAME").toLowerCase(Locale.ROOT));
          }
        }
      }
      lines.addAll(dialectSnapshot(h));
      lines.sort(null);
      return lines;
    });
  }

  /** What JDBC metadata does not show and the dialect's catalog does; none by default. */
  List<String> dialectSnapshot(Handle h) throws SQLException {
    return List.of();
  }

  private static String schema(Connection c) {
    try {
      return c.getSchema();
    } catch (SQLException | AbstractMethodError e) {
      return null;
    }
  }

  private static Set<String> tableNames(Connection c) throws SQLException {
    Set<String> names = new TreeSet<>();
    try (ResultSet rs = c.getMetaData().getTables(c.getCatalog(), schema(c), "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        String name = rs.getString("TABLE_NAME");
        if (name.toLowerCase(Locale.ROOT).startsWith("ra_")) {
          names.add(name);
        }
      }
    }
    return names;
  }

  Set<String> tables() throws SQLException {
    Set<String> lower = new TreeSet<>();
    jdbi.useHandle(h -> tableNames(h.getConnection()).forEach(n -> lower.add(n.toLowerCase(Locale.ROOT))));
    return lower;
  }

  List<String> versionRows() {
    return jdbi.withHandle(h -> h.createQuery("SELECT version, description, applied_by FROM "
            + SchemaInstaller.VERSION_TABLE + " ORDER BY version")
        .map((rs, ctx) -> rs.getInt(1) + " " + rs.getString(2) + " " + rs.getString(3)).list());
  }

  long count(String table) {
    return jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM " + table).mapTo(Long.class).one());
  }

  static Path randomFile(long size) throws IOException {
    Path file = Files.createTempFile(TestTmp.dir(), "migration-audio-", ".bin");
    byte[] bytes = new byte[(int) size];
    new Random(size).nextBytes(bytes);
    Files.write(file, bytes);
    return file;
  }
}
