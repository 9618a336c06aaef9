package dev.replicateaudio.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the rest of the machine spent beside the benchmark: {@code /proc/stat}'s busy and steal time. */
class CpuMeterTest {
  private static final long TICK = 10_000_000L;

  @Test
  void busyIsUserNiceSystemIrqAndSoftirqAndStealIsApart() {
    // cpu user nice system idle iowait irq softirq steal guest guest_nice
    long[] m = CpuMeter.parseStatCpuLine("cpu  100 20 30 4000 500 6 7 80 9 10");
    assertThat(m[0]).as("busy: idle, iowait and guest (within user) left out").isEqualTo((100 + 20 + 30 + 6 + 7) * TICK);
    assertThat(m[1]).as("steal").isEqualTo(80 * TICK);
  }

  @Test
  void anOldKernelsShortLineAndAnythingElseRead() {
    assertThat(CpuMeter.parseStatCpuLine("cpu  1 2 3 4")).containsExactly(6 * TICK, 0);
    assertThat(CpuMeter.parseStatCpuLine("cpu0 1 2 3 4 5 6 7 8")).containsExactly(0, 0);
    assertThat(CpuMeter.parseStatCpuLine(null)).containsExactly(0, 0);
  }

  @Test
  void theMachinesCpuReadsOnLinux() {
    if (new java.io.File("/proc/stat").exists()) {
      assertThat(CpuMeter.machine()[0]).isPositive();
    }
  }

  @Test
  void otherIsTheMachinesBusyTimeLessTheJvmItsChildrenAndThePostgresServer() {
    CpuMeter meter = new CpuMeter();
    CpuMeter.Sample before = sample(1_000, 100, 200, 10_000, 50);
    // the JVM 400, ffmpeg 300, PostgreSQL 250: 950 of the machine's 1,500; the host took 70
    CpuMeter.Sample after = sample(1_400, 400, 450, 11_500, 120);
    CpuMeter.Spent s = meter.spent(before, after);
    assertThat(s.other()).isEqualTo(550);
    assertThat(s.steal()).isEqualTo(70);
    assertThat(s.plus(s).other()).isEqualTo(1_100);
    // a machine counter that moved less than the parts (ticks against nanos) reads 0, not less
    assertThat(meter.spent(before, sample(1_400, 400, 450, 10_100, 50)).other()).isZero();
  }

  private static CpuMeter.Sample sample(long process, long children, long postgres, long machine, long steal) {
    return new CpuMeter.Sample(Map.of(), 0, process, children, postgres, Map.of(), machine, steal);
  }
}
