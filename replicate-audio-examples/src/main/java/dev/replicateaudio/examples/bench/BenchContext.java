package dev.replicateaudio.examples.bench;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.PrintStream;
import java.nio.file.Path;

/**
 * What every benchmark shares in one run.
 *
 * @param plan the sample counts of the mode
 * @param workDir a private directory for clips, databases and outputs, deleted after the run
 * @param settings the library's settings, with the ffmpeg the examples use
 * @param ffmpeg a runner on {@code settings}
 * @param out where progress and details go
 */
record BenchContext(Plan plan, Path workDir, ReplicateAudioSettings settings, FfmpegRunner ffmpeg, PrintStream out) {
}
