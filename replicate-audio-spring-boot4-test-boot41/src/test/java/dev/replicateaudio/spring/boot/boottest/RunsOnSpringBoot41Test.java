package dev.replicateaudio.spring.boot.boottest;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootVersion;

/** This module runs the starter's tests (compiled against Boot 4.0) on Boot 4.1, with Boot 4.1's versions. */
class RunsOnSpringBoot41Test {
  @Test
  void theClasspathIsSpringBoot41s() {
    assertThat(SpringBootVersion.getVersion()).startsWith("4.1.");
    assertThat(MeterRegistry.class.getPackage().getImplementationVersion()).startsWith("1.17.");
    assertThat(HikariDataSource.class.getProtectionDomain().getCodeSource().getLocation().getPath())
        .endsWith("HikariCP-7.0.2.jar");
  }
}
