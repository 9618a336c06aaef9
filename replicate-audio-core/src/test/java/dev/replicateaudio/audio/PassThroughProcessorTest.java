package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

@ExtendWith(LeakCheckExtension.class)
class PassThroughProcessorTest {
  @TempDir
  Path dir;

  static List<TestFfmpeg.Build> builds() {
    return TestFfmpeg.builds();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void returnsValidAudioUnchangedWithItsTypeAndDecodedLength(TestFfmpeg.Build build) throws Exception {
    try (FfmpegRunner runner = FfmpegRunner.create(build.settings())) {
      AudioFixtures fx = AudioFixtures.in(dir, runner);
      PassThroughProcessor p = PassThroughProcessor.create(runner, build.settings());
      Path mp3 = fx.withChannels(2).toneWithSilence(AudioFormat.MP3, 1, 1, 1);
      byte[] before = Files.readAllBytes(mp3);
      Path unused = dir.resolve("unused.mp3");
      ProcessedAudio a = p.process(mp3, unused);
      assertThat(a.file()).isEqualTo(mp3);
      assertThat(a.mimeType()).isEqualTo("audio/mpeg");
      assertThat(a.originalDuration()).isEqualTo(a.finalDuration());
      assertThat(a.finalDuration().toMillis() / 1000.0).isCloseTo(3.0, within(0.05));
      assertThat(Files.readAllBytes(mp3)).isEqualTo(before);
      assertThat(unused).doesNotExist();
      // silence is fine for music and speech
      assertThat(p.process(fx.silence(AudioFormat.WAV, 1), unused).mimeType()).isEqualTo("audio/wav");
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void refusesTruncatedCorruptAndForeignInput(TestFfmpeg.Build build) throws Exception {
    try (FfmpegRunner runner = FfmpegRunner.create(build.settings())) {
      AudioFixtures fx = AudioFixtures.in(dir, runner);
      PassThroughProcessor p = PassThroughProcessor.create(runner, build.settings());
      Path out = dir.resolve("out");
      Path truncated = fx.truncated(fx.toneWithSilence(AudioFormat.MP3, 1, 1, 1), 0.5);
      assertThatThrownBy(() -> p.process(truncated, out)).isInstanceOf(InvalidAudioException.class)
          .hasMessageContaining("Truncated audio: " + truncated);
      Path corrupt = fx.corruptedInTheMiddle(fx.toneWithSilence(AudioFormat.MP3, 1, 1, 1), 4000);
      assertThatThrownBy(() -> p.process(corrupt, out)).isInstanceOf(InvalidAudioException.class)
          .hasMessageContaining("Corrupt audio: " + corrupt);
      Path text = Files.writeString(dir.resolve("speech.wav"), "not audio at all");
      assertThatThrownBy(() -> p.process(text, out)).isInstanceOf(InvalidAudioException.class)
          .hasMessageContaining(text.toString());
      Path header = dir.resolve("header-only.wav");
      Files.write(header, java.util.Arrays.copyOf(Files.readAllBytes(fx.silence(AudioFormat.WAV, 1)), 44));
      assertThatThrownBy(() -> p.process(header, out)).isInstanceOf(InvalidAudioException.class)
          .hasMessageContaining(header.toString());
      assertThat(out).doesNotExist();
    }
  }
}
