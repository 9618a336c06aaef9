package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ManagedTempFiles;
import dev.replicateaudio.examples.simulator.DeliveryAttempt;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.okhttp.WebhookEndpoint;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookRecovery;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Resource cleanup under a production-like load: 200 generations submitted at once, a realistic mix
 * of plain successes and every fault the simulator knows, many webhooks processed concurrently, the
 * endpoint acknowledging slow work with 202 as in production, then recovery finishing what the
 * webhooks could not.
 * Afterwards (all work finished, nothing closed yet): no temp file or partial download under
 * {@code ${java.io.tmpdir}/replicate-audio}, no child process, no connection lent out by the pool, and
 * every job, result row and audio row in the database as its fault dictates ({@link #EXPECTED}).
 */
@ExtendWith(LeakCheckExtension.class)
abstract class MixedFaultRunSuite {
  static final Duration WAIT = Duration.ofSeconds(120);
  static final String NONE = "none";
  static final String MUSIC_SILENT = "silent (music)";
  static final String MUSIC = "none (music)";

  /** What a generation ends as. */
  record Expect(JobStatus job, CompletionStatus outcome, boolean audio, String error, int attempts) {
    static Expect stored() {
      return new Expect(JobStatus.SUCCEEDED, CompletionStatus.SUCCEEDED, true, null, 0);
    }

    static Expect failed(CompletionStatus outcome, String error) {
      return new Expect(JobStatus.FAILED, outcome, false, error, 0);
    }
  }

  /**
   * The fault table: fault → job status, outcome (and result row) status, audio stored, a piece of
   * the error, and the claims it takes (0: not checked).
   */
  static final Map<String, Expect> EXPECTED = new LinkedHashMap<>();

  static {
    EXPECTED.put(NONE, Expect.stored());
    EXPECTED.put(MUSIC, Expect.stored());
    EXPECTED.put(Fault.FAIL.inputValue(), Expect.failed(CompletionStatus.FAILED, "simulated"));
    EXPECTED.put(Fault.CANCEL.inputValue(), Expect.failed(CompletionStatus.CANCELED, "cancel"));
    EXPECTED.put(Fault.ABORT.inputValue(), Expect.failed(CompletionStatus.CANCELED, "aborted"));
    EXPECTED.put(Fault.NO_OUTPUT.inputValue(), Expect.failed(CompletionStatus.FAILED, "no output"));
    EXPECTED.put(Fault.LOST_WEBHOOK.inputValue(), Expect.stored());
    EXPECTED.put(Fault.DUPLICATE_WEBHOOKS.inputValue(), Expect.stored());
    EXPECTED.put(Fault.OUT_OF_ORDER.inputValue(), Expect.stored());
    EXPECTED.put(Fault.SILENT.inputValue(), Expect.failed(CompletionStatus.FAILED, "silent"));
    EXPECTED.put(MUSIC_SILENT, Expect.stored()); // music is validated, not checked for silence
    EXPECTED.put(Fault.CORRUPT.inputValue(), Expect.failed(CompletionStatus.FAILED, ""));
    EXPECTED.put(Fault.GARBAGE.inputValue(), Expect.failed(CompletionStatus.FAILED, ""));
    EXPECTED.put(Fault.DATA_URI.inputValue(), Expect.stored());
    EXPECTED.put(Fault.SLOW_DOWNLOAD.inputValue(), Expect.stored());
    EXPECTED.put(Fault.OVERSIZED.inputValue(), Expect.failed(CompletionStatus.FAILED, "larger than the limit"));
    EXPECTED.put(Fault.OVERSIZED_CHUNKED.inputValue(), Expect.failed(CompletionStatus.FAILED, "larger than the limit"));
    EXPECTED.put(Fault.DISCONNECT.inputValue(), new Expect(JobStatus.FAILED, CompletionStatus.FAILED, false,
        "gave up after 5 attempts", 5));
    EXPECTED.put(Fault.HTTP_500.inputValue(), new Expect(JobStatus.FAILED, CompletionStatus.FAILED, false,
        "gave up after 5 attempts", 5));
  }

  static final List<String> PROMPTS = List.of("door creak", "glass shatter", "footsteps", "thunder", "coins",
      "laser shot", "cat meow", "telephone ring");

  /** One generation of the run. */
  record Case(ContentKey key, String label, PredictionRequest request) {
  }

  ItDatabase db;

  abstract ItDatabase newDatabase();

  @BeforeEach
  void createDatabase() {
    db = newDatabase();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  /** 88 plain successes (60 wav and 18 mp3 sound effects, 10 music) and 7 of each of the 16 faults: 200. */
  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    AtomicInteger sfx = new AtomicInteger();
    AtomicInteger music = new AtomicInteger();
    for (int i = 0; i < 60; i++) {
      cases.add(soundEffect(sfx, NONE, "wav"));
    }
    for (int i = 0; i < 18; i++) {
      cases.add(soundEffect(sfx, NONE, "mp3"));
    }
    for (int i = 0; i < 10; i++) {
      ContentKey key = ContentKey.backgroundMusic(music.incrementAndGet());
      cases.add(new Case(key, MUSIC, request(PROMPTS.get(i % PROMPTS.size()), "mp3", 0.5)));
    }
    // the download faults added with the fault storm (hang, redirect loop, redirect to a private address) run
    // in WebhookFaultStormTest and the soak: a hang costs a whole download timeout per attempt
    for (Fault fault : EnumSet.range(Fault.FAIL, Fault.HTTP_500)) {
      for (int i = 0; i < 7; i++) {
        if (fault == Fault.SILENT && i >= 5) {
          ContentKey key = ContentKey.backgroundMusic(music.incrementAndGet());
          cases.add(new Case(key, MUSIC_SILENT, request("silent music", "mp3", 0.5, fault)));
        } else {
          cases.add(soundEffect(sfx, fault.inputValue(), i % 2 == 0 ? "wav" : "mp3", fault));
        }
      }
    }
    Collections.shuffle(cases, new Random(6));
    return cases;
  }

  private static Case soundEffect(AtomicInteger ids, String label, String format, Fault... faults) {
    int id = ids.incrementAndGet();
    return new Case(ContentKey.soundEffect(id), label, request(PROMPTS.get(id % PROMPTS.size()), format, 0.3, faults));
  }

  @Test
  void mixedRunOf200JobsWithFaultsLeavesNoTempFileProcessOrConnectionAndEveryJobAsItsFaultDictates()
      throws Exception {
    List<Case> cases = cases();
    assertThat(cases.size()).isGreaterThanOrEqualTo(200);
    assertThat(cases.stream().map(Case::label).collect(Collectors.toSet())).containsExactlyInAnyOrderElementsOf(
        EXPECTED.keySet());
    Map<ContentKey, PredictionRequest> batch = new LinkedHashMap<>();
    cases.forEach(c -> batch.put(c.key(), c.request()));

    Set<Path> tempBefore = tempTree();
    Set<Long> processesBefore = livePids();
    ConcurrentLinkedQueue<CompletableFuture<CompletionOutcome>> processing = new ConcurrentLinkedQueue<>();
    AtomicInteger inFlight = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    long start = System.nanoTime();
    try (ItStack it = ItStack.on(db)
        .ffmpeg(fastestFfmpeg())
        .settings(s -> s.webhookTimeout(Duration.ofSeconds(3)).maxFileSize(1_000_000))
        .simulator(s -> s.leadSilence(Duration.ofMillis(200)).tailSilence(Duration.ofMillis(200))
            .oversizedBytes(1_500_000).maxConcurrentWebhooks(32))
        .acknowledgeAfter(Duration.ofSeconds(WebhookEndpoint.DEFAULT_ACKNOWLEDGE_AFTER_SECONDS))
        .pool("it-mixed", 4, 6)
        .processor(real -> (key, prediction) -> {
          maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
          CompletableFuture<CompletionOutcome> stage = real.process(key, prediction).toCompletableFuture()
              .whenComplete((o, f) -> inFlight.decrementAndGet());
          processing.add(stage);
          return stage;
        })
        .start()) {
      // every generation submitted at once; waiters on all of them
      CompletableFuture<Map<ContentKey, CompletionOutcome>> generated = it.audio.generateAll(batch, WAIT)
          .toCompletableFuture();

      // the webhook storm: every delivery, duplicate, stale message and retry answered (503, 202 or 200),
      // and every processing run it started ended
      assertThat(it.simulator.awaitWebhooks(WAIT)).isTrue();
      assertThat(CompletableFuture.allOf(processing.stream().map(s -> s.handle((o, f) -> o))
          .toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
      double webhookSeconds = (System.nanoTime() - start) / 1e9;

      // then recovery, as the host's schedule runs it once the webhook timeout has passed (a clock that far
      // ahead): it finishes the lost webhooks and the jobs released after a 202 (a job that keeps failing
      // transiently takes one run per attempt). It runs after the storm: during it, recovery would reclaim
      // PROCESSING jobs still being processed, which is correct (RecoveryReclaimRaceTest) but redundant work.
      WebhookRecovery recovery = WebhookRecovery.builder().jobStore(it.jobs).predictionClient(it.client)
          .processor(it.audio.processor()).executor(it.executor).settings(it.settings)
          .clock(Clock.offset(Clock.systemUTC(), it.settings.webhookTimeout().plusSeconds(1))).build();
      List<RecoveryReport> runs = new ArrayList<>();
      for (int run = 0; run < 10; run++) {
        CompletableFuture<RecoveryReport> report = recovery.recoverStale().toCompletableFuture();
        assertThat(report).succeedsWithin(WAIT);
        if (report.join().claimed() == 0) {
          break;
        }
        runs.add(report.join());
      }
      assertThat(generated).succeedsWithin(WAIT);
      Map<ContentKey, CompletionOutcome> outcomes = generated.join();
      double seconds = (System.nanoTime() - start) / 1e9;

      // nothing left behind, checked before anything is closed
      Set<Path> tempAfter = tempTree();
      tempAfter.removeAll(tempBefore);
      assertThat(tempAfter).as("files and directories left under " + ManagedTempFiles.defaultBaseDirectory())
          .isEmpty();
      assertThat(partFiles()).as("partial downloads").isEmpty();
      assertThat(LeakCheckExtension.liveDescendants().stream().filter(p -> !processesBefore.contains(p.pid()))
          .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))).as("child processes").isEmpty();
      assertThat(it.ffmpeg.runningProcesses()).isZero();
      assertThat(it.activeConnections()).as("active pool connections").isZero();
      assertThat(it.audio.notifier().pendingWaiters()).isZero();

      // every job as its fault dictates, from the outcome and from the database
      Map<String, ItStack.JobRow> jobs = it.jobRows();
      Map<String, List<CompletionStatus>> results = it.resultRows();
      Set<ContentKey> audio = new TreeSet<>(java.util.Comparator.comparing(ContentKey::toString));
      audio.addAll(it.audioKeys());
      assertThat(jobs).hasSize(cases.size());
      List<String> wrong = new ArrayList<>();
      Map<String, Integer> counts = new TreeMap<>();
      for (Case c : cases) {
        Expect e = EXPECTED.get(c.label());
        CompletionOutcome o = outcomes.get(c.key());
        counts.merge(c.label(), 1, Integer::sum);
        ItStack.JobRow job = o.predictionId() == null ? null : jobs.get(o.predictionId());
        String actual = String.format(Locale.ROOT, "outcome %s (%s), job %s attempts %s, results %s, audio %s",
            o.status(), o.error(), job == null ? null : job.status(), job == null ? null : job.attempts(),
            o.predictionId() == null ? null : results.get(o.predictionId()), audio.contains(c.key()));
        boolean ok = o.status() == e.outcome()
            && (e.error() == null ? o.error() == null
                : o.error() != null && o.error().toLowerCase(Locale.ROOT).contains(e.error()))
            && job != null && job.status() == e.job() && job.key().equals(c.key())
            && (e.attempts() == 0 || job.attempts() == e.attempts())
            && List.of(e.outcome()).equals(results.get(o.predictionId()))
            && audio.contains(c.key()) == e.audio();
        if (!ok) {
          wrong.add(c.key() + " [" + c.label() + "] expected " + e + " but was " + actual);
        }
      }
      assertThat(wrong).as("jobs not in the state their fault dictates").isEmpty();
      assertThat(it.inconsistencies()).isEmpty();
      assertThat(jobs.values()).noneMatch(j -> !j.status().isFinal());

      List<DeliveryAttempt> deliveries = it.simulator.deliveries();
      Map<Integer, Long> answers = deliveries.stream().collect(Collectors.groupingBy(DeliveryAttempt::statusCode,
          TreeMap::new, Collectors.counting()));
      System.out.printf(Locale.ROOT, "%s mixed run: %d jobs %s in %.1f s (webhooks settled after %.1f s);"
              + " %d webhook attempts answered %s; at most %d processed at once; %d lost webhooks; recovery runs %s%n",
          db.kind(), cases.size(), counts, seconds, webhookSeconds, deliveries.size(), answers, maxInFlight.get(),
          it.simulator.lostWebhooks(), runs);
      assertThat(maxInFlight.get()).as("webhooks processed at once").isGreaterThan(1);
    }
  }

  /** The bundled ffmpeg starts about 5 times faster than Debian's (statically linked): the run stays short. */
  private static TestFfmpeg.Build fastestFfmpeg() {
    return TestFfmpeg.builds().stream().filter(b -> b.name().equals("bundled")).findFirst()
        .orElse(TestFfmpeg.preferred());
  }

  /** Every file and directory under the library's temp root. */
  static Set<Path> tempTree() {
    Path root = ManagedTempFiles.defaultBaseDirectory();
    if (!Files.isDirectory(root)) {
      return new TreeSet<>();
    }
    try (Stream<Path> walk = Files.walk(root)) {
      return walk.filter(p -> !p.equals(root)).collect(Collectors.toCollection(TreeSet::new));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The downloader's partial files ({@code .<name>.<random>.part}) anywhere under the temp root. */
  static List<Path> partFiles() {
    return tempTree().stream().filter(p -> p.getFileName().toString().endsWith(".part")).collect(Collectors.toList());
  }

  static Set<Long> livePids() {
    return LeakCheckExtension.liveDescendants().stream().map(ProcessHandle::pid).collect(Collectors.toSet());
  }
}
