package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.testing.AudioFixtures;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * {@link HeaderSniffer} against ffprobe on files ffmpeg writes (every available build), on hand-made
 * layouts ffmpeg does not write, on what it must leave to ffprobe, and on thousands of mangled headers.
 */
@ExtendWith(LeakCheckExtension.class)
class HeaderSnifferTest {
  private static final Duration EXACT = Duration.ofNanos(1000); // ffprobe prints microseconds

  @TempDir
  Path dir;

  private FfmpegRunner runner;

  @AfterEach
  void closeRunner() {
    if (runner != null) {
      runner.close();
    }
  }

  private FfmpegRunner runner(TestFfmpeg.Build build) {
    runner = FfmpegRunner.create(build.settings());
    return runner;
  }

  /**
   * A kind of file ffmpeg writes: 0.3 s of silence, a 1 s tone, 0.3 s of silence.
   *
   * @param mp3Tolerance how far the sniffed duration may be from ffprobe's (mp3 without a tag: ffprobe
   *     estimates from the size, the sniffer counts the frames)
   */
  record Kind(String name, String format, int rate, String layout, Duration mp3Tolerance, String... encoder) {
    @Override
    public String toString() {
      return name;
    }
  }

  static List<Kind> kinds() {
    Duration oneFrame = Duration.ofMillis(27);
    return List.of(
        new Kind("mp3 cbr 128k mono 44.1k", "mp3", 44_100, "mono", EXACT, "-c:a", "libmp3lame", "-b:a", "128k"),
        new Kind("mp3 cbr 192k stereo 48k", "mp3", 48_000, "stereo", EXACT, "-c:a", "libmp3lame", "-b:a", "192k"),
        new Kind("mp3 mpeg-2 64k stereo 22.05k", "mp3", 22_050, "stereo", EXACT, "-c:a", "libmp3lame", "-b:a", "64k"),
        new Kind("mp3 mpeg-2.5 16k mono 8k", "mp3", 8_000, "mono", EXACT, "-c:a", "libmp3lame", "-b:a", "16k"),
        new Kind("mp3 vbr xing stereo 44.1k", "mp3", 44_100, "stereo", EXACT, "-c:a", "libmp3lame", "-q:a", "4"),
        new Kind("mp3 vbr xing mono 48k", "mp3", 48_000, "mono", EXACT, "-c:a", "libmp3lame", "-q:a", "2"),
        new Kind("mp3 id3v2 tags", "mp3", 44_100, "stereo", EXACT, "-c:a", "libmp3lame", "-b:a", "128k",
            "-metadata", "title=A title", "-metadata", "artist=Somebody", "-metadata", "comment=" + "x".repeat(3000)),
        new Kind("mp3 id3v2.3 tags", "mp3", 44_100, "mono", EXACT, "-c:a", "libmp3lame", "-b:a", "96k",
            "-id3v2_version", "3", "-metadata", "title=t"),
        new Kind("mp3 cbr without xing or id3", "mp3", 44_100, "stereo", oneFrame, "-c:a", "libmp3lame", "-b:a", "128k",
            "-write_xing", "0", "-id3v2_version", "0"),
        // ffprobe counts the 128 bytes of the ID3v1 tag as audio: 32 ms at 32k
        new Kind("mp3 cbr without xing, id3v1", "mp3", 22_050, "mono", oneFrame.plusMillis(33), "-c:a", "libmp3lame", "-b:a", "32k",
            "-write_xing", "0", "-write_id3v1", "1", "-metadata", "title=t"),
        new Kind("wav s16 mono 44.1k", "wav", 44_100, "mono", EXACT, "-c:a", "pcm_s16le"),
        new Kind("wav s16 stereo 22.05k", "wav", 22_050, "stereo", EXACT, "-c:a", "pcm_s16le"),
        new Kind("wav s16 96k (extensible)", "wav", 96_000, "mono", EXACT, "-c:a", "pcm_s16le"),
        new Kind("wav s16 5.1 (extensible)", "wav", 48_000, "5.1", EXACT, "-c:a", "pcm_s16le"),
        new Kind("wav s24 stereo 48k (extensible)", "wav", 48_000, "stereo", EXACT, "-c:a", "pcm_s24le"),
        new Kind("wav s32 mono (extensible)", "wav", 44_100, "mono", EXACT, "-c:a", "pcm_s32le"),
        new Kind("wav u8 mono 22.05k", "wav", 22_050, "mono", EXACT, "-c:a", "pcm_u8"),
        new Kind("wav f32 stereo (extensible)", "wav", 44_100, "stereo", EXACT, "-c:a", "pcm_f32le"),
        new Kind("wav f64 mono (extensible)", "wav", 48_000, "mono", EXACT, "-c:a", "pcm_f64le"),
        new Kind("wav s16 bitexact (no LIST chunk)", "wav", 44_100, "stereo", EXACT, "-c:a", "pcm_s16le",
            "-fflags", "+bitexact"),
        new Kind("flac 16-bit mono", "flac", 44_100, "mono", EXACT, "-c:a", "flac", "-sample_fmt", "s16"),
        new Kind("flac 16-bit stereo 48k", "flac", 48_000, "stereo", EXACT, "-c:a", "flac", "-sample_fmt", "s16"),
        new Kind("flac 24-bit stereo 48k", "flac", 48_000, "stereo", EXACT, "-c:a", "flac", "-sample_fmt", "s32",
            "-bits_per_raw_sample", "24"));
  }

