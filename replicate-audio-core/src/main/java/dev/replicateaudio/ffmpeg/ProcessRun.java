package dev.replicateaudio.ffmpeg;

import dev.replicateaudio.ManagedTempFiles;
import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.internal.Daemons;
import dev.replicateaudio.internal.Processes;
import dev.replicateaudio.internal.SettingParsers;
import java.io.IOException;
import java.io.InputStream;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One ffmpeg or ffprobe process: its private temp directory (stderr log, ffprobe's stdout), its
 * start, the kill of its whole process tree and the result. Not reused.
 */
final class ProcessRun {
  private static final System.Logger LOG = System.getLogger(FfmpegRunner.class.getName());

  /** Why the process was killed. */
  enum Kill {
    TIMEOUT, INTERRUPTED, CANCELLED, CLOSED
  }

  final Tool tool;
  final List<String> command;
  final Duration timeout;
  private final boolean captureStdout;

  private ManagedTempFiles temp;
  private volatile Process process;
  private long startNanos;
  private long endNanos;
  private Kill kill;
  private List<ProcessHandle> doomed = List.of();
  private ScheduledFuture<?> forceKill;

  ProcessRun(Tool tool, List<String> command, Duration timeout, boolean captureStdout) {
    this.tool = tool;
    this.command = List.copyOf(command);
    this.timeout = timeout;
    this.captureStdout = captureStdout;
  }

  /** Starts the process with no pipes: stdin closed, stdout discarded or to a file, stderr to a file. */
  void start() {
    temp = ManagedTempFiles.create(".stderr.log", ".stdout");
    // appendTo, not to: both files are new (reserved names in a fresh private directory), and without
    // O_TRUNC ext4 does not start writing a log to disk when the process closes it (auto_da_alloc)
    ProcessBuilder pb = new ProcessBuilder(command)
        .directory(temp.directory().toFile())
        .redirectError(ProcessBuilder.Redirect.appendTo(temp.path(0).toFile()))
        .redirectOutput(captureStdout ? ProcessBuilder.Redirect.appendTo(temp.path(1).toFile())
            : ProcessBuilder.Redirect.DISCARD);
    try {
      startNanos = System.nanoTime();
      Process p = pb.start();
      process = p;
      // stdin: give ffmpeg an immediate end of input; -nostdin makes it not read it at all
      try {
        p.getOutputStream().close();
      } catch (IOException ignored) {
        // the process may already be gone; its exit code tells
      }
      LOG.log(Level.DEBUG, () -> "Started " + tool.displayName + " pid " + p.pid() + ": " + describe(command));
    } catch (IOException | RuntimeException e) {
      FfmpegException failure = new FfmpegException(startFailureMessage(e), e, FfmpegException.NO_EXIT_CODE, false,
          command, "", true);
      cleanup(failure);
      throw failure;
    }
  }

  Process process() {
    return process;
  }

  boolean started() {
    return process != null;
  }

  /**
   * Kills the process tree: the descendants are collected before the parent is signalled (once the
   * parent is dead they are reparented and no longer its descendants), then every one gets
   * {@code destroy()} (SIGTERM), and after {@link FfmpegRunner#KILL_GRACE} the survivors get
   * {@code destroyForcibly()} (SIGKILL). Never blocks. Only the first call does anything.
   */
  synchronized void kill(Kill why) {
    Process p = process;
    if (kill != null || p == null || !p.isAlive()) {
      return; // already killed, never started, or already exited by itself
    }
    kill = why;
    List<ProcessHandle> tree = new ArrayList<>();
    try {
      p.descendants().forEach(tree::add);
    } catch (RuntimeException ignored) {
      // descendants can't be listed on this platform: kill the parent alone
    }
    doomed = List.copyOf(tree);
    p.destroy();
    doomed.forEach(ProcessHandle::destroy);
    LOG.log(Level.DEBUG, () -> "Killing " + tool.displayName + " pid " + p.pid() + " (" + why + ") and "
        + doomed.size() + " descendant(s)");
    if (p.isAlive() || doomed.stream().anyMatch(Processes::isRunning)) {
      forceKill = Daemons.scheduler().schedule(this::forceKill, FfmpegRunner.KILL_GRACE.toMillis(),
          TimeUnit.MILLISECONDS);
    }
  }

  private void forceKill() {
    Process p = process;
    List<ProcessHandle> all = new ArrayList<>(doomedSnapshot());
    try {
      if (p.isAlive()) {
        p.descendants().forEach(all::add);
      }
    } catch (RuntimeException ignored) {
      // as in kill()
    }
    if (p.isAlive()) {
      p.destroyForcibly();
    }
    for (ProcessHandle h : all) {
      if (Processes.isRunning(h)) {
        h.destroyForcibly();
      }
    }
  }

  private synchronized List<ProcessHandle> doomedSnapshot() {
    return doomed;
  }

  synchronized Kill killReason() {
    return kill;
  }

  /**
   * Waits, without reacting to interruption (the flag is restored), until the process and the
   * descendants collected by {@link #kill} have exited or {@code max} has passed.
   *
   * @return true when all are gone
   */
  boolean awaitTreeExit(Duration max) {
    long deadline = System.nanoTime() + max.toNanos();
    boolean interrupted = false;
    try {
      Process p = process;
      while (p != null && p.isAlive()) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          return false;
        }
        try {
          p.waitFor(left, TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
          interrupted = true;
        }
      }
      for (ProcessHandle h : doomedSnapshot()) {
        while (Processes.isRunning(h)) {
          if (System.nanoTime() - deadline >= 0) {
            return false;
          }
          try {
            Thread.sleep(10);
          } catch (InterruptedException e) {
            interrupted = true;
          }
        }
      }
      return true;
    } finally {
      if (interrupted) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** Records the exit time; call once the process has exited. */
  void exited() {
    if (endNanos == 0) {
      endNanos = System.nanoTime();
    }
  }

  Duration elapsed() {
    long end = endNanos != 0 ? endNanos : System.nanoTime();
    return Duration.ofNanos(end - startNanos);
  }

  /**
   * The outcome of an exited process: its result, or the exception for a kill or a non-zero exit.
   * Deletes the temp directory in every case.
   */
  FfmpegResult finish() {
    exited();
    ScheduledFuture<?> f;
    synchronized (this) {
      f = forceKill;
    }
    if (f != null && !process.isAlive() && doomedSnapshot().stream().noneMatch(Processes::isRunning)) {
      f.cancel(false);
    }
    FfmpegException failure = null;
    try {
      String tail = readTail(temp.path(0));
      Kill why = killReason();
      int exit = process.isAlive() ? FfmpegException.NO_EXIT_CODE : process.exitValue();
      if (why != null) {
        failure = killed(why, exit, tail, null);
        throw failure;
      }
      if (exit == 126 || exit == 127) {
        // the loader or a wrapper could not run the program: the host's setup, not the input
        failure = new FfmpegException(tool.displayName + " could not run (exit code " + exit + ": the program or one"
            + " of its shared libraries was not found or is not executable; check " + tool.envVariable + "): "
            + describe(command) + tailSection(tail), null, exit, false, command, tail, true);
        throw failure;
      }
      if (exit != 0) {
        failure = new FfmpegException(tool.displayName + " failed with exit code " + exit + " after "
            + SettingParsers.describe(roundMillis(elapsed())) + ": " + describe(command) + tailSection(tail), null, exit,
            false, command, tail, false);
        throw failure;
      }
      String out = captureStdout ? readStdout(temp.path(1)) : "";
      FfmpegResult result = new FfmpegResult(exit, elapsed(), tail, out);
      LOG.log(Level.DEBUG, () -> tool.displayName + " finished in " + elapsed().toMillis() + " ms: " + describe(command));
      return result;
    } catch (FfmpegException e) {
      failure = e;
      throw e;
    } finally {
      cleanup(failure);
    }
  }

  /** The exception for a process killed for {@code why}; {@code cause} may be null. */
  FfmpegException killed(Kill why, int exit, String tail, Throwable cause) {
    String what;
    boolean timedOut = false;
    switch (why) {
      case TIMEOUT:
        what = " timed out after " + SettingParsers.describe(timeout) + " (ffmpegTimeout, "
            + dev.replicateaudio.ReplicateAudioSettings.ENV_FFMPEG_TIMEOUT + ") and was killed";
        timedOut = true;
        break;
      case INTERRUPTED:
        what = " was killed because the calling thread was interrupted after "
            + SettingParsers.describe(roundMillis(elapsed()));
        break;
      case CANCELLED:
        what = " was killed because its run was cancelled after " + SettingParsers.describe(roundMillis(elapsed()));
        break;
      default:
        what = " was killed because its FfmpegRunner was closed";
        break;
    }
    return new FfmpegException(tool.displayName + what + (exit == FfmpegException.NO_EXIT_CODE ? "" : " (exit code "
        + exit + ")") + ": " + describe(command) + tailSection(tail), cause, exit, timedOut, command, tail, true);
  }

  /** Deletes the temp directory; a failure is attached to {@code primary}, or logged when there is none. */
  void cleanup(Throwable primary) {
    ManagedTempFiles t = temp;
    if (t == null) {
      return;
    }
    try {
      t.close();
    } catch (ReplicateAudioException e) {
      if (primary != null) {
        primary.addSuppressed(e);
      } else {
        LOG.log(Level.WARNING, "Could not delete the temp directory of a finished " + tool.displayName + " run", e);
      }
    }
  }

  /** Reads what is left of stderr when the run is abandoned (tail only, no result). */
  String tailNow() {
    return temp == null ? "" : readTail(temp.path(0));
  }

  // ---------------------------------------------------------------------------------------------

  private String startFailureMessage(Exception e) {
    String program = command.get(0);
    boolean bareName = !program.contains("/") && !program.contains("\\");
    return "Could not start " + tool.displayName + " '" + program + "': "
        + (bareName ? "not found on PATH or not executable" : "the file is missing or not executable")
        + " (" + e.getMessage() + "). Install ffmpeg or set " + tool.envVariable + " (setting " + tool.settingName
        + ") to the " + tool.displayName + " executable.";
  }

  static String tailSection(String tail) {
    if (tail.isBlank()) {
      return "\n(stderr was empty)";
    }
    return "\nstderr (last " + FfmpegRunner.STDERR_TAIL_BYTES + " bytes at most):\n" + tail.strip();
  }

  private static Duration roundMillis(Duration d) {
    return Duration.ofMillis(d.toMillis());
  }

  /** The command as a shell-like line, cut to 2,000 characters. */
  static String describe(List<String> command) {
    StringBuilder sb = new StringBuilder();
    for (String arg : command) {
      if (sb.length() > 0) {
        sb.append(' ');
      }
      if (arg.isEmpty() || arg.chars().anyMatch(c -> c == ' ' || c == '\'' || c == '"' || c < 0x20)) {
        sb.append('\'').append(arg.replace("'", "'\\''")).append('\'');
      } else {
        sb.append(arg);
      }
      if (sb.length() > 2000) {
        sb.setLength(2000);
        sb.append("...");
        break;
      }
    }
    return sb.toString();
  }

  static String readTail(Path file) {
    try (SeekableByteChannel ch = Files.newByteChannel(file)) {
      long size = ch.size();
      int n = (int) Math.min(size, FfmpegRunner.STDERR_TAIL_BYTES);
      ch.position(size - n);
      ByteBuffer buf = ByteBuffer.allocate(n);
      while (buf.hasRemaining() && ch.read(buf) > 0) {
        // fill
      }
      buf.flip();
      String s = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
          .onUnmappableCharacter(CodingErrorAction.REPLACE).decode(buf).toString();
      if (size > n) {
        int nl = s.indexOf('\n');
        if (nl >= 0 && nl < s.length() - 1) {
          s = s.substring(nl + 1); // drop the cut first line
        }
      }
      return s;
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      return "(stderr could not be read: " + e + ")";
    }
  }

  private String readStdout(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      byte[] bytes = in.readNBytes(FfmpegRunner.MAX_STDOUT_BYTES + 1);
      if (bytes.length > FfmpegRunner.MAX_STDOUT_BYTES) {
        throw new FfmpegException(tool.displayName + " wrote more than " + FfmpegRunner.MAX_STDOUT_BYTES
            + " bytes to stdout: " + describe(command), null, 0, false, command, "", false);
      }
      return new String(bytes, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return "";
    } catch (IOException e) {
      throw new FfmpegException("Could not read the stdout of " + tool.displayName + ": " + e, e, 0, false, command,
          "", true);
    }
  }
}
