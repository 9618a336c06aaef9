package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.port.StorageException;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.time.Duration;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;

/**
 * The storage contract on a real PostgreSQL: embedded in the test JVM, or the server
 * {@code REPLICATE_AUDIO_TEST_PG_URL} names.
 */
class PostgresStorageContractTest extends StorageContractTest {
  @Override
  TestDatabase openDatabase() {
    return PostgresServer.get().newDatabase();
  }

  @Override
  DisposableServer startDisposableServer() {
    EmbeddedPostgres pg = PostgresServer.startEmbedded();
    return new DisposableServer() {
      @Override
      public DatabaseSettings.Builder settings(String poolName) {
        return DatabaseSettings.builder().url(pg.getJdbcUrl("postgres", "postgres")).poolName(poolName);
      }

      @Override
      public void close() throws Exception {
        pg.close();
      }
    };
  }

  @Test
  void theStatementTimeoutIsAppliedServerSide() {
    assertThat(queryOne("SHOW statement_timeout", String.class)).isEqualTo("30s");
    assertThat(queryOne("SHOW application_name", String.class)).isEqualTo(dataSource.getPoolName());
  }

  @Test
  void aStatementRunningLongerThanTheStatementTimeoutIsCanceledWithAClearError() {
    HikariDataSource impatient = extraPool(database.settings(poolName("sleepy"))
        .statementTimeout(Duration.ofMillis(300)));
    DatabaseSessionManager impatientSessions = DatabaseSessionManager.create(Jdbi.create(impatient));
    long start = System.nanoTime();
    assertThatThrownBy(() -> impatientSessions.execute("nap", h -> h.createQuery("SELECT pg_sleep(10)")
        .mapToMap().one()))
        .isInstanceOf(StorageException.class)
        .hasMessageContaining("nap failed: the statement ran longer than the statement timeout"
            + " (DB_STATEMENT_TIMEOUT) and was canceled")
        .hasMessageContaining("canceling statement due to statement timeout")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isTrue());
    assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(8));
    assertThat(impatientSessions.safeExecute("nap", h -> h.createQuery("SELECT pg_sleep(10)").mapToMap().one()))
        .isEmpty();
  }
}
