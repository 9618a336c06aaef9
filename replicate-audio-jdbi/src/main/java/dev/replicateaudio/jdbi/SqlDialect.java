package dev.replicateaudio.jdbi;

import dev.replicateaudio.port.StorageException;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The databases replicate-audio-jdbi works with, the oldest version of each it accepts, and what
 * each can do that the stores rely on. The stores detect the dialect from the connection's
 * {@link DatabaseMetaData} ({@link #detect(Connection)}); hosts rarely need it, except to pick a
 * schema file ({@link #schemaResource()}) or a completion bridge ({@link #listenNotify()}).
 *
 * <table>
 *   <caption>Dialects</caption>
 *   <tr><th>dialect</th><th>oldest version</th><th>stale-job sweep</th><th>large audio</th>
 *       <th>cross-instance wake</th></tr>
 *   <tr><td>{@link #H2}</td><td>2.1.214</td><td>{@code FOR UPDATE SKIP LOCKED}</td><td>streamed LOB</td>
 *       <td>polling</td></tr>
 *   <tr><td>{@link #POSTGRESQL}</td><td>12</td><td>{@code FOR UPDATE SKIP LOCKED}</td>
 *       <td>streamed bytea, read back in slices</td><td>{@code LISTEN}/{@code NOTIFY} (or polling)</td></tr>
 *   <tr><td>{@link #MYSQL}</td><td>8.0.1</td><td>{@code FOR UPDATE SKIP LOCKED}</td><td>256 KiB chunk rows</td>
 *       <td>polling</td></tr>
 *   <tr><td>{@link #MARIADB}</td><td>10.6</td><td>{@code FOR UPDATE SKIP LOCKED}</td><td>256 KiB chunk rows</td>
 *       <td>polling</td></tr>
 *   <tr><td>{@link #SQLITE}</td><td>3.35.0</td><td>one writer at a time (no lock clause needed)</td>
 *       <td>256 KiB chunk rows</td><td>polling</td></tr>
 * </table>
 *
 * <p>MariaDB is told apart from MySQL by its version string: MySQL Connector/J reports a MariaDB
 * server as product {@code MySQL}, version {@code 5.5.5-10.11.19-MariaDB...}.
 *
 * <p>This enum is immutable and thread-safe.
 */
public enum SqlDialect {
  /** H2 2.x, embedded or as a server. */
  H2("H2", "h2", "dev/replicateaudio/jdbi/schema/h2.sql", "2.1.214", "the H2 2.x SQL of its schema and statements",
      true, false, false, LargeValues.STREAMED, List.of("h2")),
  /** PostgreSQL 12 or later. */
  POSTGRESQL("PostgreSQL", "postgresql", "dev/replicateaudio/jdbi/schema/postgresql.sql", "12",
      "the oldest release its schema is written for", true, true, true,
      LargeValues.SLICED_READS, List.of("postgresql")),
  /** MySQL 8.0.1 or later (InnoDB). */
  MYSQL("MySQL", "mysql", "dev/replicateaudio/jdbi/schema/mysql.sql", "8.0.1", "FOR UPDATE SKIP LOCKED",
      true, false, false, LargeValues.CHUNKED, List.of("mysql")),
  /** MariaDB 10.6 or later (InnoDB); shares MySQL's schema file and statements unless it overrides one. */
  MARIADB("MariaDB", "mariadb", "dev/replicateaudio/jdbi/schema/mysql.sql", "10.6", "FOR UPDATE SKIP LOCKED",
      true, false, false, LargeValues.CHUNKED, List.of("mariadb", "mysql")),
  /** SQLite 3.35.0 or later, through the xerial sqlite-jdbc driver. */
  SQLITE("SQLite", "sqlite", "dev/replicateaudio/jdbi/schema/sqlite.sql", "3.35.0", "RETURNING and UPSERT",
      false, true, false, LargeValues.CHUNKED, List.of("sqlite"));

  /** How a dialect stores and reads back audio of tens of megabytes with flat heap. */
  public enum LargeValues {
    /** One LOB column; the driver streams it in and out. */
    STREAMED,
    /** One binary column, streamed in; read back in 256 KiB slices, since the driver receives a value whole. */
    SLICED_READS,
    /**
     * 256 KiB rows of a chunk table ({@code ra_audio_chunks}) written in the same transaction as the
     * audio row, since the drivers hold a whole value in memory.
     */
    CHUNKED
  }

  private static final Pattern VERSION = Pattern.compile("(\\d+)(?:\\.(\\d+))?(?:\\.(\\d+))?");
  private static final Pattern MARIADB_VIA_MYSQL = Pattern.compile("^5\\.5\\.5-");

  private final String displayName;
  private final String key;
  private final String schemaResource;
  private final String minimumVersion;
  private final String minimumReason;
  private final boolean skipLocked;
  private final boolean updateReturning;
  private final boolean listenNotify;
  private final LargeValues largeValues;
  private final List<String> sqlDirectories;

  SqlDialect(String displayName, String key, String schemaResource, String minimumVersion, String minimumReason,
      boolean skipLocked, boolean updateReturning, boolean listenNotify, LargeValues largeValues,
      List<String> sqlDirectories) {
    this.displayName = displayName;
    this.key = key;
    this.schemaResource = schemaResource;
    this.minimumVersion = minimumVersion;
    this.minimumReason = minimumReason;
    this.skipLocked = skipLocked;
    this.updateReturning = updateReturning;
    this.listenNotify = listenNotify;
    this.largeValues = largeValues;
    this.sqlDirectories = sqlDirectories;
  }

  /**
   * The database's name for people, as messages print it.
   *
   * @return for example {@code MariaDB} or {@code PostgreSQL}
   */
  public String displayName() {
    return displayName;
  }

  /**
   * The lower-case key naming this dialect's SQL directory, the first of {@link #sqlDirectories()}.
   *
   * @return for example {@code mariadb}
   */
  public String key() {
    return key;
  }

  /**
   * The classpath resource of this database's schema script, for hosts that migrate with Flyway
   * or Liquibase. MySQL and MariaDB share {@code mysql.sql}.
   *
   * @return a path for {@link ClassLoader#getResource}, without a leading slash, for example
   *     {@code dev/replicateaudio/jdbi/schema/postgresql.sql}
   */
  public String schemaResource() {
    return schemaResource;
  }

  /**
   * The oldest server version {@link #detect} accepts; versions compare by their first three
   * numbers.
   *
   * @return for example {@code 10.6} (MariaDB) or {@code 12} (PostgreSQL)
   */
  public String minimumVersion() {
    return minimumVersion;
  }

  /**
   * Whether a locking read can skip rows other transactions hold ({@code FOR UPDATE SKIP LOCKED}).
   *
   * @return true on every dialect but {@link #SQLITE}, which has one writer at a time and needs no
   *     row locks
   */
  public boolean skipLocked() {
    return skipLocked;
  }

  /**
   * Whether {@code UPDATE ... RETURNING} exists.
   *
   * @return true on {@link #POSTGRESQL} and {@link #SQLITE}; false on {@link #H2}, {@link #MYSQL} and
   *     {@link #MARIADB} (10.x has no {@code UPDATE ... RETURNING})
   */
  public boolean updateReturning() {
    return updateReturning;
  }

  /**
   * Whether the server pushes notifications ({@code LISTEN}/{@code NOTIFY}): then
   * {@link PostgresCompletionBridge} wakes other instances; elsewhere {@link PollingCompletionBridge}.
   *
   * @return true on {@link #POSTGRESQL} only
   */
  public boolean listenNotify() {
    return listenNotify;
  }

  /**
   * How audio of tens of megabytes is stored and read back here.
   *
   * @return {@link LargeValues#STREAMED} on H2, {@link LargeValues#SLICED_READS} on PostgreSQL,
   *     {@link LargeValues#CHUNKED} on MySQL, MariaDB and SQLite
   */
  public LargeValues largeValues() {
    return largeValues;
  }

  /**
   * The directories under {@code dev/replicateaudio/jdbi/sql/} searched for a statement, most
   * specific first; {@code common} is searched after them.
   *
   * @return an unmodifiable list, for example {@code [mariadb, mysql]} for {@link #MARIADB}
   */
  public List<String> sqlDirectories() {
    return sqlDirectories;
  }

  /**
   * The dialect of the database behind {@code connection}, its version checked, as
   * {@link #detect(String, String)} does with the connection's product name and version. Runs no
   * statement; the connection stays open.
   *
   * @param connection an open connection to the database
   * @return the dialect
   * @throws NullPointerException if {@code connection} is null
   * @throws StorageException (permanent) for an unsupported database, or a version older than
   *     {@link #minimumVersion()}, naming the version found and the one needed
   * @throws SQLException when the connection's metadata can't be read
   */
  public static SqlDialect detect(Connection connection) throws SQLException {
    Objects.requireNonNull(connection, "connection == null");
    DatabaseMetaData meta = connection.getMetaData();
    return detect(meta.getDatabaseProductName(), meta.getDatabaseProductVersion());
  }

  /**
   * The dialect for a product name and version as {@link DatabaseMetaData} reports them. The
   * product name is matched ignoring case and surrounding whitespace; a {@code MySQL} product whose
   * version contains {@code MariaDB} is {@link #MARIADB}, its {@code 5.5.5-} prefix dropped before
   * the version check. Only the leading {@code major[.minor[.patch]]} of the version is read.
   *
   * @param productName for example {@code PostgreSQL}; null is treated as unsupported
   * @param productVersion for example {@code 16.4 (Debian 16.4-1)}; null is treated as unreadable
   * @return the dialect
   * @throws StorageException (permanent) for an unsupported product, or a version older than
   *     {@link #minimumVersion()}, naming the version found and the one needed
   */
  public static SqlDialect detect(String productName, String productVersion) {
    String product = productName == null ? "" : productName.trim().toLowerCase(Locale.ROOT);
    String version = productVersion == null ? "" : productVersion.trim();
    SqlDialect dialect;
    switch (product) {
      case "h2":
        dialect = H2;
        break;
      case "postgresql":
        dialect = POSTGRESQL;
        break;
      case "mysql":
      case "mariadb":
        dialect = product.equals("mariadb") || version.contains("MariaDB") ? MARIADB : MYSQL;
        if (dialect == MARIADB) {
          version = MARIADB_VIA_MYSQL.matcher(version).replaceFirst("");
        }
        break;
      case "sqlite":
        dialect = SQLITE;
        break;
      default:
        throw StorageException.permanent("Unsupported database '" + productName + "' (version " + productVersion
            + "): replicate-audio-jdbi works with H2 " + H2.minimumVersion + "+, PostgreSQL "
            + POSTGRESQL.minimumVersion + "+, MySQL " + MYSQL.minimumVersion + "+, MariaDB " + MARIADB.minimumVersion
            + "+ and SQLite " + SQLITE.minimumVersion + "+", null);
    }
    dialect.checkVersion(version);
    return dialect;
  }

  /**
   * The dialect family a JDBC URL names, before connecting: {@code jdbc:mysql:} gives
   * {@link #MYSQL} even though the server behind it may turn out to be MariaDB. The prefix is
   * matched ignoring case; the rest of the URL is not checked.
   *
   * @param jdbcUrl a JDBC URL, for example {@code jdbc:postgresql://db/app}
   * @return the dialect of {@code jdbc:h2:}, {@code jdbc:postgresql:}, {@code jdbc:mysql:},
   *     {@code jdbc:mariadb:} or {@code jdbc:sqlite:} URLs; empty for any other URL
   * @throws NullPointerException if {@code jdbcUrl} is null
   */
  public static Optional<SqlDialect> ofUrl(String jdbcUrl) {
    String u = Objects.requireNonNull(jdbcUrl, "jdbcUrl == null").toLowerCase(Locale.ROOT);
    if (u.startsWith("jdbc:h2:")) {
      return Optional.of(H2);
    }
    if (u.startsWith("jdbc:postgresql:")) {
      return Optional.of(POSTGRESQL);
    }
    if (u.startsWith("jdbc:mysql:")) {
      return Optional.of(MYSQL);
    }
    if (u.startsWith("jdbc:mariadb:")) {
      return Optional.of(MARIADB);
    }
    if (u.startsWith("jdbc:sqlite:")) {
      return Optional.of(SQLITE);
    }
    return Optional.empty();
  }

  private void checkVersion(String version) {
    int[] found = parse(version);
    int[] needed = parse(minimumVersion);
    if (found == null) {
      throw StorageException.permanent(displayName + " reports version '" + version + "', which replicate-audio-jdbi"
          + " can't read; it needs " + displayName + " " + minimumVersion + " or later (" + minimumReason + ")", null);
    }
    for (int i = 0; i < 3; i++) {
      if (found[i] != needed[i]) {
        if (found[i] < needed[i]) {
          throw StorageException.permanent(displayName + " " + version + " is too old: replicate-audio-jdbi needs "
              + displayName + " " + minimumVersion + " or later (" + minimumReason + ")", null);
        }
        return;
      }
    }
  }

  private static int[] parse(String version) {
    Matcher m = VERSION.matcher(version);
    if (!m.lookingAt()) {
      return null;
    }
    int[] v = new int[3];
    for (int i = 0; i < 3; i++) {
      String g = m.group(i + 1);
      v[i] = g == null ? 0 : Integer.parseInt(g);
    }
    return v;
  }
}
