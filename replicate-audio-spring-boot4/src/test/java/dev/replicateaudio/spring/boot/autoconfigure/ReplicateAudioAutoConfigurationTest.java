package dev.replicateaudio.spring.boot.autoconfigure;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.micrometer.ReplicateAudioMetrics;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.port.AudioDownloader;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.port.TransactionRunner;
import dev.replicateaudio.testing.FakeAudioDownloader;
import dev.replicateaudio.testing.FakePredictionClient;
import dev.replicateaudio.testing.InMemoryStorage;
import dev.replicateaudio.testing.TestFfmpeg;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.InputStream;
import java.sql.Connection;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ForkJoinPool;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.test.context.FilteredClassLoader;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

class ReplicateAudioAutoConfigurationTest {
  private static final AutoConfigurations ALL = AutoConfigurations.of(ReplicateAudioMetricsAutoConfiguration.class,
      ReplicateAudioAutoConfiguration.class, ReplicateAudioHealthAutoConfiguration.class);

  private final ApplicationContextRunner runner = new ApplicationContextRunner().withConfiguration(ALL);

  private static String[] ownDatabase(String... more) {
    String[] db = {"replicate-audio.database.url=" + TestSupport.h2Url("ctx")};
    String[] all = new String[db.length + more.length];
    System.arraycopy(db, 0, all, 0, db.length);
    System.arraycopy(more, 0, all, db.length, more.length);
    return TestSupport.required(all);
  }

  @Test
  void theDefaultsCreateThePipelineOnAPoolOfItsOwnThatIsNoDataSourceBean() {
    runner.withPropertyValues(ownDatabase()).run(ctx -> {
      assertThat(ctx).hasNotFailed()
          .hasSingleBean(ReplicateAudio.class).hasSingleBean(FfmpegRunner.class).hasSingleBean(ReplicateClient.class)
          .hasSingleBean(OkHttpAudioDownloader.class).hasSingleBean(WebhookEndpoint.class)
          .hasSingleBean(ReplicateAudioLifecycle.class).hasSingleBean(ReplicateAudioHealthIndicator.class)
          .doesNotHaveBean(DataSource.class).doesNotHaveBean(ReplicateAudioMetrics.class)
          .doesNotHaveBean(ReplicateAudioWebhookController.class);
      ReplicateAudioDatabase db = ctx.getBean(ReplicateAudioDatabase.class);
      assertThat(db.ownsPool()).isTrue();
      assertThat(db.isPostgres()).isFalse();
      assertThat(ctx.getBean(ReplicateAudioBridge.class).postgres()).isEmpty();
      assertThat(ctx.getBean(ReplicateAudio.class).webhookUrl(dev.replicateaudio.ContentKey.soundEffect(3)))
          .hasToString("https://example.com/hooks/replicate?content_type=sound_effect&content_id=3");
    });
  }

  @Test
  void aMissingTokenSecretAndBaseUrlFailStartupNamingEachPropertyAndVariable() {
    runner.withPropertyValues("replicate-audio.database.url=" + TestSupport.h2Url("missing")).run(ctx -> {
      assertThat(ctx).hasFailed();
      ConfigurationException e = rootConfigurationException(ctx.getStartupFailure());
      assertThat(e.problems()).hasSize(3);
      assertThat(e.getMessage())
          .contains("replicate-audio.api.token is not set, and neither is the variable REPLICATE_API_TOKEN")
          .contains("replicate-audio.webhook.secret is not set, and neither is the variable REPLICATE_WEBHOOK_SECRET")
          .contains("replicate-audio.webhook.base-url is not set, and neither is the variable REPLICATE_WEBHOOK_BASE_URL");
    });
  }

  @Test
  void invalidValuesAreReportedAllAtOnceByPropertyAndVariable() {
    runner.withPropertyValues(ownDatabase("replicate-audio.ffmpeg.timeout=0", "replicate-audio.ffmpeg.max-concurrency=0",
        "replicate-audio.database.pool-size=0", "REPLICATE_DOWNLOAD_TIMEOUT=soon", "DB_POOL_TIMEOUT=-3",
        "replicate-audio.silence-threshold=60dB")).run(ctx -> {
          ConfigurationException e = rootConfigurationException(ctx.getStartupFailure());
          assertThat(e.problems()).hasSize(6);
          assertThat(e.getMessage())
              .contains("replicate-audio.ffmpeg.timeout: ffmpegTimeout=")
              .contains("replicate-audio.ffmpeg.max-concurrency: maxConcurrentFfmpeg=0")
              .contains("replicate-audio.database.pool-size: poolSize=0")
              .contains("replicate-audio.silence-threshold: silenceThreshold='60dB'")
              .contains("REPLICATE_DOWNLOAD_TIMEOUT='soon'")
              .contains("DB_POOL_TIMEOUT='-3'");
        });
  }

