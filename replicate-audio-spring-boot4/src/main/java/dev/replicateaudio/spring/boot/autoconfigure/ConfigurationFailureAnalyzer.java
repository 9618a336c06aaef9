package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ConfigurationException;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;

/**
 * Turns a {@link ConfigurationException} at startup into Spring Boot's "APPLICATION FAILED TO START"
 * report: every problem (each names the property and the variable it falls back to), and what to do.
 */
final class ConfigurationFailureAnalyzer extends AbstractFailureAnalyzer<ConfigurationException> {
  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, ConfigurationException cause) {
    StringBuilder description = new StringBuilder("replicate-audio is not configured correctly:");
    for (String problem : cause.problems()) {
      description.append("\n  - ").append(problem);
    }
    return new FailureAnalysis(description.toString(),
        "Set the properties above under " + ReplicateAudioProperties.PREFIX + ".* (application.yml), or the"
            + " environment variables named with them. Set " + ReplicateAudioProperties.PREFIX
            + ".enabled=false to turn the starter off.", cause);
  }
}
