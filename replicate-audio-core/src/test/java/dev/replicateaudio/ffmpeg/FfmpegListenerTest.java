package dev.replicateaudio.ffmpeg;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The runner reports each run to its {@link FfmpegListener}, with shell scripts standing in for ffmpeg. */
@ExtendWith(LeakCheckExtension.class)
class FfmpegListenerTest {
  @TempDir
  Path dir;

  record Run(FfmpegListener.Program program, FfmpegListener.Outcome outcome, Duration elapsed) {
  }

  static final class Recording implements FfmpegListener {
    final List<Run> runs = new CopyOnWriteArrayList<>();

    @Override
    public void runFinished(Program program, Outcome outcome, Duration elapsed) {
      runs.add(new Run(program, outcome, elapsed));
    }
  }

  private ReplicateAudioSettings settings(String body, Duration timeout, int maxConcurrent) throws IOException {
    Path p = dir.resolve("fake-ffmpeg");
    Files.writeString(p, "#!/bin/sh\n" + body + "\n", UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return ReplicateAudioSettings.defaults().toBuilder().ffmpegPath(p.toString()).ffprobePath(p.toString())
        .ffmpegTimeout(timeout).maxConcurrentFfmpeg(maxConcurrent).build();
  }

  @Test
  void reportsSuccessNonZeroExitAndTimeoutWithTheirProgram() throws Exception {
    Recording listener = new Recording();
    ReplicateAudioSettings s = settings("case \"$*\" in *fail*) exit 3;; *hang*) sleep 30;; esac; exit 0",
        Duration.ofMillis(500), 2);
    try (FfmpegRunner runner = FfmpegRunner.create(s, listener)) {
      runner.run(List.of("ok"));
      runner.runProbeAsync(List.of("ok")).join();
      assertThatThrownBy(() -> runner.run(List.of("fail"))).isInstanceOf(FfmpegException.class);
      assertThatThrownBy(() -> runner.run(List.of("hang"))).isInstanceOf(FfmpegException.class)
          .matches(e -> ((FfmpegException) e).timedOut());
    }
    assertThat(listener.runs).extracting(Run::program, Run::outcome).containsExactly(
        org.assertj.core.groups.Tuple.tuple(FfmpegListener.Program.FFMPEG, FfmpegListener.Outcome.SUCCESS),
        org.assertj.core.groups.Tuple.tuple(FfmpegListener.Program.FFPROBE, FfmpegListener.Outcome.SUCCESS),
        org.assertj.core.groups.Tuple.tuple(FfmpegListener.Program.FFMPEG, FfmpegListener.Outcome.NONZERO_EXIT),
        org.assertj.core.groups.Tuple.tuple(FfmpegListener.Program.FFMPEG, FfmpegListener.Outcome.TIMEOUT));
    assertThat(listener.runs.get(3).elapsed()).isGreaterThanOrEqualTo(Duration.ofMillis(500));
  }

  @Test
  void aRunThatCannotStartIsAnErrorWithZeroTime() throws Exception {
    Recording listener = new Recording();
    ReplicateAudioSettings s = ReplicateAudioSettings.defaults().toBuilder()
        .ffmpegPath(dir.resolve("missing").toString()).build();
    try (FfmpegRunner runner = FfmpegRunner.create(s, listener)) {
      assertThatThrownBy(() -> runner.run(List.of("-version"))).isInstanceOf(FfmpegException.class);
      assertThatThrownBy(() -> runner.runAsync(List.of("-version")).join()).hasCauseInstanceOf(FfmpegException.class);
    }
    assertThat(listener.runs).extracting(Run::outcome)
        .containsExactly(FfmpegListener.Outcome.ERROR, FfmpegListener.Outcome.ERROR);
    assertThat(listener.runs).extracting(Run::elapsed).containsOnly(Duration.ZERO);
  }

  @Test
  void aThrowingListenerDoesNotAffectTheRun() throws Exception {
    FfmpegListener throwing = new FfmpegListener() {
      @Override
      public void runFinished(Program program, Outcome outcome, Duration elapsed) {
        throw new IllegalStateException("listener bug");
      }
    };
    try (FfmpegRunner runner = FfmpegRunner.create(settings("exit 0", Duration.ofSeconds(10), 1), throwing)) {
      assertThat(runner.run(List.of("x")).exitCode()).isZero();
      assertThat(runner.runAsync(List.of("x")).join().exitCode()).isZero();
      assertThat(runner.runningProcesses()).isZero();
    }
  }

  @Test
  void waitingRunsCountsRunsQueuedForASlot() throws Exception {
    Path gate = dir.resolve("gate");
    try (FfmpegRunner runner = FfmpegRunner.create(settings("while [ ! -f " + gate + " ]; do sleep 0.05; done",
        Duration.ofSeconds(20), 1))) {
      assertThat(runner.maxConcurrentRuns()).isEqualTo(1);
      CompletableFuture<FfmpegResult> first = runner.runAsync(List.of("a"));
      CompletableFuture<FfmpegResult> second = runner.runAsync(List.of("b"));
      CompletableFuture<FfmpegResult> third = runner.runAsync(List.of("c"));
      assertThat(runner.waitingRuns()).isEqualTo(2);
      Files.createFile(gate);
      CompletableFuture.allOf(first, second, third).join();
      assertThat(runner.waitingRuns()).isZero();
    }
  }
}
