package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.Submission;
import dev.replicateaudio.examples.simulator.DeliveryAttempt;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.port.TransactionRunner;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookRecovery;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.IntPredicate;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Database transactions under injected faults, end to end over HTTP: the real Jdbi stores are
 * wrapped in small decorators that fail on a chosen call (after the real call did its write, so a
 * rollback has something to undo), or the database session is killed under the pipeline
 * ({@code pg_terminate_backend} on PostgreSQL, {@code ABORT_SESSION} on H2). After every failed
 * processing run the database is inspected before the webhook is answered: no audio row without its
 * succeeded job and result row, and vice versa; the job is released (PENDING) for the redelivery that
 * then finishes it.
 */
@ExtendWith(LeakCheckExtension.class)
abstract class TransactionFaultSuite {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ContentKey KEY = ContentKey.soundEffect(7);

  ItDatabase db;
  /** The stack under test, for decorators that need it once it runs. */
  final AtomicReference<ItStack> stack = new AtomicReference<>();
  /** The database as it was after each failed processing run, before the webhook was answered. */
  final List<Snapshot> afterFailures = new CopyOnWriteArrayList<>();

  abstract ItDatabase newDatabase();

  @BeforeEach
  void createDatabase() {
    db = newDatabase();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  /** What the database held for {@link #KEY}'s job at one moment. */
  record Snapshot(JobStatus status, boolean audio, List<CompletionStatus> results, List<String> inconsistencies) {
  }

  @Test
  void audioWriteFailingAfterItsInsertIsRolledBackAndTheRedeliveryStoresIt() {
    AtomicInteger writes = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).audioStore(real -> (key, file, metadata) -> {
      real.storeAudio(key, file, metadata);
      if (writes.incrementAndGet() == 1) {
        throw new StorageException("injected: connection lost after the audio insert", null);
      }
    }))) {
      CompletionOutcome outcome = generate(it);

      assertRecoveredAfterOneTransientFailure(it, outcome);
      assertThat(writes).hasValue(2);
    }
  }

  @Test
  void jobUpdateFailingAfterTheAudioWasStoredRollsTheAudioBack() {
    AtomicInteger calls = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).jobStore(real -> new FailingJobStore(real,
        "markSucceeded", n -> calls.incrementAndGet() == 1)))) {
      CompletionOutcome outcome = generate(it);

      assertRecoveredAfterOneTransientFailure(it, outcome);
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void resultLogFailingLastRollsBackTheAudioAndTheJobUpdate() {
    AtomicInteger calls = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).jobStore(real -> new FailingJobStore(real,
        "logResult", n -> calls.incrementAndGet() == 1)))) {
      CompletionOutcome outcome = generate(it);

      assertRecoveredAfterOneTransientFailure(it, outcome);
      assertThat(calls).hasValue(2);
    }
  }

  @Test
  void commitFailingAfterEverythingWasWrittenLeavesNothingAndTheRedeliveryStoresIt() {
    FailingCommits commits = new FailingCommits();
    AtomicInteger transactions = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).dataSource(commits::wrap).transactions(real -> new TransactionRunner() {
      @Override
      public <T> T inTransaction(TransactionalWork<T> work) {
        if (transactions.incrementAndGet() == 1) {
          commits.failNextCommitOnThisThread();
        }
        try {
          return real.inTransaction(work);
        } finally {
          commits.disarm();
        }
      }
    }))) {
      CompletionOutcome outcome = generate(it);

      assertRecoveredAfterOneTransientFailure(it, outcome);
      assertThat(commits.failed()).isEqualTo(1);
      assertThat(transactions).hasValue(2);
      assertThat(it.jobs.find(outcome.predictionId()).orElseThrow().lastError()).as("the first attempt's error")
          .contains("injected: the connection broke while committing");
    }
  }

  @Test
  void permanentStorageFailureFailsTheJobWithItsReasonAndStoresNothing() {
    AtomicInteger writes = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).audioStore(real -> (key, file, metadata) -> {
      writes.incrementAndGet();
      real.storeAudio(key, file, metadata);
      throw StorageException.permanent("injected: content item " + key + " was deleted", null);
    }))) {
      CompletionOutcome outcome = generate(it);

      assertThat(outcome.status()).isEqualTo(CompletionStatus.FAILED);
      assertThat(outcome.error()).contains("injected: content item sound_effect:7 was deleted");
      GenerationJob job = it.jobs.find(outcome.predictionId()).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.FAILED);
      assertThat(job.attempts()).isEqualTo(1);
      assertThat(it.jobs.results(outcome.predictionId())).singleElement().satisfies(r -> {
        assertThat(r.status()).isEqualTo(CompletionStatus.FAILED);
        assertThat(r.error()).isEqualTo(outcome.error());
      });
      assertThat(it.audioKeys()).isEmpty();
      assertThat(terminalAnswers(it, outcome)).containsExactly(200);
      assertThat(writes).hasValue(1);
      assertThat(afterFailures).isEmpty();
      assertClean(it);
    }
  }

  @Test
  void transientFailureOnEveryAttemptGivesUpAfterMaxAttemptsAndFailsTheJob() {
    AtomicInteger writes = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).audioStore(real -> (key, file, metadata) -> {
      writes.incrementAndGet();
      real.storeAudio(key, file, metadata);
      throw new StorageException("injected: database unreachable", null);
    }))) {
      CompletionOutcome outcome = generate(it);

      assertThat(outcome.status()).isEqualTo(CompletionStatus.FAILED);
      assertThat(outcome.error()).contains("gave up after 5 attempts").contains("injected: database unreachable");
      GenerationJob job = it.jobs.find(outcome.predictionId()).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.FAILED);
      assertThat(job.attempts()).isEqualTo(5);
      assertThat(it.jobs.results(outcome.predictionId())).singleElement().extracting(ResultRecord::status)
          .isEqualTo(CompletionStatus.FAILED);
      assertThat(it.audioKeys()).isEmpty();
      assertThat(writes).hasValue(5);
      assertThat(terminalAnswers(it, outcome)).containsExactly(503, 503, 503, 503, 200);
      assertThat(afterFailures).hasSize(4).allSatisfy(TransactionFaultSuite::assertReleasedAndEmpty);
      assertClean(it);
    }
  }

  @Test
  void jobThatCouldNotEvenBeReleasedIsReclaimedByRecoveryAndItsWaiterWakes() throws Exception {
    AtomicInteger writes = new AtomicInteger();
    AtomicInteger releases = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db)
        .audioStore(real -> (key, file, metadata) -> {
          real.storeAudio(key, file, metadata);
          if (writes.incrementAndGet() == 1) {
            throw new StorageException("injected: connection lost after the audio insert", null);
          }
        })
        .jobStore(real -> new FailingJobStore(real, "release", n -> releases.incrementAndGet() == 1)))) {
      Submission submission = it.audio.submit(KEY, request("door slam", "wav", 0.5)).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      CompletableFuture<CompletionOutcome> waiting = it.audio.await(submission, WAIT).toCompletableFuture();
      String id = submission.predictionId();

      // the first delivery fails and can't release the job; the retries find it PROCESSING and are acknowledged
      assertThat(it.simulator.awaitWebhooks(WAIT)).isTrue();
      assertThat(waiting).isNotDone();
      assertThat(it.jobs.find(id).orElseThrow().status()).isEqualTo(JobStatus.PROCESSING);
      assertThat(afterFailures).singleElement().satisfies(s -> {
        assertThat(s.audio()).isFalse();
        assertThat(s.results()).isEmpty();
        assertThat(s.inconsistencies()).isEmpty();
      });
      assertThat(it.simulator.deliveries(id).stream().map(DeliveryAttempt::statusCode)).startsWith(503).contains(200);

      // recovery, once the job is older than the webhook timeout (a clock ahead by that much), reclaims it
      Clock later = Clock.offset(Clock.systemUTC(), it.settings.webhookTimeout().plusSeconds(1));
      WebhookRecovery recovery = WebhookRecovery.builder().jobStore(it.jobs).predictionClient(it.client)
          .processor(it.audio.processor()).executor(it.executor).settings(it.settings).clock(later).build();
      CompletableFuture<RecoveryReport> report = recovery.recoverStale().toCompletableFuture();

      assertThat(report).succeedsWithin(WAIT).isEqualTo(new RecoveryReport(1, 1, 0, 0, 0, 0));
      assertThat(waiting).succeedsWithin(WAIT).extracting(CompletionOutcome::status).isEqualTo(CompletionStatus.SUCCEEDED);
      GenerationJob job = it.jobs.find(id).orElseThrow();
      assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
      assertThat(job.attempts()).isEqualTo(2);
      assertThat(it.jobs.results(id)).singleElement().extracting(ResultRecord::status)
          .isEqualTo(CompletionStatus.SUCCEEDED);
      assertThat(it.audioKeys()).containsExactly(KEY);
      assertThat(writes).hasValue(2);
      assertClean(it);
    }
  }

  // ---------------------------------------------------------------------------------------------

  /** Starts the stack with a processor wrapper that snapshots the database after each failed run. */
  ItStack start(ItStack.Options options) {
    ItStack it = options.processor(real -> (key, prediction) -> real.process(key, prediction)
        .whenComplete((outcome, failure) -> {
          if (failure != null && prediction.isTerminal()) {
            afterFailures.add(snapshot());
          }
        })).start();
    stack.set(it);
    return it;
  }

  private Snapshot snapshot() {
    ItStack it = stack.get();
    List<ItStack.JobRow> rows = List.copyOf(it.jobRows().values());
    JobStatus status = rows.isEmpty() ? null : rows.get(0).status();
    List<CompletionStatus> results = it.resultRows().values().stream().flatMap(List::stream)
        .collect(Collectors.toList());
    return new Snapshot(status, it.audioKeys().contains(KEY), results, it.inconsistencies());
  }

  /** The database session of the calling thread's open transaction. */
  long sessionId() {
    return stack.get().jdbi.withHandle(h -> h.createQuery(db.sessionIdSql()).mapTo(Long.class).one());
  }

  static CompletionOutcome generate(ItStack it) {
    CompletableFuture<CompletionOutcome> f = it.audio.generate(KEY, request("door slam", "wav", 0.5), WAIT)
        .toCompletableFuture();
    assertThat(f).succeedsWithin(WAIT);
    return f.join();
  }

  void assertRecoveredAfterOneTransientFailure(ItStack it, CompletionOutcome outcome) {
    assertThat(outcome.status()).as(outcome.toString()).isEqualTo(CompletionStatus.SUCCEEDED);
    assertThat(afterFailures).as("database after the failed run").singleElement()
        .satisfies(TransactionFaultSuite::assertReleasedAndEmpty);
    GenerationJob job = it.jobs.find(outcome.predictionId()).orElseThrow();
    assertThat(job.status()).isEqualTo(JobStatus.SUCCEEDED);
    assertThat(job.attempts()).as("claims: the failed run and the redelivery").isEqualTo(2);
    assertThat(it.jobs.results(outcome.predictionId())).singleElement().extracting(ResultRecord::status)
        .isEqualTo(CompletionStatus.SUCCEEDED);
    assertThat(it.audioKeys()).containsExactly(KEY);
    Optional<AudioMetadata> stored = it.audioStore.findAudio(KEY).map(a -> a.metadata());
    assertThat(stored).isPresent();
    assertThat(it.jobs.results(outcome.predictionId()).get(0).audioBytes()).isEqualTo(stored.get().sizeBytes());
    // 503 asked the simulator to deliver again; the retry was answered 200
    assertThat(terminalAnswers(it, outcome)).containsExactly(503, 200);
    assertClean(it);
  }

  private static void assertReleasedAndEmpty(Snapshot s) {
    assertThat(s.status()).as("job after a transient failure").isEqualTo(JobStatus.PENDING);
    assertThat(s.audio()).as("audio row after a rolled-back run").isFalse();
    assertThat(s.results()).as("result rows after a rolled-back run").isEmpty();
    assertThat(s.inconsistencies()).isEmpty();
  }

  private static void assertClean(ItStack it) {
    assertThat(it.inconsistencies()).isEmpty();
    assertThat(it.activeConnections()).as("active pool connections").isZero();
  }

  /** The HTTP answers to the terminal webhook's deliveries, in order. */
  private static List<Integer> terminalAnswers(ItStack it, CompletionOutcome outcome) throws AssertionError {
    try {
      assertThat(it.simulator.awaitWebhooks(WAIT)).isTrue();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
    return it.simulator.deliveries(outcome.predictionId()).stream().filter(DeliveryAttempt::terminal)
        .map(DeliveryAttempt::statusCode).collect(Collectors.toList());
  }

  /** A job store that throws a retryable StorageException after the real call of one method, when told to. */
  static final class FailingJobStore implements GenerationJobStore {
    private final GenerationJobStore real;
    private final String method;
    private final IntPredicate failCall;
    private final AtomicInteger calls = new AtomicInteger();

    FailingJobStore(GenerationJobStore real, String method, IntPredicate failCall) {
      this.real = real;
      this.method = method;
      this.failCall = failCall;
    }

    private void maybeFail(String name) {
      if (name.equals(method) && failCall.test(calls.incrementAndGet())) {
        throw new StorageException("injected: " + name + " lost its connection", null);
      }
    }

    @Override
    public void recordSubmitted(ContentKey key, String predictionId) {
      real.recordSubmitted(key, predictionId);
      maybeFail("recordSubmitted");
    }

    @Override
    public Optional<GenerationJob> claim(String predictionId, ContentKey key) {
      Optional<GenerationJob> job = real.claim(predictionId, key);
      maybeFail("claim");
      return job;
    }

    @Override
    public List<GenerationJob> claimStale(Instant updatedBefore, int limit) {
      return real.claimStale(updatedBefore, limit);
    }

    @Override
    public void markSucceeded(String predictionId) {
      real.markSucceeded(predictionId);
      maybeFail("markSucceeded");
    }

    @Override
    public void markFailed(String predictionId, String error) {
      real.markFailed(predictionId, error);
      maybeFail("markFailed");
    }

    @Override
    public void release(String predictionId, String error) {
      if (method.equals("release") && failCall.test(calls.incrementAndGet())) {
        // the database is unreachable: nothing changes
        throw new StorageException("injected: release could not reach the database", null);
      }
      real.release(predictionId, error);
    }

    @Override
    public Optional<GenerationJob> find(String predictionId) {
      return real.find(predictionId);
    }

    @Override
    public Optional<GenerationJob> findLatest(ContentKey key) {
      return real.findLatest(key);
    }

    @Override
    public void logResult(ResultRecord record) {
      real.logResult(record);
      maybeFail("logResult");
    }

    @Override
    public List<ResultRecord> results(String predictionId) {
      return real.results(predictionId);
    }
  }
}
