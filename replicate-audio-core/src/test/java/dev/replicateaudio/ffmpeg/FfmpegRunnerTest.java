package dev.replicateaudio.ffmpeg;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.internal.Processes;
import dev.replicateaudio.testing.LeakCheckExtension;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The runner's process handling, with shell scripts standing in for ffmpeg: they hang, spawn
 * children, ignore SIGTERM, flood stderr, or read stdin.
 */
@ExtendWith(LeakCheckExtension.class)
class FfmpegRunnerTest {
  private static final Duration SHORT_TIMEOUT = Duration.ofSeconds(1);

  @TempDir
  Path dir;

  private Path script(String name, String body) throws IOException {
    Path p = dir.resolve(name);
    Files.writeString(p, "#!/bin/sh\n" + body + "\n", UTF_8);
    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
    return p;
  }

  private ReplicateAudioSettings settings(Path fakeFfmpeg, Duration timeout, int maxConcurrent) {
    return ReplicateAudioSettings.defaults().toBuilder().ffmpegPath(fakeFfmpeg.toString())
        .ffprobePath(fakeFfmpeg.toString()).ffmpegTimeout(timeout).maxConcurrentFfmpeg(maxConcurrent).build();
  }

  /** Waits until the script has written its pid file and returns the pids in it. */
  private static long[] awaitPids(Path pidFile, int count) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(pidFile)) {
        String[] words = Files.readString(pidFile).trim().split("\\s+");
        if (words.length >= count && !words[0].isEmpty()) {
          return Arrays.stream(words).mapToLong(Long::parseLong).toArray();
        }
      }
      Thread.sleep(20);
    }
    throw new AssertionError("no pid file " + pidFile + " after 30 s");
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(Processes::isRunning).orElse(false);
  }

  private static void assertAllDeadWithin(Duration max, long... pids) throws InterruptedException {
    long deadline = System.nanoTime() + max.toNanos();
    while (System.nanoTime() < deadline && Arrays.stream(pids).anyMatch(FfmpegRunnerTest::alive)) {
      Thread.sleep(20);
    }
    for (long pid : pids) {
      assertThat(alive(pid)).as("process %d is still alive", pid).isFalse();
    }
  }

  @Test
  void aHangingProcessAndTheChildItSpawnedAreKilledAtTheTimeout() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, SHORT_TIMEOUT, 2))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> runner.run(List.of("-i", "x.mp3", "out.mp3")))
          .isInstanceOfSatisfying(FfmpegException.class, e -> {
            assertThat(e.timedOut()).isTrue();
            assertThat(e.isRetryable()).isTrue();
            assertThat(e.command()).containsExactly(fake.toString(), "-nostdin", "-hide_banner", "-i", "x.mp3",
                "out.mp3");
          })
          .hasMessageContaining("timed out after 1 s")
          .hasMessageContaining("REPLICATE_FFMPEG_TIMEOUT")
          .hasMessageContaining(fake.toString());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isGreaterThanOrEqualTo(SHORT_TIMEOUT).isLessThan(SHORT_TIMEOUT.plusSeconds(8));
      long[] p = awaitPids(pids, 2);
      // run() returns only once the whole tree is gone
      assertThat(alive(p[0])).as("the script").isFalse();
      assertThat(alive(p[1])).as("its child, sleep").isFalse();
      assertThat(runner.runningProcesses()).isZero();
    }
  }

  @Test
  void aProcessTreeIgnoringSigtermIsKilledForciblyAfterTheGracePeriod() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("stubborn.sh", "trap '' TERM\nsleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait\nwait\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, SHORT_TIMEOUT, 2))) {
      long start = System.nanoTime();
      assertThatThrownBy(() -> runner.run(List.of("-version")))
          .isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(e.timedOut()).isTrue());
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isGreaterThanOrEqualTo(SHORT_TIMEOUT.plus(FfmpegRunner.KILL_GRACE))
          .isLessThan(SHORT_TIMEOUT.plus(FfmpegRunner.KILL_GRACE).plusSeconds(8));
      long[] p = awaitPids(pids, 2);
      assertAllDeadWithin(Duration.ofSeconds(5), p);
    }
  }

  @Test
  void twentyMegabytesOfStderrNeitherBlockNorBloatTheException() throws Exception {
    // 20 MB of stderr, then a recognisable last line, then exit 3
    Path fake = script("chatty.sh", "i=0\nwhile [ $i -lt 20 ]; do head -c 1048576 /dev/zero | tr '\\0' 'x' >&2;"
        + " i=$((i+1)); done\necho >&2\necho 'the real reason is here' >&2\nexit 3");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 2))) {
      assertThatThrownBy(() -> runner.run(List.of("-i", "in.wav", "out.wav")))
          .isInstanceOfSatisfying(FfmpegException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(3);
            assertThat(e.timedOut()).isFalse();
            assertThat(e.isRetryable()).isFalse();
            assertThat(e.stderrTail().getBytes(UTF_8).length).isLessThanOrEqualTo(FfmpegRunner.STDERR_TAIL_BYTES);
            assertThat(e.stderrTail()).endsWith("the real reason is here\n");
            assertThat(e.getMessage().length()).isLessThan(FfmpegRunner.STDERR_TAIL_BYTES + 3000);
          })
          .hasMessageContaining("exit code 3")
          .hasMessageContaining("the real reason is here");
    }
  }

  @Test
  void aMissingBinaryNamesThePathAndTheVariableToSet() {
    ReplicateAudioSettings s = ReplicateAudioSettings.defaults().toBuilder()
        .ffmpegPath(dir.resolve("no/such/ffmpeg").toString())
        .ffprobePath("ffprobe-that-is-not-on-path").build();
    try (FfmpegRunner runner = FfmpegRunner.create(s)) {
      assertThatThrownBy(() -> runner.run(List.of("-version")))
          .isInstanceOfSatisfying(FfmpegException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(FfmpegException.NO_EXIT_CODE);
            assertThat(e.timedOut()).isFalse();
            assertThat(e.isRetryable()).isTrue();
          })
          .hasMessageContaining("'" + dir.resolve("no/such/ffmpeg") + "'")
          .hasMessageContaining("missing or not executable")
          .hasMessageContaining("REPLICATE_FFMPEG_PATH");
      assertThatThrownBy(() -> runner.runProbe(List.of("-version")))
          .isInstanceOf(FfmpegException.class)
          .hasMessageContaining("'ffprobe-that-is-not-on-path'")
          .hasMessageContaining("not found on PATH")
          .hasMessageContaining("REPLICATE_FFPROBE_PATH");
      assertThatThrownBy(runner::version).isInstanceOf(FfmpegException.class)
          .hasMessageContaining("REPLICATE_FFMPEG_PATH");
    }
  }

  @Test
  void aNonExecutableFileIsReportedLikeAMissingOne() throws IOException {
    Path notExecutable = Files.writeString(dir.resolve("ffmpeg"), "#!/bin/sh\nexit 0\n");
    Files.setPosixFilePermissions(notExecutable, PosixFilePermissions.fromString("rw-r--r--"));
    try (FfmpegRunner runner = FfmpegRunner.create(settings(notExecutable, SHORT_TIMEOUT, 1))) {
      assertThatThrownBy(() -> runner.run(List.of())).isInstanceOf(FfmpegException.class)
          .hasMessageContaining(notExecutable.toString()).hasMessageContaining("REPLICATE_FFMPEG_PATH");
    }
  }

  @Test
  void aBinaryWhoseLibrariesAreMissingIsARetryableSetupProblemNotBadAudio() throws IOException {
    Path fake = script("no-libs.sh", "echo 'ffprobe: error while loading shared libraries: libpulse.so.0: cannot"
        + " open shared object file: No such file or directory' >&2\nexit 127");
    Path audio = Files.writeString(dir.resolve("fine.wav"), "whatever");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(30), 1))) {
      assertThatThrownBy(() -> runner.probe(audio))
          .isInstanceOfSatisfying(FfmpegException.class, e -> {
            assertThat(e.exitCode()).isEqualTo(127);
            assertThat(e.isRetryable()).isTrue();
          })
          .hasMessageContaining("could not run (exit code 127")
          .hasMessageContaining("REPLICATE_FFPROBE_PATH")
          .hasMessageContaining("libpulse.so.0");
    }
  }

  @Test
  void stdinIsClosedSoAProcessReadingItEndsAtOnce() throws IOException {
    Path fake = script("reads-stdin.sh", "cat > /dev/null\necho 'stdin ended' >&2\nexit 0");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(30), 1))) {
      FfmpegResult r = runner.run(List.of());
      assertThat(r.exitCode()).isZero();
      assertThat(r.stderrTail()).isEqualTo("stdin ended\n");
      assertThat(r.stdout()).isEmpty();
      assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(20));
    }
  }

  @Test
  void ffmpegStdoutIsDiscardedAndFfprobeStdoutIsReturned() throws IOException {
    Path fake = script("talks.sh", "echo '{\"on\":\"stdout\"}'\necho 'on stderr' >&2");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(30), 1))) {
      assertThat(runner.run(List.of()).stdout()).isEmpty();
      FfmpegResult probe = runner.runProbe(List.of("-v", "error"));
      assertThat(probe.stdout()).isEqualTo("{\"on\":\"stdout\"}\n");
      assertThat(probe.stderrTail()).isEqualTo("on stderr\n");
    }
  }

  @Test
  void theProcessRunsInItsOwnTempDirectoryWhichIsDeletedAfterwards() throws IOException {
    Path cwdFile = dir.resolve("cwd");
    Path fake = script("pwd.sh", "pwd > " + cwdFile + "\ntouch ffmpeg2pass-0.log");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(30), 1))) {
      runner.run(List.of());
    }
    Path cwd = Path.of(Files.readString(cwdFile).trim());
    assertThat(cwd.getParent()).isEqualTo(dev.replicateaudio.ManagedTempFiles.defaultBaseDirectory().toRealPath());
    assertThat(cwd).doesNotExist();
  }

  @Test
  void cancellingARunAsyncFutureKillsTheProcessTree() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 2))) {
      CompletableFuture<FfmpegResult> f = runner.runAsync(List.of("-i", "in.mp3", "out.mp3"));
      long[] p = awaitPids(pids, 2);
      assertThat(alive(p[0])).isTrue();
      assertThat(f.cancel(true)).isTrue();
      assertThat(f).isCancelled();
      assertAllDeadWithin(Duration.ofSeconds(10), p);
    }
  }

  @Test
  void completingARunAsyncFutureFromOutsideAlsoKillsTheProcessTree() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 2))) {
      CompletableFuture<FfmpegResult> f = runner.runAsync(List.of());
      long[] p = awaitPids(pids, 2);
      assertThat(f.completeExceptionally(new TimeoutException("the caller gave up"))).isTrue();
      assertAllDeadWithin(Duration.ofSeconds(10), p);
      // orTimeout is the same thing
      Files.delete(pids);
      CompletableFuture<FfmpegResult> g = runner.runAsync(List.of());
      long[] q = awaitPids(pids, 2);
      g.orTimeout(10, TimeUnit.MILLISECONDS);
      assertThat(g).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
          .withCauseInstanceOf(TimeoutException.class);
      assertAllDeadWithin(Duration.ofSeconds(10), q);
    }
  }

  @Test
  void runAsyncFailsWithTimedOutWhenTheProcessRunsTooLong() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, SHORT_TIMEOUT, 2))) {
      CompletableFuture<FfmpegResult> f = runner.runAsync(List.of());
      assertThat(f).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
          .havingCause().isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(e.timedOut()).isTrue())
          .withMessageContaining("timed out after 1 s");
      assertAllDeadWithin(Duration.ofSeconds(5), awaitPids(pids, 2));
    }
  }

  @Test
  void runAsyncCompletesWithTheResultOrTheExitCode() throws IOException {
    Path ok = script("ok.sh", "echo fine >&2");
    Path bad = script("bad.sh", "echo broken >&2\nexit 7");
    try (FfmpegRunner good = FfmpegRunner.create(settings(ok, Duration.ofSeconds(30), 1));
        FfmpegRunner failing = FfmpegRunner.create(settings(bad, Duration.ofSeconds(30), 1))) {
      assertThat(good.runAsync(List.of())).succeedsWithin(Duration.ofSeconds(30))
          .satisfies(r -> assertThat(r.stderrTail()).isEqualTo("fine\n"));
      assertThat(failing.runAsync(List.of())).failsWithin(Duration.ofSeconds(30))
          .withThrowableOfType(ExecutionException.class).havingCause()
          .isInstanceOfSatisfying(FfmpegException.class, e -> assertThat(e.exitCode()).isEqualTo(7))
          .withMessageContaining("broken");
    }
  }

  @Test
  void interruptingABlockedRunKillsTheProcessRestoresTheFlagAndThrows() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 2))) {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      AtomicBoolean flagAfter = new AtomicBoolean();
      Thread t = new Thread(() -> {
        try {
          runner.run(List.of());
        } catch (Throwable e) {
          thrown.set(e);
        }
        flagAfter.set(Thread.currentThread().isInterrupted());
      });
      t.start();
      long[] p = awaitPids(pids, 2);
      t.interrupt();
      t.join(Duration.ofSeconds(20).toMillis());
      assertThat(t.isAlive()).isFalse();
      assertThat(thrown.get()).isInstanceOf(FfmpegException.class)
          .hasMessageContaining("interrupted")
          .hasCauseInstanceOf(InterruptedException.class);
      assertThat(((FfmpegException) thrown.get()).timedOut()).isFalse();
      assertThat(flagAfter).isTrue();
      for (long pid : p) {
        assertThat(alive(pid)).as("pid %d", pid).isFalse();
      }
    }
  }

  @Test
  void interruptingARunWaitingForASlotThrowsWithoutStartingIt() throws Exception {
    Path pids = dir.resolve("pids");
    Path started = dir.resolve("started");
    Path fake = script("hang.sh", "echo x >> " + started + "\nsleep 1000 &\necho \"$$ $!\" > " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 1))) {
      CompletableFuture<FfmpegResult> holder = runner.runAsync(List.of());
      awaitPids(pids, 2);
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread t = new Thread(() -> {
        try {
          runner.run(List.of());
        } catch (Throwable e) {
          thrown.set(e);
        }
      });
      t.start();
      Thread.sleep(300);
      t.interrupt();
      t.join(Duration.ofSeconds(20).toMillis());
      assertThat(thrown.get()).isInstanceOf(FfmpegException.class).hasMessageContaining("waiting for one of 1");
      assertThat(Files.readAllLines(started)).hasSize(1);
      holder.cancel(true);
    }
  }

  @Test
  void atMostMaxConcurrentFfmpegProcessesRunAtOnce() throws Exception {
    Path slots = Files.createDirectory(dir.resolve("slots"));
    Path counts = dir.resolve("counts");
    // each run registers itself, records how many are registered, stays 0.4 s, unregisters
    Path fake = script("count.sh", "mkdir " + slots + "/$$\nls " + slots + " | wc -l >> " + counts
        + "\nsleep 0.4\nrmdir " + slots + "/$$");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 2))) {
      List<CompletableFuture<FfmpegResult>> futures = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        futures.add(i % 2 == 0 ? runner.runAsync(List.of()) : runner.runProbeAsync(List.of()));
      }
      List<Throwable> syncFailures = new ArrayList<>();
      Thread sync = new Thread(() -> {
        try {
          runner.run(List.of());
        } catch (Throwable e) {
          syncFailures.add(e);
        }
      });
      sync.start();
      assertThat(CompletableFuture.allOf(futures.toArray(new CompletableFuture<?>[0])))
          .succeedsWithin(Duration.ofSeconds(60));
      sync.join(60_000);
      assertThat(syncFailures).isEmpty();
      List<Integer> seen = Files.readAllLines(counts).stream().map(String::trim).map(Integer::parseInt).toList();
      assertThat(seen).hasSize(7);
      assertThat(seen).allSatisfy(n -> assertThat(n).isBetween(1, 2));
      assertThat(seen).as("two ran at the same time at least once").contains(2);
    }
  }

  @Test
  void runAsyncDoesNotBlockTheCallerWhenAllSlotsAreTaken() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" >> " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 1))) {
      CompletableFuture<FfmpegResult> first = runner.runAsync(List.of());
      awaitPids(pids, 2);
      CompletableFuture<FfmpegResult> second = runner.runAsync(List.of()); // returns at once, queued
      assertThat(second).isNotDone();
      assertThat(Files.readString(pids).trim().split("\\s+")).hasSize(2); // the second never started
      second.cancel(true);
      first.cancel(true);
      // the slot is free again
      Path ok = script("ok.sh", "exit 0");
      try (FfmpegRunner other = FfmpegRunner.create(settings(ok, Duration.ofSeconds(30), 1))) {
        assertThat(other.runAsync(List.of())).succeedsWithin(Duration.ofSeconds(30));
      }
    }
  }

  @Test
  void aCancelledWaiterGivesItsSlotToTheNextRun() throws Exception {
    Path pids = dir.resolve("pids");
    Path marker = dir.resolve("third-ran");
    Path fake = script("hang-or-mark.sh", "if [ \"$3\" = mark ]; then touch " + marker + "; exit 0; fi\n"
        + "sleep 1000 &\necho \"$$ $!\" >> " + pids + "\nwait");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 1))) {
      CompletableFuture<FfmpegResult> first = runner.runAsync(List.of("hang"));
      awaitPids(pids, 2);
      CompletableFuture<FfmpegResult> second = runner.runAsync(List.of("hang"));
      CompletableFuture<FfmpegResult> third = runner.runAsync(List.of("mark"));
      second.cancel(true);
      first.cancel(true);
      assertThat(third).succeedsWithin(Duration.ofSeconds(30));
      assertThat(marker).exists();
      assertThat(Files.readString(pids).trim().split("\\s+")).hasSize(2); // second never started
    }
  }

  @Test
  void asyncRunsUseTheHostsExecutorAndSurviveOneThatRefusesWork() throws Exception {
    Path ok = script("ok.sh", "echo done >&2");
    ReplicateAudioSettings s = settings(ok, Duration.ofSeconds(30), 1);
    java.util.concurrent.ExecutorService host = java.util.concurrent.Executors.newSingleThreadExecutor(
        r -> new Thread(r, "host-pool"));
    try (FfmpegRunner runner = FfmpegRunner.create(s, host)) {
      AtomicReference<String> thread = new AtomicReference<>();
      assertThat(runner.runAsync(List.of()).thenApply(r -> {
        thread.set(Thread.currentThread().getName());
        return r;
      })).succeedsWithin(Duration.ofSeconds(30));
      assertThat(thread.get()).isEqualTo("host-pool");
    } finally {
      host.shutdownNow();
    }
    // refuses everything: the run fails at once and frees its slot
    try (FfmpegRunner runner = FfmpegRunner.create(s, r -> {
      throw new java.util.concurrent.RejectedExecutionException("pool is shut down");
    })) {
      for (int i = 0; i < 2; i++) {
        assertThat(runner.runAsync(List.of())).failsWithin(Duration.ofSeconds(30))
            .withThrowableOfType(ExecutionException.class).havingCause().isInstanceOf(FfmpegException.class)
            .withMessageContaining("executor refused the task");
      }
    }
    // accepts the start, refuses the finish: the run still completes and frees its slot
    java.util.concurrent.atomic.AtomicInteger tasks = new java.util.concurrent.atomic.AtomicInteger();
    try (FfmpegRunner runner = FfmpegRunner.create(s, r -> {
      if (tasks.incrementAndGet() % 2 == 0) {
        throw new java.util.concurrent.RejectedExecutionException("busy");
      }
      new Thread(r).start();
    })) {
      for (int i = 0; i < 2; i++) {
        assertThat(runner.runAsync(List.of())).succeedsWithin(Duration.ofSeconds(30))
            .satisfies(r -> assertThat(r.stderrTail()).isEqualTo("done\n"));
      }
    }
  }

  @Test
  void closeKillsRunningProcessesFailsWaitersAndRefusesNewRuns() throws Exception {
    Path pids = dir.resolve("pids");
    Path fake = script("hang.sh", "sleep 1000 &\necho \"$$ $!\" >> " + pids + "\nwait");
    FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(60), 1));
    CompletableFuture<FfmpegResult> running = runner.runAsync(List.of());
    long[] p = awaitPids(pids, 2);
    CompletableFuture<FfmpegResult> waiting = runner.runAsync(List.of());
    runner.close();
    assertThat(running).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(FfmpegException.class).withMessageContaining("FfmpegRunner was closed");
    assertThat(waiting).failsWithin(Duration.ofSeconds(30)).withThrowableOfType(ExecutionException.class)
        .havingCause().isInstanceOf(IllegalStateException.class).withMessageContaining("closed before");
    for (long pid : p) {
      assertThat(alive(pid)).isFalse();
    }
    assertThatThrownBy(() -> runner.run(List.of())).isInstanceOf(IllegalStateException.class)
        .hasMessage("FfmpegRunner is closed");
    assertThatThrownBy(() -> runner.runAsync(List.of())).isInstanceOf(IllegalStateException.class);
    runner.close(); // idempotent
  }

  @Test
  void refusesNullOrNulArguments() throws IOException {
    Path ok = script("ok.sh", "exit 0");
    try (FfmpegRunner runner = FfmpegRunner.create(settings(ok, Duration.ofSeconds(30), 1))) {
      assertThatThrownBy(() -> runner.run(Arrays.asList("-i", null))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("args[1] is null");
      assertThatThrownBy(() -> runner.run(List.of("-i", "a\0b"))).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("args[1] contains a NUL character");
    }
  }

  @Test
  void doesNotAddNostdinOrHideBannerTwice() throws IOException {
    Path args = dir.resolve("args");
    Path fake = script("args.sh", "echo \"$@\" > " + args);
    try (FfmpegRunner runner = FfmpegRunner.create(settings(fake, Duration.ofSeconds(30), 1))) {
      runner.run(List.of("-hide_banner", "-nostdin", "-i", "x"));
      assertThat(Files.readString(args).trim()).isEqualTo("-hide_banner -nostdin -i x");
      runner.runProbe(List.of("-i", "y"));
      assertThat(Files.readString(args).trim()).isEqualTo("-hide_banner -i y");
    }
  }
}
