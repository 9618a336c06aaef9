package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.jdbi.CompletionBridge;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.health.autoconfigure.contributor.ConditionalOnEnabledHealthIndicator;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The {@link ReplicateAudioHealthIndicator} ({@code replicateAudio}) when {@code spring-boot-health}
 * is present; switch it off with {@code management.health.replicate-audio.enabled=false}.
 */
@AutoConfiguration(after = ReplicateAudioAutoConfiguration.class)
@ConditionalOnClass(name = {"org.springframework.boot.health.contributor.HealthIndicator",
    "dev.replicateaudio.jdbi.DatabaseConnectionMonitor"})
@ConditionalOnBean(ReplicateAudioLifecycle.class)
public class ReplicateAudioHealthAutoConfiguration {
  /** Created by Spring Boot; never instantiate it yourself. */
  public ReplicateAudioHealthAutoConfiguration() {
  }

  /** Nested, so that its condition's class is loaded only when spring-boot-health is present. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnEnabledHealthIndicator("replicate-audio")
  static class HealthIndicatorConfiguration {
    @Bean
    @ConditionalOnMissingBean(name = "replicateAudioHealthIndicator")
    ReplicateAudioHealthIndicator replicateAudioHealthIndicator(ObjectProvider<ReplicateAudioDatabase> database,
        ObjectProvider<ReplicateAudioBridge> bridge, ObjectProvider<CompletionBridge> applicationBridge,
        WebhookCompletionNotifier notifier, FfmpegRunner ffmpeg, RecoveryTracker recovery,
        ReplicateAudioProperties properties) {
      return new ReplicateAudioHealthIndicator(Optional.ofNullable(database.getIfUnique()),
          ReplicateAudioBridge.running(bridge, applicationBridge), notifier, ffmpeg, recovery,
          properties.getHealth().isBridgeRequired(), properties.getHealth().getDatabaseTimeout());
    }
  }
}
