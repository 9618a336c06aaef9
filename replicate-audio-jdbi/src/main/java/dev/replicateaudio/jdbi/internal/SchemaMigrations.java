package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.jdbi.SqlDialect;
import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The numbered schema migrations and the machinery that applies and undoes them: the version table,
 * a lock per database so that concurrent installers take turns, baselining of a schema an earlier
 * build installed without a version table, and the checks that refuse a newer or altered schema.
 *
 * <p>Migrations are classpath resources {@code dev/replicateaudio/jdbi/migrations/<dir>/V<n>__<desc>.sql}
 * with undo scripts {@code U<n>__<desc>.sql} beside them; {@code <dir>} is the dialect's key, MySQL's
 * for MariaDB. Every script is idempotent ({@code IF [NOT] EXISTS}).
 */
public final class SchemaMigrations {
  /** The classpath folder of the migrations; a dialect's are in a subfolder named by {@link #directory}. */
  public static final String ROOT = "dev/replicateaudio/jdbi/migrations/";
  /** The table recording the applied versions. */
  public static final String VERSION_TABLE = "ra_schema_version";
  /** {@code applied_by} of a version that a migration script applied. */
  public static final String APPLIED_BY_MIGRATION = "migration";
  /** {@code applied_by} of a version found in place (an earlier build installed it) and recorded as it was. */
  public static final String APPLIED_BY_BASELINE = "baseline";

  /** The migrations in order; version n is at index n - 1. */
  private static final List<Step> STEPS = List.of(
      new Step(1, "storage_tables"),
      new Step(2, "completion_events"));

  /** How long an installer waits for another one to finish before giving up (retryable). */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(120);
  /** PostgreSQL advisory lock key ("raaudio1"); advisory locks are per database. */
  private static final long ADVISORY_LOCK_KEY = 0x7261_6175_6469_6f31L;
  /** The version an H2 installer inserts, uncommitted, to hold the lock; never committed. */
  private static final int H2_LOCK_ROW = -1;

  private static final Logger LOG = LoggerFactory.getLogger("dev.replicateaudio.jdbi.SchemaInstaller");

  private SchemaMigrations() {
  }

  /** One migration: its version and the description in its file names. */
  public record Step(int version, String description) {
    /** The file name of its script, or of its undo script. */
    public String fileName(boolean undo) {
      return (undo ? "U" : "V") + version + "__" + description + ".sql";
    }
  }

  /** One row of the version table. */
  public record AppliedVersion(int version, String description, String checksum, String appliedBy) {
  }

  /** The migrations this build carries, in order. */
  public static List<Step> steps() {
    return STEPS;
  }

  /** The highest version this build's migrations reach. */
  public static int latest() {
    return STEPS.size();
  }

  /** The classpath folder of {@code dialect}'s migrations, without a trailing slash. */
  public static String directory(SqlDialect dialect) {
    return ROOT + (dialect == SqlDialect.MARIADB ? SqlDialect.MYSQL.key() : dialect.key());
  }

  /** The classpath resource of a migration's script ({@code undo} false) or undo script. */
  public static String resource(SqlDialect dialect, int version, boolean undo) {
    return directory(dialect) + "/" + step(version).fileName(undo);
  }

  /** The text of a classpath resource. */
  public static String read(String resource) {
    try (InputStream in = SchemaMigrations.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("can't read " + resource, e);
    }
  }

