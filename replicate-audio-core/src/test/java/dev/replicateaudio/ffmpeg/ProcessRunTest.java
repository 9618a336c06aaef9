package dev.replicateaudio.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** How a run describes its command, and what it does with outputs it can't or must not use. */
@ExtendWith(LeakCheckExtension.class)
class ProcessRunTest {
  @TempDir
  Path dir;

  private FfmpegRunner runner;

  @AfterEach
  void close() {
    if (runner != null) {
      runner.close();
    }
  }

  private FfmpegRunner withFfprobe(String body) throws IOException {
    Path p = ShellScripts.write(dir, "ffprobe", body);
    return FfmpegRunner.create(ReplicateAudioSettings.defaults().toBuilder().ffprobePath(p.toString()).build());
  }

  /**
   * A script body that leaves, in its working directory (the run's private temp directory), a tree
   * deeper than PATH_MAX, which no path can name and so nothing can delete by path, and writes that
   * directory's path to {@code where}.
   */
  private static String leaveAnUndeletableTree(Path where) {
    return "pwd > '" + where + "'\n"
        + "d=$(printf 'n%.0s' $(seq 250)); half=$d/$d/$d/$d/$d/$d/$d/$d/$d\n"
        + "mkdir -p \"$half\" && cd \"$half\" && mkdir -p \"$half\" || exit 99\n";
  }

  private static void removeWithRm(Path where) throws Exception {
    Path dir = Path.of(Files.readString(where).strip());
    Process rm = new ProcessBuilder("rm", "-rf", dir.toString()).inheritIO().start();
    assertThat(rm.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(dir).doesNotExist();
  }

  @Test
  void aFailedRunReportsWhatItsTempDirectoryCouldNotLoseAsSuppressed() throws Exception {
    Path where = dir.resolve("where");
    runner = withFfprobe(leaveAnUndeletableTree(where) + "exit 1");
    try {
      assertThatThrownBy(() -> runner.runProbe(List.of("x.mp3")))
          .isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(e.exitCode()).isEqualTo(1))
          .satisfies(e -> assertThat(e.getSuppressed()).singleElement().asString()
              .contains("Could not delete temporary directory"));
    } finally {
      removeWithRm(where);
    }
  }

  @Test
  void aSuccessfulRunStillSucceedsWhenItsTempDirectoryCannotBeDeleted() throws Exception {
    Path where = dir.resolve("where");
    runner = withFfprobe(leaveAnUndeletableTree(where) + "echo '{}'");
    try {
      assertThat(runner.runProbe(List.of("x.mp3")).stdout()).isEqualTo("{}\n"); // the leftover is logged
    } finally {
      removeWithRm(where);
    }
  }

  @Test
  void commandsAreQuotedAsAShellWouldNeedThem() {
    assertThat(ProcessRun.describe(List.of("ffmpeg", "-i", "my song.wav", "-metadata", "title=it's", "", "-y")))
        .isEqualTo("ffmpeg -i 'my song.wav' -metadata 'title=it'\\''s' '' -y");
  }

  @Test
  void aLongCommandIsCutAtTwoThousandCharacters() {
    List<String> command = new ArrayList<>(List.of("ffmpeg"));
    for (int i = 0; i < 500; i++) {
      command.add("-i");
      command.add("input-" + i + ".wav");
    }

    String described = ProcessRun.describe(command);

    assertThat(described).startsWith("ffmpeg -i input-0.wav -i input-1.wav").endsWith("...").hasSize(2003);
  }

  @Test
  void theTailOfAStderrFileThatIsGoneIsEmpty() {
    assertThat(ProcessRun.readTail(dir.resolve("deleted.stderr.log"))).isEmpty();
  }

  @Test
  void aProbeWritingMoreThanTheStdoutLimitFailsNamingTheLimit() throws IOException {
    runner = withFfprobe("head -c " + (FfmpegRunner.MAX_STDOUT_BYTES + 1) + " /dev/zero");

    assertThatThrownBy(() -> runner.runProbe(List.of("-show_format", "x.mp3")))
        .isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(e.isRetryable()).isFalse())
        .hasMessageStartingWith("ffprobe wrote more than " + FfmpegRunner.MAX_STDOUT_BYTES + " bytes to stdout: ")
        .hasMessageEndingWith("-show_format x.mp3");
  }

  @Test
  void aProbeWritingExactlyTheLimitIsAccepted() throws IOException {
    runner = withFfprobe("head -c " + FfmpegRunner.MAX_STDOUT_BYTES + " /dev/zero | tr '\\0' 'a'");

    assertThat(runner.runProbe(List.of("x.mp3")).stdout()).hasSize(FfmpegRunner.MAX_STDOUT_BYTES);
  }

  @Test
  void aProbeWhoseStdoutFileWasRemovedReportsEmptyOutput() throws IOException {
    // the run's working directory is its private temp directory, where stdout is redirected to a file
    runner = withFfprobe("echo '{\"lost\": true}'; rm -f ./*.stdout");

    assertThat(runner.runProbe(List.of("x.mp3")).stdout()).isEmpty();
  }
}
