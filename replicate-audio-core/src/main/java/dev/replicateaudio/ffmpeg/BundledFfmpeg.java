package dev.replicateaudio.ffmpeg;

import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.ReplicateAudioSettings;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.JarURLConnection;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

/**
 * The opt-in fallback for hosts without ffmpeg: the {@code ffmpeg} and {@code ffprobe} programs
 * shipped inside the {@code org.bytedeco:ffmpeg} jar for this platform (for example
 * {@code org.bytedeco:ffmpeg:6.1.1-1.5.10:linux-x86_64}), when that jar is on the classpath.
 *
 * <pre>{@code
 * ReplicateAudioSettings settings = ReplicateAudioSettings.fromEnvironment();
 * settings = BundledFfmpeg.locate().map(b -> b.applyTo(settings)).orElse(settings);
 * }</pre>
 *
 * <p>This library does not depend on bytedeco: add the classifier jar yourself (test or runtime
 * scope) if you want the fallback. Prefer a system ffmpeg where you can: the bundled build is large
 * (about 24 MB, 60 MB unpacked), and newer bytedeco builds than 6.1.1 need the system library
 * {@code libpulse.so.0} (Debian package {@code libpulse0}); without it they exit with code 127.
 *
 * <p>{@link #locate(Path)} finds the folder {@code org/bytedeco/ffmpeg/<platform>/} by resource
 * name, extracts its programs and shared libraries (not the JNI bindings) once into a directory of
 * the cache named after the bytedeco version, the platform and a hash of the entries' names, sizes
 * and CRCs, sets the programs' executable bits, and checks that {@code ffmpeg -version} runs. The
 * extraction goes to a temporary directory first that is renamed into place atomically, so several
 * threads or JVMs may locate at the same time: one rename wins and the others use its result. The
 * cache must be on a file system that allows executing programs (not {@code noexec}).
 *
 * <p>This class is immutable and thread-safe.
 */
public final class BundledFfmpeg {
  /** The resource folder of the bytedeco binaries, without the platform. */
  public static final String RESOURCE_ROOT = "org/bytedeco/ffmpeg/";

  private static final String POM_PROPERTIES = "META-INF/maven/org.bytedeco/ffmpeg/pom.properties";
  private static final Duration STALE_EXTRACTION = Duration.ofHours(1);
  private static final Map<String, BundledFfmpeg> LOCATED = new HashMap<>();

  private final Path directory;
  private final Path ffmpeg;
  private final Path ffprobe;
  private final String version;
  private final Map<String, Long> sizes;

  private BundledFfmpeg(Path directory, Path ffmpeg, Path ffprobe, String version, Map<String, Long> sizes) {
    this.directory = directory;
    this.ffmpeg = ffmpeg;
    this.ffprobe = ffprobe;
    this.version = version;
    this.sizes = Map.copyOf(sizes);
  }

  /**
   * Locates the bundled binaries with the thread's context class loader (or this class's), using
   * {@link #defaultCacheDirectory()}.
   *
   * @return empty when no bytedeco ffmpeg jar for this platform is on the classpath
   * @throws ReplicateAudioException when the jar is there but its binaries can't be extracted or don't run
   */
  public static Optional<BundledFfmpeg> locate() {
    return locate(defaultCacheDirectory());
  }

  /**
   * As {@link #locate()}, extracting into {@code cacheDirectory} (created 0700 if missing).
   *
   * @param cacheDirectory where to extract the binaries
   * @return the binaries; empty when the bytedeco jar for this platform is not on the class path
   * @throws ReplicateAudioException when the jar is there but its binaries can't be extracted or don't run
   */
  public static Optional<BundledFfmpeg> locate(Path cacheDirectory) {
    Objects.requireNonNull(cacheDirectory, "cacheDirectory == null");
    ClassLoader cl = Thread.currentThread().getContextClassLoader();
    if (cl == null || cl.getResource(RESOURCE_ROOT + platform() + "/" + executable("ffmpeg")) == null) {
      cl = BundledFfmpeg.class.getClassLoader();
    }
    return locate(cl, cacheDirectory);
  }

  /**
   * {@code ${XDG_CACHE_HOME}/replicate-audio} when that variable is set, else
   * {@code ~/.cache/replicate-audio}.
   *
   * @return the directory; not created here
   */
  public static Path defaultCacheDirectory() {
    String xdg = System.getenv("XDG_CACHE_HOME");
    Path base = xdg != null && !xdg.isBlank() && Paths.get(xdg).isAbsolute()
        ? Paths.get(xdg)
        : Paths.get(System.getProperty("user.home"), ".cache");
    return base.resolve("replicate-audio");
  }

