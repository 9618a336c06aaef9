package dev.replicateaudio.testing;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.port.AudioMetadata;
import dev.replicateaudio.port.AudioStore;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.GenerationJobStore;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.port.StaleClaimException;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.port.TransactionRunner;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;

/**
 * A hand-made in-memory fake of the three storage ports ({@link GenerationJobStore},
 * {@link AudioStore}, {@link TransactionRunner}) for unit tests of core logic.
 *
 * <p>One lock serializes every operation; a transaction holds it from begin to end and restores a
 * snapshot when it rolls back, so the fake honours the ports' atomicity and rollback rules.
 * Faults can be injected per operation name ({@code claim}, {@code claimStale}, {@code markSucceeded},
 * {@code markFailed}, {@code release}, {@code logResult}, {@code storeAudio}, {@code recordSubmitted},
 * {@code find}, {@code commit}). This class is thread-safe.
 */
public final class InMemoryStorage implements GenerationJobStore, AudioStore, TransactionRunner {
  /** A stored audio item. */
  public record StoredAudio(byte[] bytes, AudioMetadata metadata) {
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final Clock clock;
  private Map<String, GenerationJob> jobs = new LinkedHashMap<>();
  private Map<ContentKey, StoredAudio> audio = new HashMap<>();
  private List<ResultRecord> results = new ArrayList<>();
  private final Map<String, Supplier<RuntimeException>> faults = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> faultCounts = new ConcurrentHashMap<>();
  private final AtomicInteger storeCalls = new AtomicInteger();
  private final AtomicInteger commits = new AtomicInteger();
  private final AtomicInteger rollbacks = new AtomicInteger();
  private int depth;

  public InMemoryStorage() {
    this(Clock.systemUTC());
  }

  public InMemoryStorage(Clock clock) {
    this.clock = Objects.requireNonNull(clock, "clock == null");
  }

  // ---- fault injection ----

  /** Makes the next {@code times} calls of {@code operation} throw what {@code fault} supplies. */
  public void failNext(String operation, int times, Supplier<RuntimeException> fault) {
    faultCounts.put(operation, new AtomicInteger(times));
    faults.put(operation, fault);
  }

  /** Makes every call of {@code operation} throw a retryable {@link StorageException} until cleared. */
  public void failAlways(String operation) {
    failNext(operation, Integer.MAX_VALUE, () -> new StorageException("injected failure of " + operation, null));
  }

  public void clearFaults() {
    faults.clear();
    faultCounts.clear();
  }

  private void maybeFail(String operation) {
    AtomicInteger remaining = faultCounts.get(operation);
    if (remaining != null && remaining.getAndDecrement() > 0) {
      throw faults.get(operation).get();
    }
  }

  // ---- TransactionRunner ----

  @Override
  public <T> T inTransaction(TransactionalWork<T> work) {
    Objects.requireNonNull(work, "work == null");
    lock.lock();
    try {
      if (depth > 0) {
        depth++;
        try {
          return run(work);
        } finally {
          depth--;
        }
      }
      Map<String, GenerationJob> jobsBefore = new LinkedHashMap<>(jobs);
      Map<ContentKey, StoredAudio> audioBefore = new HashMap<>(audio);
      List<ResultRecord> resultsBefore = new ArrayList<>(results);
      depth = 1;
      boolean ok = false;
      try {
        T value = run(work);
        maybeFail("commit");
        ok = true;
        commits.incrementAndGet();
        return value;
      } finally {
        depth = 0;
        if (!ok) {
          jobs = jobsBefore;
          audio = audioBefore;
          results = resultsBefore;
          rollbacks.incrementAndGet();
        }
      }
    } finally {
      lock.unlock();
    }
  }

  private static <T> T run(TransactionalWork<T> work) {
    try {
      return work.execute();
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new StorageException("transaction work failed: " + e, e);
    }
  }

  private <T> T locked(String operation, Supplier<T> body) {
    lock.lock();
    try {
      maybeFail(operation);
      return body.get();
    } finally {
      lock.unlock();
    }
  }

  // ---- AudioStore ----

