package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;
import static org.assertj.core.api.Assertions.tuple;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.StorageException;
import dev.replicateaudio.testing.Ci;
import dev.replicateaudio.testing.RecordingCompletionListener;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;
import org.h2.jdbcx.JdbcDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestReporter;

/**
 * Two (or more) "instances", each a notifier with its own bridge, on one real PostgreSQL: embedded
 * in the test JVM, or the server {@code REPLICATE_AUDIO_TEST_PG_URL} names. After every test each
 * bridge it started has no thread left.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PostgresCompletionBridgeTest {
  static final Duration WAIT = Duration.ofSeconds(15);
  static final String THREAD_PREFIX = "replicate-audio-bridge-";

  TestDatabase database;
  DatabaseSettings admin;
  final List<Instance> instances = new ArrayList<>();
  final List<AutoCloseable> cleanups = new ArrayList<>();

  /** One instance of a host: a notifier that records its events, and its bridge. */
  record Instance(WebhookCompletionNotifier notifier, RecordingCompletionListener events,
      PostgresCompletionBridge bridge, String poolName) {
    PostgresCompletionBridge.Stats stats() {
      return bridge.stats();
    }
  }

  @BeforeAll
  void openDatabase() {
    database = PostgresServer.get().newDatabase();
    admin = database.settings(unique("ra-admin")).build();
  }

  @AfterEach
  void closeEverythingAndCheckThreads() throws Exception {
    for (Instance i : instances) {
      i.bridge.close();
      i.notifier.close();
    }
    for (int k = cleanups.size() - 1; k >= 0; k--) {
      cleanups.get(k).close();
    }
    cleanups.clear();
    for (Instance i : instances) {
      assertThat(bridgeThreads(i.bridge)).as("threads of %s after close", i.bridge).isEmpty();
    }
    instances.clear();
  }

  @AfterAll
  void dropDatabase() {
    database.close();
  }

  // ---- the fast path ----

  @Test
  void aWaiterOnOneInstanceWakesWhenAnotherInstanceNotifiesTheCompletion(TestReporter reporter) {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    int rounds = 40;
    long[] micros = new long[rounds];
    for (int i = 0; i < rounds; i++) {
      ContentKey key = ContentKey.soundEffect(i);
      CompletableFuture<Long> wokenAt = b.notifier.waitForCompletion(key, "p-" + i, WAIT)
          .thenApply(outcome -> {
            assertThat(outcome).isEqualTo(CompletionOutcome.succeeded("p-" + (int) key.contentId()));
            return System.nanoTime();
          });
      long sentAt = System.nanoTime();
      a.notifier.notifyCompletion(key, CompletionOutcome.succeeded("p-" + i));
      assertThat(wokenAt).succeedsWithin(WAIT);
      micros[i] = TimeUnit.NANOSECONDS.toMicros(wokenAt.join() - sentAt);
    }
    Arrays.sort(micros);
    String latency = String.format(Locale.ROOT, "notify on A -> waiter on B woken, %d rounds: median %.2f ms,"
        + " p90 %.2f ms, max %.2f ms", rounds, micros[rounds / 2] / 1000.0, micros[rounds * 9 / 10] / 1000.0,
        micros[rounds - 1] / 1000.0);
    reporter.publishEntry("latency", latency);
    System.out.println(latency);
    eventually("A counted every completion it published", () -> a.stats().published() == rounds);
    assertThat(b.stats().received()).isEqualTo(rounds);
    assertThat(b.stats().published()).isZero();
  }

  @Test
  void aCompletionIsPublishedOnceAndNeverEchoed() throws Exception {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    // added after the bridge's own listener, so it hears of an event after the bridge has handled it
    RecordingCompletionListener afterBridgeOnB = new RecordingCompletionListener();
    b.notifier.addListener(afterBridgeOnB);
    cleanups.add(() -> b.notifier.removeListener(afterBridgeOnB));
    ContentKey key = ContentKey.speech(1);
    CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(key, WAIT);
    a.notifier.notifyCompletion(key, CompletionOutcome.failed("p-1", "voice not found"));
    assertThat(onB).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.failed("p-1", "voice not found"));
    eventually("B's bridge has handled the remote completion", () -> afterBridgeOnB.events().size() == 1);

    // a sentinel from B: notifications on a channel arrive in order, so an echo of key by B would reach A first
    ContentKey sentinel = ContentKey.speech(2);
    CompletableFuture<CompletionOutcome> onA = a.notifier.waitForCompletion(sentinel, WAIT);
    b.notifier.notifyCompletion(sentinel, CompletionOutcome.succeeded("p-2"));
    assertThat(onA).succeedsWithin(WAIT);
    // waiters are woken before listeners hear of it: wait for the listeners too
    eventually("A's listener saw the sentinel", () -> a.events.events().size() >= 2);

    assertThat(a.events.events()).extracting(CompletionEvent::key, CompletionEvent::origin).containsExactly(
        tuple(key, CompletionEvent.Origin.LOCAL), tuple(sentinel, CompletionEvent.Origin.REMOTE));
    assertThat(b.events.events()).extracting(CompletionEvent::key, CompletionEvent::origin, CompletionEvent::waitersWoken)
        .containsExactly(tuple(key, CompletionEvent.Origin.REMOTE, 1), tuple(sentinel, CompletionEvent.Origin.LOCAL, 0));
    eventually("each bridge published one and skipped its own notification", () -> a.stats().skippedOwn() == 1
        && b.stats().skippedOwn() == 1 && b.stats().published() == 1);
    assertThat(a.stats()).extracting("published", "received").containsExactly(1L, 1L);
    assertThat(b.stats()).extracting("published", "received").containsExactly(1L, 1L);
  }

  @Test
  void errorTextsOfEveryKindArriveUnchanged() {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    List<String> texts = List.of(
        "quotes ' \" ` and $$dollar$$ quoting; DROP TABLE x; --",
        "back\\slash, \\N, \\p, \\u0041 and a trailing \\",
        "pipes | and || between ra1|fields|",
        "lines\nand\r\nreturns\rand\ttabs\n",
        "NUL \0 inside",
        "unicode: Grüße, 日本語, emoji 🎵🔊, combining é, RTL שלום",
        "lone surrogates \ud800 and \udfff",
        "\\N");
    for (int i = 0; i < texts.size(); i++) {
      ContentKey key = ContentKey.backgroundMusic(i);
      CompletionOutcome outcome = i % 2 == 0 ? CompletionOutcome.failed(null, texts.get(i))
          : CompletionOutcome.canceled("p|" + i + "\\N", texts.get(i));
      CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(key, WAIT);
      a.notifier.notifyCompletion(key, outcome);
      assertThat(onB).as(texts.get(i)).succeedsWithin(WAIT).isEqualTo(outcome);
    }
    assertThat(a.stats().truncated()).isZero();
  }

  @Test
  void errorsTooLongForAPayloadArriveCutAtACharacterBoundaryWithAMarker() {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    List<String> errors = List.of("x".repeat(10_240), "日".repeat(10_240), "🎵".repeat(5_120),
        "line\n\"quoted\" | ".repeat(700));
    for (int i = 0; i < errors.size(); i++) {
      String error = errors.get(i);
      ContentKey key = ContentKey.soundEffect(100 + i);
      CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(key, "p-long", WAIT);
      a.notifier.notifyCompletion(key, CompletionOutcome.failed("p-long", error));
      String marker = "... [cut, " + error.length() + " characters]";
      assertThat(onB).succeedsWithin(WAIT).satisfies(o -> {
        assertThat(o.error()).endsWith(marker).hasSizeLessThan(error.length());
        String kept = o.error().substring(0, o.error().length() - marker.length());
        assertThat(kept).isNotEmpty();
        assertThat(error).startsWith(kept);
        assertThat(Character.isHighSurrogate(kept.charAt(kept.length() - 1))).isFalse();
        assertThat(o.predictionId()).isEqualTo("p-long");
      });
    }
    eventually("A counted the cut errors", () -> a.stats().truncated() == errors.size());
    assertThat(a.stats().dropped()).isZero();
  }

  @Test
  void thePayloadLimitIsPostgresqlsOwn() throws SQLException {
    assertThat(PostgresCompletionBridge.MAX_PAYLOAD_BYTES).isEqualTo(7999);
    try (Connection c = connect(admin)) {
      assertThat(query(c, "SELECT pg_notify('ra_limit', repeat('a', 7999))")).isEqualTo("");
      assertThatThrownBy(() -> query(c, "SELECT pg_notify('ra_limit', repeat('a', 8000))"))
          .isInstanceOf(SQLException.class).hasMessageContaining("payload string too long");
    }
  }

  @Test
  void aDatabaseThatIsNotUtf8CarriesUnicodeAsAsciiEscapes() throws Exception {
    String db = "ra_latin1_" + shortId();
    execute(admin, "CREATE DATABASE " + db + " ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0");
    cleanups.add(() -> execute(admin, "DROP DATABASE IF EXISTS " + db + " WITH (FORCE)"));
    DatabaseSettings latin1 = admin.toBuilder().url(withDatabase(admin.url(), db)).build();
    try (Connection c = connect(latin1)) {
      assertThat(query(c, "SHOW server_encoding")).isEqualTo("LATIN1");
      // what the bridge must avoid: a raw non-Latin-1 character in a payload
      assertThatThrownBy(() -> query(c, "SELECT pg_notify('ra_x', '日')")).isInstanceOf(SQLException.class)
          .hasMessageContaining("LATIN1");
    }
    String channel = channel();
    Instance a = start("a", channel, s -> s.url(latin1.url()));
    Instance b = start("b", channel, s -> s.url(latin1.url()));
    String unicode = "Grüße, 日本語, 🎵, \ud800, \0";
    CompletableFuture<CompletionOutcome> short1 = b.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    CompletableFuture<CompletionOutcome> long1 = b.notifier.waitForCompletion(ContentKey.speech(2), WAIT);
    a.notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.failed("p-ü", unicode));
    a.notifier.notifyCompletion(ContentKey.speech(2), CompletionOutcome.failed("p-2", "日".repeat(10_000)));
    assertThat(short1).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.failed("p-ü", unicode));
    assertThat(long1).succeedsWithin(WAIT).satisfies(o -> assertThat(o.error())
        .startsWith("日".repeat(1_000)).endsWith("... [cut, 10000 characters]"));
    assertThat(a.stats().dropped()).isZero();
  }

  // ---- outages ----

  @Test
  void afterItsListeningBackendIsTerminatedTheBridgeListensAgain() throws Exception {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    assertThat(terminate(b.poolName + "-bridge-listen")).isEqualTo(1);
    eventually("B noticed the loss and listens again", () -> b.stats().listenerOutages() == 1 && b.stats().listening());

    ContentKey key = ContentKey.soundEffect(7);
    CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(key, WAIT);
    a.notifier.notifyCompletion(key, CompletionOutcome.succeeded("p-7"));
    assertThat(onB).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-7"));

    // the sending side recovers too: kill A's sender, B still hears A
    assertThat(terminate(a.poolName + "-bridge-send")).isEqualTo(1);
    ContentKey after = ContentKey.soundEffect(8);
    CompletableFuture<CompletionOutcome> again = b.notifier.waitForCompletion(after, WAIT);
    a.notifier.notifyCompletion(after, CompletionOutcome.succeeded("p-8"));
    assertThat(again).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-8"));
    assertThat(a.stats().senderOutages()).isEqualTo(1);
    assertThat(a.stats().dropped()).isZero();
    assertThat(b.stats().listenerOutages()).isEqualTo(1);
  }

  @Test
  void afterAServerRestartBothBridgesReconnectAndCarryCompletionsAgain() throws Exception {
    Path dataDir = Files.createTempDirectory(TestTmp.dir(), "pg-restart-");
    EmbeddedPostgres first = startServer(dataDir, 0);
    int port = first.getPort();
    EmbeddedPostgres[] running = {first};
    cleanups.add(() -> {
      if (running[0] != null) {
        running[0].close();
      }
      try (java.util.stream.Stream<Path> files = Files.walk(dataDir)) {
        for (Path f : files.sorted(java.util.Comparator.reverseOrder()).collect(Collectors.toList())) {
          Files.deleteIfExists(f);
        }
      }
    });
    String url = first.getJdbcUrl("postgres", "postgres");
    String channel = channel();
    Instance a = start("a", channel, s -> s.url(url));
    Instance b = start("b", channel, s -> s.url(url));

    first.close(); // a fast shutdown, like a restart's first half
    running[0] = null;
    eventually("both bridges noticed the server is gone", () -> !a.stats().listening() && !b.stats().listening());
    running[0] = startServer(dataDir, port);
    eventually("both bridges listen again", () -> a.stats().listening() && b.stats().listening());

    CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    CompletableFuture<CompletionOutcome> onA = a.notifier.waitForCompletion(ContentKey.speech(2), WAIT);
    a.notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p-1"));
    b.notifier.notifyCompletion(ContentKey.speech(2), CompletionOutcome.succeeded("p-2"));
    assertThat(onB).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-1"));
    assertThat(onA).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-2"));
    assertThat(a.stats().listenerOutages()).isEqualTo(1);
    assertThat(b.stats().listenerOutages()).isEqualTo(1);
    assertThat(a.stats().dropped() + b.stats().dropped()).isZero();
  }

  static EmbeddedPostgres startServer(Path dataDir, int port) {
    try {
      return EmbeddedPostgres.builder().setDataDirectory(dataDir).setCleanDataDirectory(false).setPort(port)
          .setRegisterShutdownHook(true).start();
    } catch (IOException | RuntimeException e) {
      throw Ci.unavailable("can't start an embedded PostgreSQL server on " + dataDir, e);
    }
  }

  @Test
  void duringAnOutageAFullSendQueueDropsWithoutBlockingAndBothSidesRecover() throws Exception {
    String role = "ra_bridge_" + shortId();
    execute(admin, "CREATE ROLE " + role + " LOGIN PASSWORD 'bridge-pw'");
    cleanups.add(() -> {
      execute(admin, "ALTER ROLE " + role + " LOGIN");
      terminateRole(role);
      execute(admin, "DROP ROLE " + role);
    });
    String channel = channel();
    Instance a = start("a", channel, s -> s.url(withoutUser(admin.url())).user(role).password("bridge-pw"),
        b -> b.queueCapacity(4));
    Instance b = start("b", channel, UnaryOperator.identity());
    assertThat(userOf(a)).isEqualTo(role);

    // the outage: A's sessions end and A may not log in again
    execute(admin, "ALTER ROLE " + role + " NOLOGIN");
    assertThat(terminateRole(role)).isEqualTo(2);
    eventually("A noticed the loss of its listening connection", () -> a.stats().listenerOutages() == 1
        && !a.stats().listening());
    List<CompletableFuture<CompletionOutcome>> onB = new ArrayList<>();
    for (int i = 0; i <= 4; i++) {
      onB.add(b.notifier.waitForCompletion(ContentKey.speech(i), WAIT.multipliedBy(2)));
    }
    a.notifier.notifyCompletion(ContentKey.speech(0), CompletionOutcome.succeeded("p-0"));
    eventually("A's sender found its connection gone and holds the completion", () -> a.stats().senderOutages() == 1
        && a.stats().queued() == 0);

    long start = System.nanoTime();
    for (int i = 1; i <= 1_000; i++) {
      a.notifier.notifyCompletion(ContentKey.speech(i), CompletionOutcome.succeeded("p-" + i));
    }
    Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
    System.out.println("1000 notifications with a stalled sender took " + elapsed.toMillis() + " ms");
    assertThat(elapsed).as("notifying never blocks").isLessThan(Duration.ofSeconds(5));
    assertThat(a.stats().queued()).isEqualTo(4);
    assertThat(a.stats().dropped()).isEqualTo(996);
    Thread.sleep(300); // some reconnection attempts fail meanwhile: still one outage each
    assertThat(a.stats().listenerOutages()).isEqualTo(1);
    assertThat(a.stats().senderOutages()).isEqualTo(1);
    assertThat(onB).noneMatch(CompletableFuture::isDone);

    execute(admin, "ALTER ROLE " + role + " LOGIN");
    for (int i = 0; i <= 4; i++) {
      assertThat(onB.get(i)).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-" + i));
    }
    eventually("A listens again", () -> a.stats().listening());
    ContentKey fromB = ContentKey.speech(2_000);
    CompletableFuture<CompletionOutcome> onA = a.notifier.waitForCompletion(fromB, WAIT);
    b.notifier.notifyCompletion(fromB, CompletionOutcome.succeeded("p-b"));
    assertThat(onA).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-b"));
    eventually("A counted what it published", () -> a.stats().published() == 5);
    assertThat(a.stats()).extracting("published", "dropped", "listenerOutages", "senderOutages", "queued")
        .containsExactly(5L, 996L, 1L, 1L, 0);
    assertThat(b.stats().received()).isEqualTo(5);
  }

  // ---- lifecycle ----

  @Test
  void closeStopsBothThreadsAndClosesBothConnections() throws Exception {
    Instance a = start("a", channel(), UnaryOperator.identity());
    assertThat(bridgeThreads(a.bridge)).hasSize(2);
    assertThat(connectionsOf(a.poolName)).containsExactlyInAnyOrder(a.poolName + "-bridge-listen",
        a.poolName + "-bridge-send");

    a.notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p-1"));
    a.bridge.close();
    assertThat(bridgeThreads(a.bridge)).isEmpty();
    eventually("no connection of the bridge in pg_stat_activity", () -> connectionsOf(a.poolName).isEmpty());
    assertThat(a.stats().published()).as("what was queued is sent on close").isEqualTo(1);
    assertThat(a.stats().listening()).isFalse();

    a.bridge.close(); // idempotent
    a.notifier.notifyCompletion(ContentKey.speech(2), CompletionOutcome.succeeded("p-2"));
    assertThat(a.stats()).extracting("published", "dropped", "queued").containsExactly(1L, 0L, 0);
    assertThat(a.bridge.toString()).contains(a.bridge.instanceId(), a.bridge.channel()).doesNotContain("password");
  }

  @Test
  void aWaitersActionMayCloseTheBridgeThatWokeIt() {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    CompletableFuture<Long> closedIn = b.notifier.waitForCompletion(ContentKey.speech(1), WAIT).thenApply(o -> {
      assertThat(Thread.currentThread().getName()).startsWith(THREAD_PREFIX + "listener-");
      long start = System.nanoTime();
      b.bridge.close(); // on the listener thread itself
      return System.nanoTime() - start;
    });
    a.notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p-1"));
    assertThat(closedIn).succeedsWithin(WAIT);
    assertThat(Duration.ofNanos(closedIn.join())).as("close() does not wait for its own thread")
        .isLessThan(Duration.ofSeconds(4));
    eventually("B's threads ended", () -> bridgeThreads(b.bridge).isEmpty());
    eventually("B's connections closed", () -> connectionsOf(b.poolName).isEmpty());
  }

  @Test
  void aPooledDataSourceLendsTwoConnectionsAndGetsThemBackNoLongerListening() throws Exception {
    String channel = channel();
    HikariDataSource pool = database.settings(unique("ra-pool")).poolSize(2).maxOverflow(0)
        .leakDetectionThreshold(Duration.ZERO).build().createDataSource();
    cleanups.add(pool);
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
    cleanups.add(notifier);
    PostgresCompletionBridge pooled = PostgresCompletionBridge.builder(pool, notifier).channel(channel).start();
    cleanups.add(pooled);
    Instance b = start("b", channel, UnaryOperator.identity());
    assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isEqualTo(2);
    assertThat(pooled.toString()).contains("pool '" + pool.getPoolName() + "'");

    CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p-1"));
    assertThat(onB).succeedsWithin(WAIT);
    CompletableFuture<CompletionOutcome> onPooled = notifier.waitForCompletion(ContentKey.speech(2), WAIT);
    b.notifier.notifyCompletion(ContentKey.speech(2), CompletionOutcome.succeeded("p-2"));
    assertThat(onPooled).succeedsWithin(WAIT);

    pooled.close();
    assertThat(bridgeThreads(pooled)).isEmpty();
    assertThat(pool.getHikariPoolMXBean().getActiveConnections()).isZero();
    try (Connection c1 = pool.getConnection(); Connection c2 = pool.getConnection()) {
      assertThat(query(c1, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
      assertThat(query(c2, "SELECT count(*) FROM pg_listening_channels()")).isEqualTo("0");
    }
  }

  @Test
  void notificationsThatAreNotCompletionsAreCountedAndIgnored() throws Exception {
    String channel = channel();
    Instance a = start("a", channel, UnaryOperator.identity());
    Instance b = start("b", channel, UnaryOperator.identity());
    try (Connection c = connect(admin)) {
      query(c, "SELECT pg_notify('" + channel + "', 'hello')");
      query(c, "SELECT pg_notify('" + channel + "', 'ra1|x|speech|1|PENDING|p|\\N')");
      query(c, "SELECT pg_notify('" + channel + "', '')");
    }
    eventually("three malformed notifications counted", () -> b.stats().malformed() == 3);
    CompletableFuture<CompletionOutcome> onB = b.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    a.notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p-1"));
    assertThat(onB).succeedsWithin(WAIT);
    eventually("B's listener saw the completion", () -> b.events.events().size() == 1);
    assertThat(b.events.events()).extracting(CompletionEvent::key).containsExactly(ContentKey.speech(1));
    assertThat(b.stats()).extracting("received", "malformed").containsExactly(1L, 3L);
  }

  @Test
  void bridgesOnDifferentChannelsDoNotHearEachOther() {
    String one = channel();
    Instance a = start("a", one, UnaryOperator.identity());
    Instance other = start("other", channel(), UnaryOperator.identity());
    Instance c = start("c", one, UnaryOperator.identity());
    CompletableFuture<CompletionOutcome> onC = c.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    CompletableFuture<CompletionOutcome> onOther = other.notifier.waitForCompletion(ContentKey.speech(1), WAIT);
    a.notifier.notifyCompletion(ContentKey.speech(1), CompletionOutcome.succeeded("p-1"));
    assertThat(onC).succeedsWithin(WAIT);
    assertThat(onOther).isNotDone();
    assertThat(other.stats()).extracting("received", "skippedOwn", "malformed").containsExactly(0L, 0L, 0L);
  }

  // ---- refusals ----

  @Test
  void startRefusesADatabaseThatIsNotPostgresql() {
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
    int before = allBridgeThreads();
    assertThatThrownBy(() -> PostgresCompletionBridge.start(DatabaseSettings.builder().url("jdbc:h2:mem:bridge")
        .build(), notifier))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("PostgresCompletionBridge needs PostgreSQL (LISTEN/NOTIFY), but"
            + " DATABASE_URL='jdbc:h2:mem:bridge' is not a jdbc:postgresql: URL");
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:bridge-" + shortId());
    assertThatThrownBy(() -> PostgresCompletionBridge.start(h2, notifier))
        .isInstanceOf(ConfigurationException.class)
        .hasMessageContaining("PostgresCompletionBridge needs PostgreSQL (LISTEN/NOTIFY), but data source"
            + " org.h2.jdbcx.JdbcDataSource is H2");
    assertThat(allBridgeThreads()).isEqualTo(before);
  }

  @Test
  void startFailsFastAndLeavesNothingWhenTheDatabaseCannotBeReached() {
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
    int before = allBridgeThreads();
    DatabaseSettings nowhere = DatabaseSettings.builder().url("jdbc:postgresql://127.0.0.1:1/nowhere")
        .password("s3cret-pw").poolTimeout(Duration.ofSeconds(1)).build();
    assertThatThrownBy(() -> PostgresCompletionBridge.builder(nowhere, notifier).channel("ra_nowhere").start())
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("Completion bridge: listening on channel 'ra_nowhere' of jdbc:postgresql://127.0.0.1:1/nowhere"
            + " failed: the database connection failed")
        .hasMessageNotContaining("s3cret-pw")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
    assertThat(allBridgeThreads()).isEqualTo(before);
  }

  @Test
  void builderValuesOutOfRangeAreRefusedWithTheRule() {
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
    PostgresCompletionBridge.Builder b = PostgresCompletionBridge.builder(admin, notifier);
    for (String bad : List.of("", "1abc", "has-dash", "has space", "q\"uote", "x".repeat(64), "ünicode")) {
      assertThatThrownBy(() -> b.channel(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("is not accepted: 1 to 63 characters of [A-Za-z0-9_], not starting with a digit");
    }
    assertThat(b.channel("x".repeat(63))).isSameAs(b);
    assertThatThrownBy(() -> b.queueCapacity(0)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("queueCapacity=0 is out of range: accepted 1 to 1000000");
    assertThatThrownBy(() -> b.queueCapacity(1_000_001)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("queueCapacity=1000001 is out of range");
    assertThatThrownBy(() -> b.reconnectDelay(Duration.ZERO, Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconnectDelay min=0 s is out of range: accepted 0.001 s to 60 s");
    assertThatThrownBy(() -> b.reconnectDelay(Duration.ofSeconds(2), Duration.ofSeconds(1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("reconnectDelay max=1 s is out of range: accepted min (2 s) to 600 s");
    assertThatThrownBy(() -> b.channel(null)).isInstanceOf(NullPointerException.class).hasMessage("channel == null");
    assertThatThrownBy(() -> PostgresCompletionBridge.start((DatabaseSettings) null, notifier))
        .isInstanceOf(NullPointerException.class).hasMessage("settings == null");
    assertThatThrownBy(() -> PostgresCompletionBridge.start(admin, null))
        .isInstanceOf(NullPointerException.class).hasMessage("notifier == null");
  }

  @Test
  void withoutThePostgresqlDriverStartFailsNamingTheMissingArtifact() throws Exception {
    String classpath = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(entry -> !entry.replace('\\', '/').contains("/org/postgresql/postgresql/"))
        .collect(Collectors.joining(File.pathSeparator));
    assertThat(classpath).isNotEqualTo(System.getProperty("java.class.path"));
    Path java = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process p = new ProcessBuilder(java.toString(), "-Xshare:auto", "-XX:TieredStopAtLevel=1", "-Xmx64m",
        "-Djava.io.tmpdir=" + System.getProperty("java.io.tmpdir"), "-cp", classpath,
        BridgeWithoutDriverMain.class.getName())
        .redirectError(ProcessBuilder.Redirect.INHERIT).start();
    List<String> lines;
    try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      lines = out.lines().collect(Collectors.toList());
    } finally {
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        fail("child JVM did not end within 60 s");
      }
    }
    assertThat(p.exitValue()).isZero();
    assertThat(lines).containsExactly(
        "driver class loadable: false",
        "settings: dev.replicateaudio.ConfigurationException: Invalid configuration:"
            + " DATABASE_URL='jdbc:postgresql://127.0.0.1:1/nowhere' has no JDBC driver on the classpath;"
            + " PostgresCompletionBridge needs org.postgresql:postgresql",
        "dataSource: dev.replicateaudio.ConfigurationException: Invalid configuration: PostgresCompletionBridge needs"
            + " the PostgreSQL JDBC driver (org.postgresql:postgresql, class org.postgresql.PGConnection) on the"
            + " classpath; add it");
  }

  // ---- helpers ----

  Instance start(String name, String channel, UnaryOperator<DatabaseSettings.Builder> settings) {
    return start(name, channel, settings, UnaryOperator.identity());
  }

  Instance start(String name, String channel, UnaryOperator<DatabaseSettings.Builder> settings,
      UnaryOperator<PostgresCompletionBridge.Builder> tune) {
    String pool = unique("ra-" + name);
    RecordingCompletionListener events = new RecordingCompletionListener();
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().listener(events).build();
    DatabaseSettings s = settings.apply(database.settings(pool)).build();
    PostgresCompletionBridge bridge = tune.apply(PostgresCompletionBridge.builder(s, notifier).channel(channel)
        .reconnectDelay(Duration.ofMillis(20), Duration.ofMillis(200))).start();
    Instance i = new Instance(notifier, events, bridge, pool);
    instances.add(i);
    return i;
  }

  static String unique(String prefix) {
    return prefix + "-" + shortId();
  }

  static String shortId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
  }

  static String channel() {
    return "ra_test_" + shortId();
  }

  static List<String> bridgeThreads(PostgresCompletionBridge bridge) {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(n -> n.startsWith(THREAD_PREFIX) && n.endsWith("-" + bridge.instanceId()))
        .collect(Collectors.toList());
  }

  static int allBridgeThreads() {
    return (int) Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive)
        .filter(t -> t.getName().startsWith(THREAD_PREFIX)).count();
  }

  /** The application names of the server's sessions whose name starts with {@code poolName}. */
  List<String> connectionsOf(String poolName) {
    try (Connection c = connect(admin);
        PreparedStatement ps = c.prepareStatement("SELECT application_name FROM pg_stat_activity"
            + " WHERE application_name LIKE ? ORDER BY 1")) {
      ps.setString(1, poolName + "-bridge-%");
      List<String> names = new ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          names.add(rs.getString(1));
        }
      }
      return names;
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Terminates the sessions named {@code applicationName}; returns how many. */
  int terminate(String applicationName) throws SQLException {
    try (Connection c = connect(admin);
        PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            + " WHERE application_name = ?")) {
      ps.setString(1, applicationName);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  int terminateRole(String role) throws SQLException {
    try (Connection c = connect(admin);
        PreparedStatement ps = c.prepareStatement("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
            + " WHERE usename = ?")) {
      ps.setString(1, role);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getInt(1);
      }
    }
  }

  /** The database user of {@code i}'s listening session. */
  String userOf(Instance i) throws SQLException {
    try (Connection c = connect(admin);
        PreparedStatement ps = c.prepareStatement("SELECT usename FROM pg_stat_activity WHERE application_name = ?")) {
      ps.setString(1, i.poolName + "-bridge-listen");
      try (ResultSet rs = ps.executeQuery()) {
        return rs.next() ? rs.getString(1) : null;
      }
    }
  }

  static String query(Connection c, String sql) throws SQLException {
    try (PreparedStatement ps = c.prepareStatement(sql); ResultSet rs = ps.executeQuery()) {
      return rs.next() ? String.valueOf(rs.getString(1) == null ? "" : rs.getString(1)) : null;
    }
  }

  static void execute(DatabaseSettings s, String sql) throws SQLException {
    try (Connection c = connect(s); java.sql.Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }

  static Connection connect(DatabaseSettings s) throws SQLException {
    return DriverManager.getConnection(s.url(), s.user(), s.password());
  }

  /** {@code url} naming database {@code db} instead of its own. */
  static String withDatabase(String url, String db) {
    return url.replaceFirst("^(jdbc:postgresql://[^/]*/)[^?]*", "$1" + db);
  }

  /** {@code url} without a {@code user} parameter, so that the settings' user counts. */
  static String withoutUser(String url) {
    return url.replaceAll("([?&])user=[^&]*&?", "$1").replaceAll("[?&]$", "");
  }

  static void eventually(String what, BooleanSupplier condition) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() - deadline > 0) {
        fail("not within " + WAIT.toSeconds() + " s: " + what);
      }
      try {
        Thread.sleep(10);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        fail("interrupted waiting for: " + what);
      }
    }
  }
}
