package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Silence trimming on every available ffmpeg build (Debian's 5.1 when installed, bytedeco's 6.1.1). */
@ExtendWith(LeakCheckExtension.class)
class SoundEffectProcessorTest {
  private static final double TOLERANCE = 0.05;

  @TempDir
  Path dir;

  private FfmpegRunner runner;

  private SoundEffectProcessor processor(TestFfmpeg.Build build) {
    ReplicateAudioSettings settings = build.settings();
    runner = FfmpegRunner.create(settings);
    return SoundEffectProcessor.create(runner, settings);
  }

  private AudioFixtures fixtures() {
    return AudioFixtures.in(dir.resolve("fixtures"), runner);
  }

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close();
    }
  }

  static Stream<Arguments> buildsAndFormats() {
    return TestFfmpeg.builds().stream()
        .flatMap(b -> Stream.of(AudioFormat.WAV, AudioFormat.MP3).map(f -> Arguments.of(b, f)));
  }

  static List<TestFfmpeg.Build> builds() {
    return TestFfmpeg.builds();
  }

  private static double seconds(Duration d) {
    return d.toNanos() / 1e9;
  }

  /** Nothing but the output may remain next to it: no temporary .part file. */
  private void assertNoPartFiles() throws IOException {
    try (Stream<Path> files = Files.list(dir)) {
      assertThat(files.map(p -> p.getFileName().toString())).noneMatch(n -> n.endsWith(".part"));
    }
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("buildsAndFormats")
  void trimsOneSecondOfSilenceFromBothEndsAndKeepsTheFormat(TestFfmpeg.Build build, AudioFormat format)
      throws IOException {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().toneWithSilence(format, 1, 1, 1);
    AudioInfo in = runner.probe(input);
    Path output = dir.resolve("trimmed" + format.extension());

    TrimResult r = p.trimAudio(input, output);

    assertThat(r.output()).isEqualTo(output.toAbsolutePath());
    assertThat(seconds(r.originalDuration())).isCloseTo(3.0, within(TOLERANCE));
    assertThat(seconds(r.trimmedDuration())).isCloseTo(1.0, within(TOLERANCE));
    assertThat(seconds(r.removed())).isCloseTo(2.0, within(TOLERANCE));
    assertThat(r.format()).isEqualTo(format);
    assertThat(r.mimeType()).isEqualTo(format == AudioFormat.MP3 ? "audio/mpeg" : "audio/wav");
    // measured independently of the processor: decode the output
    assertThat(seconds(AudioFixtures.decodedDuration(runner, output))).isCloseTo(1.0, within(TOLERANCE));
    AudioInfo out = runner.probe(output);
    assertThat(out.formatName()).isEqualTo(in.formatName());
    assertThat(out.codecName()).isEqualTo(in.codecName()).isEqualTo(r.codecName());
    assertThat(out.sampleRate()).isEqualTo(in.sampleRate());
    assertThat(out.channels()).isEqualTo(in.channels());
    assertThat(out.sampleFormat()).isEqualTo(in.sampleFormat());
    if (format == AudioFormat.MP3) {
      assertThat(out.bitRate()).isEqualTo(in.bitRate());
    }
    assertThat(input).exists();
    assertNoPartFiles();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("buildsAndFormats")
  void aToneLoudFromItsFirstSampleComesBackAtFullLength(TestFfmpeg.Build build, AudioFormat format) {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().loudFromStart(format, 2);
    TrimResult r = p.trimAudio(input, dir.resolve("out" + format.extension()));
    assertThat(seconds(r.trimmedDuration())).isCloseTo(seconds(r.originalDuration()), within(TOLERANCE))
        .isCloseTo(2.0, within(TOLERANCE));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("buildsAndFormats")
  void aToneEndingAbruptlyAtFullLevelKeepsItsEnd(TestFfmpeg.Build build, AudioFormat format) {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().endsAbruptly(format, 1, 1);
    TrimResult r = p.trimAudio(input, dir.resolve("out" + format.extension()));
    assertThat(seconds(r.trimmedDuration())).isCloseTo(1.0, within(TOLERANCE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void keepsAStereo24BitWavAt48KilohertzAsItWas(TestFfmpeg.Build build) {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().withChannels(2).withSampleRate(48_000).withWavCodec("pcm_s24le")
        .toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.25);
    Path output = dir.resolve("out.wav");
    TrimResult r = p.trimAudio(input, output);
    AudioInfo out = runner.probe(output);
    assertThat(out.codecName()).isEqualTo("pcm_s24le");
    assertThat(out.channels()).isEqualTo(2);
    assertThat(out.sampleRate()).isEqualTo(48_000);
    assertThat(seconds(r.trimmedDuration())).isCloseTo(1.0, within(TOLERANCE));
    assertThat(seconds(out.duration())).isCloseTo(1.0, within(TOLERANCE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void keepsFloatWavAndFlac(TestFfmpeg.Build build) {
    SoundEffectProcessor p = processor(build);
    Path f32 = fixtures().withWavCodec("pcm_f32le").toneWithSilence(AudioFormat.WAV, 0.5, 1, 0.5);
    assertThat(p.trimAudio(f32, dir.resolve("f32.wav")).codecName()).isEqualTo("pcm_f32le");
    Path flac = fixtures().toneWithSilence(AudioFormat.FLAC, 0.5, 1, 0.5);
    AudioInfo in = runner.probe(flac);
    TrimResult r = p.trimAudio(flac, dir.resolve("out.flac"));
    AudioInfo out = runner.probe(r.output());
    assertThat(r.mimeType()).isEqualTo("audio/flac");
    assertThat(out.codecName()).isEqualTo("flac");
    assertThat(out.sampleFormat()).isEqualTo(in.sampleFormat());
    assertThat(out.bitsPerSample()).isEqualTo(in.bitsPerSample());
    assertThat(seconds(r.trimmedDuration())).isCloseTo(1.0, within(TOLERANCE));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("buildsAndFormats")
  void entirelySilentInputThrowsSilentAudioExceptionAndLeavesNoOutput(TestFfmpeg.Build build, AudioFormat format)
      throws IOException {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().silence(format, 2);
    Path output = dir.resolve("out" + format.extension());
    assertThatThrownBy(() -> p.trimAudio(input, output)).isInstanceOf(SilentAudioException.class)
        .hasMessageContaining("Entirely silent").hasMessageContaining(input.toString())
        .hasMessageContaining("-60dB");
    assertThat(output).doesNotExist();
    assertNoPartFiles();
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("buildsAndFormats")
  void truncatedInputThrowsInvalidAudioExceptionAndLeavesNoOutput(TestFfmpeg.Build build, AudioFormat format)
      throws IOException {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().truncated(fixtures().toneWithSilence(format, 1, 1, 1), 0.4);
    Path output = dir.resolve("out" + format.extension());
    assertThatThrownBy(() -> p.trimAudio(input, output)).isInstanceOf(InvalidAudioException.class)
        .isNotInstanceOf(SilentAudioException.class)
        .hasMessageMatching("(?s)(Truncated|Corrupt) audio: " + java.util.regex.Pattern.quote(input.toString())
            + ".*");
    assertThat(output).doesNotExist();
    assertNoPartFiles();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aTruncatedMp3IsCaughtAlthoughItsHeaderStillClaimsTheFullLength(TestFfmpeg.Build build) {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().truncated(fixtures().toneWithSilence(AudioFormat.MP3, 1, 1, 1), 0.4);
    assertThat(seconds(runner.probe(input).duration())).isCloseTo(3.0, within(0.1)); // the header lies
    assertThatThrownBy(() -> p.trimAudio(input, dir.resolve("out.mp3"))).isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining("Truncated audio").hasMessageContaining("says 3.0")
        .hasMessageContaining("in its header but only 1.");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aWavCutOnAPacketBoundaryIsCaughtByItsRiffHeader(TestFfmpeg.Build build) throws IOException {
    SoundEffectProcessor p = processor(build);
    Path full = fixtures().toneWithSilence(AudioFormat.WAV, 1, 1, 1);
    Path cut = dir.resolve("cut.wav");
    byte[] bytes = Files.readAllBytes(full);
    Files.write(cut, java.util.Arrays.copyOf(bytes, 44 + 4096 * 10)); // whole packets, no decode error
    assertThatThrownBy(() -> p.trimAudio(cut, dir.resolve("out.wav"))).isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining("Truncated audio").hasMessageContaining("declares 264600 bytes of sample data");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void corruptInputThrowsInvalidAudioExceptionNamingTheProblem(TestFfmpeg.Build build) {
    SoundEffectProcessor p = processor(build);
    Path corrupt = fixtures().corruptedInTheMiddle(fixtures().toneWithSilence(AudioFormat.MP3, 1, 1, 1), 4000);
    Path output = dir.resolve("out.mp3");
    assertThatThrownBy(() -> p.trimAudio(corrupt, output)).isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining("Corrupt audio: " + corrupt).hasMessageContaining("does not decode cleanly");
    assertThat(output).doesNotExist();
    Path random = fixtures().randomBytes(".mp3", 20_000);
    assertThatThrownBy(() -> p.trimAudio(random, output)).isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining(random.toString());
    assertThat(output).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void refusesFormatsOutsideTheAllowListWhateverTheFileName(TestFfmpeg.Build build) throws IOException {
    SoundEffectProcessor p = processor(build);
    Path au = dir.resolve("sound.mp3");
    runner.run(List.of("-loglevel", "error", "-f", "lavfi", "-i", "aevalsrc=exprs=0.5*sin(2*PI*440*t):d=1",
        "-f", "au", au.toString()));
    assertThatThrownBy(() -> p.trimAudio(au, dir.resolve("out.mp3"))).isInstanceOf(InvalidAudioException.class)
        .hasMessage("Audio format 'au' of " + au + " is not accepted; accepted: mp3, wav, flac");
    Path playlist = Files.writeString(dir.resolve("evil.mp3"), "#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n");
    assertThatThrownBy(() -> p.trimAudio(playlist, dir.resolve("out.mp3"))).isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining(playlist.toString());
    assertThat(dir.resolve("out.mp3")).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void aQuietToneBelowAHigherThresholdCountsAsSilence(TestFfmpeg.Build build) {
    ReplicateAudioSettings s = build.settings().toBuilder().silenceThreshold("-20dB").build();
    runner = FfmpegRunner.create(s);
    Path quiet = dir.resolve("quiet.wav");
    runner.run(List.of("-loglevel", "error", "-f", "lavfi", "-i", "aevalsrc=exprs=0.01*sin(2*PI*440*t):d=1",
        "-c:a", "pcm_s16le", quiet.toString()));
    assertThatThrownBy(() -> SoundEffectProcessor.create(runner, s).trimAudio(quiet, dir.resolve("out.wav")))
        .isInstanceOf(SilentAudioException.class).hasMessageContaining("-20dB");
    TrimResult atDefault = SoundEffectProcessor.create(runner, build.settings()).trimAudio(quiet, dir.resolve("o.wav"));
    assertThat(seconds(atDefault.trimmedDuration())).isCloseTo(1.0, within(TOLERANCE));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void replacesAnExistingOutputOnSuccessAndDeletesItOnFailure(TestFfmpeg.Build build) throws IOException {
    SoundEffectProcessor p = processor(build);
    Path output = Files.writeString(dir.resolve("out.wav"), "stale result of an earlier run");
    p.trimAudio(fixtures().toneWithSilence(AudioFormat.WAV, 1, 1, 1), output);
    assertThat(runner.probe(output).codecName()).isEqualTo("pcm_s16le");
    Path silent = fixtures().silence(AudioFormat.WAV, 1);
    assertThatThrownBy(() -> p.trimAudio(silent, output)).isInstanceOf(SilentAudioException.class);
    assertThat(output).doesNotExist();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void refusesInputsLongerThanTheLimit(TestFfmpeg.Build build) {
    ReplicateAudioSettings s = build.settings();
    runner = FfmpegRunner.create(s);
    SoundEffectProcessor p = SoundEffectProcessor.create(runner, s, Duration.ofSeconds(2));
    Path input = fixtures().toneWithSilence(AudioFormat.WAV, 1, 1, 1);
    assertThatThrownBy(() -> p.trimAudio(input, dir.resolve("out.wav"))).isInstanceOf(InvalidAudioException.class)
        .hasMessageContaining("Too long to trim").hasMessageContaining("3.000 s")
        .hasMessageContaining("the limit is 2.000 s");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("builds")
  void processReturnsTheTrimmedFileWithItsMimeTypeAndDurations(TestFfmpeg.Build build) {
    SoundEffectProcessor p = processor(build);
    Path input = fixtures().toneWithSilence(AudioFormat.MP3, 0.5, 1, 0.5);
    Path output = dir.resolve("out.mp3");
    ProcessedAudio a = p.process(input, output);
    assertThat(a.file()).isEqualTo(output.toAbsolutePath());
    assertThat(a.mimeType()).isEqualTo("audio/mpeg");
    assertThat(seconds(a.originalDuration())).isCloseTo(2.0, within(TOLERANCE));
    assertThat(seconds(a.finalDuration())).isCloseTo(1.0, within(TOLERANCE));
  }

  @Test
  void refusesBadArgumentsBeforeRunningAnything() throws IOException {
    runner = FfmpegRunner.create(TestFfmpeg.settings());
    SoundEffectProcessor p = SoundEffectProcessor.create(runner, TestFfmpeg.settings());
    Path missing = dir.resolve("missing.wav");
    assertThatThrownBy(() -> p.trimAudio(missing, dir.resolve("o.wav"))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("input is not an existing regular file: " + missing);
    Path input = Files.writeString(dir.resolve("in.wav"), "x");
    assertThatThrownBy(() -> p.trimAudio(input, input)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("output must differ from input: " + input);
    Path noDir = dir.resolve("no/such/dir/o.wav");
    assertThatThrownBy(() -> p.trimAudio(input, noDir)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("output's directory does not exist: " + noDir);
    assertThatThrownBy(() -> SoundEffectProcessor.create(runner, TestFfmpeg.settings(), Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("maxDuration must be positive");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-60dB,volume=9", "-60dB:start_periods=9", "-60db", "-60", "60dB", "1.5", "0",
      "-60dB;[a]", "abc"})
  void aThresholdThatIsNotPlainDecibelsOrAmplitudeNeverReachesFfmpeg(String threshold) {
    assertThatThrownBy(() -> ReplicateAudioSettings.defaults().toBuilder().silenceThreshold(threshold).build())
        .isInstanceOf(ConfigurationException.class).hasMessageContaining("silenceThreshold")
        .hasMessageContaining(threshold);
  }

  @Test
  void usesTheAdelayCorrectedDoubleSilenceremoveRecipe() {
    runner = FfmpegRunner.create(TestFfmpeg.settings());
    SoundEffectProcessor p = SoundEffectProcessor.create(runner,
        TestFfmpeg.settings().toBuilder().silenceThreshold("-50dB").build());
    assertThat(p.silenceThreshold()).isEqualTo("-50dB");
    assertThat(p.filter()).isEqualTo("adelay=delays=50:all=1,silenceremove=start_periods=1:start_threshold=-50dB"
        + ":start_silence=0,areverse,adelay=delays=50:all=1,silenceremove=start_periods=1:start_threshold=-50dB"
        + ":start_silence=0,areverse");
  }
}