  static Stream<Arguments> buildsAndKinds() {
    return TestFfmpeg.builds().stream().flatMap(b -> kinds().stream().map(k -> Arguments.of(b, k)));
  }

  private Path generate(FfmpegRunner r, Kind kind) {
    Path out = dir.resolve(kind.name().replaceAll("[^a-z0-9]+", "-") + "." + kind.format());
    List<String> args = new ArrayList<>(List.of("-nostats", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        String.format(Locale.ROOT, "aevalsrc=exprs='if(between(t,0.3,1.3),0.5*sin(2*PI*440*t),0)':s=%d:c=%s:d=1.6",
            kind.rate(), kind.layout())));
    args.addAll(List.of(kind.encoder()));
    args.addAll(List.of("-f", kind.format(), out.toString()));
    r.run(args);
    return out;
  }

  @ParameterizedTest(name = "{0}: {1}")
  @MethodSource("buildsAndKinds")
  void readsWhatFfprobeReadsFromFilesFfmpegWrites(TestFfmpeg.Build build, Kind kind) {
    FfmpegRunner r = runner(build);
    Path file = generate(r, kind);
    AudioInfo probed = r.probe(file);

    Optional<AudioInfo> sniffed = HeaderSniffer.sniff(file);

    assertThat(sniffed).as("sniffed %s", file).isPresent();
    assertSameAsFfprobe(sniffed.get(), probed, kind.format().equals("mp3") ? kind.mp3Tolerance() : EXACT);
  }

