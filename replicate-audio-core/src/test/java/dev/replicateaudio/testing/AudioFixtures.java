package dev.replicateaudio.testing;

import dev.replicateaudio.audio.AudioFormat;
import dev.replicateaudio.ffmpeg.FfmpegResult;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Generates test audio with ffmpeg's {@code lavfi} sources ({@code aevalsrc}), so no binary fixture is
 * checked in. Files go to the directory given to {@link #in}; names are unique per call.
 *
 * <pre>{@code
 * AudioFixtures fx = AudioFixtures.in(tempDir, runner);        // mono, 44.1 kHz, 16-bit wav, 128k mp3
 * Path padded = fx.toneWithSilence(AudioFormat.MP3, 1, 1, 1);  // 1 s silence, 1 s tone, 1 s silence
 * Path cut = fx.truncated(padded, 0.4);                        // the first 40 % of its bytes
 * Path big = fx.ofSize(AudioFormat.WAV, 10_000_000);           // about 10 MB
 * }</pre>
 *
 * <p>The shapes: a 440 Hz sine at amplitude 0.5 for plain tones; a cosine at 0.9, which is at full
 * level on its very first sample, for "loud from the start"; a square wave at ±0.9, at full level on
 * every sample up to the last, for "ends abruptly". Instances are immutable and thread-safe.
 */
public final class AudioFixtures {
  private static final Pattern DECODED_SAMPLES = Pattern.compile(
      "Input stream #0:\\d+ \\(audio\\):.*?frames decoded(?:; \\d+ decode errors)? \\((\\d+) samples\\)");

  private final Path dir;
  private final FfmpegRunner runner;
  private final int sampleRate;
  private final int channels;
  private final String wavCodec;
  private final int mp3BitRate;

  private AudioFixtures(Path dir, FfmpegRunner runner, int sampleRate, int channels, String wavCodec, int mp3BitRate) {
    this.dir = dir;
    this.runner = runner;
    this.sampleRate = sampleRate;
    this.channels = channels;
    this.wavCodec = wavCodec;
    this.mp3BitRate = mp3BitRate;
  }

  /** Fixtures written to {@code directory} with {@code runner}: mono, 44.1 kHz, pcm_s16le wav, 128 kb/s mp3. */
  public static AudioFixtures in(Path directory, FfmpegRunner runner) {
    Objects.requireNonNull(directory, "directory == null");
    Objects.requireNonNull(runner, "runner == null");
    return new AudioFixtures(directory, runner, 44_100, 1, "pcm_s16le", 128_000);
  }

  /** A copy generating {@code channels} channels (1 or 2). */
  public AudioFixtures withChannels(int channels) {
    return new AudioFixtures(dir, runner, sampleRate, channels, wavCodec, mp3BitRate);
  }

  /** A copy generating at {@code sampleRate} Hz. */
  public AudioFixtures withSampleRate(int sampleRate) {
    return new AudioFixtures(dir, runner, sampleRate, channels, wavCodec, mp3BitRate);
  }

  /** A copy writing WAV with {@code codec} (for example {@code pcm_s24le}, {@code pcm_f32le}). */
  public AudioFixtures withWavCodec(String codec) {
    return new AudioFixtures(dir, runner, sampleRate, channels, codec, mp3BitRate);
  }

  /** A copy writing MP3 at {@code bitRate} bits per second. */
  public AudioFixtures withMp3BitRate(int bitRate) {
    return new AudioFixtures(dir, runner, sampleRate, channels, wavCodec, bitRate);
  }

  /** Silence, a 440 Hz tone at half amplitude, silence; lengths in seconds. */
  public Path toneWithSilence(AudioFormat format, double leadSilence, double tone, double trailSilence) {
    String expr = String.format(Locale.ROOT, "if(between(t,%s,%s),0.5*sin(2*PI*440*(t-%s)),0)",
        num(leadSilence), num(leadSilence + tone), num(leadSilence));
    return generate(format, "tone-in-silence", expr, leadSilence + tone + trailSilence);
  }

  /** A tone at full level from its very first sample (a cosine at 0.9) to the end; no silence anywhere. */
  public Path loudFromStart(AudioFormat format, double seconds) {
    return generate(format, "loud-from-start", "0.9*cos(2*PI*440*t)", seconds);
  }

  /** Silence, then a square wave at ±0.9 that ends abruptly at full level with the file. */
  public Path endsAbruptly(AudioFormat format, double leadSilence, double tone) {
    String expr = String.format(Locale.ROOT, "if(gte(t,%s),0.9*(2*gte(mod(t*440,1),0.5)-1),0)", num(leadSilence));
    return generate(format, "ends-abruptly", expr, leadSilence + tone);
  }

  /** Digital silence only. */
  public Path silence(AudioFormat format, double seconds) {
    return generate(format, "silence", "0", seconds);
  }

  /**
   * A file of about {@code bytes} bytes (WAV within a few bytes; MP3 within a frame): a tone with
   * 0.5 s of silence at both ends, as long as the size needs.
   */
  public Path ofSize(AudioFormat format, long bytes) {
    double seconds;
    switch (format) {
      case WAV:
        seconds = (bytes - 78) / (double) (sampleRate * channels * bytesPerSample());
        break;
      case MP3:
        seconds = bytes * 8.0 / mp3BitRate;
        break;
      default:
        throw new IllegalArgumentException("ofSize supports WAV and MP3, not " + format);
    }
    if (seconds < 1.5) {
      throw new IllegalArgumentException(bytes + " bytes is too small for a tone with silence around it");
    }
    return toneWithSilence(format, 0.5, seconds - 1.0, 0.5);
  }

  /** A copy of the first {@code keepFraction} (0 to 1) of {@code source}'s bytes. */
  public Path truncated(Path source, double keepFraction) {
    if (!(keepFraction > 0 && keepFraction < 1)) {
      throw new IllegalArgumentException("keepFraction must be in (0, 1), was " + keepFraction);
    }
    try {
      long keep = (long) (Files.size(source) * keepFraction);
      Path out = next("truncated", extension(source));
      try (InputStream in = Files.newInputStream(source); OutputStream o = Files.newOutputStream(out)) {
        o.write(in.readNBytes((int) keep));
      }
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A copy of {@code source} with {@code garbageBytes} random bytes written over its middle. */
  public Path corruptedInTheMiddle(Path source, int garbageBytes) {
    try {
      byte[] data = Files.readAllBytes(source);
      int from = Math.max(0, data.length / 2 - garbageBytes / 2);
      byte[] noise = new byte[Math.min(garbageBytes, data.length - from)];
      new Random(42).nextBytes(noise);
      System.arraycopy(noise, 0, data, from, noise.length);
      Path out = next("corrupt", extension(source));
      Files.write(out, data);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code bytes} random bytes in a file whose name ends with {@code extension} (e.g. {@code ".mp3"}). */
  public Path randomBytes(String extension, int bytes) {
    byte[] data = new byte[bytes];
    new Random(7).nextBytes(data);
    try {
      Path out = next("random", extension);
      Files.write(out, data);
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The decoded length of {@code file} (ffmpeg's count of the samples it decoded, divided by the rate
   * ffprobe reports), independent of header values.
   */
  public static Duration decodedDuration(FfmpegRunner runner, Path file) {
    int rate = runner.probe(file).sampleRate();
    FfmpegResult r = runner.run(List.of("-nostats", "-loglevel", "level+verbose", "-i", file.toAbsolutePath().toString(),
        "-map", "0:a:0", "-f", "null", "-"));
    Matcher m = DECODED_SAMPLES.matcher(r.stderrTail());
    if (!m.find()) {
      throw new IllegalStateException("ffmpeg reported no decoded sample count for " + file + ":\n" + r.stderrTail());
    }
    return Duration.ofNanos(Long.parseLong(m.group(1)) * 1_000_000_000L / rate);
  }

  // ---------------------------------------------------------------------------------------------

  private Path generate(AudioFormat format, String name, String expr, double seconds) {
    Path out = next(name, format.extension());
    String layout = channels == 1 ? "mono" : channels == 2 ? "stereo" : channels + "c";
    String exprs = channels == 1 ? expr : String.join("|", java.util.Collections.nCopies(channels, expr));
    List<String> args = new ArrayList<>(List.of("-nostats", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
        String.format(Locale.ROOT, "aevalsrc=exprs='%s':s=%d:c=%s:d=%s", exprs, sampleRate, layout, num(seconds))));
    switch (format) {
      case WAV:
        args.addAll(List.of("-c:a", wavCodec));
        break;
      case MP3:
        args.addAll(List.of("-c:a", "libmp3lame", "-b:a", Integer.toString(mp3BitRate)));
        break;
      default:
        args.addAll(List.of("-c:a", "flac"));
        break;
    }
    args.addAll(List.of("-f", format.formatName(), out.toString()));
    runner.run(args);
    return out;
  }

  private int bytesPerSample() {
    switch (wavCodec) {
      case "pcm_u8":
        return 1;
      case "pcm_s24le":
        return 3;
      case "pcm_s32le":
      case "pcm_f32le":
        return 4;
      case "pcm_f64le":
        return 8;
      default:
        return 2;
    }
  }

  private Path next(String name, String extension) {
    try {
      Files.createDirectories(dir);
      return Files.createTempFile(dir, name + "-", extension).toAbsolutePath();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String extension(Path p) {
    String n = p.getFileName().toString();
    int dot = n.lastIndexOf('.');
    return dot < 0 ? "" : n.substring(dot);
  }

  private static String num(double d) {
    return String.format(Locale.ROOT, "%.6f", d);
  }
}
