package dev.replicateaudio.examples.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.InvalidAudioException;
import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.ffmpeg.FfmpegResult;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The generated audio, checked with real ffmpeg and ffprobe through the core's runner. */
class ReplicateSimulatorAudioTest {
  private static final Pattern SILENCE_END = Pattern.compile("silence_end: ([0-9.]+)");
  private static final Pattern SILENCE_START = Pattern.compile("silence_start: ([0-9.]+)");
  private static final Pattern MAX_VOLUME = Pattern.compile("max_volume: (-?[0-9.]+|-inf) dB");

  private static ReplicateAudioSettings settings;
  private static FfmpegRunner ffmpeg;
  private static ReplicateSimulator sim;
  private static Api api;

  @TempDir
  Path dir;

  @BeforeAll
  static void startAll() {
    settings = TestFfmpeg.settings();
    ffmpeg = FfmpegRunner.create(settings);
    sim = ReplicateSimulator.builder().processingTime(Duration.ZERO).startDelay(Duration.ZERO).ffmpeg(settings).start();
    api = new Api(sim);
  }

  @AfterAll
  static void stopAll() {
    sim.close();
    ffmpeg.close();
  }

  private JsonNode generate(Map<String, Object> input) throws InterruptedException {
    String id = api.create(Map.of("input", input)).path("id").asText();
    JsonNode done = api.awaitTerminal(id);
    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("succeeded");
    return done;
  }

