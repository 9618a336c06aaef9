package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ManagedTempFiles;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.Submission;
import dev.replicateaudio.audio.SoundEffectProcessor;
import dev.replicateaudio.examples.simulator.Fault;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import dev.replicateaudio.okhttp.PredictionJson;
import dev.replicateaudio.port.GenerationJob;
import dev.replicateaudio.port.JobStatus;
import dev.replicateaudio.port.ResultRecord;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import dev.replicateaudio.webhook.WebhookVerifier;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import okhttp3.ConnectionPool;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * The fault storm: more than 1,000 webhooks posted over HTTP to the real endpoint and pipeline (H2,
 * real ffmpeg and ffmpeg wrapper scripts, the simulator's downloads), the test playing Replicate
 * (it signs and delivers every webhook itself, and delivers a terminal one again on any non-2xx
 * answer, as Replicate does). Among them: duplicates (100 concurrent copies of one delivery, and
 * identical bodies under new ids), forged signatures, stale timestamps, replayed {@code webhook-id}s,
 * malformed bodies, out-of-order deliveries before and after the terminal one; downloads that hang,
 * drop mid-body (announcing more than they send), exceed the cap with or without
 * {@code Content-Length}, redirect in a loop or to the cloud metadata address; ffmpeg that hangs,
 * crashes or floods its stderr; the database connection terminated in the middle of the store
 * transaction. Every category gets its documented answer, every job ends in its documented state
 * and error with nothing half-stored, the 100 copies store once, and afterwards no temp file, child
 * process, lent connection or waiter is left.
 */
@ExtendWith(LeakCheckExtension.class)
class WebhookFaultStormTest {
  static final Duration WAIT = Duration.ofSeconds(120);
  static final MediaType JSON = MediaType.get("application/json");
  static final String FFMPEG_HANG = "sfx_ffmpeg_hang";
  static final String FFMPEG_CRASH = "sfx_ffmpeg_crash";
  static final String FFMPEG_FLOOD = "sfx_ffmpeg_flood";
  static final String DB_KILL = "sfx_db_kill";

  /** What a job is, and how it must end. */
  enum Kind {
    FAILED_PREDICTION(420, null, ContentKey.SOUND_EFFECT, JobStatus.FAILED, CompletionStatus.FAILED, "simulated"),
    STORED(100, null, ContentKey.SOUND_EFFECT, JobStatus.SUCCEEDED, CompletionStatus.SUCCEEDED, null),
    HANG_DOWNLOAD(5, Fault.HANG_DOWNLOAD, ContentKey.SOUND_EFFECT, JobStatus.FAILED, CompletionStatus.FAILED,
        "gave up after 5 attempts"),
    DROPPED_MID_BODY(5, Fault.DISCONNECT, ContentKey.SOUND_EFFECT, JobStatus.FAILED, CompletionStatus.FAILED,
        "gave up after 5 attempts"),
    OVER_THE_CAP(5, Fault.OVERSIZED, ContentKey.SOUND_EFFECT, JobStatus.FAILED, CompletionStatus.FAILED,
        "larger than the limit"),
    OVER_THE_CAP_CHUNKED(5, Fault.OVERSIZED_CHUNKED, ContentKey.SOUND_EFFECT, JobStatus.FAILED,
        CompletionStatus.FAILED, "larger than the limit"),
    REDIRECT_LOOP(5, Fault.REDIRECT_LOOP, ContentKey.SOUND_EFFECT, JobStatus.FAILED, CompletionStatus.FAILED,
        "more than 5 redirects"),
    REDIRECT_TO_METADATA(5, Fault.REDIRECT_PRIVATE, ContentKey.SOUND_EFFECT, JobStatus.FAILED,
        CompletionStatus.FAILED, "redirect to http://169.254.169.254/latest/meta-data/ refused"),
    FFMPEG_HANGS(4, null, FFMPEG_HANG, JobStatus.FAILED, CompletionStatus.FAILED, "gave up after 5 attempts"),
    // a crash (SIGSEGV: 128 + 11) in the trim and again in the decoding pass that tells corrupt input from an
    // ffmpeg failure: the input is taken as what crashes the decoder, for good
    FFMPEG_CRASHES(4, null, FFMPEG_CRASH, JobStatus.FAILED, CompletionStatus.FAILED,
        "does not decode cleanly: ffmpeg exited with code 139"),
    // 8 MB of stderr, then exit 1: only the last 4 KiB is read (the outcome's error stays short)
    FFMPEG_FLOODS_STDERR(4, null, FFMPEG_FLOOD, JobStatus.FAILED, CompletionStatus.FAILED,
        "does not decode cleanly: ffmpeg exited with code 1"),
    CONNECTION_TERMINATED(5, null, DB_KILL, JobStatus.SUCCEEDED, CompletionStatus.SUCCEEDED, null);

    final int count;
    final Fault fault;
    final String contentType;
    final JobStatus job;
    final CompletionStatus outcome;
    final String error;

    Kind(int count, Fault fault, String contentType, JobStatus job, CompletionStatus outcome, String error) {
      this.count = count;
      this.fault = fault;
      this.contentType = contentType;
      this.job = job;
      this.outcome = outcome;
      this.error = error;
    }
  }

  /** One job: its submission, its waiter, and the signed terminal webhook Replicate would send. */
  record Job(Kind kind, ContentKey key, Submission submission, CompletableFuture<CompletionOutcome> waiter,
      String query, byte[] terminal, Map<String, String> headers) {
  }

  /** One webhook posted, and the answer it got. */
  record Post(String category, int status, String body) {
  }

  @TempDir Path scripts;
  ItDatabase db;
  final List<Post> posts = Collections.synchronizedList(new ArrayList<>());
  final Map<ContentKey, AtomicInteger> stores = new ConcurrentHashMap<>();
  final Set<ContentKey> terminated = ConcurrentHashMap.newKeySet();
  final AtomicReference<ItStack> stack = new AtomicReference<>();

  @BeforeEach
  void createDatabase() {
    db = ItDatabase.h2();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void aStormOfMoreThanAThousandWebhooksGetsItsDocumentedAnswersStoresOnceAndLeavesNothingBehind()
      throws Exception {
    Set<Path> tempBefore = MixedFaultRunSuite.tempTree();
    OkHttpClient http = new OkHttpClient.Builder().connectionPool(new ConnectionPool(32, 10, TimeUnit.SECONDS))
        .callTimeout(Duration.ofSeconds(60)).build();
    ExecutorService posters = Executors.newFixedThreadPool(16);
    try (ItStack it = ItStack.on(db)
        .ffmpeg(fastestFfmpeg())
        .settings(s -> s.downloadTimeout(Duration.ofSeconds(1)).maxFileSize(1_000_000))
        .simulator(s -> s.oversizedBytes(1_500_000).hangTime(Duration.ofSeconds(2)))
        .postProcessors((settings, b) -> b
            .register(FFMPEG_HANG, trim(settings, "hang", "sleep 3600\n", Duration.ofSeconds(1)))
            .register(FFMPEG_CRASH, trim(settings, "crash", "kill -SEGV $$\n", settings.ffmpegTimeout()))
            .register(FFMPEG_FLOOD, trim(settings, "flood",
                "head -c 8000000 /dev/zero | tr '\\000' 'e' >&2\nexit 1\n", settings.ffmpegTimeout()))
            .register(DB_KILL, b.build().forType(ContentKey.SOUND_EFFECT)))
        .audioStore(real -> (key, file, metadata) -> {
          if (key.contentType().equals(DB_KILL) && terminated.add(key)) {
            // the connection holding the store transaction ends under it (H2's ABORT_SESSION would close the
            // whole embedded database: see SoakStack)
            stack.get().jdbi.useHandle(h -> closeDriverConnection(h.getConnection()));
          }
          stores.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
          real.storeAudio(key, file, metadata);
        })
        .pool("storm", 4, 6)
        .start()) {
      stack.set(it);
      WebhookVerifier signer = WebhookVerifier.create(it.simulator.webhookSecret());
      List<Job> jobs = submit(it, signer);
      URI endpoint = it.server.url();

      // phase 1: everything before the jobs are done, shuffled and concurrent
      Job copied = jobs.stream().filter(j -> j.kind() == Kind.STORED).findFirst().orElseThrow();
      List<Runnable> phase1 = new ArrayList<>();
      Random random = new Random(13);
      for (Job j : jobs) {
        if (j != copied) {
          phase1.add(() -> deliver(http, endpoint, j, "original"));
        }
      }
      List<Job> sample = new ArrayList<>(jobs);
      Collections.shuffle(sample, random);
      for (int i = 0; i < 60; i++) {
        Job j = sample.get(i);
        byte[] forged = forged(j.terminal(), i);
        phase1.add(() -> post(http, endpoint, "forged", j.query(), j.headers(), forged));
        Job k = sample.get(60 + i);
        byte[] body = k.terminal();
        phase1.add(() -> post(http, endpoint, "stale", k.query(),
            signer.signedHeaders("msg_stale_" + k.key(), Instant.now().minusSeconds(600), body), body));
        Job m = sample.get(120 + i);
        byte[] malformed = malformed(m, i);
        phase1.add(() -> post(http, endpoint, "malformed", m.query(),
            signer.signedHeaders("msg_malformed_" + m.key(), Instant.now(), malformed), malformed));
      }
      for (int i = 0; i < 25; i++) {
        Job j = sample.get(180 + i);
        byte[] running = nonTerminal(it, j);
        phase1.add(() -> post(http, endpoint, "out of order (before)", j.query(),
            signer.signedHeaders("msg_running_" + j.key(), Instant.now(), running), running));
      }
      Collections.shuffle(phase1, random);
      // 100 concurrent copies of one delivery (same webhook-id, same body) in the middle of it all
      CountDownLatch gate = new CountDownLatch(1);
      List<CompletableFuture<?>> running = new ArrayList<>();
      for (int i = 0; i < 100; i++) {
        running.add(CompletableFuture.runAsync(() -> {
          await(gate);
          post(http, endpoint, "concurrent copy", copied.query(), copied.headers(), copied.terminal());
        }, posters));
      }
      for (int i = 0; i < phase1.size(); i++) {
        running.add(CompletableFuture.runAsync(phase1.get(i), posters));
        if (i == phase1.size() / 3) {
          gate.countDown();
        }
      }
      assertThat(CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
      assertThat(CompletableFuture.allOf(jobs.stream().map(Job::waiter).toArray(CompletableFuture[]::new)))
          .succeedsWithin(WAIT);

      // phase 2: after the jobs are done: replays, identical bodies under new ids, stale states
      running.clear();
      Collections.shuffle(sample, random);
      for (int i = 0; i < 60; i++) {
        Job j = sample.get(i);
        running.add(CompletableFuture.runAsync(() -> post(http, endpoint, "replayed id", j.query(), j.headers(),
            j.terminal()), posters));
      }
      for (int i = 0; i < 20; i++) {
        Job j = sample.get(60 + i);
        running.add(CompletableFuture.runAsync(() -> post(http, endpoint, "duplicate (new id)", j.query(),
            signer.signedHeaders("msg_again_" + j.key(), Instant.now(), j.terminal()), j.terminal()), posters));
      }
      for (int i = 0; i < 25; i++) {
        Job j = sample.get(80 + i);
        byte[] late = nonTerminal(it, j);
        running.add(CompletableFuture.runAsync(() -> post(http, endpoint, "out of order (after)", j.query(),
            signer.signedHeaders("msg_late_" + j.key(), Instant.now(), late), late), posters));
      }
      assertThat(CompletableFuture.allOf(running.toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);

      // nothing left behind, checked before anything is closed
      Set<Path> tempAfter = MixedFaultRunSuite.tempTree();
      tempAfter.removeAll(tempBefore);
      assertThat(tempAfter).as("temp files and directories under " + ManagedTempFiles.defaultBaseDirectory())
          .isEmpty();
      assertThat(LeakCheckExtension.liveDescendants()).as("child processes").isEmpty();
      assertThat(it.activeConnections()).as("connections lent by the pool").isZero();
      assertThat(it.audio.notifier().pendingWaiters()).as("parked waiters").isZero();

      // the answers, by category
      Map<String, Map<String, Long>> answers = new TreeMap<>();
      synchronized (posts) {
        for (Post p : posts) {
          answers.computeIfAbsent(p.category(), c -> new TreeMap<>()).merge(p.status() + " " + p.body(), 1L,
              Long::sum);
        }
      }
      System.out.printf(Locale.ROOT, "fault storm: %d webhooks posted for %d jobs; answers %s%n", posts.size(),
          jobs.size(), answers);
      assertThat(posts.size()).as("webhooks posted").isGreaterThanOrEqualTo(1000);
      assertThat(answers.get("forged")).containsOnlyKeys("401 invalid webhook signature: no_matching_signature");
      assertThat(answers.get("stale")).containsOnlyKeys("401 invalid webhook signature: timestamp_outside_tolerance");
      assertThat(answers.get("malformed").keySet()).allMatch(a -> a.startsWith("400 malformed prediction JSON: "));
      assertThat(answers.get("replayed id")).containsOnlyKeys("200 accepted: duplicate delivery");
      assertThat(answers.get("duplicate (new id)").keySet()).allMatch(a -> a.startsWith("200 accepted: "))
          .noneMatch(a -> a.contains("PENDING"));
      assertThat(answers.get("out of order (before)")).containsOnlyKeys("200 accepted: PENDING");
      assertThat(answers.get("out of order (after)")).containsOnlyKeys("200 accepted: PENDING");
      assertThat(answers.get("concurrent copy")).containsOnlyKeys("200 accepted: SUCCEEDED",
          "200 accepted: duplicate delivery");
      assertThat(answers.get("original").keySet()).allMatch(a -> a.startsWith("200 accepted: ")
          || a.equals("503 temporarily unable to process; retry later"));

      // every job as its kind dictates: outcome, job row, one result row, audio or none
      List<String> wrong = new ArrayList<>();
      Set<ContentKey> audio = Set.copyOf(it.audioKeys());
      Map<Kind, Map<String, Integer>> errors = new EnumMap<>(Kind.class);
      for (Job j : jobs) {
        CompletionOutcome o = j.waiter().join();
        GenerationJob row = it.jobs.find(j.submission().predictionId()).orElse(null);
        List<ResultRecord> results = it.jobs.results(j.submission().predictionId());
        String error = o.error() == null ? "" : o.error().toLowerCase(Locale.ROOT);
        errors.computeIfAbsent(j.kind(), k -> new TreeMap<>()).merge(o.error() == null ? "-"
            : o.error().substring(0, Math.min(o.error().length(), 160)), 1, Integer::sum);
        boolean ok = o.status() == j.kind().outcome && (o.error() == null || o.error().length() < 2000)
            && (j.kind().error == null ? o.error() == null : error.contains(j.kind().error))
            && row != null && row.status() == j.kind().job && row.key().equals(j.key())
            && results.size() == 1 && results.get(0).status() == j.kind().outcome
            && audio.contains(j.key()) == (j.kind().job == JobStatus.SUCCEEDED);
        if (!ok) {
          wrong.add(j.key() + " [" + j.kind() + "]: outcome " + o + ", job " + row + ", results "
              + results.stream().map(ResultRecord::status).collect(Collectors.toList()) + ", audio "
              + audio.contains(j.key()));
        }
      }
      System.out.println("fault storm: errors by kind " + errors);
      assertThat(wrong).as("jobs not in the state their kind dictates").isEmpty();
      assertThat(it.inconsistencies()).as("half-stored jobs").isEmpty();
      assertThat(stores.get(copied.key())).as("stores of the job delivered 100 times at once").hasValue(1);
      assertThat(terminated).as("connections terminated mid-transaction").hasSize(Kind.CONNECTION_TERMINATED.count);
      for (Job j : jobs) {
        if (j.kind() == Kind.CONNECTION_TERMINATED) {
          assertThat(stores.get(j.key())).as("stores of %s: the terminated one and the redelivery", j.key())
              .hasValue(2);
        }
      }
    } finally {
      posters.shutdownNow();
      http.dispatcher().executorService().shutdown();
      http.connectionPool().evictAll();
    }
  }

  // ---- the jobs ----

  private List<Job> submit(ItStack it, WebhookVerifier signer) throws InterruptedException {
    List<ContentKey> keys = new ArrayList<>();
    Map<ContentKey, Kind> kinds = new LinkedHashMap<>();
    long id = 0;
    for (Kind k : Kind.values()) {
      for (int i = 0; i < k.count; i++) {
        ContentKey key = new ContentKey(k.contentType, ++id);
        keys.add(key);
        kinds.put(key, k);
      }
    }
    Map<ContentKey, CompletableFuture<Submission>> submitted = new LinkedHashMap<>();
    for (ContentKey key : keys) {
      Kind k = kinds.get(key);
      List<Fault> faults = new ArrayList<>(List.of(Fault.LOST_WEBHOOK)); // this test delivers the webhooks
      if (k == Kind.FAILED_PREDICTION) {
        faults.add(Fault.FAIL);
      } else if (k.fault != null) {
        faults.add(k.fault);
      }
      submitted.put(key, it.audio.submit(key, request("storm " + key.contentId() % 4, "wav", 0.2,
          faults.toArray(Fault[]::new))).toCompletableFuture());
    }
    assertThat(CompletableFuture.allOf(submitted.values().toArray(CompletableFuture[]::new))).succeedsWithin(WAIT);
    List<Job> jobs = new ArrayList<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    for (ContentKey key : keys) {
      Submission s = submitted.get(key).join();
      Prediction p;
      while (!(p = it.simulator.prediction(s.predictionId()).orElseThrow()).status().isTerminal()) {
        assertThat(System.nanoTime() - deadline).as("prediction %s still running", s.predictionId()).isNegative();
        Thread.sleep(20);
      }
      byte[] body = PredictionJson.writePrediction(p);
      String query = it.audio.webhookUrl(key).getRawQuery();
      Map<String, String> headers = signer.signedHeaders("msg_" + s.predictionId(), Instant.now(), body);
      jobs.add(new Job(kinds.get(key), key, s, it.audio.await(s, WAIT).toCompletableFuture(), query, body, headers));
    }
    return jobs;
  }

  /** The prediction as it was while running: a non-terminal webhook. */
  private static byte[] nonTerminal(ItStack it, Job j) {
    Prediction p = Prediction.of(j.submission().predictionId(), PredictionStatus.PROCESSING, List.of(), null);
    return PredictionJson.writePrediction(p);
  }

  /** The job's terminal body with one byte changed (headers left as signed), or re-signed with another secret. */
  private static byte[] forged(byte[] body, int i) {
    byte[] b = body.clone();
    String text = new String(b, StandardCharsets.UTF_8);
    String changed = i % 2 == 0 ? (text.contains("\"failed\"") ? text.replace("\"failed\"", "\"succeeded\"")
        : text.replace("\"succeeded\"", "\"failed\"")) : text.replace("\"id\"", "\"id\" ");
    return changed.equals(text) ? (text + " ").getBytes(StandardCharsets.UTF_8) : changed.getBytes(StandardCharsets.UTF_8);
  }

  private static byte[] malformed(Job j, int i) {
    String id = j.submission().predictionId();
    List<String> bodies = List.of("{not json", "", "[]", "{\"id\":\"" + id + "\"}",
        "{\"id\":\"" + id + "\",\"status\":\"exploded\"}", "{\"id\":\"" + id + "\",\"status\":\"succeeded\","
            + "\"output\":\"https://exa mple.com/\\u0000\"}", "{\"id\":\"" + id + "\",\"id\":\"" + id + "\"}",
        "{\"id\":\"" + id + "\",\"status\":\"succeeded\"} trailing");
    return bodies.get(i % bodies.size()).getBytes(StandardCharsets.UTF_8);
  }

  // ---- delivering ----

  /** Delivers a terminal webhook as Replicate does: again (same id, re-signed) on any non-2xx answer. */
  private void deliver(OkHttpClient http, URI endpoint, Job j, String category) {
    Map<String, String> headers = j.headers();
    WebhookVerifier signer = WebhookVerifier.create(stack.get().simulator.webhookSecret());
    for (int attempt = 1; attempt <= 12; attempt++) {
      Post p = post(http, endpoint, category, j.query(), headers, j.terminal());
      if (p.status() / 100 == 2) {
        return;
      }
      sleep(50L * attempt);
      headers = signer.signedHeaders(headers.get(WebhookVerifier.WEBHOOK_ID), Instant.now(), j.terminal());
    }
    throw new AssertionError("webhook of " + j.key() + " never accepted");
  }

  private Post post(OkHttpClient http, URI endpoint, String category, String query, Map<String, String> headers,
      byte[] body) {
    Request.Builder rb = new Request.Builder().url(endpoint + "?" + query).post(RequestBody.create(body, JSON));
    headers.forEach(rb::header);
    try (Response r = http.newCall(rb.build()).execute()) {
      Post p = new Post(category, r.code(), r.body().string());
      posts.add(p);
      return p;
    } catch (IOException e) {
      throw new UncheckedIOException(category + " webhook failed", e);
    }
  }

  // ---- faults on the host's side ----

  /** A trimming processor on its own runner whose ffmpeg is a shell script with {@code body}. */
  private SoundEffectProcessor trim(ReplicateAudioSettings settings, String name, String body, Duration timeout) {
    try {
      Path script = scripts.resolve("ffmpeg-" + name);
      Files.writeString(script, "#!/bin/sh\n" + body, StandardCharsets.UTF_8);
      Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
      FfmpegRunner runner = FfmpegRunner.create(settings.toBuilder().ffmpegPath(script.toString())
          .ffmpegTimeout(timeout).build());
      runners.add(runner);
      return SoundEffectProcessor.create(runner, settings);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  final List<FfmpegRunner> runners = Collections.synchronizedList(new ArrayList<>());

  @AfterEach
  void closeRunners() {
    runners.forEach(FfmpegRunner::close);
  }

  private static void closeDriverConnection(Connection pooled) {
    try {
      pooled.unwrap(Connection.class).close();
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  private static TestFfmpeg.Build fastestFfmpeg() {
    return TestFfmpeg.builds().stream().filter(b -> b.name().equals("bundled")).findFirst()
        .orElse(TestFfmpeg.preferred());
  }

  private static void await(CountDownLatch latch) {
    try {
      latch.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