  private static void assertSameAsFfprobe(AudioInfo sniffed, AudioInfo probed, Duration tolerance) {
    assertThat(sniffed.formatName()).isEqualTo(probed.formatName());
    assertThat(sniffed.codecName()).isEqualTo(probed.codecName());
    assertThat(sniffed.sampleRate()).isEqualTo(probed.sampleRate());
    assertThat(sniffed.channels()).isEqualTo(probed.channels());
    assertThat(sniffed.sampleFormat()).isEqualTo(probed.sampleFormat());
    assertThat(sniffed.bitsPerSample()).isEqualTo(probed.bitsPerSample());
    assertThat(Math.abs(sniffed.duration().minus(probed.duration()).toNanos())).as("duration %s vs ffprobe's %s",
        sniffed.duration(), probed.duration()).isLessThanOrEqualTo(tolerance.toNanos());
    if (probed.formatName().equals("flac")) { // the container's bit rate: size over duration
      assertThat((double) sniffed.bitRate()).isCloseTo(probed.bitRate(), within(probed.bitRate() * 0.005));
    } else {
      assertThat(sniffed.bitRate()).isEqualTo(probed.bitRate());
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.replicateaudio.testing.TestFfmpeg#builds")
  void countsTheFramesOfAVbrMp3WithoutXingWhereFfprobeEstimates(TestFfmpeg.Build build) {
    FfmpegRunner r = runner(build);
    Path file = generate(r, new Kind("vbr without xing", "mp3", 44_100, "stereo", EXACT, "-c:a", "libmp3lame",
        "-q:a", "2", "-write_xing", "0"));
    AudioInfo probed = r.probe(file);
    AudioInfo sniffed = HeaderSniffer.sniff(file).orElseThrow();
    assertThat(sniffed.codecName()).isEqualTo("mp3");
    assertThat(sniffed.channels()).isEqualTo(2);
    // LAME adds its delay and padding: the frames hold a little more than the decoder returns
    Duration decoded = AudioFixtures.decodedDuration(r, file);
    assertThat(sniffed.duration()).isBetween(decoded, decoded.plusMillis(80));
    assertThat((double) sniffed.bitRate()).isCloseTo(probed.bitRate(), within(probed.bitRate() * 0.15));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.replicateaudio.testing.TestFfmpeg#builds")
  void readsLayoutsFfmpegDoesNotWriteAsFfprobeDoes(TestFfmpeg.Build build) throws IOException {
    FfmpegRunner r = runner(build);
    byte[] mp3 = Files.readAllBytes(generate(r, kinds().get(0)));
    byte[] wav = Files.readAllBytes(generate(r, kinds().get(11)));

    // an ID3v2.4 tag with a footer, and a second tag, in front of the first
    byte[] footer = concat(id3v2(4, 0x10, 100), new byte[100], "3DI".getBytes(StandardCharsets.ISO_8859_1),
        new byte[7], id3v2(3, 0, 20), new byte[20], mp3);
    // a VBRI header (Fraunhofer) instead of Xing: 100 silent MPEG-1 frames at 128k
    byte[] vbri = vbri(100, 417 * 101);
    // fmt after a junk chunk with an odd length, a fact chunk, and a chunk after the data
    byte[] chunky = wavWithExtraChunks(wav);

    for (byte[] bytes : List.of(footer, vbri, chunky)) {
      Path file = Files.write(dir.resolve("hand-made-" + bytes.length), bytes);
      AudioInfo sniffed = HeaderSniffer.sniff(file).orElseThrow(() -> new AssertionError("not sniffed: " + file));
      assertSameAsFfprobe(sniffed, r.probe(file), EXACT);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("dev.replicateaudio.testing.TestFfmpeg#builds")
  void leavesEverythingItIsNotSureOfToFfprobe(TestFfmpeg.Build build) throws IOException {
    FfmpegRunner r = runner(build);
    List<Path> unsure = new ArrayList<>();
    unsure.add(encode(r, "ogg-flac.ogg", "-c:a", "flac", "-f", "ogg"));
    unsure.add(encode(r, "sun.au", "-f", "au"));
    unsure.add(encode(r, "layer2.mp3", "-c:a", "mp2", "-f", "mp2"));
    unsure.add(encode(r, "alaw.wav", "-c:a", "pcm_alaw", "-f", "wav"));
    unsure.add(encode(r, "aac.m4a", "-c:a", "aac", "-f", "ipod"));
    byte[] wav = Files.readAllBytes(encode(r, "s16.wav", "-c:a", "pcm_s16le", "-fflags", "+bitexact", "-f", "wav"));
    byte[] mp3 = Files.readAllBytes(encode(r, "cbr.mp3", "-c:a", "libmp3lame", "-b:a", "128k", "-f", "mp3"));
    byte[] flac = Files.readAllBytes(encode(r, "f.flac", "-c:a", "flac", "-f", "flac"));
    int data = 36; // "data" in a bitexact 44-byte header
    assertThat(new String(wav, data, 4, StandardCharsets.ISO_8859_1)).isEqualTo("data");
    int mp3Frame = 10 + syncsafe(mp3, 6);

    unsure.add(write("streamed.wav", patch(wav, data + 4, le32(0xFFFF_FFFFL))));
    unsure.add(write("zero-data.wav", patch(wav, data + 4, le32(0))));
    unsure.add(write("rf64.wav", patch(wav, 0, "RF64".getBytes(StandardCharsets.ISO_8859_1))));
    unsure.add(write("bad-align.wav", patch(wav, 32, le16(3))));
    unsure.add(write("no-channels.wav", patch(wav, 22, le16(0))));
    unsure.add(write("no-rate.wav", patch(wav, 24, le32(0))));
    unsure.add(write("spdif.wav", patch(wav, 44 + 400, new byte[] {0x72, (byte) 0xF8, 0x1F, 0x4E, 0x01, 0x00})));
    unsure.add(write("data-first.wav", concat(Arrays.copyOf(wav, 12), Arrays.copyOfRange(wav, 36, 44),
        Arrays.copyOfRange(wav, 12, 36), Arrays.copyOfRange(wav, 44, wav.length))));
    unsure.add(write("unknown-samples.flac", patch(flac, 21, new byte[] {(byte) (flac[21] & 0xF0), 0, 0, 0, 0})));
    unsure.add(write("id3-then.flac", concat(id3v2(4, 0, 10), new byte[10], flac)));
    unsure.add(write("junk-before-frame.mp3", concat(Arrays.copyOf(mp3, mp3Frame), new byte[] {0},
        Arrays.copyOfRange(mp3, mp3Frame, mp3.length))));
    unsure.add(write("no-frame-count.mp3", patch(mp3, mp3Frame + 4 + 17 + 4, new byte[] {0, 0, 0, 0x0E})));
    unsure.add(write("concatenated.mp3", concat(mp3, Arrays.copyOfRange(mp3, mp3Frame, mp3.length))));
    unsure.add(write("one-frame.mp3", Arrays.copyOf(mp3, mp3Frame + 417)));
    unsure.add(write("broken-third-frame.mp3", patch(mp3, frameStart(mp3, mp3Frame, 2) + 1, new byte[] {0})));
    unsure.add(write("text.mp3", "#EXTM3U\n#EXTINF:1,\nfile:///etc/passwd\n".getBytes(StandardCharsets.UTF_8)));
    unsure.add(write("empty.wav", new byte[0]));
    // found in review: each of these was read with confidence, and wrongly
    unsure.add(write("data-past-the-end.wav", patch(wav, data + 4, le32(wav.length * 10L))));
    byte[] act = wav.clone(); // ffmpeg's act demuxer (G.729) claims this layout over wav
    Arrays.fill(act, 44, 512, (byte) 0);
    act[256] = (byte) 0x84;
    unsure.add(write("act.wav", act));
    int rate = (flac[18] & 0xFF) << 12 | (flac[19] & 0xFF) << 4 | (flac[20] & 0xF0) >> 4;
    unsure.add(write("streaminfo-says-half-the-rate.flac", withStreamInfoRate(flac, rate / 2)));
    byte[] years = withStreamInfoRate(flac, 1); // 2^36 samples at 1 Hz: a duration that overflows
    years[21] = (byte) (years[21] | 0x0F);
    Arrays.fill(years, 22, 26, (byte) 0xFF);
    unsure.add(write("ages.flac", years));

    for (Path file : unsure) {
      assertThat(HeaderSniffer.sniff(file)).as(file.getFileName().toString()).isEmpty();
    }
    // and what it does read of these bytes, unharmed
    assertThat(HeaderSniffer.sniff(wav)).isPresent();
    assertThat(HeaderSniffer.sniff(mp3)).isPresent();
    assertThat(HeaderSniffer.sniff(flac)).isPresent();
  }

  @Test
  void countsTheFramesOfAnUntaggedMp3UpToACapThenLeavesItToFfprobe() {
    // MPEG-1 Layer III, 128 kb/s, 44.1 kHz, mono, no padding: 417 bytes a frame, no Xing or VBRI tag
    byte[] frame = new byte[417];
    frame[0] = (byte) 0xFF;
    frame[1] = (byte) 0xFB;
    frame[2] = (byte) 0x90;
    frame[3] = (byte) 0xC0;

    assertThat(HeaderSniffer.sniff(repeating(frame, 417L * 2_000))).hasValueSatisfying(info -> {
      assertThat(info.channels()).isEqualTo(1);
      assertThat(info.sampleRate()).isEqualTo(44_100);
      assertThat(info.duration()).isEqualTo(AudioInspector.duration(2_000L * 1152, 44_100));
    });
    // fewer frames than MAX_WALK_FRAMES, but more bytes than MAX_WALK_BYTES: not walked to the end
    long frames = HeaderSniffer.MAX_WALK_BYTES / 417 + 1_000;
    assertThat(frames).isLessThan(HeaderSniffer.MAX_WALK_FRAMES);
    assertThat(HeaderSniffer.sniff(repeating(frame, 417L * frames))).isEmpty();
  }

  /** {@code size} bytes of {@code unit} over and over, made up as they are read. */
  private static HeaderSniffer.Source repeating(byte[] unit, long size) {
    return new HeaderSniffer.Source() {
      @Override
      public long size() {
        return size;
      }

      @Override
      public byte[] read(long position, int length) {
        byte[] b = new byte[(int) Math.max(0, Math.min(length, size - position))];
        for (int i = 0; i < b.length; i++) {
          b[i] = unit[(int) ((position + i) % unit.length)];
        }
        return b;
      }
    };
  }

  @Test
  void neverThrowsOnThousandsOfMangledHeadersAndReportsOnlyPlausibleAudio() throws IOException {
    FfmpegRunner r = runner(TestFfmpeg.preferred());
    List<byte[]> seeds = new ArrayList<>();
    for (Kind k : kinds()) {
      byte[] all = Files.readAllBytes(generate(r, k));
      seeds.add(Arrays.copyOf(all, Math.min(all.length, 6000)));
    }
    seeds.add(vbri(6, 417 * 7));
    Random random = new Random(20_240_601);
    int sniffed = 0;
    int unsure = 0;
    for (int i = 0; i < 6000; i++) {
      byte[] seed = seeds.get(random.nextInt(seeds.size()));
      byte[] b = mangle(seed, random);
      Optional<AudioInfo> info = HeaderSniffer.sniff(b); // nothing but a result or empty may come out
      if (info.isPresent()) {
        sniffed++;
        assertPlausible(info.get(), b);
      } else {
        unsure++;
      }
    }
    for (int i = 0; i < 2000; i++) {
      byte[] noise = new byte[random.nextInt(3000)];
      random.nextBytes(noise);
      if (noise.length > 4 && random.nextBoolean()) { // a start that gets past the first check
        byte[] magic = List.of("RIFF", "fLaC", "ID3\u0004", "\u00ff\u00fb\u0090\u0064").get(random.nextInt(4))
            .getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(magic, 0, noise, 0, 4);
        if (magic[0] == 'R' && noise.length > 12) {
          System.arraycopy("WAVE".getBytes(StandardCharsets.ISO_8859_1), 0, noise, 8, 4);
        }
      }
      HeaderSniffer.sniff(noise).ifPresent(info -> assertPlausible(info, noise));
    }
    assertThat(sniffed).as("mangled headers still read").isGreaterThan(500);
    assertThat(unsure).as("mangled headers left to ffprobe").isGreaterThan(500);
  }

  static void assertPlausible(AudioInfo info, byte[] bytes) {
    AudioFormat format = AudioFormat.fromFormatName(info.formatName()).orElseThrow();
    assertThat(format.acceptsCodec(info.codecName())).as("%s in %s", info.codecName(), format).isTrue();
    assertThat(info.sampleRate()).isPositive();
    assertThat(info.channels()).isBetween(1, 64);
    assertThat(info.duration()).isNotNull();
    assertThat(info.duration().isNegative()).isFalse();
    assertThat(info.bitRate()).isNotNegative();
    assertThat(bytes.length).isPositive();
  }

  /** A copy of {@code seed}, perhaps cut short, with a few bytes changed, mostly in the first 200. */
  private static byte[] mangle(byte[] seed, Random random) {
    byte[] b = random.nextInt(4) == 0 ? Arrays.copyOf(seed, random.nextInt(seed.length + 1)) : seed.clone();
    int changes = 1 + random.nextInt(4);
    for (int c = 0; c < changes && b.length > 0; c++) {
      int at = random.nextInt(5) > 0 ? random.nextInt(Math.min(b.length, 200)) : random.nextInt(b.length);
      switch (random.nextInt(4)) {
        case 0:
          b[at] = (byte) random.nextInt(256);
          break;
        case 1:
          b[at] ^= (byte) (1 << random.nextInt(8));
          break;
        case 2:
          b[at] = 0;
          break;
        default:
          b[at] = (byte) 0xFF;
          break;
      }
    }
    return b;
  }

  // ---- hand-made files ------------------------------------------------------------------------

  private Path encode(FfmpegRunner r, String name, String... encoder) {
    Path out = dir.resolve(name);
    List<String> args = new ArrayList<>(List.of("-nostats", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        "aevalsrc=exprs='0.5*sin(2*PI*440*t)':s=44100:c=mono:d=0.5"));
    args.addAll(List.of(encoder));
    args.add(out.toString());
    r.run(args);
    return out;
  }

  private Path write(String name, byte[] bytes) throws IOException {
    return Files.write(dir.resolve(name), bytes);
  }

  /** An ID3v2 header of major {@code version} with {@code flags} announcing {@code size} bytes of body. */
  private static byte[] id3v2(int version, int flags, int size) {
    return new byte[] {'I', 'D', '3', (byte) version, 0, (byte) flags, (byte) (size >> 21 & 0x7F),
        (byte) (size >> 14 & 0x7F), (byte) (size >> 7 & 0x7F), (byte) (size & 0x7F)};
  }

  private static int syncsafe(byte[] b, int off) {
    return (b[off] & 0x7F) << 21 | (b[off + 1] & 0x7F) << 14 | (b[off + 2] & 0x7F) << 7 | (b[off + 3] & 0x7F);
  }

  /** Where frame {@code n} (from 0) of a 128k 44.1 kHz MPEG-1 Layer III file starts. */
  private static int frameStart(byte[] mp3, int first, int n) {
    int pos = first;
    for (int i = 0; i < n; i++) {
      pos += 417 + ((mp3[pos + 2] >> 1) & 1);
    }
    return pos;
  }

  /** {@code frames} silent MPEG-1 Layer III frames (128k, 44.1 kHz, joint stereo) after a VBRI frame. */
  static byte[] vbri(int frames, int bytes) {
    int length = 417;
    ByteBuffer b = ByteBuffer.allocate(length * (frames + 1));
    for (int i = 0; i <= frames; i++) {
      b.put(i * length, new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x64});
    }
    b.position(36);
    b.put("VBRI".getBytes(StandardCharsets.ISO_8859_1)).putShort((short) 1).putShort((short) 0)
        .putShort((short) 75).putInt(bytes).putInt(frames);
    return b.array();
  }

  private static byte[] wavWithExtraChunks(byte[] wav) {
    // wav: RIFF header (12), fmt (8 + n), maybe LIST, data: rebuild with junk first, fact, and a tail chunk
    ByteBuffer in = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    int pos = 12;
    byte[] fmt = null;
    byte[] data = null;
    while (pos + 8 <= wav.length) {
      String id = new String(wav, pos, 4, StandardCharsets.ISO_8859_1);
      int len = in.getInt(pos + 4);
      int end = Math.min(wav.length, pos + 8 + len);
      if (id.equals("fmt ")) {
        fmt = Arrays.copyOfRange(wav, pos, end);
      } else if (id.equals("data")) {
        data = Arrays.copyOfRange(wav, pos, end);
      }
      pos = end + (len & 1);
    }
    byte[] junk = concat("JUNK".getBytes(StandardCharsets.ISO_8859_1), le32(7), new byte[8]);
    byte[] fact = concat("fact".getBytes(StandardCharsets.ISO_8859_1), le32(4), le32(1234));
    byte[] tail = concat("LIST".getBytes(StandardCharsets.ISO_8859_1), le32(4), "INFO".getBytes(
        StandardCharsets.ISO_8859_1));
    byte[] body = concat("WAVE".getBytes(StandardCharsets.ISO_8859_1), junk, fmt, fact, data, tail);
    return concat("RIFF".getBytes(StandardCharsets.ISO_8859_1), le32(body.length), body);
  }

  /** {@code flac} with STREAMINFO's 20-bit sample rate set to {@code rate}, the frames unchanged. */
  private static byte[] withStreamInfoRate(byte[] flac, int rate) {
    byte[] b = flac.clone();
    b[18] = (byte) (rate >> 12);
    b[19] = (byte) (rate >> 4);
    b[20] = (byte) ((b[20] & 0x0F) | (rate & 0x0F) << 4);
    return b;
  }

  private static byte[] patch(byte[] b, int at, byte[] with) {
    byte[] c = b.clone();
    System.arraycopy(with, 0, c, at, with.length);
    return c;
  }

  private static byte[] le32(long v) {
    return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt((int) v).array();
  }

  private static byte[] le16(int v) {
    return ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort((short) v).array();
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) {
      out.writeBytes(p);
    }
    return out.toByteArray();
  }
}
