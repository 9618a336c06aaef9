package dev.replicateaudio.ffmpeg;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.audio.InvalidAudioException;
import dev.replicateaudio.internal.Daemons;
import dev.replicateaudio.internal.MiniJson;
import java.lang.System.Logger.Level;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs ffmpeg and ffprobe as child processes, safely (the seed's {@code run_ffmpeg_safely()}).
 *
 * <pre>{@code
 * try (FfmpegRunner ffmpeg = FfmpegRunner.create(ReplicateAudioSettings.fromEnvironment())) {
 *   System.out.println(ffmpeg.version());              // fail fast at startup
 *   AudioInfo info = ffmpeg.probe(Path.of("in.mp3"));
 *   ffmpeg.run(List.of("-y", "-i", "/abs/in.mp3", "-t", "1", "/abs/out.wav"));
 * }
 * }</pre>
 *
 * <p>What every run guarantees:
 * <ul>
 *   <li><b>No pipe can fill up.</b> The process gets no pipes: stdin is closed at once (and ffmpeg
 *       gets {@code -nostdin}), stdout is discarded (ffprobe's goes to a file that is read back,
 *       at most {@value #MAX_STDOUT_BYTES} bytes), stderr goes to a file in a private temp
 *       directory ({@link dev.replicateaudio.ManagedTempFiles}) of which the last
 *       {@value #STDERR_TAIL_BYTES} bytes are kept. The process also runs in that directory, and the
 *       directory is deleted when the run ends. ffmpeg also gets {@code -hide_banner}.</li>
 *   <li><b>A deadline.</b> A process still running {@code ffmpegTimeout} after its start is killed:
 *       its descendants are collected first, then all get SIGTERM ({@code destroy()}), and those
 *       alive {@link #KILL_GRACE} later get SIGKILL ({@code destroyForcibly()}). The run then fails
 *       with {@link FfmpegException#timedOut()} true.</li>
 *   <li><b>At most {@code maxConcurrentFfmpeg} processes</b> (ffmpeg and ffprobe together) run at
 *       once. A run first waits, in arrival order, for a free slot. <em>The wait for a slot does not
 *       count against {@code ffmpegTimeout}</em>, and it is not bounded by it either: it ends when a
 *       slot frees, which every running process does within its own timeout plus the kill grace.
 *       Interrupt a waiting {@link #run} or cancel a waiting {@link #runAsync} future to give up.</li>
 *   <li><b>Any non-zero exit is a failure</b> ({@link FfmpegException} with the exit code, the
 *       command and the stderr tail): ffmpeg builds differ in their codes (1, 183, 234...).</li>
 *   <li><b>Interruption</b> of a thread blocked in {@link #run} kills the process tree, waits for it
 *       to die (about {@link #KILL_GRACE} at most), restores the interrupt flag and throws
 *       {@link FfmpegException}. Cancelling a {@link #runAsync} future kills the process tree.</li>
 *   <li>{@link #close()} kills every running process and refuses new runs.</li>
 * </ul>
 *
 * <p>The asynchronous methods never block the calling thread: a run waits for its slot as a
 * future, starts its process on this runner's executor, and is watched through
 * {@link Process#onExit()} and one shared daemon scheduler thread for all timeouts; no thread
 * waits for a process. Their futures complete on the executor.
 *
 * <p>This class is thread-safe; share one instance per settings.
 */
public final class FfmpegRunner implements AutoCloseable {
  /** How long a process gets between SIGTERM and SIGKILL: 2 s. */
  public static final Duration KILL_GRACE = Duration.ofSeconds(2);
  /** How much of the end of stderr is kept: 4,096 bytes. */
  public static final int STDERR_TAIL_BYTES = 4096;
  /** The most an ffprobe run may write to stdout: 1 MiB. */
  public static final int MAX_STDOUT_BYTES = 1 << 20;

  private static final System.Logger LOG = System.getLogger(FfmpegRunner.class.getName());
  /** How long {@link #close()} and an interrupted run wait for killed processes: grace plus margin. */
  private static final Duration KILL_WAIT = KILL_GRACE.plusSeconds(3);

  private final ReplicateAudioSettings settings;
  private final Executor executor;
  private final Permits permits;
  private final FfmpegListener listener;
  private final Set<ProcessRun> running = ConcurrentHashMap.newKeySet();
  private final Set<AsyncRun> pending = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean closed = new AtomicBoolean();

  private FfmpegRunner(ReplicateAudioSettings settings, Executor executor, FfmpegListener listener) {
    this.settings = settings;
    this.executor = executor;
    this.listener = listener;
    this.permits = new Permits(settings.maxConcurrentFfmpeg());
  }

  /**
   * A runner using {@code settings}' {@code ffmpegPath}, {@code ffprobePath}, {@code ffmpegTimeout}
   * and {@code maxConcurrentFfmpeg}. Asynchronous runs use a shared pool of daemon threads. Starts
   * nothing; call {@link #version()} to check the binary at startup.
   *
   * @param settings the paths, the timeout and the concurrency limit
   * @return a new runner; close it at shutdown
   */
  public static FfmpegRunner create(ReplicateAudioSettings settings) {
    return create(settings, Daemons.ffmpegExecutor());
  }

  /**
   * As {@link #create(ReplicateAudioSettings)}, with the executor that starts processes and
   * completes the futures of the asynchronous methods (its tasks block briefly: a process start, a
   * small file read, a directory deletion).
   *
   * @param settings the paths, the timeout and the concurrency limit
   * @param executor the executor of the asynchronous methods; the host owns it
   * @return a new runner; close it at shutdown
   */
  public static FfmpegRunner create(ReplicateAudioSettings settings, Executor executor) {
    return create(settings, executor, FfmpegListener.NONE);
  }

  /**
   * As {@link #create(ReplicateAudioSettings)}, reporting every run to {@code listener} (metrics;
   * see {@link FfmpegListener} for its rules).
   *
   * @param settings the paths, timeout and concurrency bound
   * @param listener told about every run
   * @return a new runner
   */
  public static FfmpegRunner create(ReplicateAudioSettings settings, FfmpegListener listener) {
    return create(settings, Daemons.ffmpegExecutor(), listener);
  }

  /**
   * As {@link #create(ReplicateAudioSettings, Executor)}, reporting every run to {@code listener}.
   *
   * @param settings the paths, timeout and concurrency bound
   * @param executor starts processes and completes the asynchronous methods' futures
   * @param listener told about every run
   * @return a new runner
   */
  public static FfmpegRunner create(ReplicateAudioSettings settings, Executor executor, FfmpegListener listener) {
    Objects.requireNonNull(settings, "settings == null");
    Objects.requireNonNull(executor, "executor == null");
    Objects.requireNonNull(listener, "listener == null");
    return new FfmpegRunner(settings, executor, listener);
  }

  /**
   * The settings this runner was created with.
   *
   * @return the settings
   */
  public ReplicateAudioSettings settings() {
    return settings;
  }

  /**
   * Runs ffmpeg with {@code args} (without the program; {@code -nostdin} and {@code -hide_banner}
   * are added in front unless present) and waits for it.
   *
   * @param args ffmpeg's arguments, without the program
   * @return the result of a run that exited with 0
   * @throws FfmpegException on a non-zero exit, a timeout, a failure to start, or interruption
   * @throws IllegalArgumentException when an argument is null or holds a NUL character
   * @throws IllegalStateException when this runner is closed
   */
  public FfmpegResult run(List<String> args) {
    return runBlocking(Tool.FFMPEG, command(Tool.FFMPEG, args), false);
  }

  /**
   * Runs ffmpeg like {@link #run} without blocking the caller. Cancelling the future, or completing
   * it in any other way ({@code orTimeout}, {@code completeExceptionally}...), kills the process tree
   * (or stops the wait for a slot). The future fails with {@link FfmpegException}, or
   * {@link IllegalStateException} when this runner was closed before the process started.
   *
   * @param args ffmpeg's arguments, without the program
   * @return a future of the result of a run that exited with 0
   * @throws IllegalArgumentException when an argument is null or holds a NUL character
   * @throws IllegalStateException when this runner is closed
   */
  public CompletableFuture<FfmpegResult> runAsync(List<String> args) {
    return start(Tool.FFMPEG, command(Tool.FFMPEG, args), false);
  }

  /**
   * Runs ffprobe with {@code args} (without the program; {@code -hide_banner} is added unless
   * present) and waits for it; its stdout is in {@link FfmpegResult#stdout()}.
   *
   * @param args ffprobe's arguments, without the program
   * @return the result of a run that exited with 0
   * @throws FfmpegException on a non-zero exit, a timeout, a failure to start, or interruption
   */
  public FfmpegResult runProbe(List<String> args) {
    return runBlocking(Tool.FFPROBE, command(Tool.FFPROBE, args), true);
  }

  /**
   * Runs ffprobe like {@link #runProbe} without blocking the caller; as {@link #runAsync} otherwise.
   *
   * @param args ffprobe's arguments, without the program
   * @return a future of the result of a run that exited with 0
   */
  public CompletableFuture<FfmpegResult> runProbeAsync(List<String> args) {
    return start(Tool.FFPROBE, command(Tool.FFPROBE, args), true);
  }

  /**
   * Reads an audio file's header with {@code ffprobe -v error -print_format json -show_format
   * -show_streams -show_error}. Header values are not proof that the file decodes: a truncated mp3
   * keeps its header's duration.
   *
   * @param file an existing regular file
   * @return the container and its first audio stream (cover art is skipped)
   * @throws IllegalArgumentException when {@code file} is not an existing regular file
   * @throws InvalidAudioException when ffprobe can't read the file or it holds no audio stream
   * @throws FfmpegException when ffprobe times out, can't be started or run, or is interrupted
   */
  public AudioInfo probe(Path file) {
    Objects.requireNonNull(file, "file == null");
    Path abs = file.toAbsolutePath().normalize();
    if (!Files.isRegularFile(abs)) {
      throw new IllegalArgumentException("Not an existing regular file: " + abs);
    }
    FfmpegResult result;
    try {
      result = runProbe(List.of("-v", "error", "-print_format", "json", "-show_format", "-show_streams", "-show_error",
          abs.toString()));
    } catch (FfmpegException e) {
      if (!e.isRetryable()) { // a plain non-zero exit: ffprobe refused the file
        throw new InvalidAudioException("Not readable as audio: " + abs + ": ffprobe exited with code " + e.exitCode()
            + ": " + lastLine(e.stderrTail()), e);
      }
      throw e;
    }
    return parseProbe(abs, result);
  }

  /**
   * Runs {@code ffmpeg -version} and returns its first line, for example {@code ffmpeg version
   * 5.1.9-0+deb12u1 Copyright (c) 2000-2026 the FFmpeg developers}. Call it at startup to fail fast.
   *
   * @return the first line of ffmpeg's version output
   * @throws FfmpegException when ffmpeg is missing, fails or times out
   */
  public String version() {
    FfmpegResult r = runBlocking(Tool.FFMPEG, List.of(settings.ffmpegPath(), "-hide_banner", "-version"), true);
    String out = r.stdout().strip();
    int nl = out.indexOf('\n');
    return nl < 0 ? out : out.substring(0, nl).strip();
  }

  /**
   * How many runs wait for one of the {@code maxConcurrentFfmpeg} process slots right now (blocking
   * and asynchronous ones).
   *
   * @return the number of waiting runs
   */
  public int waitingRuns() {
    return permits.waiting();
  }

  /**
   * The most processes this runner runs at once: {@code maxConcurrentFfmpeg} of its settings.
   *
   * @return the process slots
   */
  public int maxConcurrentRuns() {
    return permits.max();
  }

  /**
   * How many processes of this runner are alive right now.
   *
   * @return the number of live processes
   */
  public int runningProcesses() {
    int n = 0;
    for (ProcessRun r : running) {
      Process p = r.process();
      if (p != null && p.isAlive()) {
        n++;
      }
    }
    return n;
  }

  /**
   * Kills every running process (tree), fails the asynchronous runs still waiting for a slot, and
   * waits up to about {@link #KILL_GRACE} plus 3 s for the processes to die (logging a warning if
   * some survive). New runs are refused. Idempotent.
   */
  @Override
  public void close() {
    if (closed.getAndSet(true)) {
      return;
    }
    for (AsyncRun a : pending) {
      a.abortIfWaiting();
    }
    List<ProcessRun> killed = new ArrayList<>(running);
    killed.forEach(r -> r.kill(ProcessRun.Kill.CLOSED));
    long deadline = System.nanoTime() + KILL_WAIT.toNanos();
    int survivors = 0;
    for (ProcessRun r : killed) {
      long left = Math.max(0, deadline - System.nanoTime());
      if (!r.awaitTreeExit(Duration.ofNanos(left))) {
        survivors++;
      }
    }
    if (survivors > 0) {
      int s = survivors;
      LOG.log(Level.WARNING, () -> "Timed out waiting for " + s + " killed ffmpeg process(es) to exit on close");
    }
  }

  @Override
  public String toString() {
    return "FfmpegRunner[ffmpeg=" + settings.ffmpegPath() + ", ffprobe=" + settings.ffprobePath() + ", running="
        + permits.inUse() + "/" + permits.max() + (closed.get() ? ", closed]" : "]");
  }

  // ---------------------------------------------------------------------------------------------

  private List<String> command(Tool tool, List<String> args) {
    Objects.requireNonNull(args, "args == null");
    List<String> cmd = new ArrayList<>(args.size() + 3);
    cmd.add(tool == Tool.FFMPEG ? settings.ffmpegPath() : settings.ffprobePath());
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      if (a == null) {
        throw new IllegalArgumentException("args[" + i + "] is null");
      }
      if (a.indexOf('\0') >= 0) {
        throw new IllegalArgumentException("args[" + i + "] contains a NUL character");
      }
    }
    if (tool == Tool.FFMPEG && !args.contains("-nostdin")) {
      cmd.add("-nostdin");
    }
    if (!args.contains("-hide_banner")) {
      cmd.add("-hide_banner");
    }
    cmd.addAll(args);
    return cmd;
  }

  private void checkOpen() {
    if (closed.get()) {
      throw new IllegalStateException("FfmpegRunner is closed");
    }
  }

  private FfmpegResult runBlocking(Tool tool, List<String> command, boolean captureStdout) {
    checkOpen();
    ProcessRun run = new ProcessRun(tool, command, settings.ffmpegTimeout(), captureStdout);
    CompletableFuture<Void> permit = permits.acquire();
    try {
      permit.get();
    } catch (InterruptedException e) {
      if (!permits.cancel(permit)) {
        permits.release();
      }
      Thread.currentThread().interrupt();
      throw new FfmpegException(tool.displayName + " was not started: the calling thread was interrupted while"
          + " waiting for one of " + permits.max() + " process slots (maxConcurrentFfmpeg): "
          + ProcessRun.describe(command), e, FfmpegException.NO_EXIT_CODE, false, command, "", true);
    } catch (ExecutionException | CancellationException e) {
      throw new IllegalStateException("permit wait failed", e); // never happens: permits are only cancelled by us
    }
    Throwable thrown = null;
    try {
      checkOpen();
      running.add(run);
      run.start();
      if (closed.get()) {
        run.kill(ProcessRun.Kill.CLOSED); // close() ran between the check and the start
      }
      boolean exited;
      try {
        exited = run.process().waitFor(settings.ffmpegTimeout().toNanos(), TimeUnit.NANOSECONDS);
      } catch (InterruptedException e) {
        run.kill(ProcessRun.Kill.INTERRUPTED);
        run.awaitTreeExit(KILL_WAIT);
        Thread.currentThread().interrupt();
        FfmpegException failure = run.killed(ProcessRun.Kill.INTERRUPTED,
            run.process().isAlive() ? FfmpegException.NO_EXIT_CODE : run.process().exitValue(), run.tailNow(), e);
        run.cleanup(failure);
        throw failure;
      }
      if (!exited) {
        run.exited();
        run.kill(ProcessRun.Kill.TIMEOUT);
        run.awaitTreeExit(KILL_WAIT);
      } else if (run.killReason() != null) {
        run.awaitTreeExit(KILL_WAIT); // killed by close()
      }
      return run.finish();
    } catch (RuntimeException | Error e) {
      thrown = e;
      throw e;
    } finally {
      running.remove(run);
      permits.release();
      report(run, thrown);
    }
  }

  /** Tells the listener how {@code run} ended ({@code failure} null: success); no-op without one. */
  private void report(ProcessRun run, Throwable failure) {
    if (listener == FfmpegListener.NONE) {
      return;
    }
    FfmpegListener.Outcome outcome;
    if (failure == null) {
      outcome = FfmpegListener.Outcome.SUCCESS;
    } else if (failure instanceof FfmpegException && ((FfmpegException) failure).timedOut()) {
      outcome = FfmpegListener.Outcome.TIMEOUT;
    } else if (failure instanceof FfmpegException && run.killReason() == null
        && ((FfmpegException) failure).exitCode() != FfmpegException.NO_EXIT_CODE) {
      outcome = FfmpegListener.Outcome.NONZERO_EXIT;
    } else {
      outcome = FfmpegListener.Outcome.ERROR;
    }
    try {
      listener.runFinished(run.tool.program, outcome, run.started() ? run.elapsed() : Duration.ZERO);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "FfmpegListener " + listener + " threw from runFinished; ignored", e);
    }
  }

  private CompletableFuture<FfmpegResult> start(Tool tool, List<String> command, boolean captureStdout) {
    checkOpen();
    AsyncRun a = new AsyncRun(new ProcessRun(tool, command, settings.ffmpegTimeout(), captureStdout));
    pending.add(a);
    a.begin();
    return a.result;
  }

  /** One asynchronous run: slot wait, start on the executor, timeout on the scheduler, finish on exit. */
  private final class AsyncRun {
    final ProcessRun run;
    final CompletableFuture<FfmpegResult> result = new CompletableFuture<>();
    private CompletableFuture<Void> permit;
    private boolean permitHeld;
    private boolean cancelled;
    private ScheduledFuture<?> timeoutTask;
    /** Set before this class completes {@link #result}; any other completion comes from the caller. */
    private volatile boolean settling;
    private boolean finished;

    AsyncRun(ProcessRun run) {
      this.run = run;
    }

    void begin() {
      result.whenComplete((r, e) -> {
        if (!settling) {
          onCancel(); // cancel(), orTimeout(), completeExceptionally()... by the caller
        }
      });
      CompletableFuture<Void> p = permits.acquire();
      synchronized (this) {
        permit = p;
      }
      p.whenComplete((v, e) -> {
        if (e != null) {
          return; // the wait was cancelled
        }
        try {
          executor.execute(this::launch);
        } catch (RejectedExecutionException rejected) {
          synchronized (this) {
            permitHeld = true;
          }
          releasePermit();
          pending.remove(this);
          FfmpegException refused = new FfmpegException(run.tool.displayName + " was not started: the executor"
              + " refused the task: " + rejected, rejected, FfmpegException.NO_EXIT_CODE, false, run.command, "", true);
          report(run, refused);
          fail(refused);
        }
      });
    }

    private synchronized void onCancel() {
      cancelled = true;
      if (run.started()) {
        run.kill(ProcessRun.Kill.CANCELLED);
      } else if (permit != null && permits.cancel(permit)) {
        pending.remove(this);
      }
      // else: the slot was granted and launch() will see the cancellation and give it back
    }

    /** On close: a run still waiting for its slot fails now; a started one is killed by close(). */
    synchronized void abortIfWaiting() {
      if (!run.started() && permit != null && permits.cancel(permit)) {
        pending.remove(this);
        fail(new IllegalStateException("FfmpegRunner was closed before "
            + run.tool.displayName + " started: " + ProcessRun.describe(run.command)));
      }
    }

    private void launch() {
      synchronized (this) {
        permitHeld = true;
        if (cancelled || closed.get()) {
          releasePermit();
          pending.remove(this);
          RuntimeException refused = cancelled
              ? new CancellationException("cancelled before " + run.tool.displayName + " started")
              : new IllegalStateException("FfmpegRunner was closed before " + run.tool.displayName + " started: "
                  + ProcessRun.describe(run.command));
          report(run, refused);
          fail(refused);
          return;
        }
        try {
          running.add(run);
          run.start();
        } catch (RuntimeException e) {
          running.remove(run);
          releasePermit();
          pending.remove(this);
          report(run, e);
          fail(e);
          return;
        }
        if (closed.get()) {
          run.kill(ProcessRun.Kill.CLOSED); // close() ran between the check and the start
        }
        timeoutTask = Daemons.scheduler().schedule(() -> run.kill(ProcessRun.Kill.TIMEOUT),
            settings.ffmpegTimeout().toNanos(), TimeUnit.NANOSECONDS);
      }
      run.process().onExit().whenComplete((p, e) -> run.exited())
          .whenCompleteAsync((p, e) -> finish(), executor)
          .whenComplete((v, e) -> {
            if (e != null) {
              finish(); // the executor refused the task: finish here rather than leak the slot
            }
          });
    }

    private void finish() {
      synchronized (this) {
        if (finished) {
          return;
        }
        finished = true;
      }
      try {
        run.exited();
        synchronized (this) {
          timeoutTask.cancel(false);
        }
        if (run.killReason() != null) {
          run.awaitTreeExit(KILL_WAIT);
        }
        FfmpegResult r = run.finish();
        running.remove(run);
        pending.remove(this);
        releasePermit();
        report(run, null);
        settling = true;
        result.complete(r);
      } catch (Throwable t) {
        running.remove(run);
        pending.remove(this);
        releasePermit();
        report(run, t);
        fail(t);
      }
    }

    private void fail(Throwable t) {
      settling = true;
      result.completeExceptionally(t);
    }

    private synchronized void releasePermit() {
      if (permitHeld) {
        permitHeld = false;
        permits.release();
      }
    }
  }

  // ---- ffprobe JSON ----------------------------------------------------------------------------

  private static AudioInfo parseProbe(Path file, FfmpegResult result) {
    Object json;
    try {
      json = MiniJson.parse(result.stdout());
    } catch (IllegalArgumentException e) {
      throw new InvalidAudioException("ffprobe printed no readable JSON for " + file + ": " + e.getMessage(), e);
    }
    Optional<Map<String, Object>> error = MiniJson.object(json, "error");
    if (error.isPresent()) {
      throw new InvalidAudioException("Not readable as audio: " + file + ": ffprobe error "
          + MiniJson.text(error.get(), "code").orElse("?") + ": " + MiniJson.text(error.get(), "string").orElse("?"));
    }
    Map<String, Object> format = MiniJson.object(json, "format").orElse(Map.of());
    String formatName = MiniJson.text(format, "format_name").orElse("unknown");
    Map<String, Object> audio = firstAudioStream(json);
    if (audio == null) {
      throw new InvalidAudioException("No audio stream in " + file + " (format " + formatName + ")");
    }
    Duration duration = seconds(MiniJson.number(format, "duration"))
        .or(() -> seconds(MiniJson.number(audio, "duration")))
        .orElse(null);
    long bitRate = MiniJson.number(audio, "bit_rate").or(() -> MiniJson.number(format, "bit_rate"))
        .map(FfmpegRunner::longOrZero).orElse(0L);
    int bits = MiniJson.number(audio, "bits_per_raw_sample").map(FfmpegRunner::intOrZero)
        .filter(b -> b > 0)
        .or(() -> MiniJson.number(audio, "bits_per_sample").map(FfmpegRunner::intOrZero))
        .orElse(0);
    return new AudioInfo(formatName,
        MiniJson.text(audio, "codec_name").orElse("unknown"),
        MiniJson.text(audio, "sample_fmt").orElse(""),
        duration,
        MiniJson.number(audio, "channels").map(FfmpegRunner::intOrZero).orElse(0),
        MiniJson.number(audio, "sample_rate").map(FfmpegRunner::intOrZero).orElse(0),
        bitRate,
        bits);
  }

  /** The first audio stream that is not cover art, or null. */
  @SuppressWarnings("unchecked")
  private static Map<String, Object> firstAudioStream(Object json) {
    for (Object stream : MiniJson.array(json, "streams")) {
      boolean isAudio = MiniJson.text(stream, "codec_type").filter("audio"::equals).isPresent();
      boolean coverArt = MiniJson.object(stream, "disposition")
          .flatMap(d -> MiniJson.number(d, "attached_pic")).filter(n -> n.signum() != 0).isPresent();
      if (isAudio && !coverArt) {
        return (Map<String, Object>) stream;
      }
    }
    return null;
  }

  private static Optional<Duration> seconds(Optional<BigDecimal> s) {
    return s.filter(v -> v.signum() >= 0 && v.compareTo(BigDecimal.valueOf(1_000_000_000L)) < 0)
        .map(v -> Duration.ofNanos(v.movePointRight(9).longValue()));
  }

  private static long longOrZero(BigDecimal v) {
    try {
      return Math.max(0, v.longValue());
    } catch (ArithmeticException e) {
      return 0;
    }
  }

  private static int intOrZero(BigDecimal v) {
    long l = longOrZero(v);
    return l > Integer.MAX_VALUE ? 0 : (int) l;
  }

  private static String lastLine(String text) {
    String t = text.strip();
    int nl = t.lastIndexOf('\n');
    return nl < 0 ? t : t.substring(nl + 1);
  }
}
