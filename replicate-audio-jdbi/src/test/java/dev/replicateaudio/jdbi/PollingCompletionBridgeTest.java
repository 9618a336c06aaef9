package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.testing.RecordingCompletionListener;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestReporter;

/**
 * Two (or more) "instances", each a notifier with its own pool and {@link PollingCompletionBridge},
 * on one real database per subclass. After every test each bridge it started has no thread left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class PollingCompletionBridgeTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String THREAD_PREFIX = "replicate-audio-poll-bridge-";

  TestDatabase database;
  HikariDataSource admin;
  final List<Instance> instances = new ArrayList<>();

  record Instance(WebhookCompletionNotifier notifier, RecordingCompletionListener events,
      PollingCompletionBridge bridge, HikariDataSource pool) {
    PollingCompletionBridge.Stats stats() {
      return bridge.stats();
    }
  }

  abstract TestDatabase openDatabase();

  @BeforeAll
  void openDatabaseAndSchema() {
    database = openDatabase();
    admin = database.settings("poll-admin-" + shortId()).poolSize(1).maxOverflow(2).build().createDataSource();
    SchemaInstaller.install(admin);
  }

  @AfterEach
  void closeEverythingAndCheckThreads() {
    for (Instance i : instances) {
      i.bridge.close();
      i.notifier.close();
      i.pool.close();
    }
    for (Instance i : instances) {
      assertThat(bridgeThreads(i.bridge)).as("threads of %s after close", i.bridge).isEmpty();
    }
    instances.clear();
  }

  @AfterAll
  void dropDatabase() {
    admin.close();
    database.close();
  }

  @Test
  void aWaiterOnOneInstanceWakesWhenAnotherInstancePublishesTheCompletion(TestReporter reporter) {
    Instance a = start("a", Duration.ofMillis(250), Duration.ofSeconds(2));
    Instance b = start("b", Duration.ofMillis(250), Duration.ofSeconds(2));
    int rounds = 20;
    long[] micros = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      ContentKey key = ContentKey.soundEffect(i);
      CompletableFuture<Long> wokenAt = b.notifier.waitForCompletion(key, "p-" + i, WAIT)
          .thenApply(outcome -> System.nanoTime());
      sleepMillis(37L * i % 250); // completions at every phase of B's poll
      long sentAt = System.nanoTime();
      a.notifier.notifyCompletion(key, CompletionOutcome.succeeded("p-" + i));
      assertThat(wokenAt).succeedsWithin(WAIT);
      micros[i] = TimeUnit.NANOSECONDS.toMicros(wokenAt.join() - sentAt);
    }
    Arrays.sort(micros);
    String latency = String.format(Locale.ROOT, "%s: notify on A -> waiter on B woken (poll every 250 ms), %d rounds:"
        + " median %.1f ms, p90 %.1f ms, max %.1f ms", getClass().getSimpleName(), rounds, micros[rounds / 2] / 1000.0,
        micros[rounds * 9 / 10] / 1000.0, micros[rounds - 1] / 1000.0);
    reporter.publishEntry("latency", latency);
    System.out.println(latency);
    assertThat(micros[rounds / 2]).as("median wake latency, µs").isLessThan(400_000);
    eventually("A counted every completion it published", () -> a.stats().published() == rounds);
    assertThat(b.stats().received()).isEqualTo(rounds);
    assertThat(b.stats().published()).isZero();
  }

  @Test
  void aCompletionIsPublishedOnceNeverEchoedAndCarriesAnyText() {
    Instance a = start("a", Duration.ofMillis(20), Duration.ofMillis(200));
    Instance b = start("b", Duration.ofMillis(20), Duration.ofMillis(200));
    List<String> texts = List.of(
        "quotes ' \" ` and $$dollar$$ quoting; DROP TABLE x; --",
        "back\\slash, \\N, pipes | and || newlines\nand\r\nreturns",
        "unicode: Grüße, 日本語, emoji 🎵🔊, RTL שלום");
    for (int i = 0; i < texts.size(); i++) {
      ContentKey key = ContentKey.speech(i);
      CompletionOutcome outcome = CompletionOutcome.failed("p-" + i, texts.get(i));
      CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(key, WAIT);
      a.notifier.notifyCompletion(key, outcome);
      assertThat(onB).as(texts.get(i)).succeedsWithin(WAIT).isEqualTo(outcome);
    }
    ContentKey longKey = ContentKey.speech(9);
    CompletableFuture<CompletionOutcome> cut = b.notifier.waitForCompletion(longKey, WAIT);
    a.notifier.notifyCompletion(longKey, CompletionOutcome.failed("p-9", "x".repeat(10_000)));
    assertThat(cut).succeedsWithin(WAIT).satisfies(o -> assertThat(o.error()).hasSize(4000)
        .endsWith("... [cut, 10000 characters]"));
    // B answers one completion of its own: A receives it, and neither hears its own back
    CompletableFuture<CompletionOutcome> onA = a.notifier.waitForCompletion(ContentKey.speech(20), WAIT);
    b.notifier.notifyCompletion(ContentKey.speech(20), CompletionOutcome.succeeded("p-20"));
    assertThat(onA).succeedsWithin(WAIT);
    eventually("each bridge read its own rows back and skipped them",
        () -> a.stats().skippedOwn() == 4 && b.stats().skippedOwn() == 1);
    assertThat(a.events.events()).extracting(CompletionEvent::origin).containsOnly(CompletionEvent.Origin.LOCAL,
        CompletionEvent.Origin.REMOTE).hasSize(5);
    assertThat(a.stats()).extracting("published", "received", "dropped").containsExactly(4L, 1L, 0L);
    assertThat(b.stats()).extracting("published", "received", "dropped").containsExactly(1L, 4L, 0L);
  }

  @Test
  void anIdleBridgeBacksOffAndAWaiterBringsItBack() {
    Instance a = start("a", Duration.ofMillis(20), Duration.ofMillis(320));
    eventually("backed off to the idle interval", () -> a.stats().pause().equals(Duration.ofMillis(320)));
    long pollsBefore = a.stats().polls();
    sleepMillis(1_000);
    long idlePolls = a.stats().polls() - pollsBefore;
    assertThat(idlePolls).as("polls in 1 s while idle").isBetween(2L, 6L);
    CompletableFuture<CompletionOutcome> waiter = a.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    eventually("a waiter brings the poll interval back", () -> a.stats().pause().equals(Duration.ofMillis(20)));
    waiter.cancel(true);
  }

  @Test
  void startFailsClearlyWithoutTheTableAndLeavesNothingRunning() {
    TestDatabase empty = openDatabase();
    try (HikariDataSource pool = empty.settings("poll-empty-" + shortId()).poolSize(1).build().createDataSource()) {
      WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
      int before = allBridgeThreads();
      assertThatThrownBy(() -> PollingCompletionBridge.start(pool, notifier))
          .isInstanceOf(StorageException.class)
          .hasMessageContaining("Completion bridge: reading ra_completion_events failed: a table is missing; install"
              + " the schema");
      assertThat(allBridgeThreads()).isEqualTo(before);
      assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
      notifier.close();
    } finally {
      empty.close();
    }
  }

  @Test
  void builderValuesOutOfRangeAreRefusedWithTheRule() {
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
    PollingCompletionBridge.Builder b = PollingCompletionBridge.builder(admin, notifier);
    assertThatThrownBy(() -> b.pollInterval(Duration.ofMillis(5), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval interval=0.005 s is out of range: accepted 0.01 s to 60 s");
    assertThatThrownBy(() -> b.pollInterval(Duration.ofSeconds(1), Duration.ofMillis(500)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("pollInterval idle=0.5 s is out of range: accepted interval (1 s) to 600 s");
    assertThatThrownBy(() -> b.retention(Duration.ofSeconds(5))).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("retention=5 s is out of range: accepted 60 s to 7 days");
    assertThatThrownBy(() -> b.queueCapacity(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity=0 is out of range: accepted 1 to 1000000");
    assertThatThrownBy(() -> PollingCompletionBridge.builder(null, notifier)).isInstanceOf(NullPointerException.class)
        .hasMessage("dataSource == null");
    notifier.close();
  }

  // ---- helpers ----

  Instance start(String name, Duration interval, Duration idle) {
    HikariDataSource pool = database.settings("poll-" + name + "-" + shortId()).poolSize(1).maxOverflow(1).build()
        .createDataSource();
    RecordingCompletionListener events = new RecordingCompletionListener();
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().listener(events).build();
    PollingCompletionBridge bridge = PollingCompletionBridge.builder(pool, notifier).pollInterval(interval, idle)
        .start();
    Instance i = new Instance(notifier, events, bridge, pool);
    instances.add(i);
    return i;
  }

  static String shortId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  static List<String> bridgeThreads(PollingCompletionBridge bridge) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.equals(THREAD_PREFIX + bridge.instanceId())).collect(Collectors.toList());
  }

  static int allBridgeThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith(THREAD_PREFIX)).count();
  }

  static void sleepMillis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("not within " + WAIT.toSeconds() + " s: " + what);
      }
      sleepMillis(10);
    }
  }
}
