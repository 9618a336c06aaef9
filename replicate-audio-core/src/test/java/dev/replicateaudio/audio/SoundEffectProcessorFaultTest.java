package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.ffmpeg.FfmpegException;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a trim does when ffmpeg misbehaves, which a real ffmpeg does not do on demand: the trim runs a
 * wrapper script that changes the trimming pass only (its filter graph holds {@code silenceremove}) and
 * leaves every other run, the decoding check included, to the real ffmpeg. Every failure names its cause
 * and leaves neither the output nor a {@code .part} file behind.
 */
@ExtendWith(LeakCheckExtension.class)
class SoundEffectProcessorFaultTest {
  @TempDir
  Path dir;

  private final TestFfmpeg.Build build = TestFfmpeg.preferred();
  private FfmpegRunner plain;
  private FfmpegRunner wrapped;
  private Path input;
  private Path output;
  private Path log;

  @BeforeEach
  void fixture() {
    plain = FfmpegRunner.create(build.settings());
    input = AudioFixtures.in(dir.resolve("fixtures"), plain).toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5);
    output = dir.resolve("out.wav");
    log = dir.resolve("started.log");
  }

  @AfterEach
  void close() {
    for (FfmpegRunner r : new FfmpegRunner[] {plain, wrapped}) {
      if (r != null) {
        r.close();
      }
    }
  }

  /** A processor whose ffmpeg runs {@code trimPass} (sh, with {@code $REAL}) for the trimming pass. */
  private SoundEffectProcessor withTrimPass(String trimPass) throws IOException {
    Path script = dir.resolve("ffmpeg-wrapper");
    Files.writeString(script, "#!/bin/sh\nREAL='" + build.ffmpeg() + "'\n"
        + "case \"$*\" in\n"
        + "  *silenceremove*) echo trim >> '" + log + "'\n" + trimPass + "\n;;\n"
        + "esac\n"
        + "echo other >> '" + log + "'\n"
        + "exec \"$REAL\" \"$@\"\n", StandardCharsets.UTF_8);
    assertThat(script.toFile().setExecutable(true)).isTrue();
    ReplicateAudioSettings settings = build.settings().toBuilder().ffmpegPath(script.toString()).build();
    wrapped = FfmpegRunner.create(settings);
    return SoundEffectProcessor.create(wrapped, settings);
  }

  private List<String> started() throws IOException {
    return Files.exists(log) ? Files.readAllLines(log) : List.of();
  }

  private void assertNothingLeftNextToTheOutput() throws IOException {
    assertThat(output).doesNotExist();
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @Test
  void aTrimPassThatFailsOnGoodInputRethrowsFfmpegsFailureAfterTheDecodingCheckClearsTheInput() throws Exception {
    SoundEffectProcessor p = withTrimPass("echo 'simulated encoder failure' >&2; exit 1");

    assertThatThrownBy(() -> p.trimAudio(input, output))
        .isInstanceOfSatisfying(FfmpegException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(1);
          assertThat(e.isRetryable()).isFalse();
          assertThat(e.stderrTail()).contains("simulated encoder failure");
        });
    assertThat(started()).containsExactly("trim", "other"); // the failed pass, then the decoding check
    assertNothingLeftNextToTheOutput();
  }

  @Test
  void aTrimPassThatCannotRunIsRetryableAndDoesNotBlameTheInput() throws Exception {
    SoundEffectProcessor p = withTrimPass("echo 'error while loading shared libraries' >&2; exit 127");

    assertThatThrownBy(() -> p.trimAudio(input, output))
        .isInstanceOfSatisfying(FfmpegException.class, e -> {
          assertThat(e.exitCode()).isEqualTo(127);
          assertThat(e.isRetryable()).isTrue();
        });
    assertThat(started()).containsExactly("trim"); // no decoding check: not the audio's fault
    assertNothingLeftNextToTheOutput();
  }

  @Test
  void anErrorLineInAPassThatExitedZeroMakesTheInputCorruptWhenTheCheckFindsNothingElse() throws Exception {
    SoundEffectProcessor p = withTrimPass(
        "\"$REAL\" \"$@\"; rc=$?; echo '[pcm_s16le @ 0x1] [error] simulated glitch' >&2; exit $rc");

    assertThatThrownBy(() -> p.trimAudio(input, output))
        .isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining("does not decode cleanly")
        .hasMessageContaining("ffmpeg said: simulated glitch");
    assertThat(started()).containsExactly("trim", "other");
    assertNothingLeftNextToTheOutput();
  }

  @Test
  void aPassThatReportsNoSampleCountsFailsNamingTheFfmpegVersionIssue() throws Exception {
    SoundEffectProcessor p = withTrimPass("err=$(mktemp); \"$REAL\" \"$@\" 2>\"$err\"; rc=$?; "
        + "grep -v 'samples)' \"$err\" >&2; rm -f \"$err\"; exit $rc");

    assertThatThrownBy(() -> p.trimAudio(input, output))
        .isExactlyInstanceOf(ReplicateAudioException.class)
        .hasMessageStartingWith("ffmpeg reported no sample counts while trimming " + input)
        .hasMessageContaining("(ffmpeg older than 4.4?)");
    assertNothingLeftNextToTheOutput();
  }

  @Test
  void anOutputThatDoesNotKeepTheInputsCodecRateAndChannelsIsRefusedListingEachDifference() throws Exception {
    SoundEffectProcessor p = withTrimPass("prev=\n"
        + "for a do shift; orig=$a; case \"$prev\" in -ar) a=8000;; -ac) a=2;; -c:a) a=pcm_s24le;; esac; "
        + "set -- \"$@\" \"$a\"; prev=$orig; done\n"
        + "exec \"$REAL\" \"$@\"");
    AudioInfo in = plain.probe(input);
    assertThat(in.codecName()).isEqualTo("pcm_s16le");

    assertThatThrownBy(() -> p.trimAudio(input, output))
        .isExactlyInstanceOf(ReplicateAudioException.class)
        .hasMessage("The trimmed audio of " + input + " does not keep its format: codec pcm_s24le instead of"
            + " pcm_s16le, sample rate 8000 instead of " + in.sampleRate() + ", 2 channels instead of "
            + in.channels());
    assertNothingLeftNextToTheOutput();
  }

  @Test
  void anOutputNeitherJavaNorFfprobeCanReadIsRefused() throws Exception {
    SoundEffectProcessor p = withTrimPass(
        "\"$REAL\" \"$@\"; rc=$?; for last do :; done; printf 'not audio at all' > \"$last\"; exit $rc");

    assertThatThrownBy(() -> p.trimAudio(input, output))
        .isExactlyInstanceOf(ReplicateAudioException.class)
        .hasMessageStartingWith("The trimmed audio of " + input + " does not pass ffprobe: ")
        .hasCauseInstanceOf(InvalidAudioException.class);
    assertNothingLeftNextToTheOutput();
  }

  @Test
  void anOutputPathThatCannotBeReplacedFailsBeforeAnyProcessAndKeepsWhatIsThere() throws Exception {
    SoundEffectProcessor p = withTrimPass("exit 1");
    Path occupied = Files.createDirectories(dir.resolve("occupied.wav"));
    Path inside = Files.writeString(occupied.resolve("keep.txt"), "not ours");

    assertThatThrownBy(() -> p.trimAudio(input, occupied))
        .isExactlyInstanceOf(ReplicateAudioException.class)
        .hasMessageStartingWith("Could not write the trimmed audio " + occupied + ": ")
        .hasCauseInstanceOf(DirectoryNotEmptyException.class)
        .satisfies(e -> assertThat(e.getSuppressed()).singleElement()
            .isInstanceOf(DirectoryNotEmptyException.class)); // the clean-up's attempt, reported, not hidden
    assertThat(inside).hasContent("not ours");
    assertThat(started()).isEmpty();
  }

  @Test
  void anMp3WithoutABitRateIsReencodedAtVariableQualityTwo() {
    AudioInfo vbr = new AudioInfo("mp3", "mp3", "fltp", Duration.ofSeconds(1), 2, 44_100, 0, 0);
    AudioInfo cbr = new AudioInfo("mp3", "mp3", "fltp", Duration.ofSeconds(1), 2, 44_100, 128_000, 0);

    assertThat(SoundEffectProcessor.encoderArgs(AudioFormat.MP3, vbr))
        .containsSequence("-c:a", "libmp3lame", "-q:a", "2").doesNotContain("-b:a");
    assertThat(SoundEffectProcessor.encoderArgs(AudioFormat.MP3, cbr))
        .containsSequence("-c:a", "libmp3lame", "-b:a", "128000").doesNotContain("-q:a");
  }

  @Test
  void toStringNamesTheThresholdAndTheLimit() {
    ReplicateAudioSettings settings = build.settings().toBuilder().silenceThreshold("-45dB").build();
    SoundEffectProcessor p = SoundEffectProcessor.create(plain, settings, Duration.ofSeconds(90));

    assertThat(p).hasToString("SoundEffectProcessor[threshold=-45dB, maxDuration=PT1M30S]");
  }
}