  @Test
  void aPropertyBeatsItsVariableWhichBeatsTheDefault() {
    runner.withPropertyValues(ownDatabase("replicate-audio.ffmpeg.timeout=7", "REPLICATE_FFMPEG_TIMEOUT=9",
        "REPLICATE_DOWNLOAD_TIMEOUT=2.5", "replicate-audio.download.max-file-size=2MB", "DB_POOL_SIZE=3",
        "replicate-audio.wait-timeout=PT2M")).run(ctx -> {
          ReplicateAudioSettings s = ctx.getBean(ReplicateAudioSettings.class);
          assertThat(s.ffmpegTimeout()).isEqualTo(Duration.ofSeconds(7));
          assertThat(s.downloadTimeout()).isEqualTo(Duration.ofMillis(2500));
          assertThat(s.soundEffectsTimeout()).isEqualTo(ReplicateAudioSettings.DEFAULT_SOUND_EFFECTS_TIMEOUT);
          assertThat(s.maxFileSize()).isEqualTo(2L << 20);
          assertThat(s.webhookTimeout()).isEqualTo(Duration.ofMinutes(2));
          assertThat(ctx.getBean(ReplicateAudioDatabase.class).ownSettings().orElseThrow().poolSize()).isEqualTo(3);
        });
    runner.withPropertyValues(TestSupport.required("REPLICATE_API_TOKEN=r8_from_variable",
        "replicate-audio.database.url=" + TestSupport.h2Url("var"))).run(ctx ->
            assertThat(ctx.getBean(ResolvedConfig.class).apiToken).isEqualTo(TestSupport.TOKEN));
  }

  @Test
  void theVariablesAloneAreEnough() {
    ReplicateAudioSettings ffmpeg = TestFfmpeg.settings();
    runner.withPropertyValues("REPLICATE_API_TOKEN=r8_from_variable", "REPLICATE_WEBHOOK_SECRET=" + TestSupport.SECRET,
        "REPLICATE_WEBHOOK_BASE_URL=https://hooks.example/in", "DATABASE_URL=" + TestSupport.h2Url("vars"),
        "REPLICATE_FFMPEG_PATH=" + ffmpeg.ffmpegPath(), "REPLICATE_FFPROBE_PATH=" + ffmpeg.ffprobePath(),
        "REPLICATE_DOWNLOAD_ALLOWED_HOSTS=127.0.0.1", "replicate-audio.recovery.enabled=false").run(ctx -> {
          ResolvedConfig c = ctx.getBean(ResolvedConfig.class);
          assertThat(c.apiToken).isEqualTo("r8_from_variable");
          assertThat(c.webhookPath).isEqualTo("/in");
          assertThat(c.allowedHosts).containsExactly("127.0.0.1");
          assertThat(c.allowPlainHttp).isTrue();
          assertThat(ctx.getBean(ReplicateAudioDatabase.class).ownsPool()).isTrue();
        });
  }

  @Test
  void withoutADataSourceOrADatabaseUrlStartupFailsInsteadOfCreatingAnH2File() {
    runner.withPropertyValues(TestSupport.required()).run(ctx -> assertThat(
        rootConfigurationException(ctx.getStartupFailure()).getMessage())
        .contains("replicate-audio.database.url is not set, and neither is the variable DATABASE_URL"));
  }

  @Configuration(proxyBeanMethods = false)
  static class HostDataSource {
    @Bean(destroyMethod = "close")
    HikariDataSource dataSource() {
      HikariDataSource ds = new HikariDataSource();
      ds.setJdbcUrl(TestSupport.h2Url("host") + ";DB_CLOSE_DELAY=-1");
      ds.setPoolName("host-pool");
      return ds;
    }
  }

  @Test
  void theApplicationsDataSourceIsUsedAsItIsAndStaysTheOnlyDataSource() {
    runner.withUserConfiguration(HostDataSource.class).withPropertyValues(TestSupport.required()).run(ctx -> {
      assertThat(ctx).hasNotFailed().hasSingleBean(DataSource.class);
      HikariDataSource host = ctx.getBean(HikariDataSource.class);
      ReplicateAudioDatabase db = ctx.getBean(ReplicateAudioDatabase.class);
      assertThat(db.ownsPool()).isFalse();
      assertThat(db.dataSource()).isSameAs(host);
      assertThat(host.getPoolName()).isEqualTo("host-pool");
      assertThat(host.getMaximumPoolSize()).isEqualTo(10); // HikariCP's default, untouched
      try (Connection c = host.getConnection();
          ResultSet rs = c.getMetaData().getTables(null, null, "RA_GENERATION_JOBS", null)) {
        assertThat(rs.next()).as("schema installed in the application's database").isTrue();
      }
      db.close();
      assertThat(host.isClosed()).as("closing ours leaves the application's pool alone").isFalse();
    });
  }

