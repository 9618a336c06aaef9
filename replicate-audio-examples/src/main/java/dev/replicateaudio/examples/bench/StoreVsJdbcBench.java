package dev.replicateaudio.examples.bench;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.jdbi.JdbiAudioStore;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.FileStamp;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Locale;

/**
 * Figure 6: {@link JdbiAudioStore#storeAudio} as the pipeline calls it (the SHA-256 computed where the
 * audio was produced, the file's {@link FileStamp} checked instead of hashing again) against the
 * plain JDBC a host would write — one
 * {@code INSERT} with {@code setBinaryStream} of the same file, auto-commit, on a connection from
 * the same pool — into the same table of the same database, alternated (library, JDBC, JDBC,
 * library …), each store a new row. The ratio is of throughputs: median JDBC time over median
 * library time. The key is measured on PostgreSQL; H2 (embedded, file) is printed alongside.
 */
final class StoreVsJdbcBench {
  private static final int BYTES = 200_000;

  private StoreVsJdbcBench() {
  }

  static void run(BenchContext ctx, Figures figures, BenchDatabases dbs) {
    Path dir = ctx.workDir().resolve("store");
    TrimOverheadBench.mkdirs(dir);
    Path file = BenchAudio.wavOfSize(dir.resolve("effect-200k.wav"), BYTES, 44_100, 1, 0.5, 0.5);
    AudioMetadata metadata = AudioMetadata.of(file, "audio/wav", Duration.ofMillis(2267));
    FileStamp stamp = FileStamp.of(file); // as the downloader or post-processor hands it over, hashed once
    double pg = ratio(ctx, dbs.pg(), file, metadata, stamp);
    double h2 = ratio(ctx, dbs.h2(), file, metadata, stamp);
    ctx.out().printf(Locale.ROOT, "  library / JDBC throughput: PostgreSQL %.3f, H2 %.3f%n", pg, h2);
    figures.put("store_vs_jdbc_ratio", pg);
  }

  private static double ratio(BenchContext ctx, BenchDatabases.Db db, Path file, AudioMetadata metadata,
      FileStamp stamp) {
    JdbiAudioStore store = JdbiAudioStore.create(db.jdbi());
    Samples library = new Samples();
    Samples jdbc = new Samples();
    Plan plan = ctx.plan();
    for (int i = 0; i < plan.storeWarmup() + plan.storePairs(); i++) {
      boolean keep = i >= plan.storeWarmup();
      if (i % 2 == 0) {
        time(keep, library, () -> store.storeAudio(key(), file, metadata, stamp));
        time(keep, jdbc, () -> insert(db, key(), file, metadata));
      } else {
        time(keep, jdbc, () -> insert(db, key(), file, metadata));
        time(keep, library, () -> store.storeAudio(key(), file, metadata, stamp));
      }
    }
    long rows = db.jdbi().withHandle(h -> h.createQuery("SELECT COUNT(*) FROM ra_audio"
        + " WHERE content_type = 'bench_store' AND size_bytes = " + BYTES).mapTo(Long.class).one());
    long expected = 2L * (plan.storeWarmup() + plan.storePairs());
    if (rows != expected) {
      throw new IllegalStateException("expected " + expected + " stored rows in " + db.name() + ", found " + rows);
    }
    db.truncateAudio();
    ctx.out().printf(Locale.ROOT, "  %s: library %s; plain JDBC %s%n", db.name(), library.describe(), jdbc.describe());
    return jdbc.percentileNanos(50) / library.percentileNanos(50);
  }

  private static ContentKey key() {
    return ContentKey.of("bench_store", BenchPipeline.nextContentId());
  }

  private static void time(boolean keep, Samples into, Runnable r) {
    long t = System.nanoTime();
    r.run();
    long elapsed = System.nanoTime() - t;
    if (keep) {
      into.add(elapsed);
    }
  }

  /** What a host writes by hand: one INSERT, the bytes streamed from the file, auto-commit. */
  static void insert(BenchDatabases.Db db, ContentKey key, Path file, AudioMetadata m) {
    try (Connection c = db.dataSource().getConnection();
        PreparedStatement ps = c.prepareStatement("INSERT INTO ra_audio (content_type, content_id, audio, mime_type,"
            + " size_bytes, sha256, duration_us, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
        InputStream in = Files.newInputStream(file)) {
      ps.setString(1, key.contentType());
      ps.setLong(2, key.contentId());
      ps.setBinaryStream(3, in, Files.size(file));
      ps.setString(4, m.mimeType());
      ps.setLong(5, m.sizeBytes());
      ps.setString(6, m.sha256());
      ps.setLong(7, m.duration().toNanos() / 1000);
      ps.setObject(8, OffsetDateTime.now(ZoneOffset.UTC));
      if (ps.executeUpdate() != 1) {
        throw new IllegalStateException("the INSERT did not insert one row");
      }
    } catch (SQLException e) {
      throw new IllegalStateException("plain JDBC insert into " + db.name() + " failed", e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
