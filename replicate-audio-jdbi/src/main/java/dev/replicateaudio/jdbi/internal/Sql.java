package dev.replicateaudio.jdbi.internal;

import dev.replicateaudio.jdbi.SqlDialect;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import org.jdbi.v3.core.locator.ClasspathSqlLocator;
import org.jdbi.v3.core.statement.ColonPrefixSqlParser;
import org.jdbi.v3.core.statement.ParsedSql;

/**
 * The module's SQL, one statement per classpath file: {@code dev/replicateaudio/jdbi/sql/<dir>/<name>.sql},
 * looked up in the dialect's own directories first ({@link SqlDialect#sqlDirectories()}, MariaDB
 * falling back to MySQL's) and then in {@code common}. A dialect overrides a shared statement by
 * a file of the same name. Comments are removed; Jdbi's {@code <name>} attributes and
 * {@code :name} parameters stay. Loaded once per dialect and name.
 *
 * <p>The few differences in flow, not in text, are named here too, so that the stores branch on
 * what a dialect does rather than on which one it is.
 */
public final class Sql {
  private static final String ROOT = "dev/replicateaudio/jdbi/sql/";
  private static final ClasspathSqlLocator LOCATOR = ClasspathSqlLocator.removingComments();
  private static final Map<String, String> CACHE = new ConcurrentHashMap<>();
  private static final Map<String, ParsedSql> PARSED = new ConcurrentHashMap<>();

  private Sql() {
  }

  /**
   * The statement {@code name} for {@code dialect}.
   *
   * @throws IllegalStateException when no directory holds it (a packaging bug)
   */
  public static String get(SqlDialect dialect, String name) {
    Objects.requireNonNull(dialect, "dialect == null");
    Objects.requireNonNull(name, "name == null");
    return CACHE.computeIfAbsent(dialect.key() + "/" + name, k -> load(dialect, name));
  }

  /**
   * The statement {@code name} for {@code dialect} with its {@code :name} parameters replaced by
   * {@code ?} (by Jdbi's own parser), and their names in order: for a hot statement run on plain
   * JDBC, without Jdbi's per-call binding.
   *
   * @throws IllegalStateException when no directory holds it (a packaging bug)
   */
  public static ParsedSql parsed(SqlDialect dialect, String name) {
    Objects.requireNonNull(dialect, "dialect == null");
    Objects.requireNonNull(name, "name == null");
    return PARSED.computeIfAbsent(dialect.key() + "/" + name,
        k -> new ColonPrefixSqlParser().parse(get(dialect, name), null));
  }

  private static String load(SqlDialect dialect, String name) {
    ClassLoader loader = Sql.class.getClassLoader();
    for (String dir : dialect.sqlDirectories()) {
      String path = ROOT + dir + "/" + name + ".sql";
      if (loader.getResource(path) != null) {
        return LOCATOR.getResource(loader, path).strip();
      }
    }
    String common = ROOT + "common/" + name + ".sql";
    if (loader.getResource(common) == null) {
      throw new IllegalStateException("no SQL file " + name + ".sql for " + dialect.displayName() + " under " + ROOT
          + dialect.sqlDirectories() + " or common");
    }
    return LOCATOR.getResource(loader, common).strip();
  }

  /**
   * Whether inserting a job reports an ambiguous count (MySQL and MariaDB count a duplicate that
   * changed nothing as 1 under the default {@code CLIENT_FOUND_ROWS}): the claim then inserts the
   * job PENDING and claims it with the same conditional update as an existing one.
   */
  public static boolean insertCountIsAmbiguous(SqlDialect dialect) {
    return dialect == SqlDialect.MYSQL || dialect == SqlDialect.MARIADB;
  }

  /**
   * Whether a unique violation of the insert surfaces as an exception that leaves the transaction
   * usable (H2), instead of being skipped in SQL.
   */
  public static boolean insertRaisesUniqueViolation(SqlDialect dialect) {
    return dialect == SqlDialect.H2;
  }

  /**
   * Whether the stale-job sweep reads its candidates without locks and then locks them by key
   * (MySQL, MariaDB: InnoDB would lock every row its sort touches), instead of one locking read.
   */
  public static boolean sweepLocksCandidatesByKey(SqlDialect dialect) {
    return dialect == SqlDialect.MYSQL || dialect == SqlDialect.MARIADB;
  }

  /**
   * Whether the claim's conditional update returns the claimed row in the same statement
   * ({@code job_claim_pending_returning}: {@code UPDATE ... RETURNING} on PostgreSQL and SQLite,
   * {@code FINAL TABLE (UPDATE ...)} on H2), instead of an update followed by a select. MySQL has no
   * such form, nor has MariaDB before 11 for an {@code UPDATE}.
   */
  public static boolean claimReturnsRow(SqlDialect dialect) {
    return dialect == SqlDialect.POSTGRESQL || dialect == SqlDialect.SQLITE || dialect == SqlDialect.H2;
  }

  /**
   * Whether finishing a job (its fenced move and its result row) is one statement ({@code job_finish}:
   * a data-modifying {@code WITH} on PostgreSQL), instead of an update and an insert.
   */
  public static boolean finishesInOneStatement(SqlDialect dialect) {
    return dialect == SqlDialect.POSTGRESQL;
  }
}
