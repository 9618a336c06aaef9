package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The probe behind the 50 MB test can fail: it sees memory that work keeps reachable. */
class HeapProbeTest {
  @Test
  void seesAFiftyMegabyteArrayHeldDuringTheWork() throws Exception {
    long growth;
    byte[] held;
    try (HeapProbe probe = HeapProbe.start()) {
      held = new byte[50_000_000];
      held[held.length - 1] = 1;
      Thread.sleep(200);
      growth = probe.stop();
    }
    assertThat(held[held.length - 1]).isEqualTo((byte) 1);
    assertThat(growth).isGreaterThan(45_000_000L);
  }

  @Test
  void doesNotCountGarbage() throws Exception {
    long growth;
    try (HeapProbe probe = HeapProbe.start()) {
      long sum = 0;
      for (int i = 0; i < 200; i++) {
        byte[] garbage = new byte[1_000_000];
        garbage[i] = 1;
        sum += garbage[i];
        if (i % 20 == 0) {
          Thread.sleep(5);
        }
      }
      assertThat(sum).isEqualTo(200);
      growth = probe.stop();
    }
    assertThat(growth).isLessThan(10_000_000L);
  }
}
