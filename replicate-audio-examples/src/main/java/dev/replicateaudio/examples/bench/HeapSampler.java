package dev.replicateaudio.examples.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Measures the most live heap a piece of work holds: a sampler thread forces a full GC every few
 * milliseconds while the work runs and reads the heap in use right after it (MemoryMXBean), so
 * garbage does not count, only what is reachable. The growth is the largest sample minus the
 * in-use heap after a GC just before the work started.
 */
public final class HeapSampler implements AutoCloseable {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();
  private static final long PAUSE_MILLIS = 5;

  private final long baseline;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long maxUsed;
  private volatile int samples;

  private HeapSampler() {
    baseline = settledUsed();
    maxUsed = baseline;
    sampler = new Thread(() -> {
      while (running) {
        long used = usedAfterGc();
        if (used > maxUsed) {
          maxUsed = used;
        }
        samples++;
        try {
          Thread.sleep(PAUSE_MILLIS);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "bench-heap-sampler");
    sampler.setDaemon(true);
    sampler.start();
  }

  static HeapSampler start() {
    return new HeapSampler();
  }

  /** Stops sampling (taking one last sample); the largest growth seen, in bytes. */
  long stop() {
    if (running) {
      running = false;
      try {
        sampler.join(30_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      long last = usedAfterGc();
      if (last > maxUsed) {
        maxUsed = last;
      }
    }
    return Math.max(0, maxUsed - baseline);
  }

  int samples() {
    return samples;
  }

  @Override
  public void close() {
    stop();
  }

  /** The heap in use after a full GC. */
  public static long usedAfterGc() {
    MEMORY.gc();
    return MEMORY.getHeapMemoryUsage().getUsed();
  }

  /** The smallest of three post-GC readings: what stays when finalizers and reference queues are done. */
  public static long settledUsed() {
    long min = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) {
      min = Math.min(min, usedAfterGc());
    }
    return min;
  }
}
