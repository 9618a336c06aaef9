package dev.replicateaudio.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.InvalidAudioException;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's less travelled paths: what ffprobe prints that is not usable, asynchronous runs that
 * can't start or whose runner closes before their turn, the caller's interrupt status across close(),
 * and what the runner tells about itself.
 */
@ExtendWith(LeakCheckExtension.class)
class FfmpegRunnerEdgeCasesTest {
  @TempDir
  Path dir;

  private FfmpegRunner runner;

  @AfterEach
  void close() {
    if (runner != null) {
      runner.close();
    }
  }

  private Path script(String name, String body) throws IOException {
    return ShellScripts.write(dir, name, body);
  }

  /** A runner whose ffprobe prints {@code stdout} and exits 0, whatever it is asked. */
  private FfmpegRunner probePrinting(String stdout) throws IOException {
    Path probe = script("ffprobe", "cat <<'JSON'\n" + stdout + "\nJSON");
    return FfmpegRunner.create(ReplicateAudioSettings.defaults().toBuilder().ffprobePath(probe.toString()).build());
  }

  private Path anyFile() throws IOException {
    return Files.writeString(dir.resolve("input.bin"), "bytes");
  }

  @Test
  void probeRefusesOutputThatIsNotJson() throws IOException {
    runner = probePrinting("Segmentation fault (core dumped)");
    Path file = anyFile();

    assertThatThrownBy(() -> runner.probe(file)).isInstanceOf(InvalidAudioException.class)
        .hasMessageStartingWith("ffprobe printed no readable JSON for " + file.toAbsolutePath() + ": ");
  }

  @Test
  void probeReportsTheErrorFfprobeDescribesInItsJson() throws IOException {
    runner = probePrinting("{\"error\": {\"code\": -1094995529, \"string\": \"Invalid data found when processing input\"}}");
    Path file = anyFile();

    assertThatThrownBy(() -> runner.probe(file)).isInstanceOf(InvalidAudioException.class)
        .hasMessage("Not readable as audio: " + file.toAbsolutePath()
            + ": ffprobe error -1094995529: Invalid data found when processing input");
  }

  @Test
  void probeRefusesAFileWithoutAnAudioStream() throws IOException {
    TestFfmpeg.Build build = TestFfmpeg.preferred();
    runner = FfmpegRunner.create(build.settings());
    Path video = dir.resolve("video.avi");
    runner.run(List.of("-loglevel", "error", "-f", "lavfi", "-i", "color=c=black:s=16x16:d=0.2", "-c:v", "mjpeg",
        "-f", "avi", video.toString()));

    assertThatThrownBy(() -> runner.probe(video)).isInstanceOf(InvalidAudioException.class)
        .hasMessage("No audio stream in " + video.toAbsolutePath() + " (format avi)");
  }

  @Test
  void aBitRateBeyondAnyLongCountsAsUnknown() throws IOException {
    runner = probePrinting("{\"format\": {\"format_name\": \"mp3\", \"duration\": \"2.0\","
        + " \"bit_rate\": \"99999999999999999999999999\"},"
        + " \"streams\": [{\"codec_type\": \"audio\", \"codec_name\": \"mp3\", \"sample_fmt\": \"fltp\","
        + " \"sample_rate\": \"44100\", \"channels\": 2, \"bit_rate\": \"1e40\"}]}");

    AudioInfo info = runner.probe(anyFile());

    assertThat(info.codecName()).isEqualTo("mp3");
    assertThat(info.sampleRate()).isEqualTo(44_100);
    assertThat(info.bitRate()).isZero();
    assertThat(info.hasBitRate()).isFalse();
  }

