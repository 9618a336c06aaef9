package dev.replicateaudio.examples.simulator;

import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * Renders the simulator's outputs and caches them by parameters: mono 16-bit PCM WAV written in
 * pure Java (a sine tone between digital silence), MP3 encoded from that WAV with ffmpeg through
 * the core's {@link FfmpegRunner}, and the damaged variants. Files live in one private directory
 * deleted by {@link #close()}; clips up to {@link #IN_MEMORY_LIMIT} bytes are also held in memory
 * (shared, never copied per request). Rendering streams through a small buffer, so memory does not
 * grow with the clip's size. Thread-safe: concurrent requests for one clip render it once.
 */
final class AudioClips implements AutoCloseable {
  /** Clips up to this many bytes are kept in memory as well as on disk: 1 MiB. */
  static final int IN_MEMORY_LIMIT = 1 << 20;
  /**
   * Pitches a prompt can map to: two octaves above A3 (220 Hz) in tenths of a semitone, 220 Hz to
   * 875 Hz. Enough that a batch of prompts rarely shares a tone, few enough that the cache of rendered
   * clips stays bounded (at most this many per format, length and variant).
   */
  static final int NOTES = 240;
  /** The tone's peak amplitude: 0.5 of full scale, about -6 dBFS. */
  static final double AMPLITUDE = 0.5;
  /** The fade in and out of the tone, in seconds, so it starts and ends without a click. */
  static final double FADE_SECONDS = 0.005;
  /** How much of a {@link Variant#TRUNCATED} clip is kept. */
  static final double TRUNCATED_SHARE = 0.4;

  private static final int WAV_HEADER_BYTES = 44;

  /** What the bytes are. */
  enum Variant {
    /** The tone between silences. */
    NORMAL,
    /** The same length, all digital silence. */
    SILENT,
    /** The normal clip's first 40 % of bytes. */
    TRUNCATED,
    /** Random bytes, as many as the normal clip has. */
    GARBAGE
  }

  /**
   * A clip's parameters; the cache key.
   *
   * @param format WAV or MP3
   * @param note tenths of a semitone above 220 Hz, 0 to {@link #NOTES} - 1
   * @param leadSamples silence before the tone
   * @param toneSamples the tone's length
   * @param tailSamples silence after the tone
   * @param variant what the bytes are
   */
  record Spec(AudioFormat format, int note, long leadSamples, long toneSamples, long tailSamples, Variant variant) {
    Spec {
      Objects.requireNonNull(format, "format == null");
      Objects.requireNonNull(variant, "variant == null");
      if (format != AudioFormat.WAV && format != AudioFormat.MP3) {
        throw new IllegalArgumentException("format must be WAV or MP3, was " + format);
      }
      if (leadSamples < 0 || toneSamples < 0 || tailSamples < 0) {
        throw new IllegalArgumentException("sample counts must not be negative");
      }
    }

    Spec with(AudioFormat f, Variant v) {
      return new Spec(f, note, leadSamples, toneSamples, tailSamples, v);
    }

    long totalSamples() {
      return leadSamples + toneSamples + tailSamples;
    }
  }

  /** A rendered clip: a file, and its bytes too when small. Immutable. */
  static final class Clip {
    final Spec spec;
    final Path file;
    final long size;
    private final byte[] bytes;

    Clip(Spec spec, Path file, long size, byte[] bytes) {
      this.spec = spec;
      this.file = file;
      this.size = size;
      this.bytes = bytes;
    }

    /** A fresh stream over the clip's bytes. */
    InputStream open() throws IOException {
      return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
    }

    /** All bytes; only for clips small enough to inline (data URIs). */
    byte[] readAll() throws IOException {
      if (bytes != null) {
        return bytes.clone();
      }
      if (size > Integer.MAX_VALUE - 16) {
        throw new IOException("clip of " + size + " bytes is too large to hold in memory");
      }
      return Files.readAllBytes(file);
    }

    String mimeType() {
      return spec.format().mimeType();
    }
  }

  private final Path directory;
  private final int sampleRate;
  private final int mp3BitrateKbps;
  private final Supplier<FfmpegRunner> ffmpeg;
  private final ConcurrentHashMap<Spec, CompletableFuture<Clip>> cache = new ConcurrentHashMap<>();

  /**
   * @param directory an existing private directory this instance owns and deletes on close
   * @param ffmpeg gives the runner for MP3 encoding; called only when an MP3 is first needed
   */
  AudioClips(Path directory, int sampleRate, int mp3BitrateKbps, Supplier<FfmpegRunner> ffmpeg) {
    this.directory = directory;
    this.sampleRate = sampleRate;
    this.mp3BitrateKbps = mp3BitrateKbps;
    this.ffmpeg = ffmpeg;
  }

  int sampleRate() {
    return sampleRate;
  }

  int mp3BitrateKbps() {
    return mp3BitrateKbps;
  }

  /** The pitch step (tenths of a semitone above 220 Hz) for a prompt: stable across runs and JVMs. */
  static int noteFor(String prompt) {
    return Math.floorMod(prompt == null ? 0 : prompt.hashCode(), NOTES);
  }

  /** The frequency of a pitch step, in Hz. */
  static double frequency(int note) {
    return 220.0 * Math.pow(2, note / 120.0);
  }

  /** The WAV file size of {@code samples} mono 16-bit samples. */
  static long wavSize(long samples) {
    return WAV_HEADER_BYTES + 2 * samples;
  }

  /** How many samples a WAV of {@code bytes} bytes holds (rounded down). */
  static long wavSamplesFor(long bytes) {
    return Math.max(0, (bytes - WAV_HEADER_BYTES) / 2);
  }

  /** How many samples of audio an MP3 of about {@code bytes} bytes holds at this bit rate. */
  long mp3SamplesFor(long bytes) {
    double seconds = bytes * 8.0 / (mp3BitrateKbps * 1000.0);
    return (long) (seconds * sampleRate);
  }

  /** How many clips are cached. */
  int cachedClips() {
    return cache.size();
  }

  /**
   * The clip for {@code spec}, rendering it (and what it derives from) on the calling thread the
   * first time.
   *
   * @throws IllegalStateException when it can't be rendered (no ffmpeg for MP3, a full disk...)
   */
  Clip get(Spec spec) {
    CompletableFuture<Clip> mine = new CompletableFuture<>();
    CompletableFuture<Clip> existing = cache.putIfAbsent(spec, mine);
    if (existing != null) {
      return await(existing, spec);
    }
    try {
      Clip clip = render(spec);
      mine.complete(clip);
      return clip;
    } catch (IOException e) {
      cache.remove(spec, mine);
      IllegalStateException failure = new IllegalStateException("Could not render " + describe(spec) + ": " + e, e);
      mine.completeExceptionally(failure);
      throw failure;
    } catch (RuntimeException e) {
      cache.remove(spec, mine);
      mine.completeExceptionally(e);
      throw e;
    }
  }

  private static Clip await(CompletableFuture<Clip> f, Spec spec) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("Interrupted while waiting for " + describe(spec), e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof RuntimeException) {
        throw (RuntimeException) c;
      }
      throw new IllegalStateException("Could not render " + describe(spec) + ": " + c, c);
    }
  }

  static String describe(Spec s) {
    return s.format().formatName() + " clip (" + s.variant().name().toLowerCase(Locale.ROOT) + ", note "
        + s.note() + ", " + s.leadSamples() + "+" + s.toneSamples() + "+" + s.tailSamples() + " samples)";
  }

  private Clip render(Spec spec) throws IOException {
    Path target = directory.resolve(fileName(spec));
    Path tmp = Files.createTempFile(directory, ".render-", ".tmp");
    try {
      switch (spec.variant()) {
        case NORMAL:
        case SILENT:
          if (spec.format() == AudioFormat.WAV) {
            try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
              writeWav(out, spec, spec.variant() == Variant.SILENT);
            }
          } else {
            Clip wav = get(spec.with(AudioFormat.WAV, spec.variant()));
            encodeMp3(wav.file, tmp);
          }
          break;
        case TRUNCATED: {
          Clip whole = get(spec.with(spec.format(), Variant.NORMAL));
          long keep = (long) (whole.size * TRUNCATED_SHARE);
          try (InputStream in = whole.open(); OutputStream out = Files.newOutputStream(tmp)) {
            copy(in, out, keep);
          }
          break;
        }
        case GARBAGE: {
          Clip whole = get(spec.with(spec.format(), Variant.NORMAL));
          // seeded from the values alone (a record's hashCode mixes in enum identity hashes), so runs repeat
          SplittableRandom random = new SplittableRandom(Objects.hash(spec.format().formatName(),
              spec.note(), spec.leadSamples(), spec.toneSamples(), spec.tailSamples()));
          try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
            byte[] buf = new byte[8192];
            long left = whole.size;
            while (left > 0) {
              for (int i = 0; i < buf.length; i++) {
                buf[i] = (byte) random.nextInt(256);
              }
              int n = (int) Math.min(buf.length, left);
              out.write(buf, 0, n);
              left -= n;
            }
          }
          break;
        }
        default:
          throw new IllegalStateException("unknown variant " + spec.variant());
      }
      Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
    long size = Files.size(target);
    byte[] bytes = size <= IN_MEMORY_LIMIT ? Files.readAllBytes(target) : null;
    return new Clip(spec, target, size, bytes);
  }

  private String fileName(Spec s) {
    return s.format().formatName() + "-" + s.variant().name().toLowerCase(Locale.ROOT) + "-n" + s.note()
        + "-" + s.leadSamples() + "-" + s.toneSamples() + "-" + s.tailSamples() + s.format().extension();
  }

  private void encodeMp3(Path wav, Path out) {
    FfmpegRunner runner = ffmpeg.get();
    runner.run(List.of("-loglevel", "error", "-nostats", "-y", "-f", "wav", "-i", wav.toAbsolutePath().toString(),
        "-map", "0:a:0", "-c:a", "libmp3lame", "-b:a", mp3BitrateKbps + "k", "-f", "mp3",
        out.toAbsolutePath().toString()));
  }

  /** Writes a mono 16-bit PCM WAV: lead silence, the tone (or silence), tail silence. */
  void writeWav(OutputStream out, Spec spec, boolean silent) throws IOException {
    long samples = spec.totalSamples();
    long dataBytes = 2 * samples;
    if (dataBytes > 0xFFFF_FFFFL - 36) {
      throw new IOException("a WAV can't hold " + samples + " samples");
    }
    byte[] header = new byte[WAV_HEADER_BYTES];
    ascii(header, 0, "RIFF");
    le32(header, 4, 36 + dataBytes);
    ascii(header, 8, "WAVE");
    ascii(header, 12, "fmt ");
    le32(header, 16, 16);
    le16(header, 20, 1); // PCM
    le16(header, 22, 1); // mono
    le32(header, 24, sampleRate);
    le32(header, 28, sampleRate * 2L);
    le16(header, 32, 2);
    le16(header, 34, 16);
    ascii(header, 36, "data");
    le32(header, 40, dataBytes);
    out.write(header);

    byte[] buf = new byte[1 << 15];
    int pos = 0;
    double step = 2 * Math.PI * frequency(spec.note()) / sampleRate;
    long toneStart = spec.leadSamples();
    long toneEnd = toneStart + spec.toneSamples();
    long fade = Math.max(1, Math.min((long) (FADE_SECONDS * sampleRate), spec.toneSamples() / 2));
    for (long i = 0; i < samples; i++) {
      int v = 0;
      if (!silent && i >= toneStart && i < toneEnd) {
        long k = i - toneStart;
        double gain = Math.min(1.0, Math.min((k + 1) / (double) fade, (toneEnd - i) / (double) fade));
        v = (int) Math.round(Math.sin(step * k) * AMPLITUDE * gain * Short.MAX_VALUE);
      }
      buf[pos++] = (byte) v;
      buf[pos++] = (byte) (v >> 8);
      if (pos == buf.length) {
        out.write(buf, 0, pos);
        pos = 0;
      }
    }
    out.write(buf, 0, pos);
  }

  private static void copy(InputStream in, OutputStream out, long limit) throws IOException {
    byte[] buf = new byte[8192];
    long left = limit;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        break;
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static void ascii(byte[] b, int off, String s) {
    for (int i = 0; i < s.length(); i++) {
      b[off + i] = (byte) s.charAt(i);
    }
  }

  private static void le16(byte[] b, int off, int v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >> 8);
  }

  private static void le32(byte[] b, int off, long v) {
    b[off] = (byte) v;
    b[off + 1] = (byte) (v >> 8);
    b[off + 2] = (byte) (v >> 16);
    b[off + 3] = (byte) (v >> 24);
  }

  /** Deletes the cache directory and everything in it. */
  @Override
  public void close() {
    cache.clear();
    if (!Files.exists(directory)) {
      return;
    }
    List<Path> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(directory)) {
      walk.forEach(all::add);
    } catch (IOException | UncheckedIOException e) {
      // fall through with what was listed
    }
    all.sort(Comparator.reverseOrder());
    for (Path p : all) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // best effort; a render racing with close may still hold a file
      }
    }
  }
}
