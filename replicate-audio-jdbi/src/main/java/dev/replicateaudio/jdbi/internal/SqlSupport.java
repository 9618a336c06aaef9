package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.jdbi.SqlDialect;
import dev.replicateaudio.port.StorageException;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.argument.Argument;

/**
 * Shared plumbing of the stores: one transaction per operation (joining the thread's transaction
 * when there is one), error translation, and the column conventions of the schema (UTC instants
 * and durations with microsecond precision, bounded error texts).
 */
public final class SqlSupport {
  /** The longest error text stored; longer ones are cut and marked. */
  public static final int MAX_ERROR_LENGTH = 4000;
  /** How often a store's own transaction runs when the database aborts it to resolve a conflict. */
  public static final int CONFLICT_ATTEMPTS = 5;

  /** SQLite's date format, to the microsecond: fixed width, so text order is time order. */
  private static final DateTimeFormatter SQLITE_TIME =
      DateTimeFormatter.ofPattern("uuuu-MM-dd HH:mm:ss.SSSSSS").withZone(ZoneOffset.UTC);

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

  /**
   * Runs a store's {@code callback} like {@link #inTransaction}, and when it runs in a transaction
   * of its own (not joined to the thread's), runs it again, up to {@value #CONFLICT_ATTEMPTS} times
   * with a short random pause, when the database aborted the transaction to resolve a conflict
   * with a concurrent one ({@link StorageErrors#isConflict}: a deadlock, a serialization failure, a
   * stale SQLite snapshot). A joined call can't be retried here (the whole outer transaction was
   * rolled back): its conflict arrives as a retryable {@link StorageException}. The callback must
   * have no effect outside the database that a second run would repeat.
   */
  public static <T> T inTransactionRetryingConflicts(Jdbi jdbi, String operation,
      HandleCallback<T, Exception> callback) {
    return retryingConflicts(jdbi, operation, callback, true);
  }

  /**
   * Runs {@code callback} like {@link #inTransactionRetryingConflicts}, but outside a transaction of
   * the thread's, on a handle in autocommit: each statement commits on its own, which saves the
   * commit's round trip. Only for work whose every statement is atomic alone and that needs no
   * invariant across its statements.
   */
  public static <T> T autocommitRetryingConflicts(Jdbi jdbi, String operation,
      HandleCallback<T, Exception> callback) {
    return retryingConflicts(jdbi, operation, callback, false);
  }

  private static <T> T retryingConflicts(Jdbi jdbi, String operation, HandleCallback<T, Exception> callback,
      boolean transaction) {
    try {
      return jdbi.withHandle(h -> {
        if (h.isInTransaction()) {
          return callback.withHandle(h);
        }
        for (int attempt = 1; ; attempt++) {
          try {
            return transaction ? h.inTransaction(callback) : callback.withHandle(h);
          } catch (Exception e) {
            if (attempt >= CONFLICT_ATTEMPTS || !StorageErrors.isConflict(e) || h.isClosed()) {
              throw e;
            }
            // a little longer each time, randomised so that the parties of a deadlock don't meet again
            long micros = ThreadLocalRandom.current().nextLong(1_000L << attempt, 4_000L << attempt);
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(micros));
          }
        }
      });
    } catch (Exception e) {
      throw StorageErrors.translate(operation, e);
    }
  }

  /**
   * Runs a read-only {@code callback} on the calling thread's open handle (inside its transaction)
   * or on a handle of its own in autocommit: a single read needs no transaction, and on SQLite it
   * then reads beside a writer instead of queueing for the write lock.
   */
  public static <T> T read(Jdbi jdbi, String operation, HandleCallback<T, Exception> callback) {
    try {
      return jdbi.withHandle(callback);
    } catch (Exception e) {
      throw StorageErrors.translate(operation, e);
    }
  }

  /** The clock's instant, at the schema's precision (microseconds). */
  public static Instant now(Clock clock) {
    return clock.instant().truncatedTo(ChronoUnit.MICROS);
  }

  /**
   * A timestamp argument in the dialect's column type: a UTC {@link OffsetDateTime} for
   * {@code TIMESTAMP WITH TIME ZONE} (H2, PostgreSQL), a UTC {@link LocalDateTime} for
   * {@code DATETIME(6)} (MySQL, MariaDB: no session time zone conversion), fixed-width UTC text on SQLite.
   */
  public static Argument timestamp(SqlDialect dialect, Instant instant) {
    Objects.requireNonNull(instant, "instant == null");
    switch (dialect) {
      case MYSQL:
      case MARIADB:
        LocalDateTime local = LocalDateTime.ofInstant(instant, ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, local);
      case SQLITE:
        String text = SQLITE_TIME.format(instant);
        return (position, statement, ctx) -> statement.setString(position, text);
      default:
        OffsetDateTime value = instant.atOffset(ZoneOffset.UTC);
        return (position, statement, ctx) -> statement.setObject(position, value);
    }
  }

  /** The instant in a timestamp column written by {@link #timestamp}, or null. */
  public static Instant instant(SqlDialect dialect, ResultSet rs, String column) throws SQLException {
    switch (dialect) {
      case MYSQL:
      case MARIADB:
        LocalDateTime local = rs.getObject(column, LocalDateTime.class);
        return local == null ? null : local.toInstant(ZoneOffset.UTC);
      case SQLITE:
        String text = rs.getString(column);
        return text == null ? null : LocalDateTime.parse(text, SQLITE_TIME).toInstant(ZoneOffset.UTC);
      default:
        OffsetDateTime value = rs.getObject(column, OffsetDateTime.class);
        return value == null ? null : value.toInstant();
    }
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
