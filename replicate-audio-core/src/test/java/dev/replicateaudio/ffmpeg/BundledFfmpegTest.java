package dev.replicateaudio.ffmpeg;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.testing.ChildJvm;
import dev.replicateaudio.testing.LeakCheckExtension;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

@ExtendWith(LeakCheckExtension.class)
class BundledFfmpegTest {
  @TempDir
  Path cache;

  @Test
  void extractsTheBytedecoBinariesOnceAndTheyRun() throws Exception {
    BundledFfmpeg b = BundledFfmpeg.locate(cache).orElseThrow();
    assertThat(b.ffmpegPath()).isExecutable().hasFileName("ffmpeg");
    assertThat(b.ffprobePath()).isExecutable().hasFileName("ffprobe");
    assertThat(b.directory().getParent()).isEqualTo(cache.toAbsolutePath());
    assertThat(b.directory().getFileName().toString()).startsWith("ffmpeg-6.1.1-1.5.10-linux-x86_64-");
    assertThat(b.version()).startsWith("ffmpeg version 6.1.1");
    try (Stream<Path> files = Files.list(b.directory())) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .contains("libavcodec.so.60", "libavfilter.so.9")
          .noneMatch(n -> n.startsWith("libjni"));
    }
    try (Stream<Path> entries = Files.list(cache)) {
      assertThat(entries).containsExactly(b.directory()); // no temp directory left
    }
    assertThat(BundledFfmpeg.locate(cache).orElseThrow().directory()).isEqualTo(b.directory());

    ReplicateAudioSettings s = b.applyTo(ReplicateAudioSettings.defaults());
    assertThat(s.ffmpegPath()).isEqualTo(b.ffmpegPath().toString());
    assertThat(s.ffprobePath()).isEqualTo(b.ffprobePath().toString());
    try (FfmpegRunner runner = FfmpegRunner.create(s)) {
      assertThat(runner.runProbe(List.of("-version")).stdout()).startsWith("ffprobe version 6.1.1");
    }
  }

  @Test
  void aDamagedExtractionIsRepaired() throws Exception {
    BundledFfmpeg b = BundledFfmpeg.locate(cache).orElseThrow();
    Files.delete(b.directory().resolve("libavfilter.so.9"));
    Files.writeString(b.directory().resolve("libavutil.so.58"), "truncated");
    BundledFfmpeg again = BundledFfmpeg.locate(cache).orElseThrow();
    assertThat(again.directory()).isEqualTo(b.directory());
    assertThat(again.directory().resolve("libavfilter.so.9")).exists();
    assertThat(again.version()).startsWith("ffmpeg version 6.1.1");
  }

  @Test
  void severalJvmsExtractingAtOnceAllSucceedWithOneCopy() throws Exception {
    List<ChildJvm> jvms = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        jvms.add(ChildJvm.start(LocateMain.class, cache.toString()));
      }
      List<String> dirs = new ArrayList<>();
      for (ChildJvm j : jvms) {
        dirs.add(j.readLine());
        assertThat(j.waitFor(120)).isZero();
      }
      assertThat(dirs).hasSize(3).containsOnly(dirs.get(0));
      try (Stream<Path> entries = Files.list(cache)) {
        assertThat(entries).containsExactly(Paths.get(dirs.get(0)));
      }
    } finally {
      jvms.forEach(ChildJvm::close);
    }
  }

  @Test
  void locateIsEmptyWhenTheBytedecoJarIsNotOnTheClasspath() throws Exception {
    try (URLClassLoader empty = new URLClassLoader(new URL[0], null)) {
      assertThat(BundledFfmpeg.locate(empty, cache)).isEmpty();
    }
    assertThat(cache).isEmptyDirectory();
  }

  @Test
  void platformUsesBytedecosNames() {
    assertThat(BundledFfmpeg.platform()).matches("(linux|macosx|windows)-(x86_64|arm64|x86|[a-z0-9_]+)");
    if (System.getProperty("os.name").equals("Linux") && System.getProperty("os.arch").equals("amd64")) {
      assertThat(BundledFfmpeg.platform()).isEqualTo("linux-x86_64");
    }
  }

  @Test
  void theDefaultCacheIsInTheUsersCacheDirectory() {
    Path d = BundledFfmpeg.defaultCacheDirectory();
    assertThat(d.getFileName().toString()).isEqualTo("replicate-audio");
    assertThat(d).isAbsolute();
  }

  /** Child JVM: locates into the given cache and prints the directory. */
  static final class LocateMain {
    private LocateMain() {
    }

    public static void main(String[] args) {
      System.out.println(BundledFfmpeg.locate(Paths.get(args[0])).orElseThrow().directory());
    }
  }
}
