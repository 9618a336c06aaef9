package dev.replicateaudio.examples.bench;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.SoundEffectProcessor;
import dev.replicateaudio.audio.TrimResult;
import dev.replicateaudio.ffmpeg.BundledFfmpeg;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Figure 3: {@link SoundEffectProcessor#trimAudio} against the bare ffmpeg command with the same
 * filter on the same files (a mono WAV, a stereo WAV and an MP3 sound effect with silence around
 * them), alternated in one run: in each pair every clip goes through both, in alternating order.
 * The ratio is the median library time of a pair over the median bare time.
 *
 * <p>Then, to show where the difference goes: the cost of starting ffmpeg and ffprobe, of one
 * {@link FfmpegRunner#probe}, and of the trim pass alone through the runner; and, when the
 * examples run the system's ffmpeg and a bundled one exists, the same ratio with the bundled one.
 */
final class TrimOverheadBench {
  private TrimOverheadBench() {
  }

  /** The clips figure 3 trims. */
  static List<Path> clips(BenchContext ctx) {
    Path dir = ctx.workDir().resolve("trim-clips");
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Path mono = BenchAudio.wav(dir.resolve("mono.wav"), 44_100, 1, 0.5, 2.0, 0.7);
    Path stereo = BenchAudio.wav(dir.resolve("stereo.wav"), 48_000, 2, 1.0, 3.0, 0.3);
    Path mp3 = dir.resolve("effect.mp3");
    ctx.ffmpeg().run(List.of("-nostdin", "-y", "-loglevel", "error", "-i", stereo.toString(), "-c:a", "libmp3lame",
        "-b:a", "128k", mp3.toString()));
    return List.of(mono, stereo, mp3);
  }

  static void run(BenchContext ctx, Figures figures) {
    PrintStream out = ctx.out();
    Plan plan = ctx.plan();
    List<Path> clips = clips(ctx);
    SoundEffectProcessor trimmer = SoundEffectProcessor.create(ctx.ffmpeg(), ctx.settings());
    Path outDir = ctx.workDir().resolve("trim-out");
    mkdirs(outDir);

    Samples[] both = alternate(ctx.settings(), trimmer, clips, outDir, plan.trimWarmup(), plan.trimPairs());
    Samples library = both[0];
    Samples bare = both[1];
    double ratio = library.percentileNanos(50) / bare.percentileNanos(50);
    out.printf(Locale.ROOT, "  per pair of %d clips: library %s; bare ffmpeg %s; ratio of medians %.2f,"
        + " of means %.2f%n", clips.size(), library.describe(), bare.describe(), ratio,
        library.meanMillis() / bare.meanMillis());
    figures.put("trim_overhead_ratio", ratio);

    if (plan != Plan.TINY) {
      profile(ctx, trimmer, clips.get(0), outDir);
      compareBundled(ctx, clips, outDir);
    }
  }

  /** Alternated pairs; returns {library, bare} sample sets, one sample per pair (all clips). */
  static Samples[] alternate(ReplicateAudioSettings settings, SoundEffectProcessor trimmer, List<Path> clips,
      Path outDir, int warmup, int pairs) {
    Samples library = new Samples();
    Samples bare = new Samples();
    for (int p = 0; p < warmup + pairs; p++) {
      long lib = 0;
      long raw = 0;
      for (Path clip : clips) {
        Path libOut = outDir.resolve("lib-" + clip.getFileName());
        Path bareOut = outDir.resolve("bare-" + clip.getFileName());
        if (p % 2 == 0) {
          lib += timeLibrary(trimmer, clip, libOut);
          raw += timeBare(settings, trimmer, clip, bareOut);
        } else {
          raw += timeBare(settings, trimmer, clip, bareOut);
          lib += timeLibrary(trimmer, clip, libOut);
        }
      }
      if (p >= warmup) {
        library.add(lib);
        bare.add(raw);
      }
    }
    return new Samples[] {library, bare};
  }

  private static long timeLibrary(SoundEffectProcessor trimmer, Path clip, Path out) {
    long t = System.nanoTime();
    TrimResult r = trimmer.trimAudio(clip, out);
    long elapsed = System.nanoTime() - t;
    if (r.trimmedDuration().isZero() || !r.trimmedDuration().minus(r.originalDuration()).isNegative()) {
      throw new IllegalStateException("the library did not trim " + clip + ": " + r);
    }
    return elapsed;
  }

  private static long timeBare(ReplicateAudioSettings settings, SoundEffectProcessor trimmer, Path clip, Path out) {
    long t = System.nanoTime();
    BareFfmpeg.trim(settings.ffmpegPath(), clip, out, trimmer.filter());
    return System.nanoTime() - t;
  }

  /** Where the library's time goes, on one clip. */
  private static void profile(BenchContext ctx, SoundEffectProcessor trimmer, Path clip, Path outDir) {
    int n = Math.max(3, ctx.plan().trimPairs() / 2);
    ReplicateAudioSettings s = ctx.settings();
    Samples startFfmpeg = new Samples();
    Samples startFfprobe = new Samples();
    Samples probe = new Samples();
    Samples runnerPass = new Samples();
    Samples barePass = new Samples();
    Samples library = new Samples();
    List<String> args = new ArrayList<>(List.of("-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i",
        clip.toString(), "-af", trimmer.filter(), outDir.resolve("runner-" + clip.getFileName()).toString()));
    for (int i = 0; i < n + 1; i++) {
      boolean keep = i > 0;
      long t = System.nanoTime();
      BareFfmpeg.version(s.ffmpegPath());
      add(keep, startFfmpeg, t);
      t = System.nanoTime();
      BareFfmpeg.version(s.ffprobePath());
      add(keep, startFfprobe, t);
      t = System.nanoTime();
      ctx.ffmpeg().probe(clip);
      add(keep, probe, t);
      t = System.nanoTime();
      ctx.ffmpeg().run(args);
      add(keep, runnerPass, t);
      t = System.nanoTime();
      BareFfmpeg.trim(s.ffmpegPath(), clip, outDir.resolve("bare-" + clip.getFileName()), trimmer.filter());
      add(keep, barePass, t);
      t = System.nanoTime();
      trimmer.trimAudio(clip, outDir.resolve("lib-" + clip.getFileName()));
      add(keep, library, t);
    }
    // one process per trim: the input's and the result's headers are read in Java (ffprobe only when unsure)
    double java = Math.max(0, library.medianMillis() - runnerPass.medianMillis());
    ctx.out().printf(Locale.ROOT, "  where the time goes (%s, medians of %d): trimAudio %.0f ms = trim pass %.0f ms"
            + " + %.0f ms in Java; the bare command %.0f ms; one FfmpegRunner.probe, which trimAudio runs only for"
            + " headers it can't read itself, %.0f ms. Starting a process alone: ffmpeg %.0f ms, ffprobe %.0f ms%n",
        clip.getFileName(), n, library.medianMillis(), runnerPass.medianMillis(), java,
        barePass.medianMillis(), probe.medianMillis(), startFfmpeg.medianMillis(), startFfprobe.medianMillis());
  }

  private static void add(boolean keep, Samples into, long start) {
    long elapsed = System.nanoTime() - start;
    if (keep) {
      into.add(elapsed);
    }
  }

  /** The same alternation with the ffmpeg bundled in org.bytedeco:ffmpeg, when the run uses another. */
  private static void compareBundled(BenchContext ctx, List<Path> clips, Path outDir) {
    Optional<BundledFfmpeg> bundled = BundledFfmpeg.locate();
    if (bundled.isEmpty() || bundled.get().ffmpegPath().toString().equals(ctx.settings().ffmpegPath())) {
      return;
    }
    ReplicateAudioSettings s = bundled.get().applyTo(ctx.settings());
    try (FfmpegRunner runner = FfmpegRunner.create(s)) {
      SoundEffectProcessor trimmer = SoundEffectProcessor.create(runner, s);
      int pairs = Math.max(2, ctx.plan().trimPairs() / 2);
      Samples[] both = alternate(s, trimmer, clips, outDir, 1, pairs);
      Samples start = new Samples();
      for (int i = 0; i < 6; i++) {
        long t = System.nanoTime();
        BareFfmpeg.version(s.ffmpegPath());
        add(i > 0, start, t);
      }
      ctx.out().printf(Locale.ROOT, "  with the bundled %s instead: library %.0f ms, bare %.0f ms per pair,"
              + " ratio %.2f; starting its ffmpeg takes %.0f ms%n",
          bundled.get().version().replaceAll(" Copyright.*", ""),
          both[0].medianMillis(), both[1].medianMillis(), both[0].percentileNanos(50) / both[1].percentileNanos(50),
          start.medianMillis());
    }
  }

  static void mkdirs(Path dir) {
    try {
      Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("can't create " + dir, e);
    }
  }
}
