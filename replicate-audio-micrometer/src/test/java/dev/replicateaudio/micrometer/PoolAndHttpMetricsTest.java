package dev.replicateaudio.micrometer;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.jdbi.DatabaseSettings;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.sql.Connection;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;

/** HikariCP's own tracker for the pool; OkHttp metrics with fixed uri templates. */
class PoolAndHttpMetricsTest {
  @StartStop final MockWebServer server = new MockWebServer();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @Test
  void thePoolReportsThroughHikarisTrackerUnderItsPoolName() throws Exception {
    DatabaseSettings settings = DatabaseSettings.builder().url("jdbc:h2:mem:pool-metrics-" + System.nanoTime())
        .poolName("replicate-audio").poolSize(2).build();
    try (HikariDataSource pool = new HikariDataSource(HikariMetrics.track(settings.toHikariConfig(), registry))) {
      try (Connection c = pool.getConnection()) {
        assertThat(registry.get("hikaricp.connections.active").tags("pool", "replicate-audio").gauge().value())
            .isEqualTo(1);
      }
      assertThat(registry.get("hikaricp.connections.max").tags("pool", "replicate-audio").gauge().value())
          .isEqualTo(12);
      assertThat(registry.get("hikaricp.connections.acquire").timer().count()).isGreaterThanOrEqualTo(1);
    }
  }

  @Test
  void httpCallsAreTimedWithFixedUriTemplates() throws Exception {
    OkHttpClient client = new OkHttpClient.Builder().eventListener(OkHttpMetrics.eventListener(registry)).build();
    try {
      for (String path : new String[] {"/v1/predictions", "/v1/predictions/abc123", "/v1/predictions/abc/cancel",
          "/v1/webhooks/default/secret", "/files/xyz/out.wav"}) {
        server.enqueue(new MockResponse.Builder().body("{}").build());
        try (Response r = client.newCall(new Request.Builder().url(server.url(path)).build()).execute()) {
          assertThat(r.code()).isEqualTo(200);
        }
      }
    } finally {
      client.dispatcher().executorService().shutdown();
      client.connectionPool().evictAll();
    }
    assertThat(registry.get(OkHttpMetrics.REQUESTS).timers()).extracting(t -> t.getId().getTag("uri"))
        .containsExactlyInAnyOrder("/predictions", "/predictions/{id}", "/predictions/{id}/cancel",
            "/webhooks/default/secret", "download");
  }
}
