package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * How many processes a trim and a pass-through start: the runner runs wrapper scripts that log
 * their name and {@code exec} the real ffmpeg or ffprobe.
 */
@ExtendWith(LeakCheckExtension.class)
class ProcessCountTest {
  @TempDir
  Path dir;

  private FfmpegRunner plain;
  private FfmpegRunner counted;
  private ReplicateAudioSettings settings;
  private Path log;

  static List<TestFfmpeg.Build> builds() {
    return TestFfmpeg.builds();
  }

  @AfterEach
  void close() {
    for (FfmpegRunner r : new FfmpegRunner[] {plain, counted}) {
      if (r != null) {
        r.close();
      }
    }
  }

  private void start(TestFfmpeg.Build build) throws IOException {
    log = dir.resolve("started.log");
    settings = build.settings().toBuilder().ffmpegPath(wrapper("ffmpeg", build.ffmpeg()).toString())
        .ffprobePath(wrapper("ffprobe", build.ffprobe()).toString()).build();
    plain = FfmpegRunner.create(build.settings());
    counted = FfmpegRunner.create(settings);
  }

  private Path wrapper(String name, Path real) throws IOException {
    Path script = dir.resolve("counting-" + name);
    Files.writeString(script, "#!/bin/sh\necho " + name + " >> '" + log + "'\nexec '" + real + "' \"$@\"\n",
        StandardCharsets.UTF_8);
    assertThat(script.toFile().setExecutable(true)).isTrue();
    return script;
  }

  /** The programs started since the last call, in order. */
  private List<String> started() {
    try {
      if (!Files.exists(log)) {
        return List.of();
      }
      List<String> lines = Files.readAllLines(log);
      Files.delete(log);
      return lines;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private AudioFixtures fixtures() {
    return AudioFixtures.in(dir.resolve("fixtures"), plain);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aSuccessfulTrimStartsOneProcessTheFfmpegPass(TestFfmpeg.Build build) throws IOException {
    start(build);
    Path vbr = dir.resolve("vbr.mp3");
    plain.run(List.of("-loglevel", "error", "-f", "lavfi", "-i",
        "aevalsrc=exprs='if(between(t,0.5,1.5),0.5*sin(2*PI*440*t),0)':s=48000:c=stereo:d=2", "-c:a", "libmp3lame",
        "-q:a", "4", vbr.toString()));
    List<Path> inputs = List.of(
        fixtures().toneWithSilence(AudioFormat.MP3, 0.5, 1, 0.5),
        fixtures().withChannels(2).withSampleRate(22_050).withMp3BitRate(64_000)
            .toneWithSilence(AudioFormat.MP3, 0.5, 1, 0.5),
        vbr,
        fixtures().toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5),
        fixtures().withChannels(2).withSampleRate(48_000).withWavCodec("pcm_s24le")
            .toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5),
        fixtures().withWavCodec("pcm_f32le").toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5),
        fixtures().withWavCodec("pcm_u8").toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5),
        fixtures().toneWithSilence(AudioFormat.FLAC, 0.5, 1, 0.5));
    SoundEffectProcessor trimmer = SoundEffectProcessor.create(counted, settings);
    started();
    for (Path input : inputs) {
      String name = input.getFileName().toString();
      TrimResult r = trimmer.trimAudio(input, dir.resolve("out-" + name));
      assertThat(started()).as(name).containsExactly("ffmpeg");
      assertThat(r.trimmedDuration().toMillis() / 1000.0).as(name).isCloseTo(1.0, within(0.05));
      assertThat(plain.probe(r.output()).codecName()).as(name).isEqualTo(plain.probe(input).codecName());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aPassThroughStartsOneProcessTheDecodingPass(TestFfmpeg.Build build) throws IOException {
    start(build);
    Path mp3 = fixtures().withChannels(2).toneWithSilence(AudioFormat.MP3, 0.5, 1, 0.5);
    Path flac = fixtures().toneWithSilence(AudioFormat.FLAC, 0.5, 1, 0.5);
    PassThroughProcessor p = PassThroughProcessor.create(counted, settings);
    started();
    assertThat(p.process(mp3, dir.resolve("unused")).mimeType()).isEqualTo("audio/mpeg");
    assertThat(started()).containsExactly("ffmpeg");
    assertThat(p.process(flac, dir.resolve("unused")).mimeType()).isEqualTo("audio/flac");
    assertThat(started()).containsExactly("ffmpeg");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aHeaderTheJavaReaderDoesNotKnowIsProbedAndStillTrimmed(TestFfmpeg.Build build) throws IOException {
    start(build);
    Path alaw = dir.resolve("alaw.wav");
    plain.run(List.of("-loglevel", "error", "-f", "lavfi", "-i",
        "aevalsrc=exprs='if(between(t,0.5,1.5),0.5*sin(2*PI*440*t),0)':s=8000:d=2", "-c:a", "pcm_alaw",
        alaw.toString()));
    started();
    TrimResult r = SoundEffectProcessor.create(counted, settings).trimAudio(alaw, dir.resolve("out.wav"));
    assertThat(r.codecName()).isEqualTo("pcm_alaw");
    assertThat(r.trimmedDuration().toMillis() / 1000.0).isCloseTo(1.0, within(0.05));
    assertThat(started()).containsExactly("ffprobe", "ffmpeg", "ffprobe"); // the input, the pass, the result
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aFormatOutsideTheAllowListIsProbedAndRefusedAsBefore(TestFfmpeg.Build build) throws IOException {
    start(build);
    Path ogg = dir.resolve("flac-in-ogg.flac");
    plain.run(List.of("-loglevel", "error", "-f", "lavfi", "-i", "aevalsrc=exprs=0.5*sin(2*PI*440*t):d=1",
        "-c:a", "flac", "-f", "ogg", ogg.toString()));
    started();
    assertThatThrownBy(() -> SoundEffectProcessor.create(counted, settings).trimAudio(ogg, dir.resolve("o.flac")))
        .isInstanceOf(InvalidAudioException.class)
        .hasMessage("Audio format 'ogg' of " + ogg + " is not accepted; accepted: mp3, wav, flac");
    assertThat(started()).containsExactly("ffprobe");
    assertThat(dir.resolve("o.flac")).doesNotExist();
  }
}
