package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** {@link PollingCompletionBridgeTest} on a local MariaDB, and the pitfall of ids that commit out of order. */
class MariaDbPollingCompletionBridgeTest extends PollingCompletionBridgeTest {
  @Override
  TestDatabase openDatabase() {
    return MariaDbServer.newDatabase("mariadb");
  }

  @Test
  void aCompletionWhoseIdCommitsAfterALaterOneStillArrives() throws Exception {
    Instance a = start("a", Duration.ofMillis(20), Duration.ofMillis(200));
    Instance b = start("b", Duration.ofMillis(20), Duration.ofMillis(200));
    ContentKey late = ContentKey.speech(1);
    ContentKey early = ContentKey.speech(2);
    CompletableFuture<CompletionOutcome> lateOnB = b.notifier().waitForCompletion(late, WAIT);
    CompletableFuture<CompletionOutcome> earlyOnB = b.notifier().waitForCompletion(early, WAIT);
    try (java.sql.Connection c = admin.getConnection()) {
      c.setAutoCommit(false);
      try (java.sql.Statement st = c.createStatement()) {
        // takes an id and holds it uncommitted, as a slow publisher would
        st.executeUpdate("INSERT INTO ra_completion_events (instance_id, content_type, content_id, status,"
            + " prediction_id, error, created_at) VALUES ('elsewhere', 'speech', 1, 'SUCCEEDED', 'p-late', NULL,"
            + " UTC_TIMESTAMP(6))");
      }
      a.notifier().notifyCompletion(early, CompletionOutcome.succeeded("p-early")); // a later id, committed first
      assertThat(earlyOnB).succeedsWithin(WAIT);
      sleepMillis(200); // B polls past the missing id meanwhile
      assertThat(lateOnB).isNotDone();
      c.commit();
    }
    assertThat(lateOnB).succeedsWithin(WAIT).isEqualTo(CompletionOutcome.succeeded("p-late"));
    sleepMillis(200);
    assertThat(b.stats().received()).as("each delivered once, though read again").isEqualTo(2);
  }
}