  @Test
  void sharedModeWithoutADataSourceFails() {
    runner.withPropertyValues(TestSupport.required("replicate-audio.database.mode=shared")).run(ctx -> assertThat(
        rootConfigurationException(ctx.getStartupFailure()).getMessage())
        .contains("replicate-audio.database.mode=shared, but the application has no DataSource bean"));
  }

  @Configuration(proxyBeanMethods = false)
  static class HostPieces {

    @Bean
    PredictionClient hostClient() {
      return new FakePredictionClient();
    }

    @Bean
    AudioDownloader hostDownloader() {
      return new FakeAudioDownloader(ForkJoinPool.commonPool(), 1000);
    }

    @Bean
    InMemoryStorage hostStorage() {
      return new InMemoryStorage();
    }

    @Bean
    FfmpegRunner hostFfmpeg() {
      return FfmpegRunner.create(TestFfmpeg.settings());
    }

    @Bean
    WebhookCompletionNotifier hostNotifier() {
      return new WebhookCompletionNotifier();
    }
  }

  @Test
  void everyPieceTheApplicationDefinesMakesOursBackOff() {
    runner.withUserConfiguration(HostPieces.class).withPropertyValues(TestSupport.required()).run(ctx -> {
      assertThat(ctx).hasNotFailed()
          .doesNotHaveBean(ReplicateClient.class).doesNotHaveBean(OkHttpAudioDownloader.class)
          .doesNotHaveBean(ReplicateAudioDatabase.class)
          .hasSingleBean(PredictionClient.class).hasSingleBean(AudioDownloader.class)
          .hasSingleBean(GenerationJobStore.class).hasSingleBean(AudioStore.class)
          .hasSingleBean(TransactionRunner.class).hasSingleBean(FfmpegRunner.class)
          .hasSingleBean(WebhookCompletionNotifier.class).hasSingleBean(ReplicateAudio.class);
      ReplicateAudio audio = ctx.getBean(ReplicateAudio.class);
      assertThat(audio.notifier()).isSameAs(ctx.getBean("hostNotifier"));
    });
  }

  @Test
  void disabledCreatesNothing() {
    runner.withPropertyValues("replicate-audio.enabled=false").run(ctx -> assertThat(ctx).hasNotFailed()
        .doesNotHaveBean(ReplicateAudio.class).doesNotHaveBean(ResolvedConfig.class)
        .doesNotHaveBean(ReplicateAudioProperties.class));
  }

  @Test
  void startsWithoutMicrometerHealthOrSpringMvc() {
    runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withClassLoader(new FilteredClassLoader(MeterRegistry.class, ReplicateAudioMetrics.class))
        .withPropertyValues(ownDatabase()).run(ctx -> assertThat(ctx).hasNotFailed()
            .hasSingleBean(ReplicateAudio.class).doesNotHaveBean(ReplicateAudioMetrics.class));
    runner.withClassLoader(new FilteredClassLoader("org.springframework.boot.health"))
        .withPropertyValues(ownDatabase()).run(ctx -> assertThat(ctx).hasNotFailed()
            .hasSingleBean(ReplicateAudio.class).doesNotHaveBean(ReplicateAudioHealthIndicator.class));
    new WebApplicationContextRunner().withConfiguration(ALL)
        .withClassLoader(new FilteredClassLoader("org.springframework.web.servlet.function"))
        .withPropertyValues(ownDatabase()).run(ctx -> assertThat(ctx).hasNotFailed()
            .hasSingleBean(ReplicateAudio.class).doesNotHaveBean(ReplicateAudioWebhookController.class));
  }

  @Test
  void startsWithoutTheJdbiAndOkHttpModulesWhenTheApplicationBringsThePorts() {
    runner.withUserConfiguration(HostPieces.class)
        .withClassLoader(new FilteredClassLoader("dev.replicateaudio.jdbi", "dev.replicateaudio.okhttp", "org.jdbi",
            "okhttp3"))
        .withPropertyValues(TestSupport.required()).run(ctx -> assertThat(ctx).hasNotFailed()
            .hasSingleBean(ReplicateAudio.class).doesNotHaveBean(ReplicateAudioDatabase.class)
            .doesNotHaveBean(WebhookEndpoint.class));
  }

