package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns database failures into {@link StorageException}s whose message names the operation and
 * says in plain words what went wrong and which setting bounds it. Retryable unless retrying
 * can't help: data and constraint errors (SQLState classes 22 and 23) and statements the database
 * rejects (class 42: a missing table, a syntax error) are permanent.
 */
public final class StorageErrors {
  // HikariCP: "<pool> - Connection is not available, request timed out after 501ms (total=1, active=1, idle=0, waiting=0)"
  private static final Pattern HIKARI_TIMEOUT = Pattern.compile(
      "(.*) - Connection is not available, request timed out after (\\d+)ms"
          + "(?: \\(total=(\\d+), active=(\\d+), idle=(\\d+), waiting=(\\d+)\\))?.*",
      Pattern.DOTALL);

  private StorageErrors() {
  }

  /** {@code failure} as a {@link StorageException} for {@code operation}; a StorageException is returned as is. */
  public static StorageException translate(String operation, Throwable failure) {
    if (failure instanceof StorageException) {
      return (StorageException) failure;
    }
    SQLException sql = find(failure, SQLException.class);
    if (sql == null) {
      IOException io = find(failure, IOException.class);
      if (io != null) {
        return new StorageException(operation + " failed: I/O error: " + firstLine(io), failure);
      }
      // no database involved: a bug or a misuse (a bad binding, a mapping error); retrying won't help
      return StorageException.permanent(operation + " failed: " + firstLine(failure), failure);
    }
    if (sql instanceof SQLTransientConnectionException) {
      Matcher m = HIKARI_TIMEOUT.matcher(String.valueOf(sql.getMessage()));
      if (m.matches()) {
        return new StorageException(poolTimeout(operation, m, sql), failure);
      }
    }
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    String message = firstLine(sql);
    String lower = message.toLowerCase(Locale.ROOT);
    if (state.equals("57014")) {
      if (lower.contains("statement timeout") || lower.contains("timed out")) {
        return new StorageException(operation + " failed: the statement ran longer than the statement timeout"
            + " (DB_STATEMENT_TIMEOUT) and was canceled: " + message, failure);
      }
      return new StorageException(operation + " failed: the statement was canceled: " + message, failure);
    }
    if (state.equals("HYT00") || state.equals("55P03")) {
      return new StorageException(operation + " failed: timed out waiting for a lock held by another transaction"
          + " (lock waits are bounded by DB_STATEMENT_TIMEOUT): " + message, failure);
    }
    if (state.equals("40001") || state.equals("40P01")) {
      return new StorageException(operation + " failed: the database aborted the transaction to resolve a"
          + " conflict with a concurrent one (serialization failure or deadlock); retry it: " + message, failure);
    }
    if (state.startsWith("08")) {
      return new StorageException(operation + " failed: the database connection failed: " + message, failure);
    }
    if (state.equals("42P01") || state.equals("42S02") || state.equals("42102") || state.equals("42104")) {
      return StorageException.permanent(operation + " failed: a table is missing; install the schema with"
          + " SchemaInstaller.install(...) or apply its SQL file: " + message, failure);
    }
    if (state.startsWith("22") || state.startsWith("23") || state.startsWith("42")) {
      return StorageException.permanent(operation + " failed: the database rejected the statement (SQLState "
          + state + "): " + message, failure);
    }
    return new StorageException(operation + " failed: " + message
        + (state.isEmpty() ? "" : " (SQLState " + state + ")"), failure);
  }

  private static String poolTimeout(String operation, Matcher m, SQLException sql) {
    String pool = m.group(1).trim();
    String waited = m.group(2);
    Throwable cause = sql.getCause();
    if (cause != null) {
      // HikariCP attaches the last failure to create a connection: the database is not answering
      return operation + " failed: no database connection from pool '" + pool + "' within " + waited
          + " ms (DB_POOL_TIMEOUT): the database did not accept a new connection: " + firstLine(cause);
    }
    String sizes = m.group(3) == null ? ""
        : ": all " + m.group(3) + " connections are in use (pool size " + m.group(3) + "; active=" + m.group(4)
            + ", idle=" + m.group(5) + ", waiting=" + m.group(6) + ")";
    return operation + " failed: pool '" + pool + "' is exhausted, no connection became free within " + waited
        + " ms (pool timeout, DB_POOL_TIMEOUT)" + sizes + ". The pool holds at most DB_POOL_SIZE + DB_MAX_OVERFLOW"
        + " connections: raise them or DB_POOL_TIMEOUT, or hold connections for shorter";
  }

  /** The first line of a throwable's message, or its class name when it has none. */
  public static String firstLine(Throwable t) {
    String message = t.getMessage();
    if (message == null || message.isBlank()) {
      return t.getClass().getName();
    }
    int nl = message.indexOf('\n');
    return (nl < 0 ? message : message.substring(0, nl)).trim();
  }

  /** The first throwable of {@code type} in {@code t}'s cause chain (or {@code t} itself), or null. */
  public static <T extends Throwable> T find(Throwable t, Class<T> type) {
    Throwable c = t;
    for (int depth = 0; c != null && depth < 32; depth++, c = c.getCause()) {
      if (type.isInstance(c)) {
        return type.cast(c);
      }
    }
    return null;
  }
}
