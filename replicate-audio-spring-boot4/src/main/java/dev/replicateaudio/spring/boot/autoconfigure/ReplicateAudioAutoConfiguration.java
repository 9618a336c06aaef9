package dev.replicateaudio.spring.boot.autoconfigure;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.ReplicateAudio;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.AudioPostProcessors;
import dev.replicateaudio.ffmpeg.FfmpegListener;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.DatabaseSettings;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.jdbi.JdbiGenerationJobStore;
import dev.replicateaudio.jdbi.JdbiTransactionRunner;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.jdbi.SchemaInstaller;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.okhttp.OkHttpAudioDownloader;
import dev.replicateaudio.okhttp.ReplicateClient;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.port.AudioDownloader;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.port.TransactionRunner;
import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.WebhookListener;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import javax.sql.DataSource;
import okhttp3.OkHttpClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ListableBeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.util.ClassUtils;
import org.springframework.web.servlet.function.RouterFunction;
import org.springframework.web.servlet.function.ServerResponse;

/**
 * Auto-configuration of replicate-audio for Spring Boot 4: every piece from
 * {@code replicate-audio.*} properties (falling back to the {@code REPLICATE_*}/{@code DB_*}
 * variables, then to the library's defaults), each backing off when the application defines its own
 * bean of that type. Runs after Spring Boot's DataSource and meter registry auto-configuration, so
 * that it sees the application's {@code DataSource}.
 *
 * <p>What it creates: the settings, an ffmpeg runner and the post-processors, the worker and
 * scheduler threads, the notifier, the Replicate client and the downloader on one OkHttpClient
 * (okhttp module), the job and audio stores on the application's DataSource or a pool of its own
 * (jdbi module; {@link ReplicateAudioDatabase}), the completion bridge between instances
 * ({@link ReplicateAudioBridge}: LISTEN/NOTIFY on PostgreSQL, polling elsewhere), the
 * {@link ReplicateAudio} facade, the webhook endpoint and its controller (servlet web applications)
 * and the {@link ReplicateAudioLifecycle}. Listener beans ({@code FfmpegListener},
 * {@code DownloadListener}, {@code WebhookListener}, {@code RecoveryListener}) of the application are
 * told as well.
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"})
@ConditionalOnBooleanProperty(prefix = ReplicateAudioProperties.PREFIX, name = "enabled", matchIfMissing = true)
@EnableConfigurationProperties(ReplicateAudioProperties.class)
public class ReplicateAudioAutoConfiguration {
  /** Created by Spring Boot; never instantiate it yourself. */
  public ReplicateAudioAutoConfiguration() {
  }

  private static final Logger LOG = LoggerFactory.getLogger(ReplicateAudioAutoConfiguration.class);
  static final String JOB_STORE_BEAN = "replicateAudioJobStore";

  @Bean
  @ConditionalOnMissingBean
  ResolvedConfig replicateAudioResolvedConfig(ReplicateAudioProperties properties, Environment environment,
      ListableBeanFactory beans, ObjectProvider<DataSource> dataSources) {
    boolean ownStores = List.of(beans.getBeanNamesForType(GenerationJobStore.class, true, false))
        .contains(JOB_STORE_BEAN);
    ResolvedConfig.DatabasePart database = null;
    if (ownStores) {
      database = new JdbiDatabasePart(dataSources.getIfUnique() != null);
    }
    ResolvedConfig config = ResolvedConfig.resolve(properties, environment, database);
    LOG.debug("replicate-audio configuration: {}", config);
    return config;
  }

  @Bean
  @ConditionalOnMissingBean
  ReplicateAudioSettings replicateAudioSettings(ResolvedConfig config) {
    return config.settings;
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  FfmpegRunner replicateAudioFfmpegRunner(ReplicateAudioSettings settings, ObjectProvider<FfmpegListener> listeners) {
    return FfmpegRunner.create(settings, Listeners.ffmpeg(listeners));
  }

  @Bean
  @ConditionalOnMissingBean
  AudioPostProcessors replicateAudioPostProcessors(FfmpegRunner ffmpeg, ReplicateAudioSettings settings) {
    return AudioPostProcessors.defaults(ffmpeg, settings);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ReplicateAudioThreads replicateAudioThreads(ResolvedConfig config, ReplicateAudioProperties properties) {
    return new ReplicateAudioThreads(config.executorThreads(properties));
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  WebhookCompletionNotifier replicateAudioNotifier() {
    return new WebhookCompletionNotifier();
  }

  @Bean
  RecoveryTracker replicateAudioRecoveryTracker() {
    return new RecoveryTracker(Clock.systemUTC());
  }

  @Bean
  InFlight replicateAudioInFlight() {
    return new InFlight();
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  ReplicateAudio replicateAudio(ReplicateAudioSettings settings, ResolvedConfig config, Environment environment,
      PredictionClient predictionClient, AudioDownloader downloader, GenerationJobStore jobStore, AudioStore audioStore,
      TransactionRunner transactions, AudioPostProcessors postProcessors, WebhookCompletionNotifier notifier,
      ReplicateAudioThreads threads, ObjectProvider<RecoveryListener> recoveryListeners) {
    return ReplicateAudio.builder()
        .settings(settings)
        .predictionClient(predictionClient)
        .downloader(downloader)
        .jobStore(jobStore)
        .audioStore(audioStore)
        .transactions(transactions)
        .postProcessors(postProcessors)
        .notifier(notifier)
        .webhookBaseUrl(config.webhookBaseUrl(environment))
        .executor(threads.executor())
        .recoveryListener(Listeners.recovery(recoveryListeners))
        .build();
  }

  @Bean
  @ConditionalOnMissingBean
  WebhookVerifier replicateAudioWebhookVerifier(ResolvedConfig config) {
    return WebhookVerifier.create(config.webhookSecret);
  }

  @Bean
  @ConditionalOnMissingBean
  ReplicateAudioLifecycle replicateAudioLifecycle(ReplicateAudio audio, ReplicateAudioThreads threads, InFlight inFlight,
      WebhookCompletionNotifier notifier, FfmpegRunner ffmpeg, ReplicateAudioProperties properties,
      ListableBeanFactory beans) {
    List<AutoCloseable> bridges = new ArrayList<>();
    if (ClassUtils.isPresent("dev.replicateaudio.jdbi.CompletionBridge", getClass().getClassLoader())) {
      bridges.addAll(JdbiConfiguration.bridges(beans));
    }
    return new ReplicateAudioLifecycle(audio, threads, inFlight, notifier, bridges, ffmpeg, properties.getRecovery(),
        properties.getShutdown().getTimeout());
  }

  /** The Replicate client, the downloader and the webhook endpoint on OkHttp. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.replicateaudio.okhttp.ReplicateClient", "okhttp3.OkHttpClient"})
  static class OkHttpConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ReplicateAudioHttp replicateAudioHttp(ObjectProvider<ReplicateAudioOkHttpCustomizer> customizers) {
      OkHttpClient.Builder builder = new OkHttpClient.Builder();
      customizers.orderedStream().forEach(c -> c.customize(builder));
      return new ReplicateAudioHttp(builder.build());
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(PredictionClient.class)
    ReplicateClient replicateAudioClient(ResolvedConfig config, ReplicateAudioHttp http, ReplicateAudioThreads threads) {
      return ReplicateClient.builder().apiToken(config.apiToken).baseUrl(config.apiBaseUrl)
          .okHttpClient(http.client()).callbackExecutor(threads.executor()).build();
    }

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean(AudioDownloader.class)
    OkHttpAudioDownloader replicateAudioDownloader(ResolvedConfig config, ReplicateAudioSettings settings,
        ReplicateAudioHttp http, ObjectProvider<DownloadListener> listeners) {
      return OkHttpAudioDownloader.builder(settings).okHttpClient(http.client()).allowedHosts(config.allowedHosts)
          .allowPlainHttp(config.allowPlainHttp).listener(Listeners.download(listeners)).build();
    }

    @Bean
    @ConditionalOnMissingBean
    WebhookEndpoint replicateAudioWebhookEndpoint(WebhookVerifier verifier, ReplicateAudio audio, InFlight inFlight,
        ReplicateAudioProperties properties, ObjectProvider<WebhookListener> listeners) {
      return WebhookEndpoint.builder(verifier, (key, prediction) -> inFlight.track(audio.processor().process(key, prediction)))
          .maxBodyBytes(properties.getWebhook().getMaxBodySize().toBytes())
          .acknowledgeAfter(properties.getWebhook().getAcknowledgeAfter())
          .listener(Listeners.webhook(listeners))
          .build();
    }
  }

  /** The webhook controller, for servlet web applications. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  @ConditionalOnClass(name = {"org.springframework.web.servlet.function.RouterFunction",
      "dev.replicateaudio.okhttp.WebhookEndpoint"})
  @ConditionalOnBooleanProperty(prefix = ReplicateAudioProperties.PREFIX, name = "webhook.enabled", matchIfMissing = true)
  static class WebConfiguration {
    @Bean
    @ConditionalOnMissingBean
    ReplicateAudioWebhookController replicateAudioWebhookController(WebhookEndpoint endpoint, ResolvedConfig config,
        ReplicateAudioLifecycle lifecycle) {
      return new ReplicateAudioWebhookController(endpoint, config.webhookPath, lifecycle::isAccepting);
    }

    @Bean
    RouterFunction<ServerResponse> replicateAudioWebhookRoute(ReplicateAudioWebhookController controller) {
      return controller.route();
    }
  }

  /** The stores on Jdbi, our own pool when needed, and the completion bridge. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = {"dev.replicateaudio.jdbi.JdbiGenerationJobStore", "org.jdbi.v3.core.Jdbi",
      "com.zaxxer.hikari.HikariDataSource"})
  @ConditionalOnMissingBean(GenerationJobStore.class)
  static class JdbiConfiguration {
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    ReplicateAudioDatabase replicateAudioDatabase(ResolvedConfig config, ReplicateAudioProperties properties,
        ObjectProvider<DataSource> dataSources, ObjectProvider<ReplicateAudioPoolMetrics> poolMetrics) {
      DatabaseSettings own = (DatabaseSettings) config.ownDatabase;
      ReplicateAudioDatabase database;
      if (own == null) {
        database = new ReplicateAudioDatabase(dataSources.getIfUnique(), null, null,
            properties.getHealth().getDatabaseTimeout());
      } else {
        try {
          java.sql.DriverManager.getDriver(own.url());
        } catch (java.sql.SQLException e) {
          throw new dev.replicateaudio.ConfigurationException(ResolvedConfig.name("database.url") + " (or DATABASE_URL)='"
              + own.maskedUrl() + "' has no JDBC driver on the classpath; add the database's driver");
        }
        HikariConfig hikari = own.toHikariConfig();
        poolMetrics.ifAvailable(m -> m.track(hikari));
        HikariDataSource pool;
        try {
          pool = new HikariDataSource(hikari);
        } catch (RuntimeException e) {
          throw new dev.replicateaudio.port.StorageException("Could not start connection pool '" + own.poolName()
              + "' for " + own.maskedUrl() + ": " + e.getMessage(), e);
        }
        try {
          database = new ReplicateAudioDatabase(pool, pool, own, properties.getHealth().getDatabaseTimeout());
        } catch (RuntimeException e) {
          pool.close();
          throw e;
        }
      }
      if (properties.getDatabase().isInstallSchema()) {
        SchemaInstaller.install(database.dataSource());
      }
      LOG.info("replicate-audio stores jobs and audio in {}", database.describe());
      return database;
    }

    @Bean(name = JOB_STORE_BEAN)
    JdbiGenerationJobStore replicateAudioJobStore(ReplicateAudioDatabase database) {
      return JdbiGenerationJobStore.create(database.jdbi());
    }

    @Bean
    @ConditionalOnMissingBean(AudioStore.class)
    JdbiAudioStore replicateAudioAudioStore(ReplicateAudioDatabase database) {
      return JdbiAudioStore.create(database.jdbi());
    }

    @Bean
    @ConditionalOnMissingBean(TransactionRunner.class)
    JdbiTransactionRunner replicateAudioTransactions(ReplicateAudioDatabase database) {
      return JdbiTransactionRunner.create(database.jdbi());
    }

    /**
     * The bridge the database supports (LISTEN/NOTIFY on PostgreSQL with its driver, polling elsewhere),
     * unless switched off; none either when the application defines a {@link CompletionBridge} of its own.
     */
    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean({ReplicateAudioBridge.class, CompletionBridge.class})
    ReplicateAudioBridge replicateAudioBridge(ReplicateAudioDatabase database, WebhookCompletionNotifier notifier,
        ReplicateAudioProperties properties) {
      ReplicateAudioBridge bridge = ReplicateAudioBridge.start(database, notifier, properties.getBridge(),
          ReplicateAudioBridge.postgresDriverPresent());
      LOG.info("replicate-audio completion bridge: {}", bridge.kind().orElse("none (replicate-audio.bridge.enabled=false)"));
      return bridge;
    }

    /** What the lifecycle closes at step 5: our bridge, and an application's own {@link CompletionBridge} bean. */
    static List<AutoCloseable> bridges(ListableBeanFactory beans) {
      List<AutoCloseable> bridges = new ArrayList<>(beans.getBeansOfType(ReplicateAudioBridge.class).values());
      bridges.addAll(beans.getBeansOfType(CompletionBridge.class).values());
      return bridges;
    }
  }
}
