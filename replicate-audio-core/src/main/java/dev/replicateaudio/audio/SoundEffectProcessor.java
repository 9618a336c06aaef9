package dev.replicateaudio.audio;

import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.AudioInfo;
import dev.replicateaudio.ffmpeg.FfmpegException;
import dev.replicateaudio.ffmpeg.FfmpegResult;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Trims leading and trailing silence from sound effects with ffmpeg (the seed's
 * {@code SoundEffectProcessor.trim_audio()}); the {@link AudioPostProcessor} for
 * {@code sound_effect}.
 *
 * <pre>{@code
 * SoundEffectProcessor trimmer = SoundEffectProcessor.create(runner, settings);
 * TrimResult r = trimmer.trimAudio(Path.of("/tmp/job/in.mp3"), Path.of("/tmp/job/out.mp3"));
 * // r.originalDuration() = PT3.03S, r.trimmedDuration() = PT0.99993S, r.format() = MP3
 * }</pre>
 *
 * <p>Audio below {@code silenceThreshold} (default {@code -60dB}) at the start and at the end is
 * cut; silence inside the sound is kept. The filter is the double {@code silenceremove} pass around
 * {@code areverse}, each pass behind 50 ms of added digital silence ({@code adelay}): that padding
 * works around ffmpeg 5.1's {@code silenceremove}, which outputs nothing for a clip that is loud
 * from its first sample or ends abruptly at full level, and gives the same cut on 5.1 and on 6.x.
 *
 * <p>Only mp3, wav (PCM) and flac are accepted (decided by content, never by the file name), and the
 * format is kept: the same container and codec, sample rate and channels (mp3 at the input's bit
 * rate with libmp3lame, wav with the input's PCM codec, flac with its bit depth), and the tags.
 * The input must decode cleanly and as long as its header says, else {@link InvalidAudioException}.
 * Input that is silent from start to end throws {@link SilentAudioException}. Inputs longer than
 * {@link #DEFAULT_MAX_DURATION} (or the limit given to {@code create}) are refused, because
 * {@code areverse} holds the whole decoded clip in memory (about 50 MB per stereo minute on 5.1).
 *
 * <p>The result is written under a temporary name next to {@code output}, its header is read back
 * and checked against the format asked for, and it is then renamed into place atomically. On any
 * failure {@code output} does not exist afterwards (an existing file there is deleted), and no
 * temporary file is left.
 *
 * <p>A trim normally starts one process: the ffmpeg pass that decodes, trims and encodes, and
 * reports exactly how many samples it decoded and encoded. The input's format, codec, rate,
 * channels and header duration are read from its header in Java; ffprobe runs on the input only when
 * that header is not one the Java reader is sure of (a format other than mp3, wav and flac, an
 * unusual layout or codec), and on the result only if the Java reader can't read it back. A failing
 * pass adds a decoding pass to tell corrupt input from an ffmpeg failure. This class is thread-safe.
 */
public final class SoundEffectProcessor implements AudioPostProcessor {
  /** The longest input trimmed by default: 10 minutes. */
  public static final Duration DEFAULT_MAX_DURATION = Duration.ofMinutes(10);
  /** The digital silence put in front of each {@code silenceremove} pass, in milliseconds. */
  static final int PAD_MILLIS = 50;

  private final FfmpegRunner runner;
  private final String threshold;
  private final Duration maxDuration;
  private final String filter;

  private SoundEffectProcessor(FfmpegRunner runner, String threshold, Duration maxDuration) {
    this.runner = runner;
    this.threshold = threshold;
    this.maxDuration = maxDuration;
    this.filter = filterFor(threshold);
  }

  /**
   * A processor trimming at {@code settings.silenceThreshold()} and refusing inputs longer than
   * {@link #DEFAULT_MAX_DURATION}; ffmpeg runs through {@code runner} (its timeout and concurrency
   * limit apply).
   *
   * @param runner runs ffmpeg (and ffprobe for headers it can't read itself)
   * @param settings the silence threshold to trim at
   * @return the processor
   */
  public static SoundEffectProcessor create(FfmpegRunner runner, ReplicateAudioSettings settings) {
    return create(runner, settings, DEFAULT_MAX_DURATION);
  }

  /**
   * As {@link #create(FfmpegRunner, ReplicateAudioSettings)}, refusing inputs longer than
   * {@code maxDuration} (by their header).
   *
   * @param runner runs ffmpeg (and ffprobe for headers it can't read itself)
   * @param settings the silence threshold to trim at
   * @param maxDuration the longest input accepted, by its header
   * @return the processor
   * @throws IllegalArgumentException when {@code maxDuration} is not positive
   */
  public static SoundEffectProcessor create(FfmpegRunner runner, ReplicateAudioSettings settings,
      Duration maxDuration) {
    Objects.requireNonNull(runner, "runner == null");
    Objects.requireNonNull(settings, "settings == null");
    Objects.requireNonNull(maxDuration, "maxDuration == null");
    if (maxDuration.isZero() || maxDuration.isNegative()) {
      throw new IllegalArgumentException("maxDuration must be positive, was " + maxDuration);
    }
    // The settings record accepts only -NdB or an amplitude in (0, 1], so the value can't change
    // the filter graph's structure.
    return new SoundEffectProcessor(runner, settings.silenceThreshold(), maxDuration);
  }

  /**
   * The silence threshold this processor trims at, for example {@code -60dB}.
   *
   * @return the threshold, as in the settings
   */
  public String silenceThreshold() {
    return threshold;
  }

  /**
   * The ffmpeg filter graph ({@code -af}) this processor uses.
   *
   * @return the filter graph
   */
  public String filter() {
    return filter;
  }

  /**
   * Trims {@code input} into {@code output} (see the class description).
   *
   * @param input an existing mp3, wav or flac file; not modified
   * @param output where the trimmed audio goes, in an existing directory; replaced if present
   * @return the durations before and after, and the format
   * @throws IllegalArgumentException when {@code input} is not a regular file, {@code output}'s
   *     directory does not exist, or both are the same file
   * @throws SilentAudioException when nothing in the input is above the threshold
   * @throws InvalidAudioException when the input is unreadable, of a format that is not accepted,
   *     longer than the limit, corrupt or truncated
   * @throws FfmpegException when ffmpeg or ffprobe fails for another reason, times out or is interrupted
   */
  public TrimResult trimAudio(Path input, Path output) {
    Objects.requireNonNull(input, "input == null");
    Objects.requireNonNull(output, "output == null");
    long start = System.nanoTime();
    Path in = input.toAbsolutePath().normalize();
    Path out = output.toAbsolutePath().normalize();
    if (!Files.isRegularFile(in)) {
      throw new IllegalArgumentException("input is not an existing regular file: " + in);
    }
    if (in.equals(out)) {
      throw new IllegalArgumentException("output must differ from input: " + out);
    }
    Path dir = out.getParent();
    if (dir == null || !Files.isDirectory(dir)) {
      throw new IllegalArgumentException("output's directory does not exist: " + out);
    }
    Path tmp = dir.resolve("." + out.getFileName() + "." + Long.toUnsignedString(
        ThreadLocalRandom.current().nextLong(), 36) + ".part");
    try {
      Files.deleteIfExists(out);
      AudioInspector.Probed p = AudioInspector.probe(runner, in);
      Duration header = p.info().duration();
      if (header != null && header.compareTo(maxDuration) > 0) {
        throw new InvalidAudioException("Too long to trim: " + in + " lasts " + AudioInspector.describe(header)
            + ", the limit is " + AudioInspector.describe(maxDuration)
            + " (areverse holds the whole clip in memory)");
      }
      AudioInspector.Report report = trim(p, tmp);
      Duration original = AudioInspector.duration(report.inputSamples(), p.info().sampleRate());
      AudioInspector.checkTruncation(p, original);
      if (report.outputSamples() == 0) {
        throw new SilentAudioException("Entirely silent: nothing in " + in + " (" + p.format().formatName() + ", "
            + AudioInspector.describe(original) + ") rises above the silence threshold " + threshold);
      }
      Duration trimmed = AudioInspector.duration(report.outputSamples(), p.info().sampleRate());
      AudioInfo result = validateOutput(p, tmp);
      Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      return new TrimResult(out, p.format(), result.codecName(), original, trimmed,
          Duration.ofNanos(System.nanoTime() - start));
    } catch (IOException e) {
      ReplicateAudioException failure = new ReplicateAudioException("Could not write the trimmed audio " + out + ": "
          + e, e);
      removeQuietly(failure, tmp, out);
      throw failure;
    } catch (RuntimeException | Error e) {
      removeQuietly(e, tmp, out);
      throw e;
    }
  }

  /**
   * Trims {@code input} into {@code output} with {@link #trimAudio} and describes the result.
   *
   * @return {@code output} with its media type and the durations before and after
   */
  @Override
  public ProcessedAudio process(Path input, Path output) {
    TrimResult r = trimAudio(input, output);
    return new ProcessedAudio(r.output(), r.mimeType(), r.originalDuration(), r.trimmedDuration());
  }

  @Override
  public String toString() {
    return "SoundEffectProcessor[threshold=" + threshold + ", maxDuration=" + maxDuration + "]";
  }

  // ---------------------------------------------------------------------------------------------

  /** The corrected recipe of build-notes.md: pad, remove leading silence, reverse; twice. */
  static String filterFor(String threshold) {
    String pass = "adelay=delays=" + PAD_MILLIS + ":all=1,silenceremove=start_periods=1:start_threshold=" + threshold
        + ":start_silence=0,areverse";
    return pass + "," + pass;
  }

  private AudioInspector.Report trim(AudioInspector.Probed p, Path tmp) {
    List<String> args = new ArrayList<>(List.of("-nostdin", "-hide_banner", "-nostats", "-loglevel", "level+verbose",
        "-xerror", "-y", "-f", p.format().formatName(), "-i", p.file().toString(),
        "-map", "0:a:0", "-map_metadata", "0", "-af", filter));
    args.addAll(encoderArgs(p.format(), p.info()));
    args.addAll(List.of("-f", p.format().formatName(), tmp.toString()));
    AudioInspector.Report report;
    try {
      FfmpegResult r = runner.run(args);
      report = AudioInspector.parse(r.stderrTail());
    } catch (FfmpegException e) {
      if (e.isRetryable()) {
        throw e; // not the audio's fault: a timeout, an interruption, a binary that can't run
      }
      AudioInspector.decodeCheck(runner, p); // throws InvalidAudioException when the input is to blame
      throw e;
    }
    if (!report.clean()) {
      AudioInspector.decodeCheck(runner, p);
      throw AudioInspector.corrupt(p, report, null);
    }
    if (report.inputSamples() < 0 || report.outputSamples() < 0) {
      throw new ReplicateAudioException("ffmpeg reported no sample counts while trimming " + p.file()
          + " (ffmpeg older than 4.4?); stderr tail:\n" + String.join("\n", report.errorLines()));
    }
    return report;
  }

  static List<String> encoderArgs(AudioFormat format, AudioInfo info) {
    List<String> a = new ArrayList<>();
    switch (format) {
      case MP3:
        a.addAll(List.of("-c:a", "libmp3lame"));
        if (info.hasBitRate()) {
          a.addAll(List.of("-b:a", Long.toString(info.bitRate())));
        } else {
          a.addAll(List.of("-q:a", "2"));
        }
        a.addAll(List.of("-id3v2_version", "3"));
        break;
      case WAV:
        a.addAll(List.of("-c:a", info.codecName()));
        break;
      default:
        a.addAll(List.of("-c:a", "flac"));
        if (info.sampleFormat().equals("s16") || info.sampleFormat().equals("s32")) {
          a.addAll(List.of("-sample_fmt", info.sampleFormat()));
        }
        if (info.bitsPerSample() > 0) {
          a.addAll(List.of("-bits_per_raw_sample", Integer.toString(info.bitsPerSample())));
        }
        break;
    }
    a.addAll(List.of("-ar", Integer.toString(info.sampleRate()), "-ac", Integer.toString(info.channels())));
    return a;
  }

  /**
   * Checks that the written file has the container, codec, rate and channels asked for. ffmpeg was
   * told all four explicitly and reported what it encoded, so reading the header back in Java is
   * enough; ffprobe runs only when the sniffer can't read it.
   */
  private AudioInfo validateOutput(AudioInspector.Probed p, Path tmp) {
    AudioInfo o = HeaderSniffer.sniff(tmp).orElse(null);
    if (o == null) {
      try {
        o = runner.probe(tmp);
      } catch (InvalidAudioException e) {
        throw new ReplicateAudioException("The trimmed audio of " + p.file() + " does not pass ffprobe: "
            + e.getMessage(), e);
      }
    }
    AudioInfo i = p.info();
    List<String> problems = new ArrayList<>();
    if (!o.formatName().equals(p.format().formatName())) {
      problems.add("format " + o.formatName() + " instead of " + p.format().formatName());
    }
    String expectedCodec = p.format() == AudioFormat.WAV ? i.codecName() : p.format() == AudioFormat.MP3 ? "mp3"
        : "flac";
    if (!o.codecName().equals(expectedCodec)) {
      problems.add("codec " + o.codecName() + " instead of " + expectedCodec);
    }
    if (o.sampleRate() != i.sampleRate()) {
      problems.add("sample rate " + o.sampleRate() + " instead of " + i.sampleRate());
    }
    if (o.channels() != i.channels()) {
      problems.add(o.channels() + " channels instead of " + i.channels());
    }
    if (!problems.isEmpty()) {
      throw new ReplicateAudioException("The trimmed audio of " + p.file() + " does not keep its format: "
          + String.join(", ", problems));
    }
    return o;
  }

  private static void removeQuietly(Throwable primary, Path... paths) {
    for (Path path : paths) {
      try {
        Files.deleteIfExists(path);
      } catch (IOException e) {
        primary.addSuppressed(e);
      }
    }
  }
}
