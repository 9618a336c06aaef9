package dev.replicateaudio.examples.bench;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.StoredAudio;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import java.io.PrintStream;
import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Figure 4: the most live heap one sound effect of 1, 10 and 50 MB (WAV from the simulator: mono,
 * 44.1 kHz, a tone between silences; 50 MB is 9.4 minutes) costs end to end — downloaded from the
 * simulator on loopback, trimmed with ffmpeg, hashed and
 * stored in PostgreSQL, waiter notified — measured with {@link HeapSampler} (a full GC every 5 ms
 * during the run, heap in use read after each; growth = largest reading minus the settled heap
 * just before). PostgreSQL, not embedded H2: H2 inside the JVM keeps a large BLOB's pages on the
 * heap by its own design, whoever stores it. One unmeasured 1 MB run first warms everything up;
 * sizes alternate in order (1, 10, 50, then 50, 10, 1 …); each figure is the largest of its rounds.
 * Then the 50 MB run again on MariaDB and on SQLite (issue 11), whose drivers hold a whole value in
 * memory, so the library stores and reads audio there in 256 KiB rows: one warmup and the same
 * number of rounds each.
 */
final class HeapFlatBench {
  static final int[] SIZES_MB = {1, 10, 50};
  private static final double MIB = 1024.0 * 1024.0;

  private HeapFlatBench() {
  }

  static void run(BenchContext ctx, Figures figures, BenchDatabases dbs, ExecutorService executor,
      SimulatorDelivery delivery) throws InterruptedException {
    PrintStream out = ctx.out();
    URI[] urls = new URI[SIZES_MB.length];
    for (int i = 0; i < SIZES_MB.length; i++) {
      urls[i] = delivery.wavs(SIZES_MB[i] * 1_000_000L, 1).get(0);
    }
    long[] worst = new long[SIZES_MB.length];
    BenchDatabases.Db db = dbs.pg();
    try (BenchPipeline pipeline = BenchPipeline.start(ctx, db, executor, false)) {
      processOnce(pipeline, urls[0], "warmup");
      for (int round = 0; round < ctx.plan().heapRounds(); round++) {
        for (int j = 0; j < SIZES_MB.length; j++) {
          int i = round % 2 == 0 ? j : SIZES_MB.length - 1 - j;
          long growth;
          int samples;
          long t = System.nanoTime();
          try (HeapSampler sampler = HeapSampler.start()) {
            processOnce(pipeline, urls[i], "heap-" + round + "-" + SIZES_MB[i]);
            growth = sampler.stop();
            samples = sampler.samples();
          }
          out.printf(Locale.ROOT, "  %2d MB: peak live heap growth %.2f MiB (%d forced-GC samples over %.1f s)%n",
              SIZES_MB[i], growth / MIB, samples, (System.nanoTime() - t) / 1e9);
          worst[i] = Math.max(worst[i], growth);
          db.truncateAudio();
        }
      }
    }
    for (int i = 0; i < SIZES_MB.length; i++) {
      figures.put("heap_growth_" + SIZES_MB[i] + "mb_mb", worst[i] / MIB);
    }
    URI fifty = urls[SIZES_MB.length - 1];
    for (BenchDatabases.Db other : List.of(dbs.mariadb(), dbs.sqlite())) {
      long worstHere = 0;
      try (BenchPipeline pipeline = BenchPipeline.start(ctx, other, executor, false)) {
        processOnce(pipeline, urls[0], "warmup-" + other.name());
        for (int round = 0; round < ctx.plan().heapRounds(); round++) {
          long growth;
          long t = System.nanoTime();
          try (HeapSampler sampler = HeapSampler.start()) {
            processOnce(pipeline, fifty, "heap-" + other.name() + "-" + round);
            growth = sampler.stop();
          }
          out.printf(Locale.ROOT, "  50 MB on %s: peak live heap growth %.2f MiB (%.1f s)%n", other.name(),
              growth / MIB, (System.nanoTime() - t) / 1e9);
          worstHere = Math.max(worstHere, growth);
          other.truncateAudio();
        }
      }
      figures.put("heap_growth_50mb_" + other.name() + "_mb", worstHere / MIB);
    }
  }

  private static void processOnce(BenchPipeline pipeline, URI url, String label) throws InterruptedException {
    long id = BenchPipeline.nextContentId();
    ContentKey key = ContentKey.of(BenchPipeline.TRIM_TYPE, id);
    String predictionId = "bench-" + label + "-" + id;
    pipeline.jobs.recordSubmitted(key, predictionId);
    Prediction prediction = Prediction.of(predictionId, PredictionStatus.SUCCEEDED, List.of(url), null);
    CompletionOutcome outcome;
    try {
      outcome = pipeline.processor.process(key, prediction).toCompletableFuture().get(5, TimeUnit.MINUTES);
    } catch (ExecutionException | TimeoutException e) {
      throw new IllegalStateException("processing " + url + " failed", e);
    }
    if (!outcome.isSuccess()) {
      throw new IllegalStateException("processing " + url + " ended " + outcome);
    }
    Optional<StoredAudio> stored = pipeline.audio.findAudio(key);
    if (stored.isEmpty() || stored.get().metadata().sizeBytes() < 1000) {
      throw new IllegalStateException("nothing was stored for " + key + ": " + stored);
    }
  }
}
