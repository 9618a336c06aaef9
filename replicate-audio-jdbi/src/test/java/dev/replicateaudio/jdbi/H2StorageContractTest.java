package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.h2.tools.Server;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/** The storage contract on H2 2.x (a file database, as the default URL uses). */
class H2StorageContractTest extends StorageContractTest {
  @Override
  TestDatabase openDatabase() {
    return H2FileDatabase.create();
  }

  @Override
  DisposableServer startDisposableServer() throws Exception {
    Server server = Server.createTcpServer("-tcpPort", "0", "-ifNotExists").start();
    String url = "jdbc:h2:tcp://127.0.0.1:" + server.getPort() + "/mem:down-" + UUID.randomUUID();
    return new DisposableServer() {
      @Override
      public DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(url).poolName(poolName);
      }

      @Override
      public void close() {
        server.stop();
      }
    };
  }

  /**
   * The 50 MB measurement runs against H2 in a server process of its own. Embedded in this JVM, H2's
   * MVStore engine itself buffers a large LOB's pages on the heap until its background writer saves
   * them: 40 to 100 MB for 50 MB stored through plain JDBC, varying run to run, whatever the caller
   * does. In its own process that buffering leaves this heap, and what remains is what this library
   * and the H2 client driver hold.
   */
  @Override
  HeapTarget heapTarget() throws Exception {
    Path baseDir = Files.createTempDirectory(TestTmp.dir(), "h2-server-");
    String h2Jar = Path.of(org.h2.Driver.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    Process server = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", h2Jar, "org.h2.tools.Server", "-tcp", "-tcpPort", "0", "-ifNotExists",
        "-baseDir", baseDir.toString())
        .redirectErrorStream(true)
        .start();
    HikariDataSource pool = null;
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
      String line;
      int port = -1;
      while (port < 0 && (line = out.readLine()) != null) {
        Matcher m = Pattern.compile("TCP server running at tcp://[^:]+:(\\d+)").matcher(line);
        if (m.find()) {
          port = Integer.parseInt(m.group(1));
        }
      }
      assertThat(port).as("port of the H2 server process").isPositive();
      pool = extraPool(DatabaseSettings.builder().url("jdbc:h2:tcp://127.0.0.1:" + port + "/./audio")
          .poolName(poolName("h2-server")).poolSize(1));
      SchemaInstaller.install(pool);
      JdbiAudioStore store = JdbiAudioStore.builder(Jdbi.create(pool)).clock(clock).build();
      HikariDataSource opened = pool;
      return new HeapTarget() {
        @Override
        public JdbiAudioStore store() {
          return store;
        }

        @Override
        public void close() throws Exception {
          opened.close();
          stop(server, baseDir);
        }
      };
    } catch (Exception | AssertionError e) {
      if (pool != null) {
        pool.close();
      }
      stop(server, baseDir);
      throw e;
    }
  }

  private static void stop(Process server, Path baseDir) throws Exception {
    server.destroy();
    if (!server.waitFor(30, TimeUnit.SECONDS)) {
      server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
    assertThat(server.isAlive()).as("H2 server process still running").isFalse();
    try (Stream<Path> files = Files.walk(baseDir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void theSessionSettingsFromTheStatementTimeoutAreApplied() {
    // DB_STATEMENT_TIMEOUT defaults to 30 s: H2's LOCK_TIMEOUT and QUERY_TIMEOUT follow it
    assertThat(queryOne("SELECT LOCK_TIMEOUT()", Integer.class)).isEqualTo(30_000);
    assertThat(queryOne("SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_TIMEOUT'",
        String.class)).isEqualTo("30000");
  }
}