  /** SHA-256 (hex) of a script's text, line endings normalised to {@code \n}. */
  public static String checksum(String script) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256")
          .digest(script.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JVM", e);
    }
  }

  /** The checksum of the migration script of {@code version} on {@code dialect}. */
  static String checksum(SqlDialect dialect, int version) {
    return checksum(read(resource(dialect, version, false)));
  }

  /** The tables migration {@code version} creates on {@code dialect}: how a baseline recognises it. */
  static Set<String> tablesOf(SqlDialect dialect, int version) {
    switch (version) {
      case 1:
        return dialect.largeValues() == SqlDialect.LargeValues.CHUNKED
            ? Set.of("ra_generation_jobs", "ra_generation_results", "ra_audio", "ra_audio_chunks")
            : Set.of("ra_generation_jobs", "ra_generation_results", "ra_audio");
      case 2:
        return Set.of("ra_completion_events");
      default:
        throw new IllegalArgumentException("no migration " + version);
    }
  }

  private static Step step(int version) {
    if (version < 1 || version > STEPS.size()) {
      throw new IllegalArgumentException("no migration " + version + "; this build has 1 to " + STEPS.size());
    }
    return STEPS.get(version - 1);
  }

  // ---- reading ----

  /**
   * The schema's version without changing anything: the highest recorded in {@link #VERSION_TABLE},
   * or, when nothing is recorded, the version the existing tables show (0 for none).
   */
  public static int currentVersion(Jdbi jdbi) {
    try (Handle h = jdbi.open()) {
      SqlDialect dialect = SqlDialect.detect(h.getConnection());
      Set<String> tables = tables(h.getConnection());
      if (tables.contains(VERSION_TABLE)) {
        List<AppliedVersion> applied = applied(h);
        if (!applied.isEmpty()) {
          return applied.get(applied.size() - 1).version();
        }
      }
      return detect(dialect, tables);
    } catch (Exception e) {
      throw StorageErrors.translate("SchemaInstaller.currentVersion", e);
    }
  }

  /** The version table's rows in version order; the table must exist. */
  public static List<AppliedVersion> applied(Handle h) {
    return h.createQuery("SELECT version, description, checksum, applied_by FROM " + VERSION_TABLE
            + " WHERE version >= 1 ORDER BY version")
        .map((rs, ctx) -> new AppliedVersion(rs.getInt(1), rs.getString(2), rs.getString(3), rs.getString(4)))
        .list();
  }

  /** The lower-case names of the tables in the connection's current schema (or database). */
  static Set<String> tables(Connection c) throws SQLException {
    DatabaseMetaData meta = c.getMetaData();
    String schema = null;
    try {
      schema = c.getSchema();
    } catch (SQLException | AbstractMethodError e) {
      // a driver without schemas: the catalog alone names the place
    }
    Set<String> names = new TreeSet<>();
    try (ResultSet rs = meta.getTables(c.getCatalog(), schema, "%", new String[] {"TABLE"})) {
      while (rs.next()) {
        names.add(rs.getString("TABLE_NAME").toLowerCase(Locale.ROOT));
      }
    }
    return names;
  }

  /** The highest version whose tables, and those of every earlier version, all exist. */
  static int detect(SqlDialect dialect, Set<String> tables) {
    int found = 0;
    while (found < latest() && tables.containsAll(tablesOf(dialect, found + 1))) {
      found++;
    }
    return found;
  }

  // ---- changing ----

  /**
   * Brings the schema to {@code target}: applies the missing migrations, or with {@code undo}
   * runs the undo scripts from the current version down to {@code target}. Holds the dialect's
   * lock throughout; records each step in the same transaction where DDL is transactional
   * (PostgreSQL, SQLite), right after it elsewhere (H2, MySQL, MariaDB: every script is idempotent,
   * so a step that failed part-way runs again whole next time).
   */
  public static void run(Jdbi jdbi, int target, boolean undo, Clock clock) {
    String operation = undo ? "SchemaInstaller.rollbackTo(" + target + ")" : "SchemaInstaller.migrate(" + target + ")";
    if (target < 0 || target > latest()) {
      throw new IllegalArgumentException("target version " + target + " is not one this build knows: 0 to " + latest());
    }
    try (Handle h = jdbi.open()) {
      SqlDialect dialect = SqlDialect.detect(h.getConnection());
      switch (dialect) {
        case POSTGRESQL:
          h.useTransaction(t -> {
            waitFor("a PostgreSQL advisory lock", () -> t.createQuery("SELECT pg_try_advisory_xact_lock(:key)")
                .bind("key", ADVISORY_LOCK_KEY).mapTo(Boolean.class).one());
            work(t, dialect, target, undo, true, clock);
          });
          break;
        case SQLITE:
          runSqlite(h, dialect, target, undo, clock);
          break;
        case MYSQL:
        case MARIADB:
          runMysql(h, dialect, target, undo, clock);
          break;
        default:
          runH2(jdbi, h, dialect, target, undo, clock);
          break;
      }
    } catch (Exception e) {
      throw StorageErrors.translate(operation, e);
    }
  }

  /** SQLite: one {@code BEGIN IMMEDIATE} transaction (the database's write lock) around everything. */
  private static void runSqlite(Handle h, SqlDialect dialect, int target, boolean undo, Clock clock) throws SQLException {
    Connection c = h.getConnection();
    boolean autoCommit = c.getAutoCommit();
    if (!autoCommit) {
      c.setAutoCommit(true); // a fresh connection of a pool without autocommit: nothing is pending yet
    }
    try {
      runSqliteImmediate(h, dialect, target, undo, clock);
    } finally {
      if (!autoCommit) {
        c.setAutoCommit(false);
      }
    }
  }

  private static void runSqliteImmediate(Handle h, SqlDialect dialect, int target, boolean undo, Clock clock) {
    waitFor("the SQLite write lock", () -> {
      try {
        h.execute("BEGIN IMMEDIATE");
        return true;
      } catch (RuntimeException e) {
        SQLException sql = cause(e);
        if (sql != null && String.valueOf(sql.getMessage()).contains("SQLITE_BUSY")) {
          return false;
        }
        throw e;
      }
    });
    boolean done = false;
    try {
      work(h, dialect, target, undo, true, clock);
      h.execute("COMMIT");
      done = true;
    } finally {
      if (!done) {
        try {
          h.execute("ROLLBACK");
        } catch (RuntimeException e) {
          LOG.debug("rollback after a failed schema change failed too", e);
        }
      }
    }
  }

  /** MySQL, MariaDB: a named lock of the session ({@code GET_LOCK}), which outlives the DDL's implicit commits. */
  private static void runMysql(Handle h, SqlDialect dialect, int target, boolean undo, Clock clock) {
    String name = h.createQuery("SELECT LEFT(CONCAT('replicate_audio_schema.', DATABASE()), 64)")
        .mapTo(String.class).one();
    waitFor("the MySQL lock '" + name + "'", () -> {
      Integer got = h.createQuery("SELECT GET_LOCK(:name, 0)").bind("name", name).mapTo(Integer.class).one();
      return got != null && got == 1;
    });
    try {
      work(h, dialect, target, undo, false, clock);
    } finally {
      try {
        h.createQuery("SELECT RELEASE_LOCK(:name)").bind("name", name).mapTo(Integer.class).one();
      } catch (RuntimeException e) {
        // the session is gone (its locks with it) or a failure is on its way out: don't hide it
        LOG.debug("releasing {} failed", name, e);
      }
    }
  }

  /**
   * H2: DDL commits, and H2 has no lock that outlives a commit, so a second connection holds the lock:
   * an uncommitted row of the version table that a second installer's insert of the same key waits
   * for. It is rolled back at the end; nothing of it is ever visible.
   */
  private static void runH2(Jdbi jdbi, Handle h, SqlDialect dialect, int target, boolean undo, Clock clock) {
    createVersionTable(h, dialect);
    try (Handle lock = jdbi.open()) {
      lock.begin();
      try {
        waitFor("the H2 installer lock", () -> {
          try {
            lock.createUpdate("INSERT INTO " + VERSION_TABLE + " (version, description, checksum, applied_by, applied_at)"
                    + " VALUES (:v, 'lock', '', 'lock', :at)")
                .bind("v", H2_LOCK_ROW).bind("at", SqlSupport.timestamp(dialect, SqlSupport.now(clock))).execute();
            return true;
          } catch (RuntimeException e) {
            SQLException sql = cause(e);
            if (sql != null && "HYT00".equals(sql.getSQLState())) {
              return false; // lock timeout: the other installer is still at work
            }
            throw e;
          }
        });
        work(h, dialect, target, undo, false, clock);
      } finally {
        try {
          lock.rollback();
        } catch (RuntimeException e) {
          // the lock connection is gone, and its uncommitted row with it
          LOG.debug("releasing the H2 installer lock failed", e);
        }
      }
    }
  }

  private static SQLException cause(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof SQLException) {
        return (SQLException) c;
      }
    }
    return null;
  }

  private interface Attempt {
    boolean tryOnce() throws Exception;
  }

  private static void waitFor(String what, Attempt attempt) {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    long pauseMillis = 5;
    try {
      while (!attempt.tryOnce()) {
        if (System.nanoTime() - deadline > 0) {
          throw new StorageException("another SchemaInstaller held " + what + " for over " + LOCK_WAIT.toSeconds()
              + " s; try again when it has finished", null);
        }
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(pauseMillis));
        pauseMillis = Math.min(pauseMillis * 2, 200);
      }
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void createVersionTable(Handle h, SqlDialect dialect) {
    String time;
    String text;
    String tail = "";
    switch (dialect) {
      case MYSQL:
      case MARIADB:
        time = "DATETIME(6)";
        text = "VARCHAR(255)";
        tail = " ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin";
        break;
      case SQLITE:
        time = "TEXT";
        text = "TEXT";
        break;
      default:
        time = "TIMESTAMP(6) WITH TIME ZONE";
        text = "VARCHAR(255)";
        break;
    }
    h.execute("CREATE TABLE IF NOT EXISTS " + VERSION_TABLE + " ("
        + "version INTEGER NOT NULL, "
        + "description " + text + " NOT NULL, "
        + "checksum " + text + " NOT NULL, "
        + "applied_by " + text + " NOT NULL, "
        + "applied_at " + time + " NOT NULL, "
        + "CONSTRAINT " + VERSION_TABLE + "_pk PRIMARY KEY (version))" + tail);
  }

  /** Under the lock: reads, checks and baselines the recorded versions, then steps to {@code target}. */
  private static void work(Handle h, SqlDialect dialect, int target, boolean undo, boolean transactional, Clock clock) {
    createVersionTable(h, dialect);
    List<AppliedVersion> applied = applied(h);
    if (applied.isEmpty()) {
      int found = detect(dialect, tablesIn(h));
      for (int v = 1; v <= found; v++) {
        record(h, dialect, v, APPLIED_BY_BASELINE, clock);
      }
      if (found > 0) {
        LOG.info("{}: found the tables of schema version {} without {} (installed by an earlier build);"
            + " recorded them as version {}", dialect.displayName(), found, VERSION_TABLE, found);
      }
      applied = applied(h);
    }
    int current = check(dialect, applied);
    if (!undo && target < current) {
      throw StorageException.permanent("The schema is at version " + current + ", newer than the target "
          + target + ": SchemaInstaller.migrate only upgrades; SchemaInstaller.rollbackTo(" + target
          + ") takes it back", null);
    }
    if (undo && target > current) {
      throw StorageException.permanent("The schema is at version " + current + ", older than the target "
          + target + ": SchemaInstaller.rollbackTo only goes back; SchemaInstaller.migrate(" + target
          + ") upgrades", null);
    }
    for (int v = current + 1; !undo && v <= target; v++) {
      int version = v;
      step(h, transactional, () -> {
        long start = System.nanoTime();
        h.createScript(read(resource(dialect, version, false))).executeAsSeparateStatements();
        record(h, dialect, version, APPLIED_BY_MIGRATION, clock);
        LOG.info("{}: applied schema migration {} in {} ms", dialect.displayName(), step(version).fileName(false),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      });
    }
    for (int v = current; undo && v > target; v--) {
      int version = v;
      step(h, transactional, () -> {
        long start = System.nanoTime();
        h.createScript(read(resource(dialect, version, true))).executeAsSeparateStatements();
        h.createUpdate("DELETE FROM " + VERSION_TABLE + " WHERE version = :v").bind("v", version).execute();
        LOG.info("{}: undid schema migration {} with {} in {} ms", dialect.displayName(),
            step(version).fileName(false), step(version).fileName(true),
            TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
      });
    }
  }

  private static Set<String> tablesIn(Handle h) {
    try {
      return tables(h.getConnection());
    } catch (SQLException e) {
      throw StorageErrors.translate("SchemaInstaller: listing tables", e);
    }
  }

  /** Runs one step; outside a transaction it gets one of its own (its DDL may commit early all the same). */
  private static void step(Handle h, boolean transactional, Runnable body) {
    if (transactional) {
      body.run();
    } else {
      h.useTransaction(t -> body.run());
    }
  }

  private static void record(Handle h, SqlDialect dialect, int version, String appliedBy, Clock clock) {
    h.createUpdate("INSERT INTO " + VERSION_TABLE + " (version, description, checksum, applied_by, applied_at)"
            + " VALUES (:v, :d, :c, :by, :at)")
        .bind("v", version)
        .bind("d", step(version).description())
        .bind("c", checksum(dialect, version))
        .bind("by", appliedBy)
        .bind("at", SqlSupport.timestamp(dialect, SqlSupport.now(clock)))
        .execute();
  }

  /**
   * The current version after checking the recorded ones: 1 to n without a gap, none newer than this
   * build knows, and each with the checksum of this build's script.
   */
  static int check(SqlDialect dialect, List<AppliedVersion> applied) {
    List<Integer> versions = new ArrayList<>();
    applied.forEach(a -> versions.add(a.version()));
    for (int i = 0; i < versions.size(); i++) {
      if (versions.get(i) != i + 1) {
        throw StorageException.permanent(VERSION_TABLE + " records versions " + versions
            + ", not 1 to " + versions.get(versions.size() - 1) + " without a gap: it was edited by hand;"
            + " restore the missing rows or reinstall", null);
      }
    }
    int current = versions.isEmpty() ? 0 : versions.get(versions.size() - 1);
    if (current > latest()) {
      throw StorageException.permanent("The database schema is at version " + current + " (" + VERSION_TABLE
          + "), newer than this replicate-audio-jdbi supports (versions 0 to " + latest() + "): a newer build"
          + " migrated it. Use that build, or roll the schema back with its SchemaInstaller.rollbackTo("
          + latest() + ")", null);
    }
    for (AppliedVersion a : applied) {
      String expected = checksum(dialect, a.version());
      if (!expected.equals(a.checksum())) {
        throw StorageException.permanent(VERSION_TABLE + " records migration " + a.version() + " ("
            + a.description() + ") with checksum " + a.checksum() + ", but this build's "
            + resource(dialect, a.version(), false) + " has " + expected + ": the applied script differs from"
            + " this build's, so the schema may not be what this build expects", null);
      }
    }
    return current;
  }
}