  @Test
  void aServletApplicationGetsTheControllerAtThePathOfTheBaseUrl() {
    new WebApplicationContextRunner().withConfiguration(ALL)
        .withPropertyValues(ownDatabase("replicate-audio.webhook.base-url=https://x.example/api/replicate-in"))
        .run(ctx -> assertThat(ctx.getBean(ReplicateAudioWebhookController.class).path())
            .isEqualTo("/api/replicate-in"));
    new WebApplicationContextRunner().withConfiguration(ALL)
        .withPropertyValues(ownDatabase("replicate-audio.webhook.path=/in", "replicate-audio.webhook.enabled=true"))
        .run(ctx -> assertThat(ctx.getBean(ReplicateAudioWebhookController.class).path()).isEqualTo("/in"));
    new WebApplicationContextRunner().withConfiguration(ALL)
        .withPropertyValues(ownDatabase("replicate-audio.webhook.enabled=false"))
        .run(ctx -> assertThat(ctx).doesNotHaveBean(ReplicateAudioWebhookController.class));
  }

  @Test
  void withARegistryTheMetersAndTheOwnPoolsTrackerAreBound() {
    runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(ownDatabase("replicate-audio.database.pool-name=ra-test")).run(ctx -> {
          assertThat(ctx).hasSingleBean(ReplicateAudioMetrics.class);
          MeterRegistry registry = ctx.getBean(MeterRegistry.class);
          ctx.getBean(ReplicateAudioMetrics.class).bindTo(registry); // what Boot's MeterRegistryPostProcessor does
          assertThat(registry.get("replicate.audio.ffmpeg.limit").gauge().value())
              .isEqualTo(TestFfmpeg.settings().maxConcurrentFfmpeg() > 0 ? ctx.getBean(FfmpegRunner.class)
                  .maxConcurrentRuns() : -1);
          assertThat(registry.get("replicate.audio.waiters.pending").gauge().value()).isZero();
          assertThat(registry.get("hikaricp.connections").tags("pool", "ra-test").gauge()).isNotNull();
        });
    runner.withBean(SimpleMeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues(ownDatabase("replicate-audio.metrics.enabled=false"))
        .run(ctx -> assertThat(ctx).doesNotHaveBean(ReplicateAudioMetrics.class));
  }

  @Test
  void theHealthShowsEveryPartAndNoSecret() {
    runner.withPropertyValues(ownDatabase("replicate-audio.database.user=sa",
        "replicate-audio.database.password=pw-never-shown")).run(ctx -> {
          var health = ctx.getBean(ReplicateAudioHealthIndicator.class).health();
          assertThat(health.getStatus().getCode()).isEqualTo("UP");
          assertThat(health.getDetails()).containsKeys("database", "pool", "waiters", "ffmpeg", "recovery");
          assertThat(health.getDetails().toString()).doesNotContain("pw-never-shown")
              .doesNotContain(TestSupport.TOKEN).doesNotContain(TestSupport.SECRET.substring(6));
          ctx.getBean(ReplicateAudioDatabase.class).close();
          var down = ctx.getBean(ReplicateAudioHealthIndicator.class).health();
          assertThat(down.getStatus().getCode()).isEqualTo("DOWN");
          assertThat(down.getDetails().toString()).contains("closed");
        });
  }

  @Test
  void theGeneratedMetadataDescribesEveryProperty() throws Exception {
    JsonNode metadata;
    try (InputStream in = getClass().getResourceAsStream("/META-INF/spring-configuration-metadata.json")) {
      metadata = new ObjectMapper().readTree(in);
    }
    List<String> names = new java.util.ArrayList<>();
    for (JsonNode p : metadata.get("properties")) {
      names.add(p.get("name").asString());
      assertThat(p.has("description")).as(p.get("name").asString()).isTrue();
    }
    assertThat(names).contains("replicate-audio.api.token", "replicate-audio.webhook.secret",
        "replicate-audio.webhook.base-url", "replicate-audio.webhook.path", "replicate-audio.database.mode",
        "replicate-audio.database.url", "replicate-audio.ffmpeg.max-concurrency", "replicate-audio.recovery.interval",
        "replicate-audio.shutdown.timeout", "replicate-audio.metrics.okhttp").hasSizeGreaterThan(40);
  }

  @Test
  void startupFailuresListEveryProblemInSpringBootsReport() {
    runner.withPropertyValues("replicate-audio.database.url=" + TestSupport.h2Url("report")).run(ctx -> {
      var analysis = new ConfigurationFailureAnalyzer().analyze(ctx.getStartupFailure());
      assertThat(analysis).isNotNull();
      assertThat(analysis.getDescription()).startsWith("replicate-audio is not configured correctly:")
          .contains("\n  - replicate-audio.api.token").contains("\n  - replicate-audio.webhook.secret")
          .contains("\n  - replicate-audio.webhook.base-url");
      assertThat(analysis.getAction()).contains("replicate-audio.enabled=false");
    });
  }

  static ConfigurationException rootConfigurationException(Throwable t) {
    Throwable c = t;
    while (c != null) {
      if (c instanceof ConfigurationException ce) {
        return ce;
      }
      c = c.getCause();
    }
    throw new AssertionError("no ConfigurationException in " + t, t);
  }

}
