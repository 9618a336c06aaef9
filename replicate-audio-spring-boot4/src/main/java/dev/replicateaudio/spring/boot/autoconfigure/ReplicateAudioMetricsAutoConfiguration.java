package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ffmpeg.FfmpegListener;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.micrometer.CompletionBridges;
import dev.replicateaudio.micrometer.HikariMetrics;
import dev.replicateaudio.micrometer.OkHttpMetrics;
import dev.replicateaudio.micrometer.ReplicateAudioMetrics;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.DownloadListener;
import dev.replicateaudio.webhook.RecoveryListener;
import dev.replicateaudio.webhook.WebhookListener;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.SmartInitializingSingleton;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@code replicate.audio.*} meters ({@link ReplicateAudioMetrics}) when the application has a
 * {@link MeterRegistry} (Spring Boot binds the binder to it), HikariCP's tracker on the starter's own
 * pool, and opt-in OkHttp metrics ({@code replicate-audio.metrics.okhttp=true}).
 */
@AutoConfiguration(afterName = {
    "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
    "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration"},
    before = ReplicateAudioAutoConfiguration.class)
@ConditionalOnClass(name = {"io.micrometer.core.instrument.MeterRegistry",
    "dev.replicateaudio.micrometer.ReplicateAudioMetrics"})
@ConditionalOnBean(MeterRegistry.class)
@ConditionalOnBooleanProperty(prefix = ReplicateAudioProperties.PREFIX, name = "enabled", matchIfMissing = true)
@ConditionalOnBooleanProperty(prefix = ReplicateAudioProperties.PREFIX, name = "metrics.enabled", matchIfMissing = true)
public class ReplicateAudioMetricsAutoConfiguration {
  /** Created by Spring Boot; never instantiate it yourself. */
  public ReplicateAudioMetricsAutoConfiguration() {
  }

  @Bean
  @ConditionalOnMissingBean
  ReplicateAudioMetrics replicateAudioMetrics() {
    return ReplicateAudioMetrics.create();
  }

  @Bean
  FfmpegListener replicateAudioFfmpegMetrics(ReplicateAudioMetrics metrics) {
    return metrics.ffmpegListener();
  }

  @Bean
  DownloadListener replicateAudioDownloadMetrics(ReplicateAudioMetrics metrics) {
    return metrics.downloadListener();
  }

  @Bean
  WebhookListener replicateAudioWebhookMetrics(ReplicateAudioMetrics metrics) {
    return metrics.webhookListener();
  }

  @Bean
  RecoveryListener replicateAudioRecoveryMetrics(ReplicateAudioMetrics metrics) {
    return metrics.recoveryListener();
  }

  /** Once every bean exists: gauges on the runner and the notifier. */
  @Bean
  SmartInitializingSingleton replicateAudioMetricsWatcher(ReplicateAudioMetrics metrics,
      ObjectProvider<FfmpegRunner> ffmpeg, ObjectProvider<WebhookCompletionNotifier> notifier) {
    return () -> {
      ffmpeg.ifUnique(metrics::watch);
      notifier.ifUnique(metrics::watch);
    };
  }

  /** HikariCP's tracker for the starter's own pool. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "com.zaxxer.hikari.HikariConfig")
  static class PoolMetricsConfiguration {
    @Bean
    ReplicateAudioPoolMetrics replicateAudioPoolMetrics(ObjectProvider<MeterRegistry> registry) {
      return config -> HikariMetrics.track(config, registry.getObject());
    }
  }

  /**
   * The counters of the completion bridge that runs (ours, or the application's own bean), tagged
   * {@code bridge=postgres} or {@code bridge=polling}; an implementation of the application's is not watched.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "dev.replicateaudio.jdbi.CompletionBridge")
  static class BridgeMetricsConfiguration {
    @Bean
    SmartInitializingSingleton replicateAudioBridgeMetricsWatcher(ReplicateAudioMetrics metrics,
        ObjectProvider<ReplicateAudioBridge> bridge, ObjectProvider<CompletionBridge> applicationBridge) {
      return () -> ReplicateAudioBridge.running(bridge, applicationBridge)
          .filter(b -> !ReplicateAudioBridge.kindOf(b).equals(ReplicateAudioBridge.OTHER))
          .ifPresent(b -> metrics.watchBridge(CompletionBridges.kind(b), CompletionBridges.of(b)));
    }
  }

  /** Opt-in: Micrometer's OkHttp event listener on the starter's OkHttpClient. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnClass(name = "okhttp3.OkHttpClient")
  @ConditionalOnBooleanProperty(prefix = ReplicateAudioProperties.PREFIX, name = "metrics.okhttp")
  static class OkHttpMetricsConfiguration {
    @Bean
    ReplicateAudioOkHttpCustomizer replicateAudioOkHttpMetrics(ObjectProvider<MeterRegistry> registry) {
      return builder -> builder.eventListener(OkHttpMetrics.eventListener(registry.getObject()));
    }
  }
}
