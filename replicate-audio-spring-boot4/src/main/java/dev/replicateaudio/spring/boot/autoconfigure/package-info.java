/**
 * Spring Boot 4 auto-configuration for replicate-audio: {@link dev.replicateaudio.spring.boot.autoconfigure.ReplicateAudioAutoConfiguration}
 * (the pipeline from {@code replicate-audio.*} properties), {@link dev.replicateaudio.spring.boot.autoconfigure.ReplicateAudioMetricsAutoConfiguration}
 * (Micrometer) and {@link dev.replicateaudio.spring.boot.autoconfigure.ReplicateAudioHealthAutoConfiguration}
 * (actuator health). Never component-scan this package: Spring Boot imports these classes through
 * {@code META-INF/spring/org.springframework.boot.autoconfigure.AutoConfiguration.imports}.
 *
 * <p>Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.spring.boot.autoconfigure;
