package dev.replicateaudio.jdbi;

import dev.replicateaudio.jdbi.internal.SqlSupport;
import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Objects;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;

/**
 * Creates the tables this module uses, for quick starts and tests. Idempotent: it creates only
 * what is missing, so it is safe to run at every start, also from several instances at once.
 *
 * <pre>{@code
 * SchemaInstaller.install(dataSource);
 * }</pre>
 *
 * <p>Hosts that migrate with Flyway or Liquibase take the SQL file of their database instead, from
 * this jar ({@link SqlDialect#schemaResource()}): {@value #H2_SCHEMA}, {@value #POSTGRESQL_SCHEMA},
 * {@value #MYSQL_SCHEMA} (MySQL and MariaDB) or {@value #SQLITE_SCHEMA}. They create:
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
  public static final String JOBS_TABLE = "ra_generation_jobs";
  public static final String RESULTS_TABLE = "ra_generation_results";
  public static final String AUDIO_TABLE = "ra_audio";
  /** The audio's bytes in 256 KiB rows, on MySQL, MariaDB and SQLite. */
  public static final String AUDIO_CHUNKS_TABLE = "ra_audio_chunks";
  /** Completions carried between instances by {@link PollingCompletionBridge}. */
  public static final String COMPLETION_EVENTS_TABLE = "ra_completion_events";
  /** The H2 schema script, a classpath resource. */
  public static final String H2_SCHEMA = "dev/replicateaudio/jdbi/schema/h2.sql";
  /** The PostgreSQL schema script, a classpath resource. */
  public static final String POSTGRESQL_SCHEMA = "dev/replicateaudio/jdbi/schema/postgresql.sql";
  /** The MySQL and MariaDB schema script, a classpath resource. */
  public static final String MYSQL_SCHEMA = "dev/replicateaudio/jdbi/schema/mysql.sql";
  /** The SQLite schema script, a classpath resource. */
  public static final String SQLITE_SCHEMA = "dev/replicateaudio/jdbi/schema/sqlite.sql";

  /** Serialises concurrent installers on PostgreSQL (its {@code IF NOT EXISTS} is not race-free). */
  private static final long ADVISORY_LOCK_KEY = 0x7261_6175_6469_6f31L; // "raaudio1"

  private SchemaInstaller() {
  }

  /**
   * Creates the missing tables and indexes in the database behind {@code dataSource}.
   *
   * @throws StorageException when the database is unsupported or refuses the statements
   */
  public static void install(DataSource dataSource) {
    install(Jdbi.create(Objects.requireNonNull(dataSource, "dataSource == null")));
  }

  /**
   * Creates the missing tables and indexes in the database behind {@code jdbi}, in one transaction
   * where the database supports transactional DDL (PostgreSQL, SQLite).
   *
   * @throws StorageException when the database is unsupported, older than its
   *     {@link SqlDialect#minimumVersion()}, or refuses the statements
   */
  public static void install(Jdbi jdbi) {
    Objects.requireNonNull(jdbi, "jdbi == null");
    SqlSupport.inTransaction(jdbi, "SchemaInstaller.install", h -> {
      SqlDialect dialect = SqlDialect.detect(h.getConnection());
      if (dialect == SqlDialect.POSTGRESQL) {
        h.createQuery("SELECT pg_advisory_xact_lock(:key)").bind("key", ADVISORY_LOCK_KEY).mapToMap().one();
      }
      h.createScript(script(dialect)).executeAsSeparateStatements();
      return null;
    });
  }

  private static String script(SqlDialect dialect) {
    try (InputStream in = SchemaInstaller.class.getClassLoader().getResourceAsStream(dialect.schemaResource())) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + dialect.schemaResource());
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("can't read " + dialect.schemaResource(), e);
    }
  }
}
