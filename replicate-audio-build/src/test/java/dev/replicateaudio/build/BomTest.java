package dev.replicateaudio.build;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.nio.file.Paths;
import org.junit.jupiter.api.Test;

/**
 * The real reactor's release checks: a module added to the root pom and published, but forgotten in
 * the BOM (or in this module's dependencies), fails the build here with a sentence saying what to add.
 */
class BomTest {
  /** This module's directory is the working directory of its tests; the reactor's root is its parent. */
  static final Path ROOT = Paths.get("").toAbsolutePath().getParent();

  @Test
  void bomManagesEveryPublishedModuleOfTheReactorAndNothingElse() throws Exception {
    assertThat(ReactorChecks.bomProblems(ROOT, "replicate-audio-bom")).isEmpty();
  }

  @Test
  void buildModuleDependsOnEveryModuleWithCodeSoItRunsLast() throws Exception {
    assertThat(ReactorChecks.buildsLastProblems(ROOT, CoverageSummary.AGGREGATOR)).isEmpty();
  }

  @Test
  void theReactorHasTheModulesThisCheckExpectsToSee() throws Exception {
    // guards the check itself: reading the root pom finds the published modules and skips the examples
    assertThat(Reactor.modules(ROOT)).extracting(Reactor.Module::artifactId)
        .contains("replicate-audio-bom", "replicate-audio-core", "replicate-audio-okhttp", "replicate-audio-jdbi",
            "replicate-audio-examples", "replicate-audio-build");
    assertThat(Reactor.modules(ROOT)).filteredOn(Reactor.Module::published).extracting(Reactor.Module::artifactId)
        .contains("replicate-audio-core", "replicate-audio-okhttp", "replicate-audio-jdbi")
        .doesNotContain("replicate-audio-examples", "replicate-audio-build");
  }
}
