package dev.replicateaudio.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** When figure 5's warmup rounds stop: the JIT compilers' share of the JVM's CPU in a round. */
class ThroughputWarmupTest {
  private static CpuMeter.Spent spent(long library, long harness, long jvm, long jit) {
    return new CpuMeter.Spent(library, harness, jvm, 5_000, 7_000, Map.of(), Map.of("jit", jit, "gc", jvm - jit), 3_000,
        1_000);
  }

  @Test
  void theJitShareIsOfTheJvmsCpuNotOfChildrenOrTheDatabaseServer() {
    // 30 of 1,000 ns in the JVM; ffmpeg's 5,000, PostgreSQL's 7,000 and the rest of the machine's are not the JVM's
    assertThat(ThroughputBench.jitPercent(spent(900, 50, 50, 30))).isCloseTo(3.0, within(1e-9));
    assertThat(ThroughputBench.jitPercent(spent(0, 0, 0, 0))).isZero();
  }

  @Test
  void warmupEndsOnceTheCompilersTakeUnderTwoPercent() {
    assertThat(ThroughputBench.jitSettled(ThroughputBench.jitPercent(spent(900, 50, 50, 30)))).isFalse();
    assertThat(ThroughputBench.jitSettled(ThroughputBench.jitPercent(spent(900, 50, 50, 20)))).isFalse();
    assertThat(ThroughputBench.jitSettled(ThroughputBench.jitPercent(spent(900, 50, 50, 19)))).isTrue();
  }

  @Test
  void everyMeasuringModeWarmsUpAndTheSmokeModeDoesNot() {
    assertThat(Plan.TINY.throughputWarmupRounds()).isZero();
    assertThat(Plan.QUICK.throughputWarmupRounds()).isPositive();
    assertThat(Plan.FULL.throughputWarmupRounds()).isGreaterThanOrEqualTo(Plan.QUICK.throughputWarmupRounds());
  }
}
