package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.testing.Bounded;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * The audio header reader on any bytes: a plausible {@link AudioInfo} or empty (ffprobe decides),
 * never an exception and never a hang. Calls {@link HeaderSniffer#sniff(HeaderSniffer.Source)}
 * directly, which, unlike the byte-array and file forms, does not turn an unforeseen exception into
 * an empty result: a bug would show here. Seeds are well-formed WAV, MP3 and FLAC headers built in
 * Java, then cut, overwritten and bit-flipped.
 */
class HeaderSnifferPropertiesTest {

  @Property(tries = 5000)
  void anyMangledHeaderGivesPlausibleAudioOrEmpty(@ForAll("mangled") byte[] bytes) throws Exception {
    Optional<AudioInfo> info = Bounded.call(() -> HeaderSniffer.sniff(source(bytes)));
    info.ifPresent(i -> HeaderSnifferTest.assertPlausible(i, bytes));
  }

  @Property(tries = 2000)
  void anyBytesGivePlausibleAudioOrEmpty(@ForAll @Size(max = 5000) byte[] bytes) throws Exception {
    Optional<AudioInfo> info = Bounded.call(() -> HeaderSniffer.sniff(source(bytes)));
    info.ifPresent(i -> HeaderSnifferTest.assertPlausible(i, bytes));
  }

  @Property(tries = 50)
  void theSeedsThemselvesAreRead(@ForAll("seeds") byte[] seed) {
    assertThat(HeaderSniffer.sniff(source(seed))).as("a well-formed seed").isPresent();
  }

  private static HeaderSniffer.Source source(byte[] bytes) {
    return new HeaderSniffer.Source() {
      @Override
      public long size() {
        return bytes.length;
      }

      @Override
      public byte[] read(long position, int length) {
        if (position >= bytes.length) {
          return new byte[0];
        }
        int from = (int) position;
        return Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, (long) from + length));
      }
    };
  }

  // ---- generators ----

  @Provide
  Arbitrary<byte[]> seeds() {
    return Arbitraries.of(List.of(wav(1, 44_100, 16, 4410), wav(2, 48_000, 24, 2400), wav(1, 8_000, 8, 800),
        mp3Frames(8), HeaderSnifferTest.vbri(6, 417 * 7), flac(44_100, 2, 16, 44_100)));
  }

  /** A seed cut short and/or with a few bytes overwritten, flipped, zeroed or set to 0xFF, mostly in the header. */
  @Provide
  Arbitrary<byte[]> mangled() {
    Arbitrary<int[]> edit = Combinators.combine(Arbitraries.integers().between(0, 3),
        Arbitraries.integers().between(0, 1 << 16), Arbitraries.integers().between(0, 255), Arbitraries.of(true, false))
        .as((kind, at, value, nearStart) -> new int[] {kind, at, value, nearStart ? 1 : 0});
    return Combinators.combine(seeds(), edit.list().ofMinSize(1).ofMaxSize(6), Arbitraries.integers().between(-1, 1 << 14))
        .as((seed, edits, cut) -> {
          byte[] b = cut >= 0 && cut < seed.length ? Arrays.copyOf(seed, cut) : seed.clone();
          for (int[] e : edits) {
            if (b.length == 0) {
              break;
            }
            int at = e[3] == 1 ? e[1] % Math.min(b.length, 64) : e[1] % b.length;
            switch (e[0]) {
              case 0: b[at] = (byte) e[2]; break;
              case 1: b[at] ^= (byte) (1 << (e[2] & 7)); break;
              case 2: b[at] = 0; break;
              default: b[at] = (byte) 0xFF; break;
            }
          }
          return b;
        });
  }

  static byte[] wav(int channels, int rate, int bits, int frames) {
    int block = channels * bits / 8;
    int data = frames * block;
    ByteBuffer b = ByteBuffer.allocate(44 + data).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ascii("RIFF")).putInt(36 + data).put(ascii("WAVE"));
    b.put(ascii("fmt ")).putInt(16).putShort((short) 1).putShort((short) channels).putInt(rate)
        .putInt(rate * block).putShort((short) block).putShort((short) bits);
    b.put(ascii("data")).putInt(data);
    for (int i = 0; i < data; i++) {
      b.put((byte) (i * 37));
    }
    return b.array();
  }

  /** {@code n} MPEG-1 Layer III frames, 128 kb/s, 44.1 kHz, joint stereo, 417 bytes each, silent payload. */
  static byte[] mp3Frames(int n) {
    byte[] b = new byte[417 * n];
    for (int i = 0; i < n; i++) {
      System.arraycopy(new byte[] {(byte) 0xFF, (byte) 0xFB, (byte) 0x90, 0x64}, 0, b, i * 417, 4);
    }
    return b;
  }

  /** fLaC, a last STREAMINFO block and the start of a first frame that agrees with it. */
  static byte[] flac(int rate, int channels, int bits, long samples) {
    ByteBuffer b = ByteBuffer.allocate(4 + 4 + 34 + 16).order(ByteOrder.BIG_ENDIAN);
    b.put(ascii("fLaC"));
    b.put((byte) 0x80).put((byte) 0).put((byte) 0).put((byte) 34); // last block, STREAMINFO, 34 bytes
    b.putShort((short) 4096).putShort((short) 4096); // min/max block size
    b.put(new byte[6]); // min/max frame size unknown
    long packed = ((long) rate << 44) | ((long) (channels - 1) << 41) | ((long) (bits - 1) << 36) | samples;
    b.putLong(packed);
    b.put(new byte[16]); // MD5
    // frame header: sync, fixed blocking; block size 4096 (code 12), rate 44.1 kHz (code 9);
    // channels stereo (1), 16 bits (code 4)
    b.put((byte) 0xFF).put((byte) 0xF8).put((byte) 0xC9).put((byte) ((channels - 1) << 4 | 4 << 1));
    b.put((byte) 0).put((byte) 0);
    return Arrays.copyOf(b.array(), b.position() + 10);
  }

  private static byte[] ascii(String s) {
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }
}
