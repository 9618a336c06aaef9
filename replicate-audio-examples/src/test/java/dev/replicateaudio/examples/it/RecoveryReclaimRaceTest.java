package dev.replicateaudio.examples.it;

import static dev.replicateaudio.examples.it.ItStack.request;
import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.Submission;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.port.PredictionClient;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.testing.LeakCheckExtension;
import dev.replicateaudio.webhook.RecoveryReport;
import dev.replicateaudio.webhook.WebhookRecovery;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Recovery reclaims a job whose webhook run is still alive (its {@code updated_at} is older than the
 * webhook timeout because processing under load outlasted it), and that run finishes while recovery
 * looks the prediction up: recovery must see the job has moved on and do nothing, so the audio is
 * written once, one result row is logged and waiters are notified once. (Found by the 200-job mixed
 * run with a short webhook timeout; fixed by fencing the finishing moves and re-checking the claim
 * before recovery starts the work.)
 */
@ExtendWith(LeakCheckExtension.class)
class RecoveryReclaimRaceTest {
  static final Duration WAIT = Duration.ofSeconds(60);
  static final ContentKey KEY = ContentKey.soundEffect(1);

  ItDatabase db;

  @BeforeEach
  void createDatabase() {
    db = ItDatabase.h2();
  }

  @AfterEach
  void dropDatabase() {
    db.close();
  }

  @Test
  void recoveryReclaimingAJobWhileItsWebhookRunFinishesDoesNotStoreLogOrNotifyTwice() throws Exception {
    CountDownLatch storing = new CountDownLatch(1);
    CountDownLatch finishStoring = new CountDownLatch(1);
    AtomicInteger writes = new AtomicInteger();
    AtomicInteger notifications = new AtomicInteger();
    try (ItStack it = ItStack.on(db).audioStore(real -> (key, file, metadata) -> {
      if (writes.incrementAndGet() == 1) {
        // the webhook's run, held while it stores (as under load, where it takes longer than the webhook timeout)
        storing.countDown();
        await(finishStoring);
      }
      real.storeAudio(key, file, metadata);
    }).start()) {
      it.audio.notifier().addListener(new CompletionListener() {
        @Override
        public void onCompletion(CompletionEvent event) {
          notifications.incrementAndGet();
        }
      });
      Submission submission = it.audio.submit(KEY, request("door creak", "wav", 0.5)).toCompletableFuture()
          .get(60, TimeUnit.SECONDS);
      String id = submission.predictionId();
      CompletableFuture<CompletionOutcome> waiting = it.audio.await(submission, WAIT).toCompletableFuture();
      assertThat(storing.await(60, TimeUnit.SECONDS)).isTrue();

      // recovery, once the webhook timeout has passed, reclaims the PROCESSING job; its lookup waits at a gate
      CountDownLatch lookedUp = new CountDownLatch(1);
      CompletableFuture<Void> gate = new CompletableFuture<>();
      PredictionClient gated = new PredictionClient() {
        @Override
        public CompletionStage<Prediction> createWebhookPredictionAsync(PredictionRequest request) {
          return it.client.createWebhookPredictionAsync(request);
        }

        @Override
        public CompletionStage<Prediction> getPredictionAsync(String predictionId) {
          lookedUp.countDown();
          return gate.thenCompose(ignored -> it.client.getPredictionAsync(predictionId));
        }

        @Override
        public CompletionStage<Prediction> cancelPredictionAsync(String predictionId) {
          return it.client.cancelPredictionAsync(predictionId);
        }
      };
      WebhookRecovery recovery = WebhookRecovery.builder().jobStore(it.jobs).predictionClient(gated)
          .processor(it.audio.processor()).executor(it.executor).settings(it.settings)
          .clock(Clock.offset(Clock.systemUTC(), it.settings.webhookTimeout().plusSeconds(1))).build();
      CompletableFuture<RecoveryReport> report = recovery.recoverStale().toCompletableFuture();
      assertThat(lookedUp.await(60, TimeUnit.SECONDS)).isTrue();
      assertThat(it.jobs.find(id).orElseThrow().attempts()).as("claimed by the webhook, then by recovery")
          .isEqualTo(2);

      // the webhook's run finishes: audio stored, job succeeded, result logged, waiter woken, webhook answered
      finishStoring.countDown();
      assertThat(waiting).succeedsWithin(WAIT).extracting(CompletionOutcome::status)
          .isEqualTo(CompletionStatus.SUCCEEDED);
      assertThat(it.simulator.awaitWebhooks(WAIT)).isTrue();

      // then recovery goes on with its stale claim
      gate.complete(null);
      assertThat(report).succeedsWithin(WAIT);

      assertThat(it.jobs.results(id)).as("result rows").hasSize(1);
      assertThat(writes).as("audio writes").hasValue(1);
      assertThat(notifications).as("notifications").hasValue(1);
      assertThat(it.inconsistencies()).isEmpty();
    }
  }

  private static void await(CountDownLatch latch) {
    try {
      if (!latch.await(60, TimeUnit.SECONDS)) {
        throw new IllegalStateException("test gate not opened within 60 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
