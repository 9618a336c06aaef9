package dev.replicateaudio.examples.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The hand-rolled alternative the library is measured against: one {@code ffmpeg} process started
 * with {@link ProcessBuilder}, output discarded, exit code checked; no probing, no validation.
 */
final class BareFfmpeg {
  private BareFfmpeg() {
  }

  /** {@code ffmpeg -y -i in -af filter out}; fails loudly when ffmpeg fails or writes nothing. */
  static void trim(String ffmpeg, Path in, Path out, String filter) {
    List<String> command = List.of(ffmpeg, "-nostdin", "-hide_banner", "-loglevel", "error", "-y", "-i",
        in.toString(), "-af", filter, out.toString());
    int exit = run(command);
    try {
      if (exit != 0 || Files.size(out) <= 44) {
        throw new IllegalStateException("bare ffmpeg failed (exit " + exit + ", " + Files.size(out)
            + " bytes written): " + String.join(" ", command) + "\n" + stderrOf(command));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("bare ffmpeg wrote no " + out, e);
    }
  }

  /** Runs {@code program -hide_banner -version}: the cost of starting the program and nothing else. */
  static void version(String program) {
    List<String> command = List.of(program, "-hide_banner", "-version");
    int exit = run(command);
    if (exit != 0) {
      throw new IllegalStateException(String.join(" ", command) + " exited with " + exit);
    }
  }

  private static int run(List<String> command) {
    try {
      Process p = new ProcessBuilder(command)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .redirectError(ProcessBuilder.Redirect.DISCARD)
          .start();
      p.getOutputStream().close();
      return p.waitFor();
    } catch (IOException e) {
      throw new UncheckedIOException("can't start " + command.get(0), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while running " + command.get(0), e);
    }
  }

  private static String stderrOf(List<String> command) {
    List<String> loud = new ArrayList<>(command);
    try {
      Process p = new ProcessBuilder(loud).redirectErrorStream(true).start();
      p.getOutputStream().close();
      String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      return text;
    } catch (IOException e) {
      return "(stderr unavailable: " + e + ")";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "(interrupted)";
    }
  }
}
