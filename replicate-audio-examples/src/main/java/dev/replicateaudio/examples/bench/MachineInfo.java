package dev.replicateaudio.examples.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The machine a run measured, for the JSON and the table's heading (the benchmark's and the soak's). */
public final class MachineInfo {
  private MachineInfo() {
  }

  /** Cores, memory, CPU model, OS, JDK and its heap flags, the ffmpeg used and the load averages. */
  public static Map<String, Object> describe(String ffmpegVersion, String ffmpegPath, List<String> databases,
      double loadAtStart) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put("memory_mb", totalMemoryMb());
    m.put("cpu", cpuModel());
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " "
        + System.getProperty("os.arch"));
    m.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version"));
    m.put("jvm_args", String.join(" ", ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
        .filter(a -> a.startsWith("-X") || a.startsWith("-XX")).toList()));
    m.put("max_heap_mb", Runtime.getRuntime().maxMemory() / (1024 * 1024));
    m.put("ffmpeg", ffmpegVersion);
    m.put("ffmpeg_path", onPath(ffmpegPath));
    m.put("databases", databases);
    m.put("load_average_start", round2(loadAtStart));
    m.put("load_average_end", round2(loadAverage()));
    return m;
  }

  /** {@code program} as an absolute path: itself when it has a directory, else where PATH finds it. */
  static String onPath(String program) {
    if (program.contains(java.io.File.separator)) {
      return program;
    }
    String path = System.getenv("PATH");
    if (path != null) {
      for (String dir : path.split(java.io.File.pathSeparator)) {
        Path candidate = Path.of(dir.isEmpty() ? "." : dir, program);
        if (Files.isExecutable(candidate)) {
          return candidate.toAbsolutePath().toString();
        }
      }
    }
    return program;
  }

  /** The one-minute system load average, or -1 when the platform has none. */
  public static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static double round2(double v) {
    return Math.round(v * 100) / 100.0;
  }

  private static long totalMemoryMb() {
    java.lang.management.OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    if (os instanceof com.sun.management.OperatingSystemMXBean) {
      return ((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize() / (1024 * 1024);
    }
    return -1;
  }

  private static String cpuModel() {
    Path info = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(info)) {
      return System.getProperty("os.arch");
    }
    try {
      for (String line : Files.readAllLines(info)) {
        if (line.toLowerCase(Locale.ROOT).startsWith("model name")) {
          return line.substring(line.indexOf(':') + 1).strip();
        }
      }
    } catch (IOException e) {
      // fall through
    }
    return System.getProperty("os.arch");
  }
}
