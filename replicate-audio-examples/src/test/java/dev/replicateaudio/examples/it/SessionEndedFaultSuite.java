package dev.replicateaudio.examples.it;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.port.TransactionRunner;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * {@link TransactionFaultSuite} plus real outages, on a server whose sessions can be ended from
 * outside ({@link ItDatabase#killSession}): the pipeline's own database session is ended in the
 * middle of its work, before the commit and before the audio insert. The job is released with a
 * retryable error, never lost, and the redelivery stores it; the pool drops the dead connection.
 */
abstract class SessionEndedFaultSuite extends TransactionFaultSuite {
  @Test
  void sessionTerminatedBeforeTheCommitLeavesNothingAndTheRedeliveryStoresIt() {
    AtomicInteger transactions = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).transactions(real -> new TransactionRunner() {
      @Override
      public <T> T inTransaction(TransactionalWork<T> work) {
        boolean kill = transactions.incrementAndGet() == 1;
        return real.inTransaction(() -> {
          T result = work.execute();
          if (kill) {
            // audio, job and result row are written; the backend dies before the commit
            db.killSession(sessionId());
          }
          return result;
        });
      }
    }))) {
      CompletionOutcome outcome = generate(it);

      assertRecoveredAfterOneTransientFailure(it, outcome);
      assertThat(transactions).hasValue(2);
      assertThat(it.jobs.find(outcome.predictionId()).orElseThrow().lastError()).as("the first attempt's error")
          .contains("connection");
    }
  }

  @Test
  void sessionTerminatedBeforeTheAudioInsertFailsTransientlyAndTheRedeliveryStoresIt() {
    AtomicInteger writes = new AtomicInteger();
    try (ItStack it = start(ItStack.on(db).audioStore(real -> (key, file, metadata) -> {
      if (writes.incrementAndGet() == 1) {
        db.killSession(sessionId());
      }
      real.storeAudio(key, file, metadata);
    }))) {
      CompletionOutcome outcome = generate(it);

      assertRecoveredAfterOneTransientFailure(it, outcome);
      assertThat(writes).hasValue(2);
    }
  }
}