  @Override
  public void storeAudio(ContentKey key, Path audioFile, AudioMetadata metadata) {
    Objects.requireNonNull(key, "key == null");
    Objects.requireNonNull(audioFile, "audioFile == null");
    Objects.requireNonNull(metadata, "metadata == null");
    locked("storeAudio", () -> {
      try {
        audio.put(key, new StoredAudio(Files.readAllBytes(audioFile), metadata));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      storeCalls.incrementAndGet();
      return null;
    });
  }

  // ---- GenerationJobStore ----

  @Override
  public void recordSubmitted(ContentKey key, String predictionId) {
    locked("recordSubmitted", () -> {
      GenerationJob existing = jobs.get(predictionId);
      if (existing != null) {
        if (!existing.key().equals(key)) {
          throw StorageException.permanent("prediction " + predictionId + " is already recorded for "
              + existing.key() + ", not " + key, null);
        }
        return null;
      }
      Instant now = clock.instant();
      jobs.put(predictionId, new GenerationJob(predictionId, key, JobStatus.PENDING, 0, null, now, now));
      return null;
    });
  }

  @Override
  public Optional<GenerationJob> claim(String predictionId, ContentKey key) {
    return locked("claim", () -> {
      Instant now = clock.instant();
      GenerationJob job = jobs.get(predictionId);
      if (job == null) {
        GenerationJob created = new GenerationJob(predictionId, key, JobStatus.PROCESSING, 1, null, now, now);
        jobs.put(predictionId, created);
        return Optional.of(created);
      }
      if (!job.key().equals(key) || job.status() != JobStatus.PENDING) {
        return Optional.empty();
      }
      GenerationJob claimed = new GenerationJob(predictionId, key, JobStatus.PROCESSING, job.attempts() + 1,
          job.lastError(), job.createdAt(), now);
      jobs.put(predictionId, claimed);
      return Optional.of(claimed);
    });
  }

  @Override
  public List<GenerationJob> claimStale(Instant updatedBefore, int limit) {
    return locked("claimStale", () -> {
      Instant now = clock.instant();
      List<GenerationJob> stale = jobs.values().stream()
          .filter(j -> !j.status().isFinal() && j.updatedAt().isBefore(updatedBefore))
          .sorted(Comparator.comparing(GenerationJob::updatedAt))
          .limit(limit)
          .toList();
      List<GenerationJob> claimed = new ArrayList<>();
      for (GenerationJob j : stale) {
        GenerationJob c = new GenerationJob(j.predictionId(), j.key(), JobStatus.PROCESSING, j.attempts() + 1,
            j.lastError(), j.createdAt(), now);
        jobs.put(j.predictionId(), c);
        claimed.add(c);
      }
      return claimed;
    });
  }

  @Override
  public void markSucceeded(String predictionId) {
    transition("markSucceeded", predictionId, JobStatus.SUCCEEDED, null, true, JobStatus.PROCESSING);
  }

  @Override
  public void markFailed(String predictionId, String error) {
    transition("markFailed", predictionId, JobStatus.FAILED, error, false, JobStatus.PROCESSING, JobStatus.PENDING);
  }

  @Override
  public void release(String predictionId, String error) {
    transition("release", predictionId, JobStatus.PENDING, error, false, JobStatus.PROCESSING);
  }

  private void transition(String operation, String predictionId, JobStatus to, String error, boolean keepError,
      JobStatus... allowedFrom) {
    locked(operation, () -> {
      GenerationJob job = jobs.get(predictionId);
      if (job == null) {
        throw StorageException.permanent(operation + ": no job for prediction " + predictionId, null);
      }
      if (!List.of(allowedFrom).contains(job.status())) {
        throw new StaleClaimException(operation + ": job " + predictionId + " is " + job.status() + ", not "
            + List.of(allowedFrom), predictionId, job.status());
      }
      jobs.put(predictionId, new GenerationJob(predictionId, job.key(), to, job.attempts(),
          keepError || error == null ? job.lastError() : error, job.createdAt(), clock.instant()));
      return null;
    });
  }

  @Override
  public Optional<GenerationJob> find(String predictionId) {
    return locked("find", () -> Optional.ofNullable(jobs.get(predictionId)));
  }

  @Override
  public Optional<GenerationJob> findLatest(ContentKey key) {
    return locked("findLatest", () -> jobs.values().stream().filter(j -> j.key().equals(key))
        .reduce((a, b) -> b.createdAt().isBefore(a.createdAt()) ? a : b));
  }

  @Override
  public void logResult(ResultRecord record) {
    Objects.requireNonNull(record, "record == null");
    locked("logResult", () -> results.add(record));
  }

  @Override
  public List<ResultRecord> results(String predictionId) {
    return locked("results", () -> results.stream().filter(r -> r.predictionId().equals(predictionId)).toList());
  }

  // ---- inspection for tests ----

  public Optional<StoredAudio> audio(ContentKey key) {
    return locked("inspect", () -> Optional.ofNullable(audio.get(key)));
  }

  public int audioCount() {
    return locked("inspect", () -> audio.size());
  }

  public List<ResultRecord> allResults() {
    return locked("inspect", () -> List.copyOf(results));
  }

  public List<GenerationJob> allJobs() {
    return locked("inspect", () -> List.copyOf(jobs.values()));
  }

  /** How many times {@link #storeAudio} succeeded, rolled-back calls included. */
  public int storeCalls() {
    return storeCalls.get();
  }

  public int commits() {
    return commits.get();
  }

  public int rollbacks() {
    return rollbacks.get();
  }
}
