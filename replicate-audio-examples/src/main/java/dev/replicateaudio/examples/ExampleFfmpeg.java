package dev.replicateaudio.examples;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.BundledFfmpeg;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Picks the ffmpeg the examples run: the one the settings name when it exists (by default
 * {@code ffmpeg} on PATH), else the one bundled in {@code org.bytedeco:ffmpeg}, extracted once.
 */
public final class ExampleFfmpeg {
  private ExampleFfmpeg() {
  }

  /** {@code settings}, or a copy pointing at the bundled ffmpeg when the configured one is missing. */
  public static ReplicateAudioSettings resolve(ReplicateAudioSettings settings) {
    if (exists(settings.ffmpegPath()) && exists(settings.ffprobePath())) {
      return settings;
    }
    Optional<BundledFfmpeg> bundled = BundledFfmpeg.locate();
    if (bundled.isEmpty()) {
      throw new ConfigurationException("ffmpeg '" + settings.ffmpegPath() + "' or ffprobe '" + settings.ffprobePath()
          + "' not found and no bundled ffmpeg for " + BundledFfmpeg.platform()
          + "; install ffmpeg or set REPLICATE_FFMPEG_PATH and REPLICATE_FFPROBE_PATH");
    }
    return bundled.get().applyTo(settings);
  }

  /**
   * Whether {@code executable} can run: an executable file when it names a directory, else a bare
   * name found on PATH.
   */
  public static boolean exists(String executable) {
    if (executable.contains(File.separator)) {
      return Files.isExecutable(Path.of(executable));
    }
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, executable))) {
        return true;
      }
    }
    return false;
  }
}
