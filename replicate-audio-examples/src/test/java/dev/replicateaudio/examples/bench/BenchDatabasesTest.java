package dev.replicateaudio.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.port.AudioMetadata;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Figure 5 empties H2's audio table after every cell; the BLOBs that frees must be paid for then, not
 * by whichever cell runs when the pool later closes the connections that stored them.
 */
class BenchDatabasesTest {
  private static final int BLOBS = 300;

  @TempDir
  Path dir;

  @Test
  void truncatingH2PaysForFreeingItsBlobsBeforeItReturns() throws Exception {
    Path clip = dir.resolve("clip.bin");
    byte[] data = new byte[200_000];
    new Random(7).nextBytes(data);
    Files.write(clip, data);
    AudioMetadata metadata = AudioMetadata.of(clip, "audio/wav", Duration.ofMillis(2267));
    try (BenchDatabases dbs = new BenchDatabases(dir, new PrintStream(PrintStream.nullOutputStream()))) {
      BenchDatabases.Db h2 = dbs.h2();
      // several pooled connections each store BLOBs (their sessions keep a reference to each upload)
      ExecutorService threads = Executors.newFixedThreadPool(8);
      try {
        List<Future<?>> stores = new ArrayList<>();
        for (int i = 0; i < BLOBS; i++) {
          stores.add(threads.submit(() -> StoreVsJdbcBench.insert(h2,
              ContentKey.of(BenchPipeline.PLAIN_TYPE, BenchPipeline.nextContentId()), clip, metadata)));
        }
        for (Future<?> f : stores) {
          f.get();
        }
      } finally {
        threads.shutdown();
      }
      long before = BenchDatabases.Db.lobCleanerCpu();
      h2.truncateAudio();
      long during = BenchDatabases.Db.lobCleanerCpu() - before;

      // what the pool would do later: close every connection, then commits move H2's versions on
      h2.dataSource().getHikariPoolMXBean().softEvictConnections();
      long after = BenchDatabases.Db.lobCleanerCpu();
      for (int i = 0; i < 20; i++) {
        int n = i;
        h2.jdbi().useHandle(h -> h.execute("MERGE INTO bench_tick KEY (id) VALUES (1, " + n + ")"));
        Thread.sleep(50);
      }
      long later = BenchDatabases.Db.lobCleanerCpu() - after;

      assertThat(later).as("H2's LOB cleaner had nothing left to free once the connections closed later (CPU nanos;"
              + " %,d spent inside truncateAudio)", during).isLessThan(20_000_000L);
      long rows = h2.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ra_audio").mapTo(Long.class).one());
      assertThat(rows).isZero();
    }
  }
}
