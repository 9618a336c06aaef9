package dev.replicateaudio.examples.bench;

import java.util.Arrays;
import java.util.Locale;

/** Durations in nanoseconds, with the statistics the benchmarks report. Not thread-safe. */
final class Samples {
  private long[] nanos = new long[16];
  private int size;

  void add(long n) {
    if (size == nanos.length) {
      nanos = Arrays.copyOf(nanos, size * 2);
    }
    nanos[size++] = n;
  }

  int size() {
    return size;
  }

  long total() {
    long t = 0;
    for (int i = 0; i < size; i++) {
      t += nanos[i];
    }
    return t;
  }

  /** The {@code p}-th percentile (0 to 100), nearest rank; fails when there is no sample. */
  double percentileNanos(double p) {
    if (size == 0) {
      throw new IllegalStateException("no samples");
    }
    long[] sorted = Arrays.copyOf(nanos, size);
    Arrays.sort(sorted);
    int rank = (int) Math.ceil(p / 100.0 * size);
    return sorted[Math.max(0, Math.min(size - 1, rank - 1))];
  }

  double medianMillis() {
    return percentileNanos(50) / 1e6;
  }

  double meanMillis() {
    if (size == 0) {
      throw new IllegalStateException("no samples");
    }
    return total() / 1e6 / size;
  }

  /** "median 12.3 ms, mean 13.0 ms, p90 15.1 ms (n=40)" */
  String describe() {
    return String.format(Locale.ROOT, "median %.1f ms, mean %.1f ms, p90 %.1f ms (n=%d)", medianMillis(),
        meanMillis(), percentileNanos(90) / 1e6, size);
  }
}
