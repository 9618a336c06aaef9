package dev.replicateaudio.jdbi;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;

/**
 * Measures how much live heap a piece of work holds at its worst: a sampler thread forces a full
 * GC every few milliseconds while the work runs and records the heap in use right after each
 * (MemoryMXBean), so garbage the work produces does not count, only what it keeps reachable. The
 * growth is the largest sample minus the in-use heap after a GC before the work started.
 */
final class HeapProbe implements AutoCloseable {
  private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

  private final long baseline;
  private final Thread sampler;
  private volatile boolean running = true;
  private volatile long maxUsed;
  private volatile int samples;

  private HeapProbe() {
    baseline = usedAfterGc();
    maxUsed = baseline;
    sampler = new Thread(() -> {
      while (running) {
        long used = usedAfterGc();
        if (used > maxUsed) {
          maxUsed = used;
        }
        samples++;
        try {
          Thread.sleep(5);
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "heap-probe");
    sampler.setDaemon(true);
    sampler.start();
  }

  static HeapProbe start() {
    return new HeapProbe();
  }

  /** Stops sampling; the largest live-heap growth seen, in bytes. */
  long stop() {
    running = false;
    try {
      sampler.join(10_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
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

  /**
   * The heap in use right after a full collection, read from the pools' post-collection usage, so
   * that whatever other threads allocate after the collection is not counted.
   */
  private static long usedAfterGc() {
    MEMORY.gc();
    long used = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP && pool.getCollectionUsage() != null) {
        used += pool.getCollectionUsage().getUsed();
      }
    }
    return used;
  }
}
