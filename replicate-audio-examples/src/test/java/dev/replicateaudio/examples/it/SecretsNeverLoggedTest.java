package dev.replicateaudio.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The API token, the webhook secret and database passwords never appear in a log line or an
 * exception, at any level: {@link SecretsInLogsMain} runs the pipeline and its failures in a JVM of
 * its own with slf4j (the adapters, Jdbi, HikariCP, the simulator), {@code System.Logger} (the core,
 * routed to slf4j) and {@code java.util.logging} (drivers, OkHttp) all at TRACE, and every exception
 * printed with its causes; all of its output is searched.
 */
class SecretsNeverLoggedTest {
  @TempDir Path dir;

  @Test
  void noSecretAppearsInAnyLogLineOrExceptionAtTrace() throws Exception {
    Path julConfig = dir.resolve("logging.properties");
    Files.writeString(julConfig, "handlers=java.util.logging.ConsoleHandler\n.level=ALL\n"
        + "java.util.logging.ConsoleHandler.level=ALL\n");
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx256m",
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
        "-Dorg.slf4j.simpleLogger.defaultLogLevel=trace",
        "-Djava.util.logging.config.file=" + julConfig,
        "-Dsun.net.httpserver.nodelay=true",
        "-cp", System.getProperty("java.class.path"), SecretsInLogsMain.class.getName()));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String out;
    try (InputStream in = p.getInputStream()) {
      out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } finally {
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
      }
    }
    Files.writeString(dir.resolve("child-output.txt"), out);

    assertThat(p.exitValue()).as(tail(out)).isZero();
    assertThat(out).as("the run reached its end").contains("SECRETS-MAIN-DONE");
    // the run did log at TRACE/DEBUG from the core, the adapters and the libraries, and printed the failures
    assertThat(out).contains("TRACE").contains("DEBUG dev.replicateaudio").contains("com.zaxxer.hikari")
        .contains("ReplicateApiException").contains("ConfigurationException").contains("StorageException")
        .contains("outcome: CompletionOutcome[status=SUCCEEDED").contains("wrong secret: WebhookResponse[statusCode=401")
        .contains("bad body: WebhookResponse[statusCode=400").contains("<masked>");
    assertThat(out.lines().count()).as("lines of output").isGreaterThan(300);
    for (String secret : List.of(SecretsInLogsMain.TOKEN, SecretsInLogsMain.WEBHOOK_KEY, SecretsInLogsMain.DB_PASSWORD,
        SecretsInLogsMain.URL_PASSWORD, SecretsInLogsMain.TOKEN.substring(3, 16),
        SecretsInLogsMain.WEBHOOK_KEY.substring(0, 12), SecretsInLogsMain.DB_PASSWORD.substring(0, 12),
        SecretsInLogsMain.URL_PASSWORD.substring(0, 12))) {
      List<String> lines = out.lines().filter(l -> l.contains(secret)).limit(5).toList();
      assertThat(lines).as("lines showing a secret (%s)", secret.substring(0, 4) + "...").isEmpty();
    }
  }

  private static String tail(String out) {
    return out.length() < 4000 ? out : out.substring(out.length() - 4000);
  }
}
