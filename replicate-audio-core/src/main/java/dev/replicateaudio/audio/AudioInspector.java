package dev.replicateaudio.audio;

import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.ffmpeg.FfmpegException;
import dev.replicateaudio.ffmpeg.FfmpegResult;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks that a file is audio the post-processors accept, and reads ffmpeg's own account of what it
 * decoded and encoded. Shared by {@link SoundEffectProcessor} and {@link PassThroughProcessor}.
 *
 * <p>The header is read in Java ({@link HeaderSniffer}: mp3, wav and flac in their common layouts),
 * which saves starting ffprobe (about 130 ms on a small machine) for each file; ffprobe runs only
 * when the sniffer is not sure, and then its answer decides, allow-list included. Header values are
 * no proof that a file decodes: the decoding runs tell, and {@link #checkTruncation} compares.
 *
 * <p>The decoding runs use {@code -loglevel level+verbose}: every stderr line then carries its
 * level, and at the end ffmpeg (5.1 and 6.x alike) reports per stream how many samples it decoded
 * and encoded ({@code Input stream #0:0 (audio): ... frames decoded (132300 samples)}), exact and at
 * no cost, where a counting filter such as {@code astats} adds a third to the run time.
 */
final class AudioInspector {
  private static final System.Logger LOG = System.getLogger(AudioInspector.class.getName());
  /** A decoded length this much shorter than the header's (and at least {@link #TRUNCATION_MIN}) means truncated. */
  static final double TRUNCATION_RATIO = 0.02;
  static final Duration TRUNCATION_MIN = Duration.ofMillis(100);

  private static final Pattern INPUT_SAMPLES = Pattern.compile(
      "Input stream #0:\\d+ \\(audio\\):.*?frames decoded(?:; (\\d+) decode errors)? \\((\\d+) samples\\)");
  private static final Pattern OUTPUT_SAMPLES = Pattern.compile(
      "Output stream #0:\\d+ \\(audio\\):.*?frames encoded \\((\\d+) samples\\)");
  private static final Pattern ERROR_LINE = Pattern.compile("\\[(error|fatal|panic)\\] ");

  private AudioInspector() {
  }

  /** A probed input whose format and codec are accepted. */
  record Probed(Path file, AudioInfo info, AudioFormat format) {
  }

  /** What ffmpeg said at the end of a decoding run. */
  record Report(long inputSamples, long outputSamples, long decodeErrors, List<String> errorLines) {
    boolean clean() {
      return decodeErrors == 0 && errorLines.isEmpty();
    }
  }

  /**
   * Reads {@code input}'s header and checks it against the allow-list. The header is read in Java
   * ({@link HeaderSniffer}); only when that is not sure of the answer (a format it does not know,
   * an unusual layout or codec) does ffprobe run, and decide.
   *
   * @throws InvalidAudioException when it is not readable, not an accepted format or codec, or a
   *     WAV file shorter than its header says
   * @throws FfmpegException when ffprobe was needed and failed for another reason than the file
   */
  static Probed probe(FfmpegRunner runner, Path input) {
    Optional<AudioInfo> sniffed = HeaderSniffer.sniff(input);
    AudioInfo info = sniffed.orElseGet(() -> {
      LOG.log(Level.DEBUG, () -> "Header of " + input + " not recognised in Java; asking ffprobe");
      return runner.probe(input);
    });
    AudioFormat format = AudioFormat.fromFormatName(info.formatName()).orElseThrow(() -> new InvalidAudioException(
        "Audio format '" + info.formatName() + "' of " + input + " is not accepted; accepted: " + acceptedFormats()));
    if (!format.acceptsCodec(info.codecName())) {
      throw new InvalidAudioException("Codec '" + info.codecName() + "' in the " + format.formatName() + " file "
          + input + " is not accepted; accepted: " + acceptedCodecs(format));
    }
    if (info.sampleRate() <= 0 || info.channels() <= 0) {
      throw new InvalidAudioException("The audio stream of " + input + " has no usable sample rate ("
          + info.sampleRate() + ") or channel count (" + info.channels() + ")");
    }
    if (format == AudioFormat.WAV && sniffed.isEmpty()) {
      checkWavLength(input); // the sniffer reads a WAV only when its data chunk fits in the file
    }
    return new Probed(input, info, format);
  }

  /**
   * Decodes the whole input to nothing and checks that it decodes cleanly and as long as its
   * header says.
   *
   * @return the decoded length
   * @throws InvalidAudioException when it is corrupt, truncated or holds no samples
   */
  static Duration decodeCheck(FfmpegRunner runner, Probed p) {
    Report report;
    try {
      FfmpegResult r = runner.run(List.of("-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+verbose",
          "-xerror", "-f", p.format().formatName(), "-i", p.file().toString(), "-map", "0:a:0", "-f", "null", "-"));
      report = parse(r.stderrTail());
    } catch (FfmpegException e) {
      if (e.isRetryable()) {
        throw e; // a timeout, an interruption, a binary that can't run: not the audio's fault
      }
      throw corrupt(p, parse(e.stderrTail()), e);
    }
    if (!report.clean()) {
      throw corrupt(p, report, null);
    }
    if (report.inputSamples() < 0) {
      throw new IllegalStateException("ffmpeg reported no decoded sample count for " + p.file()
          + "; is it older than 4.4?");
    }
    if (report.inputSamples() == 0) {
      throw new InvalidAudioException("No audio samples decode from " + p.file() + " (" + p.format().formatName()
          + ", header duration " + describe(p.info().duration()) + ")");
    }
    Duration decoded = duration(report.inputSamples(), p.info().sampleRate());
    checkTruncation(p, decoded);
    return decoded;
  }

  /** Fails when the decoded length falls short of the header's by more than the tolerance. */
  static void checkTruncation(Probed p, Duration decoded) {
    Duration header = p.info().duration();
    if (header == null) {
      return;
    }
    Duration tolerance = max(TRUNCATION_MIN, Duration.ofNanos((long) (header.toNanos() * TRUNCATION_RATIO)));
    if (header.minus(decoded).compareTo(tolerance) > 0) {
      throw new InvalidAudioException("Truncated audio: " + p.file() + " (" + p.format().formatName()
          + ") says " + describe(header) + " in its header but only " + describe(decoded) + " decode");
    }
  }

  static InvalidAudioException corrupt(Probed p, Report report, Throwable cause) {
    StringBuilder sb = new StringBuilder("Corrupt audio: ").append(p.file()).append(" (")
        .append(p.format().formatName()).append(") does not decode cleanly");
    if (report.decodeErrors() > 0) {
      sb.append(": ").append(report.decodeErrors()).append(" decode error(s)");
    }
    if (!report.errorLines().isEmpty()) {
      sb.append(report.decodeErrors() > 0 ? "; " : ": ").append("ffmpeg said: ")
          .append(String.join(" | ", report.errorLines()));
    } else if (cause instanceof FfmpegException) {
      sb.append(": ffmpeg exited with code ").append(((FfmpegException) cause).exitCode());
    }
    return new InvalidAudioException(sb.toString(), cause);
  }

  /** Reads the sample counts, decode errors and error-level lines of a {@code level+verbose} log. */
  static Report parse(String stderr) {
    long in = -1;
    long out = -1;
    long errors = 0;
    List<String> errorLines = new ArrayList<>();
    for (String line : stderr.split("\n")) {
      Matcher m = INPUT_SAMPLES.matcher(line);
      if (m.find()) {
        in = Math.max(in, Long.parseLong(m.group(2)));
        if (m.group(1) != null) {
          errors += Long.parseLong(m.group(1));
        }
        continue;
      }
      m = OUTPUT_SAMPLES.matcher(line);
      if (m.find()) {
        out = Math.max(out, Long.parseLong(m.group(1)));
        continue;
      }
      Matcher e = ERROR_LINE.matcher(line);
      if (e.find() && errorLines.size() < 5) {
        errorLines.add(line.substring(e.end()).strip());
      }
    }
    return new Report(in, out, errors, List.copyOf(errorLines));
  }

  static Duration duration(long samples, int sampleRate) {
    return Duration.ofNanos(BigDecimal.valueOf(samples).multiply(BigDecimal.valueOf(1_000_000_000L))
        .divide(BigDecimal.valueOf(sampleRate), 0, RoundingMode.HALF_UP).longValueExact());
  }

  static String describe(Duration d) {
    if (d == null) {
      return "unknown";
    }
    return String.format(Locale.ROOT, "%.3f s", d.toNanos() / 1e9);
  }

  static String acceptedFormats() {
    List<String> names = new ArrayList<>();
    for (AudioFormat f : AudioFormat.values()) {
      names.add(f.formatName());
    }
    return String.join(", ", names);
  }

  private static String acceptedCodecs(AudioFormat f) {
    switch (f) {
      case MP3:
        return "mp3";
      case WAV:
        return "pcm_* (e.g. pcm_s16le, pcm_s24le, pcm_f32le)";
      default:
        return "flac";
    }
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }

  /**
   * A WAV file cut short on a packet boundary decodes without an error, and ffprobe then reports
   * the shorter length; only the RIFF header still tells how much data there should be.
   */
  private static void checkWavLength(Path file) {
    Optional<HeaderSniffer.WavData> wav = HeaderSniffer.wavData(file);
    if (wav.isEmpty() || wav.get().data().body() - 8 >= 1 << 20) {
      return; // RF64, no data chunk near the start, unreadable: leave it to the decoder
    }
    long declared = wav.get().data().length();
    // 0 and 0xFFFFFFFF mark a length unknown when written (streamed WAV)
    if (declared == 0 || declared == 0xFFFFFFFFL) {
      return;
    }
    long present = wav.get().fileSize() - wav.get().data().body();
    if (present < declared) {
      throw new InvalidAudioException("Truncated audio: " + file + " (wav) declares " + declared
          + " bytes of sample data but holds only " + present);
    }
  }

}
