package dev.replicateaudio.jdbi;

import dev.replicateaudio.jdbi.internal.Dialect;
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
 * <p>Hosts that migrate with Flyway or Liquibase take the SQL files instead, from this jar:
 * {@value #H2_SCHEMA} and {@value #POSTGRESQL_SCHEMA}. They create:
 *
 * <ul>
 *   <li>{@value #JOBS_TABLE}: one row per prediction (unique prediction id, content type and id,
 *       status, attempts, last error, created and updated times), indexed for claims by
 *       prediction id, for stale-job recovery by status and age, and for the latest job of a
 *       content item;
 *   <li>{@value #RESULTS_TABLE}: the result log;
 *   <li>{@value #AUDIO_TABLE}: the default audio table (content type and id as primary key, the
 *       audio as BLOB or bytea, mime type, size, SHA-256, duration, updated time).
 * </ul>
 *
 * <p>This class is thread-safe.
 */
public final class SchemaInstaller {
  public static final String JOBS_TABLE = "ra_generation_jobs";
  public static final String RESULTS_TABLE = "ra_generation_results";
  public static final String AUDIO_TABLE = "ra_audio";
  /** The H2 schema script, a classpath resource. */
  public static final String H2_SCHEMA = "dev/replicateaudio/jdbi/schema/h2.sql";
  /** The PostgreSQL schema script, a classpath resource. */
  public static final String POSTGRESQL_SCHEMA = "dev/replicateaudio/jdbi/schema/postgresql.sql";

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
   * where the database supports transactional DDL (PostgreSQL).
   *
   * @throws StorageException when the database is unsupported or refuses the statements
   */
  public static void install(Jdbi jdbi) {
    Objects.requireNonNull(jdbi, "jdbi == null");
    SqlSupport.inTransaction(jdbi, "SchemaInstaller.install", h -> {
      Dialect dialect = Dialect.of(h.getConnection());
      if (dialect == Dialect.POSTGRESQL) {
        h.createQuery("SELECT pg_advisory_xact_lock(:key)").bind("key", ADVISORY_LOCK_KEY).mapToMap().one();
      }
      h.createScript(script(dialect)).executeAsSeparateStatements();
      return null;
    });
  }

  private static String script(Dialect dialect) {
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
