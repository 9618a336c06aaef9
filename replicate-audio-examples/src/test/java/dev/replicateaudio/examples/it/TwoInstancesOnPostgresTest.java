package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.Submission;
import dev.replicateaudio.examples.simulator.ReplicateSimulator;
import dev.replicateaudio.jdbi.PostgresCompletionBridge;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent.Origin;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.testing.TestFfmpeg;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Two instances of a host on one PostgreSQL database: each with its own facade, notifier, webhook
 * server and pool, joined by a {@link PostgresCompletionBridge} each. Webhooks reach only the instance
 * that submitted the prediction; code waiting on the other instance wakes through LISTEN/NOTIFY,
 * long before its wait would fall back to the job store.
 */
@ExtendWith(LeakCheckExtension.class)
class TwoInstancesOnPostgresTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  /** Longer than any assertion waits: an outcome seen within WAIT came from the bridge, not the store fallback. */
  static final Duration LONG_WAIT = Duration.ofMinutes(10);

  ItDatabase db;

  @BeforeAll
  static void startServer() {
    ItDatabase.startPostgres();
  }

  @BeforeEach
  void createDatabase() {
    db = ItDatabase.postgres();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void aWaiterOnOneInstanceWakesWhenTheOtherProcessesTheWebhook() throws Exception {
    String channel = "ra_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    try (ReplicateSimulator simulator = ReplicateSimulator.builder().ffmpeg(TestFfmpeg.settings())
        .startDelay(Duration.ofMillis(10)).processingTime(Duration.ofMillis(50))
        .leadSilence(Duration.ofMillis(300)).tailSilence(Duration.ofMillis(300)).start();
        ItStack a = ItStack.on(db).sharedSimulator(simulator).pool("it-a", 2, 4).start();
        ItStack b = ItStack.on(db).sharedSimulator(simulator).pool("it-b", 2, 4).start()) {
      a.closeWith(PostgresCompletionBridge.builder(db.settings("it-a").build(), a.audio.notifier()).channel(channel)
          .start());
      b.closeWith(PostgresCompletionBridge.builder(db.settings("it-b").build(), b.audio.notifier()).channel(channel)
          .start());
      List<CompletionEvent> eventsOnA = listen(a);
      List<CompletionEvent> eventsOnB = listen(b);

      // A submits (its webhook URL), B waits: one item, and a batch waited for as a whole
      Submission one = a.audio.submit(ContentKey.soundEffect(1), request("door creak", "wav", 0.5))
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      CompletableFuture<CompletionOutcome> onB = b.audio.await(one, LONG_WAIT).toCompletableFuture();
      List<ContentKey> batch = List.of(ContentKey.soundEffect(2), ContentKey.soundEffect(3),
          ContentKey.backgroundMusic(4));
      CompletableFuture<Map<ContentKey, CompletionOutcome>> batchOnB = b.audio.notifier().waitForAll(batch, LONG_WAIT);
      for (ContentKey key : batch) {
        a.audio.submit(key, request("batch " + key.contentId(), key.contentId() % 2 == 0 ? "mp3" : "wav", 0.5))
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      // and the other way round: B submits and processes, A waits
      Submission other = b.audio.submit(ContentKey.soundEffect(5), request("glass", "mp3", 0.5))
          .toCompletableFuture().get(60, TimeUnit.SECONDS);
      CompletableFuture<CompletionOutcome> onA = a.audio.await(other, LONG_WAIT).toCompletableFuture();

      assertThat(onB).succeedsWithin(WAIT).satisfies(o -> {
        assertThat(o.status()).isEqualTo(CompletionStatus.SUCCEEDED);
        assertThat(o.predictionId()).isEqualTo(one.predictionId());
      });
      assertThat(batchOnB).succeedsWithin(WAIT).satisfies(m -> assertThat(m.values())
          .extracting(CompletionOutcome::status).containsOnly(CompletionStatus.SUCCEEDED));
      assertThat(onA).succeedsWithin(WAIT).extracting(CompletionOutcome::status).isEqualTo(CompletionStatus.SUCCEEDED);
      assertThat(simulator.awaitWebhooks(WAIT)).isTrue();

      // each webhook went to the instance that submitted it, and the other heard of it through the bridge
      assertThat(simulator.deliveries()).allSatisfy(d -> assertThat(d.url().getPort())
          .isEqualTo(d.predictionId().equals(other.predictionId()) ? b.server.port() : a.server.port()));
      assertThat(keys(eventsOnB, Origin.REMOTE)).containsExactlyInAnyOrder(ContentKey.soundEffect(1),
          ContentKey.soundEffect(2), ContentKey.soundEffect(3), ContentKey.backgroundMusic(4));
      assertThat(keys(eventsOnB, Origin.LOCAL)).containsExactly(ContentKey.soundEffect(5));
      assertThat(keys(eventsOnA, Origin.REMOTE)).containsExactly(ContentKey.soundEffect(5));
      assertThat(keys(eventsOnA, Origin.LOCAL)).hasSize(4);
      // one database: both instances see every job and its audio
      assertThat(b.audioKeys()).hasSize(5);
      assertThat(a.inconsistencies()).isEmpty();
      assertThat(a.activeConnections()).isZero();
      assertThat(b.activeConnections()).isZero();
    }
  }

  private static List<CompletionEvent> listen(ItStack it) {
    List<CompletionEvent> events = new CopyOnWriteArrayList<>();
    it.audio.notifier().addListener(new CompletionListener() {
      @Override
      public void onCompletion(CompletionEvent event) {
        events.add(event);
      }
    });
    return events;
  }

  private static List<ContentKey> keys(List<CompletionEvent> events, Origin origin) {
    return events.stream().filter(e -> e.origin() == origin).map(CompletionEvent::key).collect(Collectors.toList());
  }
}
