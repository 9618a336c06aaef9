package dev.replicateaudio.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Starts a class's {@code main} in a new JVM with the test classpath, for tests that need a second
 * process (a {@code kill -9}, several JVMs racing). Not thread-safe; close it to kill the JVM.
 */
public final class ChildJvm implements AutoCloseable {
  private final Process process;
  private final BufferedReader out;

  private ChildJvm(Process process) {
    this.process = process;
    this.out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
  }

  /** Starts {@code mainClass} with {@code args}; its stderr is inherited, its stdout readable by {@link #readLine()}. */
  public static ChildJvm start(Class<?> mainClass, String... args) {
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx64m",
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"),
        "-cp", System.getProperty("java.class.path"), mainClass.getName()));
    cmd.addAll(List.of(args));
    try {
      Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
      p.getOutputStream().close();
      return new ChildJvm(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The next line the child printed; fails if it exits first. */
  public String readLine() {
    try {
      String line = out.readLine();
      if (line == null) {
        throw new IllegalStateException("child JVM exited (code " + process.waitFor() + ") before printing a line");
      }
      return line;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  public Process process() {
    return process;
  }

  /** Sends SIGKILL ({@code kill -9}) and waits for the JVM to be gone. */
  public void killHard() {
    process.destroyForcibly();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("child JVM " + process.pid() + " survived SIGKILL for 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Waits for a normal exit and returns its code. */
  public int waitFor(long seconds) {
    try {
      if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
        throw new IllegalStateException("child JVM " + process.pid() + " still running after " + seconds + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      killHard();
    }
    try {
      out.close();
    } catch (IOException ignored) {
      // closing
    }
  }
}
