package dev.replicateaudio.examples;

import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.port.GenerationJobStore;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The quickstart through the Spring Boot starter: a Spring Boot application (Spring MVC on an
 * ephemeral port, actuator, Prometheus) whose whole pipeline comes from
 * {@code replicate-audio-spring-boot4-starter} and {@code replicate-audio.*} properties, runs the
 * quickstart's batch (8 sound effects, 1 background music) against the local
 * {@link ReplicateSimulator}, whose webhooks reach the starter's controller; H2 in memory. Then it
 * reads its own {@code /actuator/health} and {@code /actuator/prometheus} and prints the status and
 * the {@code replicate_audio_*} lines.
 *
 * <pre>
 * mvn -q -B -DskipTests -pl replicate-audio-examples -am package exec:java \
 *     -Dexec.mainClass=dev.replicateaudio.examples.SpringBootQuickstart
 * </pre>
 *
 * <p>Exit code 0 when every item succeeded and the health is UP, 1 otherwise.
 */
public final class SpringBootQuickstart {
  private SpringBootQuickstart() {
  }

  /** The application: nothing but auto-configuration (no component scan). */
  @SpringBootConfiguration(proxyBeanMethods = false)
  @EnableAutoConfiguration
  public static class Application {
  }

  public static void main(String[] args) throws Exception {
    int code = run(System.getenv(), System.out);
    if (code != 0) {
      System.exit(code);
    }
  }

  /** Runs the example with {@code env} as the environment (ffmpeg paths), printing to {@code out}. */
  public static int run(Map<String, String> env, PrintStream out) throws Exception {
    ReplicateAudioSettings ffmpeg = ExampleFfmpeg.resolve(ReplicateAudioSettings.fromEnvironment(env));
    try (ReplicateSimulator simulator = ReplicateSimulator.builder().ffmpeg(ffmpeg)
        .processingTime(Duration.ofMillis(300)).start()) {
      // what an application.yml would say; the simulator stands in for api.replicate.com
      Map<String, Object> properties = new LinkedHashMap<>();
      properties.put("server.port", 0);
      properties.put("server.address", "127.0.0.1");
      properties.put("spring.main.banner-mode", "off");
      properties.put("logging.level.root", "warn");
      // Tomcat's leak check names the JDK's shared CompletableFuture timer thread, which is no leak
      properties.put("logging.level.org.apache.catalina.loader.WebappClassLoaderBase", "error");
      properties.put("management.endpoints.web.exposure.include", "health,prometheus");
      properties.put("management.endpoint.health.show-details", "always");
      properties.put("replicate-audio.api.token", simulator.apiToken());
      properties.put("replicate-audio.api.base-url", simulator.baseUrl());
      properties.put("replicate-audio.webhook.secret", simulator.webhookSecret());
      properties.put("replicate-audio.webhook.base-url", "http://127.0.0.1:${local.server.port}/hooks/replicate");
      properties.put("replicate-audio.download.allowed-hosts", "127.0.0.1");
      properties.put("replicate-audio.database.url", "jdbc:h2:mem:spring-quickstart-" + ProcessHandle.current().pid());
      properties.put("replicate-audio.ffmpeg.path", ffmpeg.ffmpegPath());
      properties.put("replicate-audio.ffmpeg.ffprobe-path", ffmpeg.ffprobePath());

      try (ConfigurableApplicationContext context = new SpringApplicationBuilder(Application.class)
          .properties(properties).logStartupInfo(false).run()) {
        String base = "http://127.0.0.1:" + context.getEnvironment().getProperty("local.server.port");
        out.printf(Locale.ROOT, "replicate-audio Spring Boot quickstart%n  application: %s (webhooks: POST %s)%n"
            + "  Replicate:   local simulator at %s%n%n", base, base + "/hooks/replicate", simulator.baseUrl());
        int batch = SoundEffectsPipeline.runBatch(context.getBean(ReplicateAudio.class),
            context.getBean(GenerationJobStore.class), Map.of(), false, out);

        HttpClient http = HttpClient.newHttpClient();
        String health = get(http, base + "/actuator/health");
        String status = health.contains("\"status\":\"UP\"") ? "UP" : "NOT UP";
        out.printf(Locale.ROOT, "%n/actuator/health: %s%n", status);
        List<String> meters = get(http, base + "/actuator/prometheus").lines()
            .filter(l -> l.startsWith("replicate_audio_")).collect(Collectors.toList());
        List<String> nonZero = meters.stream().filter(l -> !l.endsWith(" 0") && !l.endsWith(" 0.0"))
            .collect(Collectors.toList());
        out.printf(Locale.ROOT, "/actuator/prometheus: %d replicate_audio_* series, %d of them not zero:%n",
            meters.size(), nonZero.size());
        nonZero.forEach(l -> out.println("  " + l));
        return batch == 0 && status.equals("UP") ? 0 : 1;
      }
    }
  }

  private static String get(HttpClient http, String url) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url)).build(),
        HttpResponse.BodyHandlers.ofString());
    return r.body();
  }
}
