package dev.replicateaudio.jdbi;

import dev.replicateaudio.jdbi.internal.SchemaMigrations;
import dev.replicateaudio.port.StorageException;
import java.time.Clock;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * Creates and upgrades the tables this module uses: numbered migrations per database, each with an
 * undo script, and a version table recording what was applied. Safe to run at every start, also
 * from several instances at once: they take turns, and each step is applied once.
 *
 * <pre>{@code
 * SchemaInstaller.install(dataSource);          // creates the schema, or upgrades it to LATEST_VERSION
 * int version = SchemaInstaller.currentVersion(dataSource);
 * SchemaInstaller.rollbackTo(dataSource, 1);    // runs U2__completion_events.sql
 * }</pre>
 *
 * <h2>Versions</h2>
 *
 * <table>
 *   <caption>Schema versions</caption>
 *   <tr><th>version</th><th>migration</th><th>what it does</th><th>its undo</th></tr>
 *   <tr><td>1</td><td>{@code V1__storage_tables.sql}</td><td>creates {@value #JOBS_TABLE}, {@value #RESULTS_TABLE},
 *       {@value #AUDIO_TABLE} and, on MySQL, MariaDB and SQLite, {@value #AUDIO_CHUNKS_TABLE}</td>
 *       <td>drops them, with every job, result and stored audio</td></tr>
 *   <tr><td>2</td><td>{@code V2__completion_events.sql}</td><td>creates {@value #COMPLETION_EVENTS_TABLE}; on
 *       PostgreSQL also stores {@code ra_audio.audio} uncompressed ({@code STORAGE EXTERNAL}) for sliced reads</td>
 *       <td>drops {@value #COMPLETION_EVENTS_TABLE} (transient rows); on PostgreSQL gives the column its
 *       default storage back</td></tr>
 * </table>
 *
 * <p>The scripts are classpath resources of this jar under {@link #migrationsDirectory(SqlDialect)},
 * named like Flyway's: {@code dev/replicateaudio/jdbi/migrations/<h2|postgresql|mysql|sqlite>/V<n>__<description>.sql}
 * and the undo script {@code U<n>__<description>.sql} (MariaDB uses {@code mysql}). Every script is
 * idempotent ({@code IF NOT EXISTS}, {@code IF EXISTS}).
 *
 * <p>The version table {@value #VERSION_TABLE} has one row per applied version: {@code version},
 * {@code description}, {@code checksum} (SHA-256 of the script), {@code applied_by}
 * ({@code migration}, or {@code baseline} for a version found in place) and {@code applied_at}.
 * On PostgreSQL and SQLite a step and its row are written in one transaction with the whole run,
 * so a failure leaves the schema as it was. H2, MySQL and MariaDB commit every DDL statement at once:
 * there the row is written right after its step, so a step that failed part-way is not recorded
 * and runs again, whole, at the next install (its statements are idempotent); an undo step's row
 * is deleted after its script ran.
 *
 * <p>Installers take turns through a lock held for the whole run: {@code pg_try_advisory_xact_lock}
 * on PostgreSQL, {@code BEGIN IMMEDIATE} on SQLite, {@code GET_LOCK} on MySQL and MariaDB, and on H2
 * (whose DDL commits, and whose row locks end with a commit) an uncommitted row of the version table
 * held by a second connection, so an install on H2 needs two connections. An installer waits up
 * to 120 seconds for another one, then fails with a retryable {@link StorageException}.
 *
 * <p>A database with this module's tables but no version table (installed by a build before
 * schema versions) is baselined: the installer recognises the version from the tables present,
 * records it ({@code applied_by = baseline}) and applies only the later migrations.
 *
 * <h2>Flyway, Liquibase</h2>
 *
 * <p>Hosts that migrate with Flyway or Liquibase take either the migrations (named as Flyway names
 * versioned and undo migrations; a host copies them into its own migration folder, renumbered to
 * fit its own) or the current schema as one file of their
 * database: {@value #H2_SCHEMA}, {@value #POSTGRESQL_SCHEMA}, {@value #MYSQL_SCHEMA} (MySQL and
 * MariaDB) or {@value #SQLITE_SCHEMA} ({@link SqlDialect#schemaResource()}), which equals all
 * migrations applied. They create:
 *
 * <ul>
 *   <li>{@value #JOBS_TABLE}: one row per prediction (unique prediction id, content type and id,
 *       status, attempts, last error, created and updated times), indexed for claims by
 *       prediction id, for stale-job recovery by status and age, and for the latest job of a
 *       content item;
 *   <li>{@value #RESULTS_TABLE}: the result log;
 *   <li>{@value #AUDIO_TABLE}: the default audio table (content type and id as primary key, the
 *       audio as BLOB or bytea, mime type, size, SHA-256, duration, updated time); on MySQL,
 *       MariaDB and SQLite without the audio, which goes to {@value #AUDIO_CHUNKS_TABLE} in 256 KiB rows;
 *   <li>{@value #COMPLETION_EVENTS_TABLE}: completions for {@link PollingCompletionBridge}.
 * </ul>
 *
 * <p>This class is thread-safe.
 */
public final class SchemaInstaller {
  /** Jobs, one row per prediction. */
  public static final String JOBS_TABLE = "ra_generation_jobs";
  /** The result log. */
  public static final String RESULTS_TABLE = "ra_generation_results";
  /** The default audio table. */
  public static final String AUDIO_TABLE = "ra_audio";
  /** The audio's bytes in 256 KiB rows, on MySQL, MariaDB and SQLite. */
  public static final String AUDIO_CHUNKS_TABLE = "ra_audio_chunks";
  /** Completions carried between instances by {@link PollingCompletionBridge}. */
  public static final String COMPLETION_EVENTS_TABLE = "ra_completion_events";
  /** The applied schema versions, one row each; written by this class only. */
  public static final String VERSION_TABLE = SchemaMigrations.VERSION_TABLE;
  /** The schema version this build's migrations reach, and {@link #install} installs. */
  public static final int LATEST_VERSION = 2;
  /** The H2 schema script, a classpath resource. */
  public static final String H2_SCHEMA = "dev/replicateaudio/jdbi/schema/h2.sql";
  /** The PostgreSQL schema script, a classpath resource. */
  public static final String POSTGRESQL_SCHEMA = "dev/replicateaudio/jdbi/schema/postgresql.sql";
  /** The MySQL and MariaDB schema script, a classpath resource. */
  public static final String MYSQL_SCHEMA = "dev/replicateaudio/jdbi/schema/mysql.sql";
  /** The SQLite schema script, a classpath resource. */
  public static final String SQLITE_SCHEMA = "dev/replicateaudio/jdbi/schema/sqlite.sql";

  private SchemaInstaller() {
  }

  /**
   * Creates the schema in the database behind {@code dataSource}, or upgrades it to
   * {@link #LATEST_VERSION}; does nothing when it is there already.
   *
   * @param dataSource the database
   * @throws StorageException (permanent) when the database is unsupported, its schema is newer than
   *     {@link #LATEST_VERSION} or was migrated by a different script (checksum), or it refuses a
   *     statement; retryable when another installer held the lock too long or the database is unreachable
   */
  public static void install(DataSource dataSource) {
    install(jdbi(dataSource));
  }

  /**
   * Creates the schema in the database behind {@code jdbi}, or upgrades it to {@link #LATEST_VERSION}.
   *
   * @param jdbi the database
   * @throws StorageException as {@link #install(DataSource)} does; also when the database is older than
   *     its {@link SqlDialect#minimumVersion()}
   */
  public static void install(Jdbi jdbi) {
    migrate(jdbi, LATEST_VERSION);
  }

  /**
   * Upgrades the schema behind {@code dataSource} to {@code targetVersion}, applying the missing
   * migrations in order; does nothing when it is there already.
   *
   * @param dataSource the database
   * @param targetVersion 0 to {@link #LATEST_VERSION}
   * @throws IllegalArgumentException when {@code targetVersion} is outside 0 to {@link #LATEST_VERSION}
   * @throws StorageException (permanent) when the schema is newer than {@code targetVersion} (use
   *     {@link #rollbackTo(DataSource, int)}), and as {@link #install(DataSource)} does
   */
  public static void migrate(DataSource dataSource, int targetVersion) {
    migrate(jdbi(dataSource), targetVersion);
  }

  /**
   * Upgrades the schema behind {@code jdbi} to {@code targetVersion}.
   *
   * @param jdbi the database
   * @param targetVersion 0 to {@link #LATEST_VERSION}
   * @throws IllegalArgumentException when {@code targetVersion} is outside 0 to {@link #LATEST_VERSION}
   * @throws StorageException as {@link #migrate(DataSource, int)} does
   */
  public static void migrate(Jdbi jdbi, int targetVersion) {
    SchemaMigrations.run(Objects.requireNonNull(jdbi, "jdbi == null"), targetVersion, false, Clock.systemUTC());
  }

  /**
   * Takes the schema behind {@code dataSource} back to {@code targetVersion}, running the undo
   * scripts from the current version down. Rolling back to 0 drops every table of this module
   * with its rows (the empty version table stays).
   *
   * @param dataSource the database
   * @param targetVersion 0 to the current version
   * @throws IllegalArgumentException when {@code targetVersion} is outside 0 to {@link #LATEST_VERSION}
   * @throws StorageException (permanent) when the schema is older than {@code targetVersion}, newer than
   *     {@link #LATEST_VERSION} (this build has no undo scripts for it), or was migrated by a different
   *     script; and as {@link #install(DataSource)} does
   */
  public static void rollbackTo(DataSource dataSource, int targetVersion) {
    rollbackTo(jdbi(dataSource), targetVersion);
  }

  /**
   * Takes the schema behind {@code jdbi} back to {@code targetVersion}.
   *
   * @param jdbi the database
   * @param targetVersion 0 to the current version
   * @throws IllegalArgumentException when {@code targetVersion} is outside 0 to {@link #LATEST_VERSION}
   * @throws StorageException as {@link #rollbackTo(DataSource, int)} does
   */
  public static void rollbackTo(Jdbi jdbi, int targetVersion) {
    SchemaMigrations.run(Objects.requireNonNull(jdbi, "jdbi == null"), targetVersion, true, Clock.systemUTC());
  }

  /**
   * The schema version of the database behind {@code dataSource}, changing nothing: the highest
   * version in {@value #VERSION_TABLE}, or where nothing is recorded the version this module's
   * tables show (0 when there are none). It may exceed {@link #LATEST_VERSION} when a newer build
   * migrated the database.
   *
   * @param dataSource the database
   * @return 0 for no schema, else the version
   * @throws StorageException when the database is unsupported or unreachable
   */
  public static int currentVersion(DataSource dataSource) {
    return currentVersion(jdbi(dataSource));
  }

  /**
   * The schema version of the database behind {@code jdbi}, changing nothing.
   *
   * @param jdbi the database
   * @return 0 for no schema, else the version
   * @throws StorageException as {@link #currentVersion(DataSource)} does
   */
  public static int currentVersion(Jdbi jdbi) {
    return SchemaMigrations.currentVersion(Objects.requireNonNull(jdbi, "jdbi == null"));
  }

  /**
   * The classpath folder of a database's migration scripts, for example
   * {@code dev/replicateaudio/jdbi/migrations/mysql} for {@link SqlDialect#MARIADB}.
   *
   * @param dialect the database
   * @return the folder, without a trailing slash
   */
  public static String migrationsDirectory(SqlDialect dialect) {
    return SchemaMigrations.directory(Objects.requireNonNull(dialect, "dialect == null"));
  }

  private static Jdbi jdbi(DataSource dataSource) {
    return Jdbi.create(Objects.requireNonNull(dataSource, "dataSource == null"));
  }
}
