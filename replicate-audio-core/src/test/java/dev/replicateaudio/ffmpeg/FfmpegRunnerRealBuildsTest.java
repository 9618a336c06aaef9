package dev.replicateaudio.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.audio.InvalidAudioException;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The runner and its probe against every available real ffmpeg build. */
@ExtendWith(LeakCheckExtension.class)
class FfmpegRunnerRealBuildsTest {
  @TempDir
  Path dir;

  static List<TestFfmpeg.Build> builds() {
    return TestFfmpeg.builds();
  }

  @ParameterizedTest
  @MethodSource("builds")
  void versionReturnsTheFirstLineOfFfmpegVersion(TestFfmpeg.Build build) {
    try (FfmpegRunner runner = FfmpegRunner.create(build.settings())) {
      assertThat(runner.version()).startsWith("ffmpeg version ").isEqualTo(build.version());
    }
  }

  @ParameterizedTest
  @MethodSource("builds")
  void probeReadsFormatCodecDurationChannelsRateAndBitRate(TestFfmpeg.Build build) {
    try (FfmpegRunner runner = FfmpegRunner.create(build.settings())) {
      AudioFixtures fx = AudioFixtures.in(dir, runner);
      AudioInfo wav = runner.probe(fx.withChannels(2).withSampleRate(48_000).withWavCodec("pcm_s24le")
          .toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5));
      assertThat(wav.formatName()).isEqualTo("wav");
      assertThat(wav.codecName()).isEqualTo("pcm_s24le");
      assertThat(wav.channels()).isEqualTo(2);
      assertThat(wav.sampleRate()).isEqualTo(48_000);
      assertThat(wav.bitRate()).isEqualTo(48_000L * 2 * 24);
      assertThat(wav.bitsPerSample()).isEqualTo(24);
      assertThat(wav.duration()).isEqualTo(Duration.ofSeconds(2));

      AudioInfo mp3 = runner.probe(fx.toneWithSilence(AudioFormat.MP3, 1, 1, 1));
      assertThat(mp3.formatName()).isEqualTo("mp3");
      assertThat(mp3.codecName()).isEqualTo("mp3");
      assertThat(mp3.sampleFormat()).isEqualTo("fltp");
      assertThat(mp3.channels()).isEqualTo(1);
      assertThat(mp3.sampleRate()).isEqualTo(44_100);
      assertThat(mp3.bitRate()).isEqualTo(128_000);
      assertThat(mp3.hasBitRate()).isTrue();
      assertThat(mp3.duration().toMillis() / 1000.0).isCloseTo(3.0, within(0.1));
    }
  }

  @ParameterizedTest
  @MethodSource("builds")
  void probeOfSomethingThatIsNotAudioThrowsInvalidAudioException(TestFfmpeg.Build build) throws Exception {
    try (FfmpegRunner runner = FfmpegRunner.create(build.settings())) {
      AudioFixtures fx = AudioFixtures.in(dir, runner);
      Path garbage = fx.randomBytes(".mp3", 30_000);
      assertThatThrownBy(() -> runner.probe(garbage)).isInstanceOf(InvalidAudioException.class)
          .hasMessageContaining(garbage.toString()).hasMessageContaining("ffprobe exited with code")
          .hasCauseInstanceOf(FfmpegException.class);
      Path empty = Files.createFile(dir.resolve("empty.wav"));
      assertThatThrownBy(() -> runner.probe(empty)).isInstanceOf(InvalidAudioException.class)
          .hasMessageContaining("empty.wav");
      Path missing = dir.resolve("missing.mp3");
      assertThatThrownBy(() -> runner.probe(missing)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("Not an existing regular file: " + missing);
    }
  }

  @ParameterizedTest
  @MethodSource("builds")
  void aFailingFfmpegRunReportsItsExitCodeAndReason(TestFfmpeg.Build build) {
    try (FfmpegRunner runner = FfmpegRunner.create(build.settings())) {
      Path missing = dir.resolve("missing.wav");
      assertThatThrownBy(() -> runner.run(List.of("-i", missing.toString(), "-f", "null", "-")))
          .isInstanceOfSatisfying(FfmpegException.class, e -> {
            assertThat(e.exitCode()).isPositive();
            assertThat(e.stderrTail()).contains("No such file or directory");
          })
          .hasMessageContaining("ffmpeg failed with exit code")
          .hasMessageContaining(missing.toString());
    }
  }
}
