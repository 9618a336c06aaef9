package dev.replicateaudio.testing;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.BundledFfmpeg;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The ffmpeg builds available to tests: the system's ({@code REPLICATE_FFMPEG_PATH} and
 * {@code REPLICATE_FFPROBE_PATH} when set, else {@code ffmpeg} and {@code ffprobe} on {@code PATH})
 * and the bundled one from {@code org.bytedeco:ffmpeg:…:linux-x86_64} (a test dependency of the core,
 * extracted once to {@link BundledFfmpeg#defaultCacheDirectory()}).
 *
 * <pre>{@code
 * ReplicateAudioSettings settings = TestFfmpeg.settings();       // system build, else bundled
 *
 * @ParameterizedTest
 * @MethodSource("dev.replicateaudio.testing.TestFfmpeg#builds")  // every available build
 * void trims(TestFfmpeg.Build build) { ... build.settings() ... }
 * }</pre>
 *
 * <p>Other modules get this class through the core's test-jar; for the bundled fallback they also
 * need {@code org.bytedeco:ffmpeg} with classifier {@code linux-x86_64} as a test dependency (test
 * scope does not travel with the test-jar).
 *
 * <p>In CI ({@code -Dreplicateaudio.ci=true} or {@code CI=true}) a missing system ffmpeg is an error
 * rather than a reason to test the bundled build alone, so that Debian's 5.1 is always covered.
 * Thread-safe; builds are looked up once per JVM.
 */
public final class TestFfmpeg {
  private static final Object LOCK = new Object();
  private static List<Build> builds;

  private TestFfmpeg() {
  }

  /**
   * One ffmpeg/ffprobe pair.
   *
   * @param name {@code system} or {@code bundled}
   * @param ffmpeg the ffmpeg program
   * @param ffprobe the ffprobe program
   * @param version the first line of {@code ffmpeg -version}
   */
  public record Build(String name, Path ffmpeg, Path ffprobe, String version) {
    public Build {
      Objects.requireNonNull(name, "name == null");
      Objects.requireNonNull(ffmpeg, "ffmpeg == null");
      Objects.requireNonNull(ffprobe, "ffprobe == null");
      Objects.requireNonNull(version, "version == null");
    }

    /** Default settings with this build's paths. */
    public ReplicateAudioSettings settings() {
      return applyTo(ReplicateAudioSettings.defaults());
    }

    /** {@code settings} with this build's paths. */
    public ReplicateAudioSettings applyTo(ReplicateAudioSettings settings) {
      return settings.toBuilder().ffmpegPath(ffmpeg.toString()).ffprobePath(ffprobe.toString()).build();
    }

    /** The version number alone, for example {@code 5.1.9-0+deb12u1} or {@code 6.1.1}. */
    public String versionNumber() {
      String[] words = version.split("\\s+");
      return words.length >= 3 ? words[2] : version;
    }

    @Override
    public String toString() {
      return name + " " + versionNumber();
    }
  }

  /** Default settings pointing at the {@link #preferred()} build. */
  public static ReplicateAudioSettings settings() {
    return preferred().settings();
  }

  /** The system build when there is one, else the bundled one. */
  public static Build preferred() {
    return builds().get(0);
  }

  /**
   * Every available build, the system one first; usable as a JUnit {@code @MethodSource}.
   *
   * @throws IllegalStateException when there is none, or in CI when the system one is missing
   */
  public static List<Build> builds() {
    synchronized (LOCK) {
      if (builds == null) {
        builds = List.copyOf(discover());
      }
      return builds;
    }
  }

  private static List<Build> discover() {
    List<Build> found = new ArrayList<>();
    Optional<Path[]> system = systemPaths();
    system.ifPresent(p -> found.add(build("system", p[0], p[1])));
    if (system.isEmpty() && Ci.isCi()) {
      throw new IllegalStateException("CI needs a system ffmpeg and ffprobe on PATH (or REPLICATE_FFMPEG_PATH and"
          + " REPLICATE_FFPROBE_PATH): apt-get install ffmpeg");
    }
    BundledFfmpeg.locate().ifPresent(b -> found.add(new Build("bundled", b.ffmpegPath(), b.ffprobePath(),
        b.version())));
    if (found.isEmpty()) {
      throw new IllegalStateException("No ffmpeg for tests: neither on PATH nor org.bytedeco:ffmpeg on the classpath");
    }
    return found;
  }

  private static Build build(String name, Path ffmpeg, Path ffprobe) {
    ReplicateAudioSettings s = ReplicateAudioSettings.defaults().toBuilder().ffmpegPath(ffmpeg.toString())
        .ffprobePath(ffprobe.toString()).build();
    try (FfmpegRunner runner = FfmpegRunner.create(s)) {
      return new Build(name, ffmpeg, ffprobe, runner.version());
    }
  }

  private static Optional<Path[]> systemPaths() {
    String envFfmpeg = System.getenv(ReplicateAudioSettings.ENV_FFMPEG_PATH);
    String envFfprobe = System.getenv(ReplicateAudioSettings.ENV_FFPROBE_PATH);
    Optional<Path> ffmpeg = envFfmpeg != null && !envFfmpeg.isBlank() ? Optional.of(Paths.get(envFfmpeg))
        : onPath("ffmpeg");
    Optional<Path> ffprobe = envFfprobe != null && !envFfprobe.isBlank() ? Optional.of(Paths.get(envFfprobe))
        : onPath("ffprobe");
    if (ffmpeg.isPresent() && ffprobe.isPresent()) {
      return Optional.of(new Path[] {ffmpeg.get(), ffprobe.get()});
    }
    return Optional.empty();
  }

  /** The first executable {@code name} on {@code PATH}. */
  public static Optional<Path> onPath(String name) {
    String path = System.getenv("PATH");
    if (path == null) {
      return Optional.empty();
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (dir.isBlank()) {
        continue;
      }
      Path candidate = Paths.get(dir, name);
      if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }
}
