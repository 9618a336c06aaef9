package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.port.StorageException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;
import org.jdbi.v3.core.HandleCallback;

/**
 * Shared plumbing of the stores: one transaction per operation (joining the thread's transaction
 * when there is one), error translation, and the column conventions of the schema (UTC instants
 * and durations with microsecond precision, bounded error texts).
 */
public final class SqlSupport {
  /** The longest error text stored; longer ones are cut and marked. */
  public static final int MAX_ERROR_LENGTH = 4000;

  private SqlSupport() {
  }

  /**
   * Runs {@code callback} in a transaction: the calling thread's open Jdbi handle and transaction
   * when there is one (so the call joins it), otherwise a new handle and transaction that commit
   * when it returns. Any failure arrives as a {@link StorageException} naming {@code operation}.
   */
  public static <T> T inTransaction(Jdbi jdbi, String operation, HandleCallback<T, Exception> callback) {
    try {
      return jdbi.inTransaction(callback);
    } catch (Exception e) {
      throw StorageErrors.translate(operation, e);
    }
  }

  /** The clock's instant, at the schema's precision (microseconds). */
  public static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /** A {@code TIMESTAMP WITH TIME ZONE} argument, bound as a UTC {@link OffsetDateTime}. */
  public static Argument timestamp(Instant instant) {
    OffsetDateTime value = Objects.requireNonNull(instant, "instant == null").atOffset(ZoneOffset.UTC);
    return (position, statement, ctx) -> statement.setObject(position, value);
  }

  /** The instant in a {@code TIMESTAMP WITH TIME ZONE} column, or null. */
  public static Instant instant(ResultSet rs, String column) throws SQLException {
    OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
    return value == null ? null : value.toInstant();
  }

  /** Whole microseconds of {@code duration}, or null. */
  public static Long micros(Duration duration) {
    if (duration == null) {
      return null;
    }
    return Math.addExact(Math.multiplyExact(duration.getSeconds(), 1_000_000L), duration.getNano() / 1_000);
  }

  /** The duration in a microseconds column, or null. */
  public static Duration duration(ResultSet rs, String column) throws SQLException {
    long micros = rs.getLong(column);
    return rs.wasNull() ? null : Duration.of(micros, ChronoUnit.MICROS);
  }

  /** {@code text} cut to {@link #MAX_ERROR_LENGTH} characters; null stays null. */
  public static String errorText(String text) {
    if (text == null || text.length() <= MAX_ERROR_LENGTH) {
      return text;
    }
    String marker = "... [cut, " + text.length() + " characters]";
    return text.substring(0, MAX_ERROR_LENGTH - marker.length()) + marker;
  }
}