  /**
   * This JVM's platform in bytedeco's naming: {@code linux-x86_64}, {@code linux-arm64},
   * {@code macosx-x86_64}, {@code macosx-arm64}, {@code windows-x86_64}...
   *
   * @return the platform name
   */
  public static String platform() {
    String os = System.getProperty("os.name", "").toLowerCase(Locale.ROOT);
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    String o = os.startsWith("windows") ? "windows" : os.startsWith("mac") || os.startsWith("darwin") ? "macosx"
        : os.replaceAll("[^a-z0-9]", "");
    String a;
    switch (arch) {
      case "amd64":
      case "x86_64":
        a = "x86_64";
        break;
      case "aarch64":
      case "arm64":
        a = "arm64";
        break;
      case "x86":
      case "i386":
      case "i686":
        a = "x86";
        break;
      default:
        a = arch.replaceAll("[^a-z0-9_]", "");
    }
    return o + "-" + a;
  }

  /**
   * The extracted {@code ffmpeg} program.
   *
   * @return its absolute path
   */
  public Path ffmpegPath() {
    return ffmpeg;
  }

  /**
   * The extracted {@code ffprobe} program.
   *
   * @return its absolute path
   */
  public Path ffprobePath() {
    return ffprobe;
  }

  /**
   * The directory holding the extracted programs and libraries.
   *
   * @return its absolute path
   */
  public Path directory() {
    return directory;
  }

  /**
   * The first line of {@code ffmpeg -version}, for example {@code ffmpeg version 6.1.1 Copyright ...}.
   *
   * @return the version line
   */
  public String version() {
    return version;
  }

  /**
   * {@code settings} with {@code ffmpegPath} and {@code ffprobePath} pointing at these binaries.
   *
   * @param settings the settings to change
   * @return a copy of {@code settings} with the two paths replaced
   */
  public ReplicateAudioSettings applyTo(ReplicateAudioSettings settings) {
    Objects.requireNonNull(settings, "settings == null");
    return settings.toBuilder().ffmpegPath(ffmpeg.toString()).ffprobePath(ffprobe.toString()).build();
  }

  @Override
  public String toString() {
    return "BundledFfmpeg[" + directory + ", " + version + "]";
  }

  // ---------------------------------------------------------------------------------------------

  static Optional<BundledFfmpeg> locate(ClassLoader cl, Path cacheDirectory) {
    String folder = RESOURCE_ROOT + platform() + "/";
    URL ffmpegUrl = cl == null ? null : cl.getResource(folder + executable("ffmpeg"));
    if (ffmpegUrl == null) {
      return Optional.empty();
    }
    Path cache = cacheDirectory.toAbsolutePath().normalize();
    String key = cache + "|" + ffmpegUrl;
    synchronized (LOCATED) {
      BundledFfmpeg known = LOCATED.get(key);
      if (known != null && complete(known.sizes, known.directory)) {
        return Optional.of(known);
      }
      BundledFfmpeg located = extractAndCheck(ffmpegUrl, folder, cache);
      LOCATED.put(key, located);
      return Optional.of(located);
    }
  }

  private static BundledFfmpeg extractAndCheck(URL ffmpegUrl, String folder, Path cache) {
    Source source;
    try {
      source = Source.open(ffmpegUrl, folder);
    } catch (IOException | URISyntaxException e) {
      throw new ReplicateAudioException("Could not read the bundled ffmpeg at " + ffmpegUrl + ": " + e, e);
    }
    try (source) {
      if (!source.sizes.containsKey(executable("ffprobe"))) {
        throw new ReplicateAudioException("The bundled ffmpeg at " + ffmpegUrl + " comes without "
            + executable("ffprobe"));
      }
      Path target = cache.resolve("ffmpeg-" + source.version + "-" + platform() + "-" + source.identity);
      try {
        ensureExtracted(source, cache, target);
      } catch (IOException e) {
        throw new ReplicateAudioException("Could not extract the bundled ffmpeg into " + target + ": " + e, e);
      }
      Path ffmpeg = target.resolve(executable("ffmpeg"));
      Path ffprobe = target.resolve(executable("ffprobe"));
      return new BundledFfmpeg(target, ffmpeg, ffprobe, check(ffmpeg, ffprobe, cache), source.sizes);
    }
  }

