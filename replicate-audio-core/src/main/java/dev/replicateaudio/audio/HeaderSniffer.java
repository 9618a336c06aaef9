package dev.replicateaudio.audio;

import dev.replicateaudio.ffmpeg.AudioInfo;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Reads the header of an mp3, wav or flac file in Java, standing in for ffprobe when it is sure of
 * the answer, so that a trim needs no process besides the ffmpeg pass itself.
 *
 * <p>It gives the {@link AudioInfo} fields ffprobe would (format and codec by content, never by
 * file name; rate, channels, sample format, bit rate, bits per sample, header duration), mirroring
 * what ffmpeg's own demuxers read:
 * <ul>
 *   <li><b>wav</b>: {@code RIFF}/{@code WAVE}, the first {@code fmt } chunk before {@code data};
 *       PCM ({@code pcm_u8}, {@code pcm_s16le}, {@code pcm_s24le}, {@code pcm_s32le}) and IEEE float
 *       ({@code pcm_f32le}, {@code pcm_f64le}), plain or {@code WAVE_FORMAT_EXTENSIBLE}; duration =
 *       data chunk size / block align.</li>
 *   <li><b>flac</b>: {@code fLaC} and its STREAMINFO, provided the first frame agrees with it on rate,
 *       channels and bit depth (ffmpeg believes the frames); duration = total samples.</li>
 *   <li><b>mp3</b>: ID3v2 tags skipped (footer flag included), then MPEG-1, 2 or 2.5 Layer III
 *       frames chained from one right after the tags, each starting where the one before ends with
 *       the same version, rate and channels (at least two). With a Xing, Info or VBRI tag, the first
 *       {@value #CHAIN} are checked, the tag's frame count gives the duration and a VBR tag's byte
 *       count the bit rate (as ffmpeg reads them); otherwise every frame is walked and counted, which
 *       gives the exact duration where ffprobe estimates it from the size, and the frames' bit rate
 *       (their average when it varies).</li>
 * </ul>
 *
 * <p>Anything else, or anything odd in these (another codec or bit depth, a zero or unknown length,
 * a block align that does not match, a data chunk longer than the file, a WAV laid out as ffmpeg's
 * {@code act} demuxer recognises, a WAV whose first 64 KiB look like S/PDIF data, an mp3 whose
 * first frame is not right after its tags, a frame that does not chain, an ID3v2 tag in front of
 * flac, RF64, more than {@value #MAX_WALK_BYTES} bytes of untagged mp3 frames to count, a duration of
 * years...), gives an empty result and the caller asks ffprobe. It never throws for bad content, and
 * an I/O error also gives an empty result. Stateless and thread-safe.
 */
final class HeaderSniffer {
  /** How many mp3 frames are checked to chain, at most. */
  static final int CHAIN = 4;

  /** How many mp3 frames are walked, at most, to count them when no tag gives their number (7 h at 44.1 kHz). */
  static final long MAX_WALK_FRAMES = 1 << 20;

  /** How many bytes of mp3 frames are walked, at most, to count them (beyond, ffprobe is quicker). */
  static final long MAX_WALK_BYTES = 64L << 20;
  /** Header durations above this are not believed (ffprobe decides): about 3 years. */
  private static final long MAX_DURATION_SECONDS = 100_000_000L;
  private static final int MAX_FLAC_BLOCKS = 128;
  private static final int[] FLAC_FRAME_RATES = {0, 88_200, 176_400, 192_000, 8_000, 16_000, 22_050, 24_000, 32_000,
      44_100, 48_000, 96_000};
  private static final int[] FLAC_FRAME_BITS = {0, 8, 12, -1, 16, 20, 24, 32};

  private static final int WALK_BLOCK = 1 << 16;
  private static final int MAX_ID3_TAGS = 16;
  private static final int MAX_WAV_CHUNKS = 64;
  private static final int SPDIF_PROBE_BYTES = 1 << 16;
  private static final int MAX_CHANNELS = 64;
  private static final int MAX_SAMPLE_RATE = 1_000_000;
  /** The 12 bytes after the format tag of a KSDATAFORMAT_SUBTYPE GUID (…-0000-0010-8000-00aa00389b71). */
  private static final byte[] SUBTYPE_BASE = {0x00, 0x00, 0x10, 0x00, (byte) 0x80, 0x00, 0x00, (byte) 0xAA, 0x00,
      0x38, (byte) 0x9B, 0x71};
  private static final int[] MPEG1_L3_KBPS = {0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320};
  private static final int[] MPEG2_L3_KBPS = {0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160};
  private static final int[] MPEG1_RATES = {44_100, 48_000, 32_000};

  private HeaderSniffer() {
  }

  /** Random access to the bytes being sniffed. */
  interface Source {
    /** The total number of bytes. */
    long size();

    /**
     * Up to {@code length} bytes from {@code position}, fewer only at the end (none past it).
     *
     * @throws UncheckedIOException when reading fails
     */
    byte[] read(long position, int length);
  }

  /** What {@code file} holds by its header, or empty when not sure (or unreadable). */
  static Optional<AudioInfo> sniff(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      return sniff(new ChannelSource(channel, channel.size()));
    } catch (IOException | RuntimeException e) {
      // unreadable, or content this class did not foresee (it is meant never to throw): ffprobe decides
      return Optional.empty();
    }
  }

  /** What {@code bytes} hold by their header, or empty when not sure. */
  static Optional<AudioInfo> sniff(byte[] bytes) {
    try {
      return sniff(new ArraySource(bytes));
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /**
   * What {@code source} holds by its header, or empty when not sure.
   *
   * @throws UncheckedIOException when {@code source} can't be read
   */
  static Optional<AudioInfo> sniff(Source source) {
    byte[] head = source.read(0, 12);
    if (head.length >= 12 && ascii(head, 0, "RIFF") && ascii(head, 8, "WAVE")) {
      return wav(source);
    }
    if (head.length >= 4 && ascii(head, 0, "fLaC")) {
      return flac(source);
    }
    return mp3(source);
  }

  // ---- wav -------------------------------------------------------------------------------------

  private static Optional<AudioInfo> wav(Source s) {
    long size = s.size();
    if (looksLikeAct(s.read(0, 512))) {
      return Optional.empty(); // ffmpeg's act demuxer outbids wav for this layout (G.729 in a WAVE header)
    }
    Fmt fmt = null;
    for (Chunk c : riffChunks(s)) {
      if (c.id().equals("fmt ")) {
        if (fmt == null) { // like ffmpeg, only the first one counts
          fmt = Fmt.parse(s.read(c.body(), (int) Math.min(c.length(), 40)), c.length());
          if (fmt == null) {
            return Optional.empty();
          }
        }
      } else if (c.id().equals("data")) {
        long length = c.length();
        if (fmt == null || length == 0 || length == 0xFFFF_FFFFL) {
          return Optional.empty(); // no format yet, or a length unknown when written (streamed)
        }
        if (c.body() + length > size) {
          return Optional.empty(); // longer than the file: truncated or a bogus length, ffprobe and the length check decide
        }
        if (fmt.pcmTag && looksLikeSpdif(s.read(c.body(), (int) Math.min(length, SPDIF_PROBE_BYTES)))) {
          return Optional.empty(); // ffmpeg would decode it as the compressed audio it carries
        }
        long samples = length / fmt.blockAlign;
        return Optional.of(new AudioInfo("wav", fmt.codec, fmt.sampleFormat,
            AudioInspector.duration(samples, fmt.rate), fmt.channels, fmt.rate,
            (long) fmt.rate * fmt.channels * fmt.bits, fmt.bits));
      }
    }
    return Optional.empty();
  }

  /** A RIFF chunk: its four-character id, where its body starts, the length its header declares. */
  record Chunk(String id, long body, long length) {
  }

  /**
   * The chunks of a RIFF file after its 12-byte header, in order, up to the first {@code data} chunk
   * and at most {@value #MAX_WAV_CHUNKS}; a chunk's header must fit in the file, its body need not.
   */
  private static List<Chunk> riffChunks(Source s) {
    long size = s.size();
    List<Chunk> chunks = new ArrayList<>();
    long pos = 12;
    for (int i = 0; i < MAX_WAV_CHUNKS && pos + 8 <= size; i++) {
      byte[] header = s.read(pos, 8);
      Chunk c = new Chunk(new String(header, 0, 4, StandardCharsets.ISO_8859_1), pos + 8, u32le(header, 4));
      chunks.add(c);
      if (c.id().equals("data")) {
        break;
      }
      pos = c.body() + c.length() + (c.length() & 1);
    }
    return chunks;
  }

  /**
   * The {@code data} chunk of the RIFF file {@code file} and the file's size; empty when the file is
   * not RIFF, has no data chunk among its first chunks, or can't be read.
   */
  static Optional<WavData> wavData(Path file) {
    try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
      Source s = new ChannelSource(channel, channel.size());
      byte[] head = s.read(0, 12);
      if (head.length < 12 || !ascii(head, 0, "RIFF")) {
        return Optional.empty();
      }
      return riffChunks(s).stream().filter(c -> c.id().equals("data")).findFirst()
          .map(c -> new WavData(c, s.size()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }

  /** A WAV file's data chunk and the file's size. */
  record WavData(Chunk data, long fileSize) {
  }

  /** The accepted part of a {@code fmt } chunk. */
  private static final class Fmt {
    final String codec;
    final String sampleFormat;
    final int channels;
    final int rate;
    final int blockAlign;
    final int bits;
    final boolean pcmTag;

    private Fmt(String codec, String sampleFormat, int channels, int rate, int blockAlign, int bits, boolean pcmTag) {
      this.codec = codec;
      this.sampleFormat = sampleFormat;
      this.channels = channels;
      this.rate = rate;
      this.blockAlign = blockAlign;
      this.bits = bits;
      this.pcmTag = pcmTag;
    }

    /** The format in {@code b} (the first bytes of a chunk of {@code length}), or null when not sure. */
    static Fmt parse(byte[] b, long length) {
      if (length < 16 || b.length < 16) {
        return null;
      }
      int tag = u16le(b, 0);
      int channels = u16le(b, 2);
      long rate = u32le(b, 4);
      int blockAlign = u16le(b, 12);
      int bits = u16le(b, 14);
      if (tag == 0xFFFE) { // WAVE_FORMAT_EXTENSIBLE: the real tag is in the sub-format GUID
        if (length < 40 || b.length < 40 || u16le(b, 16) < 22) {
          return null;
        }
        int validBits = u16le(b, 18);
        if (validBits != 0 && validBits != bits) {
          return null;
        }
        long subTag = u32le(b, 24);
        if (subTag > 0xFFFF || !Arrays.equals(b, 28, 40, SUBTYPE_BASE, 0, 12)) {
          return null;
        }
        tag = (int) subTag;
      }
      String codec;
      String sampleFormat;
      if (tag == 1) {
        codec = bits == 8 ? "pcm_u8" : bits == 16 ? "pcm_s16le" : bits == 24 ? "pcm_s24le"
            : bits == 32 ? "pcm_s32le" : null;
        sampleFormat = bits == 8 ? "u8" : bits == 16 ? "s16" : "s32";
      } else if (tag == 3) {
        codec = bits == 32 ? "pcm_f32le" : bits == 64 ? "pcm_f64le" : null;
        sampleFormat = bits == 32 ? "flt" : "dbl";
      } else {
        return null;
      }
      if (codec == null || channels < 1 || channels > MAX_CHANNELS || rate < 1 || rate > MAX_SAMPLE_RATE
          || blockAlign != channels * bits / 8) {
        return null;
      }
      return new Fmt(codec, sampleFormat, channels, (int) rate, blockAlign, bits, tag == 1);
    }
  }

  /** ffmpeg's {@code act_probe}: a 16-byte {@code fmt } chunk, zeros from 44 to 511 but 0x84 at 256. */
  private static boolean looksLikeAct(byte[] b) {
    if (b.length < 512 || u32le(b, 16) != 16 || b[256] != (byte) 0x84) {
      return false;
    }
    for (int i = 44; i < 512; i++) {
      if (b[i] != 0 && (i < 256 || i >= 264)) {
        return false;
      }
    }
    return true;
  }

  /** True when {@code data} holds an IEC 61937 burst preamble (Pa Pb as little-endian words). */
  private static boolean looksLikeSpdif(byte[] data) {
    for (int i = 0; i + 3 < data.length; i++) {
      if (data[i] == 0x72 && data[i + 1] == (byte) 0xF8 && data[i + 2] == 0x1F && data[i + 3] == 0x4E) {
        return true;
      }
    }
    return false;
  }

  // ---- flac ------------------------------------------------------------------------------------

  private static Optional<AudioInfo> flac(Source s) {
    byte[] b = s.read(0, 4 + 4 + 34);
    if (b.length < 42) {
      return Optional.empty();
    }
    int type = b[4] & 0x7F;
    int length = u24be(b, 5);
    int minBlock = u16be(b, 8);
    int maxBlock = u16be(b, 10);
    int rate = (b[18] & 0xFF) << 12 | (b[19] & 0xFF) << 4 | (b[20] & 0xF0) >> 4;
    int channels = ((b[20] >> 1) & 7) + 1;
    int bits = ((b[20] & 1) << 4 | (b[21] & 0xF0) >> 4) + 1;
    long samples = (long) (b[21] & 0x0F) << 32 | u32be(b, 22);
    // the checks of ffmpeg's flac_probe, then what its 5.1 decoder handles
    if (type != 0 || length != 34 || minBlock < 16 || maxBlock < minBlock || rate < 1 || rate > 655_350
        || bits < 4 || bits > 24 || samples == 0 || samples / rate > MAX_DURATION_SECONDS) {
      return Optional.empty();
    }
    if (!firstFrameAgrees(s, rate, channels, bits)) {
      return Optional.empty(); // ffmpeg takes rate and channels from the frames: ffprobe decides
    }
    Duration duration = AudioInspector.duration(samples, rate);
    long bitRate = (long) (s.size() * 8.0 / (samples / (double) rate));
    return Optional.of(new AudioInfo("flac", "flac", bits <= 16 ? "s16" : "s32", duration, channels, rate, bitRate,
        bits));
  }

  /**
   * Whether the first frame after the metadata blocks names the same rate, channel count and bit depth
   * as STREAMINFO (or defers to it). False when there is no frame where one must be, or a code this
   * class does not read (rates stored in the frame header).
   */
  private static boolean firstFrameAgrees(Source s, int rate, int channels, int bits) {
    long pos = 4;
    for (int i = 0; ; i++) {
      if (i == MAX_FLAC_BLOCKS) {
        return false;
      }
      byte[] h = s.read(pos, 4);
      if (h.length < 4) {
        return false;
      }
      pos += 4 + u24be(h, 1);
      if ((h[0] & 0x80) != 0) {
        break; // the last metadata block
      }
    }
    byte[] f = s.read(pos, 4);
    if (f.length < 4 || (f[0] & 0xFF) != 0xFF || (f[1] & 0xFE) != 0xF8) {
      return false;
    }
    int rateCode = f[2] & 0x0F;
    int channelCode = (f[3] & 0xF0) >> 4;
    int bitsCode = (f[3] & 0x0E) >> 1;
    if (rateCode >= FLAC_FRAME_RATES.length || rateCode != 0 && FLAC_FRAME_RATES[rateCode] != rate) {
      return false;
    }
    int frameChannels = channelCode <= 7 ? channelCode + 1 : channelCode <= 10 ? 2 : -1;
    if (frameChannels != channels) {
      return false;
    }
    return bitsCode == 0 || FLAC_FRAME_BITS[bitsCode] == bits;
  }

  // ---- mp3 -------------------------------------------------------------------------------------

  private static Optional<AudioInfo> mp3(Source s) {
    long size = s.size();
    long first = 0;
    for (int i = 0; ; i++) {
      byte[] id3 = s.read(first, 10);
      if (!isId3v2(id3)) {
        break;
      }
      if (i == MAX_ID3_TAGS) {
        return Optional.empty();
      }
      first += id3v2Length(id3);
    }
    byte[] head = s.read(first, 64);
    Frame f0 = Frame.parse(head, 0);
    if (f0 == null) {
      return Optional.empty(); // ffmpeg reads a Xing header only right after the tags: don't search
    }
    // Xing or Info after the side information, VBRI 32 bytes after the header (as ffmpeg looks)
    long frames = 0;
    long bytes = 0;
    boolean tagged = false;
    boolean cbrTag = false;
    int x = 4 + f0.sideInfo;
    if (head.length >= x + 8 && (ascii(head, x, "Xing") || ascii(head, x, "Info"))) {
      tagged = true;
      cbrTag = ascii(head, x, "Info");
      long flags = u32be(head, x + 4);
      int p = x + 8;
      if ((flags & 1) != 0) {
        if (head.length < p + 4) {
          return Optional.empty();
        }
        frames = u32be(head, p);
        p += 4;
      }
      if ((flags & 2) != 0) {
        if (head.length < p + 4) {
          return Optional.empty();
        }
        bytes = u32be(head, p);
      }
    }
    if (head.length >= 54 && ascii(head, 36, "VBRI") && u16be(head, 40) == 1) {
      tagged = true;
      bytes = u32be(head, 46);
      frames = u32be(head, 50);
    }
    if (tagged) {
      long rest = size - (first + 4);
      if (frames == 0 || (bytes > 0 && rest > bytes && rest - bytes > bytes >> 4)) {
        return Optional.empty(); // no frame count, or a concatenated file: ffmpeg would estimate
      }
    }
    // chain the frames: each must start where the one before ends, with the same layout; without a
    // frame count in a tag, walk them all to count them
    long limit = tagged ? CHAIN : MAX_WALK_FRAMES;
    Frame audio = tagged ? null : f0;
    long count = 1;
    long audioBytes = tagged ? 0 : Math.min(f0.length, size - first);
    boolean constant = true;
    long pos = first + f0.length;
    byte[] buf = new byte[0];
    long bufStart = 0;
    while (pos < size) {
      if (count == limit) {
        if (tagged) {
          break;
        }
        return Optional.empty(); // too many to count here
      }
      if (!tagged && pos - first > MAX_WALK_BYTES) {
        return Optional.empty(); // a long walk: ffprobe estimates it quicker
      }
      if (pos + 4 > bufStart + buf.length) {
        buf = s.read(pos, WALK_BLOCK);
        bufStart = pos;
        if (buf.length < 4) {
          break; // a few stray bytes at the end
        }
      }
      if (pos + 128 == size && ascii(buf, (int) (pos - bufStart), "TAG")) {
        break; // an ID3v1 tag
      }
      Frame f = Frame.parse(buf, (int) (pos - bufStart));
      if (f == null || !f.sameLayout(f0)) {
        return Optional.empty();
      }
      if (audio == null) {
        audio = f;
      }
      constant &= f.bitRate == audio.bitRate;
      audioBytes += Math.min(f.length, size - pos);
      count++;
      pos += f.length;
    }
    if (count < 2 || audio == null) {
      return Optional.empty();
    }
    long samples = (tagged ? frames : count) * f0.samplesPerFrame;
    Duration duration = AudioInspector.duration(samples, f0.sampleRate);
    long bitRate = audio.bitRate;
    if (tagged ? bytes > 0 && !cbrTag : !constant) {
      // a VBR tag's bytes over its frames, as ffmpeg's av_rescale; or the average of the frames walked
      bitRate = BigDecimal.valueOf(tagged ? bytes : audioBytes).multiply(BigDecimal.valueOf(8L * f0.sampleRate))
          .divide(BigDecimal.valueOf(samples), 0, RoundingMode.HALF_UP).longValue();
    }
    return Optional.of(new AudioInfo("mp3", "mp3", "fltp", duration, f0.channels, f0.sampleRate, bitRate, 0));
  }

  /** ffmpeg's {@code ff_id3v2_match}: "ID3", no 0xFF version, a sync-safe size. */
  private static boolean isId3v2(byte[] b) {
    return b.length >= 10 && ascii(b, 0, "ID3") && (b[3] & 0xFF) != 0xFF && (b[4] & 0xFF) != 0xFF
        && (b[6] & 0x80) == 0 && (b[7] & 0x80) == 0 && (b[8] & 0x80) == 0 && (b[9] & 0x80) == 0;
  }

  /** The whole tag's length: header, body and, when flagged, footer. */
  private static long id3v2Length(byte[] b) {
    long body = (b[6] & 0x7FL) << 21 | (b[7] & 0x7FL) << 14 | (b[8] & 0x7FL) << 7 | (b[9] & 0x7FL);
    return 10 + body + ((b[5] & 0x10) != 0 ? 10 : 0);
  }

  /** An MPEG audio Layer III frame header. */
  private static final class Frame {
    final int versionBits;
    final int rateIndex;
    final int sampleRate;
    final int channels;
    final int bitRate;
    final int length;
    final int samplesPerFrame;
    final int sideInfo;

    private Frame(int versionBits, int rateIndex, int sampleRate, int channels, int bitRate, int length,
        int samplesPerFrame, int sideInfo) {
      this.versionBits = versionBits;
      this.rateIndex = rateIndex;
      this.sampleRate = sampleRate;
      this.channels = channels;
      this.bitRate = bitRate;
      this.length = length;
      this.samplesPerFrame = samplesPerFrame;
      this.sideInfo = sideInfo;
    }

    /** The Layer III header at {@code b[off]}, or null (other layers, free format and reserved values too). */
    static Frame parse(byte[] b, int off) {
      if (b.length < off + 4) {
        return null;
      }
      int h = (b[off] & 0xFF) << 24 | (b[off + 1] & 0xFF) << 16 | (b[off + 2] & 0xFF) << 8 | (b[off + 3] & 0xFF);
      int version = (h >>> 19) & 3; // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5, 1 reserved
      int layer = (h >>> 17) & 3; // 1 Layer III
      int bitRateIndex = (h >>> 12) & 15;
      int rateIndex = (h >>> 10) & 3;
      if ((h & 0xFFE0_0000) != 0xFFE0_0000 || version == 1 || layer != 1 || bitRateIndex == 0
          || bitRateIndex == 15 || rateIndex == 3) {
        return null;
      }
      boolean mpeg1 = version == 3;
      int kbps = mpeg1 ? MPEG1_L3_KBPS[bitRateIndex] : MPEG2_L3_KBPS[bitRateIndex];
      int rate = MPEG1_RATES[rateIndex] >> (mpeg1 ? 0 : version == 2 ? 1 : 2);
      int channels = ((h >>> 6) & 3) == 3 ? 1 : 2;
      int length = (mpeg1 ? 144_000 : 72_000) * kbps / rate + ((h >>> 9) & 1);
      int sideInfo = mpeg1 ? (channels == 1 ? 17 : 32) : (channels == 1 ? 9 : 17);
      return new Frame(version, rateIndex, rate, channels, kbps * 1000, length, mpeg1 ? 1152 : 576, sideInfo);
    }

    boolean sameLayout(Frame o) {
      return versionBits == o.versionBits && rateIndex == o.rateIndex && channels == o.channels;
    }
  }

  // ---- bytes -----------------------------------------------------------------------------------

  private static boolean ascii(byte[] b, int off, String s) {
    if (off < 0 || b.length < off + s.length()) {
      return false;
    }
    return new String(b, off, s.length(), StandardCharsets.ISO_8859_1).equals(s);
  }

  private static int u16le(byte[] b, int off) {
    return (b[off] & 0xFF) | (b[off + 1] & 0xFF) << 8;
  }

  private static long u32le(byte[] b, int off) {
    return (u16le(b, off) | (long) u16le(b, off + 2) << 16) & 0xFFFF_FFFFL;
  }

  private static int u16be(byte[] b, int off) {
    return (b[off] & 0xFF) << 8 | (b[off + 1] & 0xFF);
  }

  private static int u24be(byte[] b, int off) {
    return (b[off] & 0xFF) << 16 | u16be(b, off + 1);
  }

  private static long u32be(byte[] b, int off) {
    return ((long) u16be(b, off) << 16 | u16be(b, off + 2)) & 0xFFFF_FFFFL;
  }

  /** A file read with positional reads. */
  private static final class ChannelSource implements Source {
    private final FileChannel channel;
    private final long size;

    ChannelSource(FileChannel channel, long size) {
      this.channel = channel;
      this.size = size;
    }

    @Override
    public long size() {
      return size;
    }

    @Override
    public byte[] read(long position, int length) {
      if (position < 0 || position >= size || length <= 0) {
        return new byte[0];
      }
      ByteBuffer buf = ByteBuffer.allocate((int) Math.min(length, size - position));
      try {
        while (buf.hasRemaining()) {
          if (channel.read(buf, position + buf.position()) < 0) {
            break;
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return buf.position() == buf.capacity() ? buf.array() : Arrays.copyOf(buf.array(), buf.position());
    }
  }

  /** Bytes in memory. */
  private static final class ArraySource implements Source {
    private final byte[] bytes;

    ArraySource(byte[] bytes) {
      this.bytes = bytes;
    }

    @Override
    public long size() {
      return bytes.length;
    }

    @Override
    public byte[] read(long position, int length) {
      if (position < 0 || position >= bytes.length || length <= 0) {
        return new byte[0];
      }
      int from = (int) position;
      return Arrays.copyOfRange(bytes, from, (int) Math.min(bytes.length, (long) from + length));
    }
  }
}