  private Path download(JsonNode prediction, String name) throws IOException, InterruptedException {
    Path file = dir.resolve(name);
    HttpResponse<Path> r = Api.HTTP.send(HttpRequest.newBuilder(URI.create(prediction.path("output").asText())).build(),
        HttpResponse.BodyHandlers.ofFile(file));
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValueAsLong("Content-Length").orElse(-1)).isEqualTo(Files.size(file));
    return file;
  }

  /** {@code [lead silence end, tone end]} from silencedetect at -50 dB. */
  private double[] toneBounds(Path file) {
    FfmpegResult r = ffmpeg.run(List.of("-nostats", "-i", file.toAbsolutePath().toString(),
        "-af", "silencedetect=noise=-50dB:d=0.1", "-f", "null", "-"));
    Matcher end = SILENCE_END.matcher(r.stderrTail());
    Matcher start = SILENCE_START.matcher(r.stderrTail());
    assertThat(end.find()).as(r.stderrTail()).isTrue();
    double toneStart = Double.parseDouble(end.group(1));
    assertThat(start.find()).isTrue(); // silence_start: 0
    assertThat(start.find()).as(r.stderrTail()).isTrue();
    double toneEnd = Double.parseDouble(start.group(1));
    return new double[] {toneStart, toneEnd};
  }

  private double maxVolumeDb(Path file) {
    FfmpegResult r = ffmpeg.run(List.of("-nostats", "-i", file.toAbsolutePath().toString(), "-af", "volumedetect",
        "-f", "null", "-"));
    Matcher m = MAX_VOLUME.matcher(r.stderrTail());
    assertThat(m.find()).as(r.stderrTail()).isTrue();
    return m.group(1).equals("-inf") ? Double.NEGATIVE_INFINITY : Double.parseDouble(m.group(1));
  }

  private static short[] pcm(Path wav) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(wav)).order(ByteOrder.LITTLE_ENDIAN);
    b.position(44);
    short[] samples = new short[b.remaining() / 2];
    b.asShortBuffer().get(samples);
    return samples;
  }

  @Test
  void wavOutputIsMono16BitPcmWithTheAdvertisedSilenceAndToneLengths() throws Exception {
    Path wav = download(generate(Map.of("prompt", "door creak", "duration", 2)), "a.wav");

    AudioInfo info = ffmpeg.probe(wav);
    assertThat(info.formatName()).isEqualTo("wav");
    assertThat(info.codecName()).isEqualTo("pcm_s16le");
    assertThat(info.channels()).isEqualTo(1);
    assertThat(info.sampleRate()).isEqualTo(44_100);
    assertThat(info.duration().toMillis()).isEqualTo(3000);
    assertThat(Files.size(wav)).isEqualTo(44 + 2 * 3 * 44_100);

    double[] tone = toneBounds(wav);
    assertThat(tone[0]).isCloseTo(0.5, within(0.02));
    assertThat(tone[1]).isCloseTo(2.5, within(0.02));
    assertThat(maxVolumeDb(wav)).isCloseTo(-6.0, within(0.5));
  }

  @Test
  void theToneFrequencyFollowsThePromptSoOutputsDiffer() throws Exception {
    Map<Double, String> byFrequency = new HashMap<>();
    for (int i = 0; i < 100; i++) {
      byFrequency.putIfAbsent(ReplicateSimulator.toneFrequency("sound effect " + i), "sound effect " + i);
    }
    assertThat(byFrequency.size()).isGreaterThan(70); // 100 prompts over 240 pitches rarely share one
    assertThat(byFrequency.keySet()).allSatisfy(f -> assertThat(f).isBetween(220.0, 880.0));
    assertThat(ReplicateSimulator.toneFrequency("door creak")).isEqualTo(ReplicateSimulator.toneFrequency("door creak"));
    List<String> prompts = byFrequency.values().stream().sorted().limit(3).collect(java.util.stream.Collectors.toList());
    for (String prompt : prompts) {
      short[] s = pcm(download(generate(Map.of("prompt", prompt)), prompt.replace(' ', '_') + ".wav"));
      int from = 44_100 / 2 + 1000;
      int to = from + 44_100 / 2;
      int crossings = 0;
      for (int i = from + 1; i < to; i++) {
        if ((s[i - 1] < 0) != (s[i] < 0)) {
          crossings++;
        }
      }
      double measured = crossings / 2.0 / 0.5;
      assertThat(measured).as(prompt).isCloseTo(ReplicateSimulator.toneFrequency(prompt), within(4.0));
    }
  }

  @Test
  void mp3OutputIsEncodedWithFfmpegAndKeepsTheShape() throws Exception {
    JsonNode done = generate(Map.of("prompt", "door creak", "duration", 2, "output_format", "mp3"));
    assertThat(done.path("output").asText()).endsWith("/output.mp3");
    Path mp3 = download(done, "a.mp3");

    AudioInfo info = ffmpeg.probe(mp3);
    assertThat(info.formatName()).isEqualTo("mp3");
    assertThat(info.codecName()).isEqualTo("mp3");
    assertThat(info.bitRate()).isBetween(120_000L, 136_000L);
    assertThat(info.duration().toMillis()).isBetween(2990L, 3100L);
    double[] tone = toneBounds(mp3);
    assertThat(tone[0]).isCloseTo(0.5, within(0.06));
    assertThat(tone[1] - tone[0]).isCloseTo(2.0, within(0.06));
  }

  @Test
  void silentOutputIsAllDigitalSilence() throws Exception {
    short[] wav = pcm(download(generate(Map.of("prompt", "x", "simulate", "silent")), "s.wav"));
    assertThat(wav).hasSize(2 * 44_100);
    for (short v : wav) {
      if (v != 0) {
        throw new AssertionError("sample " + v + " in silent output");
      }
    }
    Path mp3 = download(generate(Map.of("prompt", "x", "simulate", "silent", "output_format", "mp3")), "s.mp3");
    assertThat(maxVolumeDb(mp3)).isLessThan(-80.0);
  }

  @Test
  void corruptOutputIsTruncatedAndGarbageIsNotAudioAtAll() throws Exception {
    Path whole = download(generate(Map.of("prompt", "glass", "duration", 2)), "whole.wav");
    Path cut = download(generate(Map.of("prompt", "glass", "duration", 2, "simulate", "corrupt")), "cut.wav");
    assertThat(Files.size(cut)).isEqualTo((long) (Files.size(whole) * 0.4));
    assertThat(Files.readAllBytes(cut)).startsWith(java.util.Arrays.copyOf(Files.readAllBytes(whole), 1000));
    assertThat(ffmpeg.probe(cut).duration()).isLessThan(ffmpeg.probe(whole).duration());

    Path junk = download(generate(Map.of("prompt", "glass", "duration", 2, "simulate", "garbage")), "junk.wav");
    assertThat(Files.size(junk)).isEqualTo(Files.size(whole));
    assertThatThrownBy(() -> ffmpeg.probe(junk)).isInstanceOf(InvalidAudioException.class);

    Path cutMp3 = download(generate(Map.of("prompt", "glass", "output_format", "mp3", "simulate", "corrupt")),
        "cut.mp3");
    Path wholeMp3 = download(generate(Map.of("prompt", "glass", "output_format", "mp3")), "whole.mp3");
    assertThat(Files.size(cutMp3)).isEqualTo((long) (Files.size(wholeMp3) * 0.4));
  }

  @Test
  void sizeBytesLengthensTheClipToTheRequestedSize() throws Exception {
    Path wav = download(generate(Map.of("prompt", "hum", "size_bytes", 200_000)), "sized.wav");
    assertThat(Files.size(wav)).isEqualTo(200_000);
    assertThat(ffmpeg.probe(wav).duration().toMillis()).isEqualTo(Math.round((200_000 - 44) / 2 / 44.1));

    Path mp3 = download(generate(Map.of("prompt", "hum", "size_bytes", 1_000_000, "output_format", "mp3")), "sized.mp3");
    assertThat((double) Files.size(mp3)).isCloseTo(1_000_000, within(10_000.0));
    assertThat(ffmpeg.probe(mp3).codecName()).isEqualTo("mp3");
  }

  @Test
  void dataUriOutputInlinesTheSameAudio() throws Exception {
    JsonNode done = generate(Map.of("prompt", "chime", "simulate", "data_uri"));
    String output = done.path("output").asText();
    assertThat(output).startsWith("data:audio/wav;base64,");
    byte[] inline = Base64.getDecoder().decode(output.substring("data:audio/wav;base64,".length()));
    Path viaUrl = download(generate(Map.of("prompt", "chime")), "chime.wav");
    assertThat(inline).isEqualTo(Files.readAllBytes(viaUrl));

    String deliveryUrl = sim.rootUrl() + "/delivery/" + done.path("id").asText() + "/output.wav";
    assertThat(Api.send(HttpRequest.newBuilder(URI.create(deliveryUrl)).build()).status()).isEqualTo(404);
  }

  @Test
  void clipsAreRenderedOncePerParametersEvenWhenAskedConcurrently(@TempDir Path cache) throws Exception {
    List<Integer> encodes = new ArrayList<>();
    Path clipDir = Files.createDirectory(cache.resolve("clips"));
    AudioClips clips = new AudioClips(clipDir, 44_100, 128, () -> {
      synchronized (encodes) {
        encodes.add(1);
      }
      return ffmpeg;
    });
    AudioClips.Spec spec = new AudioClips.Spec(dev.replicateaudio.audio.AudioFormat.MP3, 3, 4410, 44_100, 4410,
        AudioClips.Variant.NORMAL);
    List<Thread> threads = new ArrayList<>();
    List<AudioClips.Clip> got = java.util.Collections.synchronizedList(new ArrayList<>());
    for (int i = 0; i < 4; i++) {
      Thread t = new Thread(() -> got.add(clips.get(spec)));
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join(30_000);
    }
    assertThat(got).hasSize(4);
    assertThat(got.stream().distinct()).hasSize(1);
    assertThat(encodes).hasSize(1);
    assertThat(clips.cachedClips()).isEqualTo(2); // the mp3 and the wav it was encoded from
    clips.close();
    assertThat(clipDir).doesNotExist();
  }
}
