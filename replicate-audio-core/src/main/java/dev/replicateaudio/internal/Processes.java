package dev.replicateaudio.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.Paths;

/** Process helpers. */
public final class Processes {
  private static final boolean PROCFS = Files.isReadable(Paths.get("/proc/self/stat"));

  private Processes() {
  }

  /**
   * True when {@code process} is alive and not a zombie. {@link ProcessHandle#isAlive()} counts a
   * zombie (exited, not yet reaped) as alive; an orphaned grandchild stays one until PID 1 reaps it,
   * which is slow in some sandboxes and never happens when the JVM itself is PID 1 in a container.
   * Where {@code /proc} exists, its state letter decides; elsewhere {@code isAlive()} does.
   */
  public static boolean isRunning(ProcessHandle process) {
    if (!process.isAlive()) {
      return false;
    }
    if (!PROCFS) {
      return true;
    }
    Path stat = Paths.get("/proc", Long.toString(process.pid()), "stat");
    try {
      String s = new String(Files.readAllBytes(stat), StandardCharsets.US_ASCII);
      int close = s.lastIndexOf(')'); // the command name may hold spaces and parentheses
      if (close < 0 || close + 2 >= s.length()) {
        return true;
      }
      char state = s.charAt(close + 2);
      return state != 'Z' && state != 'X' && state != 'x';
    } catch (NoSuchFileException e) {
      return false;
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }
}
