package dev.replicateaudio.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheckExtension.class)
class AudioFixturesTest {
  @TempDir
  Path dir;

  @Test
  void ofSizeMakesFilesOfAboutTheRequestedSize() throws Exception {
    try (FfmpegRunner runner = FfmpegRunner.create(TestFfmpeg.settings())) {
      AudioFixtures fx = AudioFixtures.in(dir, runner);
      Path wav = fx.ofSize(AudioFormat.WAV, 1_000_000);
      assertThat((double) Files.size(wav)).isCloseTo(1_000_000, within(1_000.0));
      Path mp3 = fx.ofSize(AudioFormat.MP3, 1_000_000);
      assertThat((double) Files.size(mp3)).isCloseTo(1_000_000, within(20_000.0));
      assertThat(runner.probe(mp3).formatName()).isEqualTo("mp3");
    }
  }

  @Test
  void truncatedKeepsTheRequestedShareOfBytes() throws Exception {
    try (FfmpegRunner runner = FfmpegRunner.create(TestFfmpeg.settings())) {
      AudioFixtures fx = AudioFixtures.in(dir, runner);
      Path full = fx.toneWithSilence(AudioFormat.WAV, 0.1, 0.2, 0.1);
      Path part = fx.truncated(full, 0.25);
      assertThat(Files.size(part)).isEqualTo((long) (Files.size(full) * 0.25));
      assertThat(Files.readAllBytes(part)).isEqualTo(java.util.Arrays.copyOf(Files.readAllBytes(full),
          (int) Files.size(part)));
    }
  }
}
