package dev.replicateaudio.examples.bench;

import java.util.Locale;

/**
 * How many samples each figure takes in a mode. Every mode measures every figure at its stated
 * scale (100,000 waiters, 1/10/50 MB files, concurrency 1/4/16); the modes differ only in how many
 * repetitions they average over.
 *
 * @param name the mode's name, as given on the command line
 * @param wakeBlockSize wakes measured per block of event-driven wakes; there are
 *     {@code 2 * pollRounds + 1} blocks, alternated with the polling rounds, the first one warmup
 * @param pollRounds polling rounds per interval (0.5 s and 1 s), alternated with the wake blocks
 * @param pollersPerRound concurrent pollers per round, each waiting for its own completion
 * @param trimWarmup alternated trim pairs discarded before measuring
 * @param trimPairs alternated trim pairs measured (each pair: every clip through the library and bare)
 * @param heapRounds rounds of the 1/10/50 MB end-to-end runs; the largest growth is reported
 * @param throughputWarmupRounds at most this many warmup rounds of every kind of throughput cell come
 *     first, until the JIT compilers have settled (0: no warmup)
 * @param throughputRounds rounds over every throughput cell, alternating bare ffmpeg and the pipeline
 * @param plainPerCell webhooks per cell without trim
 * @param trimPerClient webhooks per client thread per cell with trim (and bare trims), at least one
 * @param trimExtra webhooks per cell with trim on top of {@code trimPerClient * concurrency}
 * @param storeWarmup alternated store pairs discarded before measuring
 * @param storePairs alternated store pairs measured
 * @param bothFfmpegs whether the trim cells of figure 5 run with the other ffmpeg too (system and
 *     bundled, when both are there)
 * @param bridgeWakes wakes across the PostgreSQL completion bridge measured (a tenth more as warmup)
 * @param bridgePairs pairs of PostgreSQL c16 cells without and with the bridge
 * @param bridgePerCell webhooks per bridge cost cell
 */
record Plan(String name, int wakeBlockSize, int pollRounds, int pollersPerRound, int trimWarmup,
    int trimPairs, int heapRounds, int throughputWarmupRounds, int throughputRounds, int plainPerCell,
    int trimPerClient, int trimExtra, int storeWarmup, int storePairs, boolean bothFfmpegs, int bridgeWakes,
    int bridgePairs, int bridgePerCell) {

  /** Seconds: for the smoke test, every figure once at its scale with few repetitions. */
  static final Plan TINY = new Plan("tiny", 150, 1, 40, 0, 1, 1, 0, 1, 60, 1, 0, 5, 20, false, 50, 1, 60);
  /** Under 3 minutes on a 2-core machine: the CI smoke run. */
  static final Plan QUICK = new Plan("quick", 1000, 2, 300, 1, 6, 1, 1, 1, 400, 1, 4, 20, 100, true, 200, 2, 200);
  /** Stable numbers: about 10 minutes on a 2-core machine. */
  static final Plan FULL = new Plan("full", 3000, 5, 1000, 4, 40, 3, 8, 2, 2500, 8, 24, 50, 500, true, 2000, 4,
      1500);

  /** Webhooks (and bare trims) per cell with trim at {@code concurrency}. */
  int trimPerCell(int concurrency) {
    return trimPerClient * concurrency + trimExtra;
  }

  /**
   * The plan named {@code name}.
   *
   * @throws IllegalArgumentException for a name other than tiny, quick or full
   */
  static Plan named(String name) {
    switch (name.toLowerCase(Locale.ROOT)) {
      case "tiny":
        return TINY;
      case "quick":
        return QUICK;
      case "full":
        return FULL;
      default:
        throw new IllegalArgumentException("--mode must be quick, full or tiny, was '" + name + "'");
    }
  }
}