  private static String check(Path ffmpeg, Path ffprobe, Path cache) {
    ReplicateAudioSettings s = ReplicateAudioSettings.builder().ffmpegPath(ffmpeg.toString())
        .ffprobePath(ffprobe.toString()).ffmpegTimeout(Duration.ofSeconds(60)).maxConcurrentFfmpeg(1).build();
    try (FfmpegRunner runner = FfmpegRunner.create(s)) {
      String v = runner.version();
      runner.runProbe(List.of("-version"));
      return v;
    } catch (FfmpegException e) {
      throw new ReplicateAudioException("The bundled ffmpeg in " + ffmpeg.getParent() + " does not run"
          + " (exit code 127 usually means a missing system library such as libpulse.so.0; 'Permission denied'"
          + " means " + cache + " is on a noexec file system: pass another directory to BundledFfmpeg.locate(Path)): "
          + e.getMessage(), e);
    }
  }

  private static void ensureExtracted(Source source, Path cache, Path target) throws IOException {
    if (complete(source.sizes, target)) {
      return;
    }
    if (!Files.isDirectory(cache)) {
      try {
        Files.createDirectories(cache, PosixSupport.privateDirectory(cache));
      } catch (FileAlreadyExistsException ignored) {
        // a concurrent creator won
      }
    }
    removeStaleExtractions(cache);
    if (Files.exists(target, LinkOption.NOFOLLOW_LINKS) && !complete(source.sizes, target)) {
      // damaged (checked again: another JVM may have just renamed a complete copy into place):
      // move it out of the way atomically, then delete it
      Path stale = cache.resolve(".stale-" + System.nanoTime() + "-" + target.getFileName());
      try {
        Files.move(target, stale, StandardCopyOption.ATOMIC_MOVE);
        deleteTree(stale);
      } catch (IOException e) {
        if (complete(source.sizes, target)) {
          return; // another process repaired it meanwhile
        }
        throw e;
      }
    }
    Path tmp = Files.createTempDirectory(cache, ".extract-", PosixSupport.privateDirectory(cache));
    try {
      for (Map.Entry<String, Long> e : source.sizes.entrySet()) {
        Path out = tmp.resolve(e.getKey());
        try (InputStream in = source.open(e.getKey())) {
          Files.copy(in, out);
        }
        if (Files.size(out) != e.getValue()) {
          throw new IOException("Extracted " + out + " has " + Files.size(out) + " bytes, expected " + e.getValue());
        }
        boolean program = e.getKey().equals(executable("ffmpeg")) || e.getKey().equals(executable("ffprobe"));
        PosixSupport.setPermissions(out, program ? "rwxr-xr-x" : "rw-r--r--");
        if (program && !out.toFile().setExecutable(true, true)) {
          throw new IOException("Could not make " + out + " executable");
        }
      }
      PosixSupport.setPermissions(tmp, "rwxr-xr-x");
      try {
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException e) {
        // Usually another thread or JVM got there first (rename(2) then fails with "Directory not
        // empty", which Java reports as a plain FileSystemException); its copy is as good as ours.
        if (!complete(source.sizes, target)) {
          throw e;
        }
      }
    } finally {
      if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
        deleteTree(tmp);
      }
    }
  }

  private static boolean complete(Map<String, Long> sizes, Path target) {
    if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    try {
      for (Map.Entry<String, Long> e : sizes.entrySet()) {
        Path f = target.resolve(e.getKey());
        if (!Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS) || Files.size(f) != e.getValue()) {
          return false;
        }
      }
    } catch (IOException e) {
      return false;
    }
    return Files.isExecutable(target.resolve(executable("ffmpeg")))
        && Files.isExecutable(target.resolve(executable("ffprobe")));
  }

  private static void removeStaleExtractions(Path cache) {
    Instant cutoff = Instant.now().minus(STALE_EXTRACTION);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(cache, ".{extract,stale}-*")) {
      for (Path p : entries) {
        FileTime modified = Files.getLastModifiedTime(p, LinkOption.NOFOLLOW_LINKS);
        if (modified.toInstant().isBefore(cutoff)) {
          deleteTree(p);
        }
      }
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }

  private static void deleteTree(Path root) throws IOException {
    List<Path> all = new ArrayList<>();
    try (var walk = Files.walk(root)) {
      walk.forEach(all::add);
    }
    all.sort(Comparator.reverseOrder());
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }

  private static String executable(String name) {
    return platform().startsWith("windows") ? name + ".exe" : name;
  }

  /** Keeps only the programs and the libraries they load; the JNI bindings are not needed. */
  private static boolean wanted(String name) {
    return !name.isEmpty() && !name.startsWith("libjni") && !name.startsWith("jni") && !name.endsWith(".class");
  }

  /** The folder's files, in a jar or a directory, with their sizes and an identity of the whole. */
  private abstract static class Source implements AutoCloseable {
    final Map<String, Long> sizes = new java.util.TreeMap<>();
    String identity;
    String version = "unknown";

    static Source open(URL ffmpegUrl, String folder) throws IOException, URISyntaxException {
      if ("jar".equals(ffmpegUrl.getProtocol())) {
        return new JarSource(ffmpegUrl, folder);
      }
      if ("file".equals(ffmpegUrl.getProtocol())) {
        return new DirectorySource(Paths.get(ffmpegUrl.toURI()).getParent());
      }
      throw new IOException("Unsupported resource location " + ffmpegUrl);
    }

    abstract InputStream open(String name) throws IOException;

    @Override
    public abstract void close();

    static String hash(String text) {
      try {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(d, 0, 8);
      } catch (NoSuchAlgorithmException e) {
        throw new IllegalStateException("SHA-256 is missing from this JVM", e);
      }
    }
  }

  private static final class JarSource extends Source {
    private final JarFile jar;
    private final String folder;

    JarSource(URL ffmpegUrl, String folder) throws IOException {
      JarURLConnection conn = (JarURLConnection) ffmpegUrl.openConnection();
      conn.setUseCaches(false);
      this.jar = conn.getJarFile();
      this.folder = folder;
      StringBuilder id = new StringBuilder();
      jar.stream().filter(e -> !e.isDirectory() && e.getName().startsWith(folder))
          .sorted(Comparator.comparing(JarEntry::getName))
          .forEach(e -> {
            String name = e.getName().substring(folder.length());
            if (!name.contains("/") && wanted(name)) {
              sizes.put(name, e.getSize());
              id.append(name).append(':').append(e.getSize()).append(':').append(e.getCrc()).append('\n');
            }
          });
      identity = hash(id.toString());
      JarEntry pom = jar.getJarEntry(POM_PROPERTIES);
      if (pom != null) {
        Properties p = new Properties();
        try (InputStream in = jar.getInputStream(pom)) {
          p.load(in);
        }
        version = p.getProperty("version", version).replaceAll("[^A-Za-z0-9._-]", "");
      }
    }

    @Override
    InputStream open(String name) throws IOException {
      JarEntry e = jar.getJarEntry(folder + name);
      if (e == null) {
        throw new IOException("Entry " + folder + name + " vanished from " + jar.getName());
      }
      return jar.getInputStream(e);
    }

    @Override
    public void close() {
      try {
        jar.close();
      } catch (IOException ignored) {
        // read-only use
      }
    }
  }

  private static final class DirectorySource extends Source {
    private final Path dir;

    DirectorySource(Path dir) throws IOException {
      this.dir = dir;
      StringBuilder id = new StringBuilder();
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (Files.isRegularFile(f) && wanted(name)) {
            sizes.put(name, Files.size(f));
          }
        }
      }
      for (Map.Entry<String, Long> e : sizes.entrySet()) {
        id.append(e.getKey()).append(':').append(e.getValue()).append(':')
            .append(Files.getLastModifiedTime(dir.resolve(e.getKey())).toMillis()).append('\n');
      }
      identity = hash(id.toString());
    }

    @Override
    InputStream open(String name) throws IOException {
      return Files.newInputStream(dir.resolve(name));
    }

    @Override
    public void close() {
      // nothing held
    }
  }

  /** POSIX permissions where the file system has them; no-ops elsewhere. */
  private static final class PosixSupport {
    static java.nio.file.attribute.FileAttribute<?>[] privateDirectory(Path near) {
      if (near != null && near.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        return new java.nio.file.attribute.FileAttribute<?>[] {
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))};
      }
      return new java.nio.file.attribute.FileAttribute<?>[0];
    }

    static void setPermissions(Path p, String perms) throws IOException {
      if (p.getFileSystem().supportedFileAttributeViews().contains("posix")) {
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(perms));
      }
    }
  }
}
