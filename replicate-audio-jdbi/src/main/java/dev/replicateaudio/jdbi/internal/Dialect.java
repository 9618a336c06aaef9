package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.port.StorageException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;

/** The databases this module speaks to, and the few statements that differ between them. */
public enum Dialect {
  H2("dev/replicateaudio/jdbi/schema/h2.sql"),
  POSTGRESQL("dev/replicateaudio/jdbi/schema/postgresql.sql");

  private final String schemaResource;

  Dialect(String schemaResource) {
    this.schemaResource = schemaResource;
  }

  /** The classpath resource holding this database's schema script. */
  public String schemaResource() {
    return schemaResource;
  }

  /**
   * The dialect of the database behind {@code connection}.
   *
   * @throws StorageException (permanent) for a database other than H2 or PostgreSQL
   */
  public static Dialect of(Connection connection) throws SQLException {
    String product = connection.getMetaData().getDatabaseProductName();
    String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
    if (p.equals("h2")) {
      return H2;
    }
    if (p.equals("postgresql")) {
      return POSTGRESQL;
    }
    throw StorageException.permanent("Unsupported database '" + product
        + "': replicate-audio-jdbi works with H2 and PostgreSQL", null);
  }

  /** The dialect a JDBC URL names, or null when it names neither H2 nor PostgreSQL. */
  public static Dialect ofUrl(String jdbcUrl) {
    String u = jdbcUrl.toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:h2:")) {
      return H2;
    }
    if (u.startsWith("jdbc:postgresql:")) {
      return POSTGRESQL;
    }
    return null;
  }

  /**
   * Inserts a job unless its prediction id exists. PostgreSQL skips the conflict in SQL, so that
   * a surrounding transaction is not aborted; H2 raises a unique violation that leaves the
   * transaction usable, and {@link #isUniqueViolation} recognises it.
   */
  public String insertJobIfAbsent() {
    String insert = "INSERT INTO ra_generation_jobs"
        + " (prediction_id, content_type, content_id, status, attempts, created_at, updated_at)"
        + " VALUES (:prediction_id, :content_type, :content_id, :status, :attempts, :now, :now)";
    return this == POSTGRESQL ? insert + " ON CONFLICT (prediction_id) DO NOTHING" : insert;
  }

  /** Inserts or replaces a row of the default audio table. */
  public String upsertAudio() {
    if (this == POSTGRESQL) {
      return "INSERT INTO ra_audio"
          + " (content_type, content_id, audio, mime_type, size_bytes, sha256, duration_us, updated_at)"
          + " VALUES (:content_type, :content_id, :audio, :mime_type, :size_bytes, :sha256, :duration_us, :updated_at)"
          + " ON CONFLICT (content_type, content_id) DO UPDATE SET audio = EXCLUDED.audio,"
          + " mime_type = EXCLUDED.mime_type, size_bytes = EXCLUDED.size_bytes, sha256 = EXCLUDED.sha256,"
          + " duration_us = EXCLUDED.duration_us, updated_at = EXCLUDED.updated_at";
    }
    return "MERGE INTO ra_audio"
        + " (content_type, content_id, audio, mime_type, size_bytes, sha256, duration_us, updated_at)"
        + " KEY (content_type, content_id)"
        + " VALUES (:content_type, :content_id, :audio, :mime_type, :size_bytes, :sha256, :duration_us, :updated_at)";
  }

  /** True when {@code e} reports a unique-constraint violation (SQLState 23505 on both databases). */
  public static boolean isUniqueViolation(SQLException e) {
    return "23505".equals(e.getSQLState());
  }
}
