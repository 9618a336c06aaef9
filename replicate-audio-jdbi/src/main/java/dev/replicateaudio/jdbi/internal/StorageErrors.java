package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTransientConnectionException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns database failures into {@link StorageException}s whose message names the operation and
 * says in plain words what went wrong and which setting bounds it. Retryable unless retrying
 * can't help: data and constraint errors (SQLState classes 22 and 23) and statements the database
 * rejects (class 42: a missing table, a syntax error) are permanent.
 *
 * <p>Besides SQLStates it knows MySQL's and MariaDB's error numbers (1205 lock wait timeout, 1213
 * deadlock, 1969 and 3024 statement timeouts, 1927 connection killed) and SQLite's result codes,
 * which sqlite-jdbc reports as {@code [SQLITE_BUSY] ...} without a SQLState.
 */
public final class StorageErrors {
  /** MySQL/MariaDB ER_LOCK_WAIT_TIMEOUT. */
  static final int MYSQL_LOCK_WAIT_TIMEOUT = 1205;
  /** MySQL/MariaDB ER_LOCK_DEADLOCK. */
  static final int MYSQL_DEADLOCK = 1213;
  /** MariaDB ER_STATEMENT_TIMEOUT (max_statement_time). */
  static final int MARIADB_STATEMENT_TIMEOUT = 1969;
  /** MySQL ER_QUERY_TIMEOUT (max_execution_time). */
  static final int MYSQL_QUERY_TIMEOUT = 3024;
  /** MariaDB ER_CONNECTION_KILLED. */
  static final int MARIADB_CONNECTION_KILLED = 1927;
  /** MySQL/MariaDB ER_ACCESS_DENIED_ERROR: wrong user or password. */
  static final int MYSQL_ACCESS_DENIED = 1045;
  /** MySQL/MariaDB ER_DBACCESS_DENIED_ERROR: the user may not use that database. */
  static final int MYSQL_DB_ACCESS_DENIED = 1044;
  /**
   * H2's SQLStates for a connection that is gone: 90007 the connection (object) is closed, 90067 the
   * connection to a server is broken, 90098 and 90121 the database is closed. HikariCP's own rules
   * (SQLState class 08) miss them, so a dead H2 connection would be lent again and again while the
   * pool is busy (it validates only connections idle for 500 ms).
   */
  static final java.util.Set<String> H2_CONNECTION_GONE = java.util.Set.of("90007", "90067", "90098", "90121");
  /** What sqlite-jdbc says (no SQLState, no code) when its connection is closed: the same case for SQLite. */
  static final String SQLITE_CONNECTION_CLOSED = "database connection closed";
  private static final Pattern SQLITE_CODE = Pattern.compile("^\\[(SQLITE_[A-Z_]+)\\].*", Pattern.DOTALL);

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
    SQLException refused = credentialsRefused(failure);
    if (refused != null) {
      // a wrong user or password stays wrong: retrying (or a pool retrying to connect) can't help
      return StorageException.permanent(operation + " failed: the database refused the credentials (SQLState "
          + refused.getSQLState() + (refused.getErrorCode() == 0 ? "" : ", error " + refused.getErrorCode())
          + "); check DB_USER and DB_PASSWORD: " + firstLine(refused), failure);
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
    String sqlite = sqliteCode(sql);
    if (sqlite != null) {
      return translateSqlite(operation, sqlite, message, lower, failure);
    }
    int code = sql.getErrorCode();
    if (code == MYSQL_LOCK_WAIT_TIMEOUT) {
      return new StorageException(operation + " failed: timed out waiting for a lock held by another transaction"
          + " (lock waits are bounded by DB_STATEMENT_TIMEOUT, innodb_lock_wait_timeout): " + message, failure);
    }
    if (code == MARIADB_STATEMENT_TIMEOUT || code == MYSQL_QUERY_TIMEOUT) {
      return new StorageException(operation + " failed: the statement ran longer than the statement timeout"
          + " (DB_STATEMENT_TIMEOUT) and was canceled: " + message, failure);
    }
    if (code == MYSQL_DEADLOCK) {
      return new StorageException(operation + " failed: the database aborted the transaction to resolve a"
          + " conflict with a concurrent one (deadlock); retry it: " + message, failure);
    }
    if (code == MARIADB_CONNECTION_KILLED || isConnectionLoss(sql)) {
      return new StorageException(operation + " failed: the database connection failed: " + message, failure);
    }
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

  /**
   * Whether {@code failure} means the database aborted a transaction to resolve a conflict with a
   * concurrent one, so that running the transaction again can succeed: a serialization failure or
   * deadlock (SQLState 40001, 40P01; MySQL/MariaDB 1213) or a stale SQLite snapshot
   * ({@code SQLITE_BUSY_SNAPSHOT}). A lock wait that ran out is not one: it has waited its limit already.
   */
  public static boolean isConflict(Throwable failure) {
    SQLException sql = find(failure, SQLException.class);
    if (sql == null) {
      return false;
    }
    String state = sql.getSQLState() == null ? "" : sql.getSQLState();
    return state.equals("40001") || state.equals("40P01") || sql.getErrorCode() == MYSQL_DEADLOCK
        || "SQLITE_BUSY_SNAPSHOT".equals(sqliteCode(sql));
  }

  /**
   * Whether {@code e} says the connection itself is gone (a connection exception, SQLState class
   * 08, MariaDB's 1927 "connection was killed", H2's states for a closed or broken connection and
   * a closed database, sqlite-jdbc's "database connection closed"), so that a pool must not lend it
   * again.
   */
  public static boolean isConnectionLoss(SQLException e) {
    String state = e.getSQLState() == null ? "" : e.getSQLState();
    return e instanceof SQLNonTransientConnectionException || e instanceof SQLRecoverableException
        || (e instanceof SQLTransientConnectionException && !HIKARI_TIMEOUT.matcher(String.valueOf(e.getMessage()))
            .matches())
        || state.startsWith("08") || e.getErrorCode() == MARIADB_CONNECTION_KILLED || H2_CONNECTION_GONE.contains(state)
        || state.isEmpty() && SQLITE_CONNECTION_CLOSED.equals(e.getMessage());
  }

  private static StorageException translateSqlite(String operation, String code, String message, String lower,
      Throwable failure) {
    if (code.equals("SQLITE_BUSY_SNAPSHOT")) {
      return new StorageException(operation + " failed: the database aborted the transaction to resolve a"
          + " conflict with a concurrent one (its snapshot went stale before it could write); retry it: " + message,
          failure);
    }
    if (code.startsWith("SQLITE_BUSY") || code.startsWith("SQLITE_LOCKED")) {
      return new StorageException(operation + " failed: timed out waiting for a lock held by another transaction"
          + " (the database file is locked; lock waits are bounded by DB_STATEMENT_TIMEOUT, SQLite's busy_timeout): "
          + message, failure);
    }
    if (code.equals("SQLITE_INTERRUPT")) {
      return new StorageException(operation + " failed: the statement was canceled: " + message, failure);
    }
    if (code.startsWith("SQLITE_CONSTRAINT") || code.startsWith("SQLITE_MISMATCH") || code.startsWith("SQLITE_TOOBIG")
        || code.startsWith("SQLITE_RANGE")) {
      return StorageException.permanent(operation + " failed: the database rejected the statement (" + code + "): "
          + message, failure);
    }
    if (code.equals("SQLITE_ERROR") && lower.contains("no such table")) {
      return StorageException.permanent(operation + " failed: a table is missing; install the schema with"
          + " SchemaInstaller.install(...) or apply its SQL file: " + message, failure);
    }
    if (code.equals("SQLITE_ERROR") || code.startsWith("SQLITE_READONLY") || code.startsWith("SQLITE_CORRUPT")
        || code.startsWith("SQLITE_NOTADB") || code.startsWith("SQLITE_AUTH")) {
      return StorageException.permanent(operation + " failed: the database rejected the statement (" + code + "): "
          + message, failure);
    }
    return new StorageException(operation + " failed: " + message, failure);
  }

  /** The SQLite result code a sqlite-jdbc message starts with ({@code [SQLITE_BUSY] ...}), or null. */
  static String sqliteCode(SQLException e) {
    Matcher m = SQLITE_CODE.matcher(String.valueOf(e.getMessage()));
    return m.matches() ? m.group(1) : null;
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

  /**
   * The deepest SQLException in {@code t}'s cause chain that says the login was refused: SQLState class 28
   * (invalid authorization: PostgreSQL's 28P01 and 28000, H2's 28000) or MySQL/MariaDB's 1045 "access
   * denied" and 1044 "access denied to database"; null when there is none.
   */
  public static SQLException credentialsRefused(Throwable t) {
    SQLException found = null; // the deepest: HikariCP copies the SQLState onto its own timeout
    Throwable c = t;
    for (int depth = 0; c != null && depth < 32; depth++, c = c.getCause()) {
      if (c instanceof SQLException) {
        SQLException e = (SQLException) c;
        String state = e.getSQLState() == null ? "" : e.getSQLState();
        if (state.startsWith("28") || e.getErrorCode() == MYSQL_ACCESS_DENIED
            || e.getErrorCode() == MYSQL_DB_ACCESS_DENIED) {
          found = e;
        }
      }
    }
    return found;
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
