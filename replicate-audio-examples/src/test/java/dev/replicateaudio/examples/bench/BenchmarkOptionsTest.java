package dev.replicateaudio.examples.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkOptionsTest {
  @Test
  void defaultsToQuickInAForkedJvmWritingIntoTargetAndDocs() {
    BenchmarkRunner.Options o = BenchmarkRunner.Options.parse();

    assertThat(o.plan()).isEqualTo(Plan.QUICK);
    assertThat(o.fork()).isTrue();
    assertThat(o.figures()).containsExactlyInAnyOrder(1, 2, 3, 4, 5, 6, 7);
    assertThat(o.bundledFfmpeg()).isFalse();
    Path module = BenchmarkRunner.moduleDirectory().orElseThrow();
    assertThat(module.getFileName().toString()).isEqualTo("replicate-audio-examples");
    assertThat(o.json()).isEqualTo(module.resolve("target").resolve("benchmark-results.json").toAbsolutePath());
    assertThat(o.charts()).as("a quick run leaves the published charts alone").isNull();
    assertThat(BenchmarkRunner.Options.parse("--mode", "full").charts())
        .isEqualTo(module.toAbsolutePath().getParent().resolve("docs"));
  }

  @Test
  void forkedArgumentsReproduceTheOptionsInTheChildJvm(@TempDir Path dir) {
    BenchmarkRunner.Options o = BenchmarkRunner.Options.parse("--mode", "full", "--json",
        dir.resolve("r.json").toString(), "--no-charts", "--figures", "5,1", "--ffmpeg", "bundled");

    BenchmarkRunner.Options child = BenchmarkRunner.Options.parse(o.forkedArgs().toArray(String[]::new));

    assertThat(child.plan()).isEqualTo(Plan.FULL);
    assertThat(child.json()).isEqualTo(o.json());
    assertThat(child.charts()).isNull();
    assertThat(child.figures()).isEqualTo(Set.of(1, 5));
    assertThat(child.bundledFfmpeg()).isTrue();
    assertThat(child.fork()).isFalse();
    assertThat(child.forked()).isTrue();
  }

  @Test
  void unknownArgumentIsRefusedNamingItAndTheAcceptedOnes() {
    assertThatThrownBy(() -> BenchmarkRunner.Options.parse("--mdoe", "full"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("unknown argument '--mdoe'")
        .hasMessageContaining("--mode quick|full|tiny");
  }

  @Test
  void unknownModeIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> BenchmarkRunner.Options.parse("--mode", "fast"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--mode must be quick, full or tiny, was 'fast'");
  }

  @Test
  void unknownFfmpegChoiceIsRefusedNamingTheValue() {
    assertThatThrownBy(() -> BenchmarkRunner.Options.parse("--ffmpeg", "system"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--ffmpeg must be auto or bundled, was 'system'");
  }

  @Test
  void optionWithoutItsValueIsRefused() {
    assertThatThrownBy(() -> BenchmarkRunner.Options.parse("--json"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--json needs a value");
  }

  @Test
  void figureOutsideOneToSevenIsRefused() {
    assertThatThrownBy(() -> BenchmarkRunner.Options.parse("--figures", "1,8"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("--figures takes numbers from 1 to 7, was '1,8'");
  }

  @Test
  void figuresRefuseValuesThatWereNotMeasured() {
    Figures f = new Figures();

    assertThatThrownBy(() -> f.put("wake_p50_ms", Double.NaN))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("figure wake_p50_ms was not measured: NaN");
    assertThatThrownBy(() -> f.put("wake_p51_ms", 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a figure key: wake_p51_ms");
    f.put("wake_p50_ms", 0.012346);
    assertThatThrownBy(() -> f.put("wake_p50_ms", 1))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("recorded twice");
    assertThat(f.get("wake_p50_ms")).isEqualTo(0.01235);
    assertThat(f.missing()).hasSize(Figures.KEYS.size() - 1).doesNotContain("wake_p50_ms");
  }

  @Test
  void theTrimSharesOfOneFfmpegAreEnoughAndAHalfMeasuredSetIsMissing() {
    Figures f = new Figures();
    for (int c : Figures.CONCURRENCY) {
      f.put(Figures.shareKey("h2", c, "bundled"), 0.9);
    }
    assertThat(f.missing()).contains("trim_vs_bare_pg_c1_bundled", "trim_vs_bare_h2_c1_system");

    for (int c : Figures.CONCURRENCY) {
      f.put(Figures.shareKey("pg", c, "bundled"), 0.9);
    }
    assertThat(f.missing()).noneMatch(k -> k.startsWith("trim_vs_bare_")).contains("bridge_wake_p99_ms",
        "cpu_ms_per_webhook_library_h2", "cpu_ms_per_webhook_harness_pg", "cpu_ms_per_webhook_pg_server");
  }

  @Test
  void tableMarksMetAndMissedGoalsAndDerivesTheRatios() {
    Figures f = new Figures();
    f.put("wake_p50_ms", 0.05);
    f.put("poll500_p50_ms", 250);
    f.put("trim_overhead_ratio", 2.5);
    f.put("webhooks_per_s_h2_trim_c4", 3);
    f.put("bare_ffmpeg_per_s_c4", 6);
    f.put("trim_vs_bare_h2_c4_system", 0.5);
    f.put("trim_vs_bare_pg_c16_bundled", 0.9);
    f.put("webhooks_per_s_pg_notrim_c16", 499);
    f.put("cpu_ms_per_webhook_library_pg", 1.5);
    f.put("cpu_ms_per_webhook_gc_pg", 0.25);
    f.put("cpu_ms_per_webhook_jit_pg", 3);
    f.put("cpu_ms_per_webhook_harness_pg", 4);
    f.put("cpu_ms_per_webhook_pg_server", 1);
    f.put("bridge_wake_p99_ms", 9.5);
    f.put("bridge_cost_pg_c16_pct", 12);
    f.put("jdbc_inserts_per_s_pg_c16", 998);

    String table = f.table();

    assertThat(table).containsPattern("wake_p50_ms\\s+0\\.0500 ms\\s+< 0\\.1 ms\\s+yes");
    assertThat(table).containsPattern("event vs 0\\.5 s poller at p50\\s+5,000 x\\s+>= 1,000 x\\s+yes");
    assertThat(table).containsPattern("trim_overhead_ratio\\s+2\\.50\\s+<= 1\\.10\\s+NO");
    assertThat(table).containsPattern("trim_vs_bare_h2_c4_system\\s+0\\.50\\s+>= 0\\.85\\s+NO");
    assertThat(table).containsPattern("trim_vs_bare_pg_c16_bundled\\s+0\\.90\\s+>= 0\\.85\\s+yes");
    assertThat(table).containsPattern("webhooks_per_s_pg_notrim_c16\\s+499\\.0 /s\\s+>= 500 /s\\s+NO");
    assertThat(table).as("neither the harness's share nor the JIT's warmup is in the capacity plan")
        .containsPattern("capacity plan, pg: library \\+ gc \\+ server\\s+2\\.75 ms");
    assertThat(table).containsPattern("bridge_wake_p99_ms\\s+9\\.50 ms\\s+< 10 ms\\s+yes");
    assertThat(table).containsPattern("bridge_cost_pg_c16_pct\\s+12\\.0 %\\s+< 10 %\\s+NO");
    assertThat(table).as("the webhooks' rate beside the database's own ceiling, without a goal")
        .containsPattern("jdbc_inserts_per_s_pg_c16\\s+998\\.0 /s\\s*\\n")
        .containsPattern("webhooks / plain inserts, pg c16\\s+0\\.50\\s*\\n")
        .doesNotContain("webhooks / plain inserts, h2");
  }

  @Test
  void wavOfSizeWritesExactlyThatManyBytesWithACorrectHeader(@TempDir Path dir) throws Exception {
    Path wav = BenchAudio.wavOfSize(dir.resolve("a.wav"), 200_000, 44_100, 1, 0.5, 0.5);

    byte[] bytes = Files.readAllBytes(wav);
    assertThat(bytes).hasSize(200_000);
    assertThat(new String(bytes, 0, 4, java.nio.charset.StandardCharsets.US_ASCII)).isEqualTo("RIFF");
    int riffSize = java.nio.ByteBuffer.wrap(bytes, 4, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    int dataSize = java.nio.ByteBuffer.wrap(bytes, 40, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt();
    assertThat(riffSize).isEqualTo(200_000 - 8);
    assertThat(dataSize).isEqualTo(200_000 - 44);
    // silence first, tone later
    assertThat(bytes[44]).isZero();
    short loud = 0;
    for (int i = 44 + 2 * 30_000; i < 44 + 2 * 31_000; i += 2) {
      loud = (short) Math.max(loud, Math.abs((short) ((bytes[i] & 0xff) | (bytes[i + 1] << 8))));
    }
    assertThat(loud).isGreaterThan((short) 10_000);
  }

  @Test
  void wavOfSizeRefusesASizeThatCannotHoldItsSilence(@TempDir Path dir) {
    assertThatThrownBy(() -> BenchAudio.wavOfSize(dir.resolve("a.wav"), 1_000, 44_100, 1, 0.5, 0.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("can't make a 1000-byte WAV");
  }
}