  @Test
  void anAsynchronousRunThatCannotStartFailsAndGivesItsSlotBack() throws Exception {
    ReplicateAudioSettings settings = ReplicateAudioSettings.defaults().toBuilder()
        .ffmpegPath(dir.resolve("missing/ffmpeg").toString()).maxConcurrentFfmpeg(1).build();
    runner = FfmpegRunner.create(settings);

    for (int i = 0; i < 2; i++) { // the second run would wait forever if the first kept the only slot
      CompletableFuture<FfmpegResult> run = runner.runAsync(List.of("-version"));
      assertThat(run).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOfSatisfying(FfmpegException.class, e -> {
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.exitCode()).isEqualTo(FfmpegException.NO_EXIT_CODE);
            assertThat(e).hasMessageContaining("Could not start ffmpeg '" + dir.resolve("missing/ffmpeg") + "'");
          });
    }
    assertThat(runner.runningProcesses()).isZero();
  }

  @Test
  void aRunWhoseTurnComesAfterCloseFailsWithoutStartingAProcess() throws Exception {
    Path log = dir.resolve("started.log");
    Path ffmpeg = script("ffmpeg", "echo started >> '" + log + "'");
    Queue<Runnable> queued = new ArrayDeque<>();
    Executor later = queued::add;
    runner = FfmpegRunner.create(ReplicateAudioSettings.defaults().toBuilder().ffmpegPath(ffmpeg.toString())
        .maxConcurrentFfmpeg(1).build(), later);

    CompletableFuture<FfmpegResult> run = runner.runAsync(List.of("-i", "x.wav"));
    assertThat(queued).hasSize(1); // it holds the slot and waits for the executor
    runner.close();
    queued.remove().run();

    assertThat(run).failsWithin(Duration.ofSeconds(5)).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(IllegalStateException.class)
        .withMessageStartingWith("FfmpegRunner was closed before ffmpeg started: " + ffmpeg);
    assertThat(log).doesNotExist();
  }

  @Test
  void aRunCancelledWhileItsTurnIsQueuedGivesTheSlotToTheNextRun() throws Exception {
    Path ffmpeg = script("ffmpeg", "exit 0");
    Queue<Runnable> queued = new ArrayDeque<>();
    Executor later = queued::add;
    runner = FfmpegRunner.create(ReplicateAudioSettings.defaults().toBuilder().ffmpegPath(ffmpeg.toString())
        .maxConcurrentFfmpeg(1).build(), later);

    CompletableFuture<FfmpegResult> first = runner.runAsync(List.of("-i", "a.wav"));
    CompletableFuture<FfmpegResult> second = runner.runAsync(List.of("-i", "b.wav"));
    assertThat(queued).hasSize(1); // only the first got the slot
    first.cancel(false);
    queued.remove().run(); // the first's turn: cancelled, so the slot goes on to the second

    assertThat(queued).hasSize(1);
    queued.remove().run(); // the second starts its process; its completion is queued when it exits
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (!second.isDone() && System.nanoTime() < deadline) {
      Runnable next = queued.poll();
      if (next == null) {
        Thread.sleep(10);
      } else {
        next.run();
      }
    }
    assertThat(second).isCompletedWithValueMatching(r -> r.exitCode() == 0);
    assertThat(first).isCancelled();
  }

  @Test
  void closeKillsTheProcessesAndKeepsTheCallersInterruptStatus() throws Exception {
    Path ffmpeg = script("ffmpeg", "exec sleep 30");
    runner = FfmpegRunner.create(ReplicateAudioSettings.defaults().toBuilder().ffmpegPath(ffmpeg.toString()).build());
    CompletableFuture<FfmpegResult> run = runner.runAsync(List.of("-i", "x.wav"));
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (runner.runningProcesses() == 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertThat(runner.runningProcesses()).isEqualTo(1);

    Thread.currentThread().interrupt();
    try {
      runner.close();
      assertThat(Thread.currentThread().isInterrupted()).isTrue();
    } finally {
      Thread.interrupted();
    }

    assertThat(runner.runningProcesses()).isZero();
    assertThat(run).failsWithin(Duration.ofSeconds(10)).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(FfmpegException.class);
  }

  @Test
  void describesItsProgramsAndHowManySlotsAreInUse() {
    ReplicateAudioSettings settings = ReplicateAudioSettings.defaults().toBuilder().ffmpegPath("/opt/ff/ffmpeg")
        .ffprobePath("/opt/ff/ffprobe").maxConcurrentFfmpeg(3).build();
    runner = FfmpegRunner.create(settings);

    assertThat(runner.settings()).isSameAs(settings);
    assertThat(runner).hasToString("FfmpegRunner[ffmpeg=/opt/ff/ffmpeg, ffprobe=/opt/ff/ffprobe, running=0/3]");
    runner.close();
    assertThat(runner).hasToString("FfmpegRunner[ffmpeg=/opt/ff/ffmpeg, ffprobe=/opt/ff/ffprobe, running=0/3, closed]");
  }
}
