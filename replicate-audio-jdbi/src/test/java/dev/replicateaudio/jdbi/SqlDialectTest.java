package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.jdbi.internal.Sql;
import dev.replicateaudio.port.StorageException;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SqlDialectTest {
  @Test
  void detectsEachDatabaseFromWhatItsDriverReports() {
    assertThat(SqlDialect.detect("H2", "2.5.252 (2025-10-06)")).isEqualTo(SqlDialect.H2);
    assertThat(SqlDialect.detect("PostgreSQL", "17.11")).isEqualTo(SqlDialect.POSTGRESQL);
    assertThat(SqlDialect.detect("MySQL", "8.0.36")).isEqualTo(SqlDialect.MYSQL);
    assertThat(SqlDialect.detect("MySQL", "8.0.1")).isEqualTo(SqlDialect.MYSQL);
    assertThat(SqlDialect.detect("MariaDB", "10.11.19-MariaDB-0+deb12u1")).isEqualTo(SqlDialect.MARIADB);
    // MySQL Connector/J reports a MariaDB server as MySQL 5.5.5
    assertThat(SqlDialect.detect("MySQL", "5.5.5-10.11.19-MariaDB-0+deb12u1")).isEqualTo(SqlDialect.MARIADB);
    assertThat(SqlDialect.detect("SQLite", "3.51.1")).isEqualTo(SqlDialect.SQLITE);
  }

  @Test
  void aServerOlderThanTheMinimumFailsNamingTheVersionFoundAndNeeded() {
    assertThatThrownBy(() -> SqlDialect.detect("MySQL", "5.7.44-log"))
        .isInstanceOf(StorageException.class)
        .hasMessage("MySQL 5.7.44-log is too old: replicate-audio-jdbi needs MySQL 8.0.1 or later"
            + " (FOR UPDATE SKIP LOCKED)")
        .satisfies(e -> assertThat(((StorageException) e).isRetryable()).isFalse());
    assertThatThrownBy(() -> SqlDialect.detect("MySQL", "8.0.0-dmr"))
        .hasMessageStartingWith("MySQL 8.0.0-dmr is too old: replicate-audio-jdbi needs MySQL 8.0.1 or later");
    assertThatThrownBy(() -> SqlDialect.detect("MySQL", "5.5.5-10.5.27-MariaDB"))
        .hasMessage("MariaDB 10.5.27-MariaDB is too old: replicate-audio-jdbi needs MariaDB 10.6 or later"
            + " (FOR UPDATE SKIP LOCKED)");
    assertThatThrownBy(() -> SqlDialect.detect("SQLite", "3.34.1"))
        .hasMessage("SQLite 3.34.1 is too old: replicate-audio-jdbi needs SQLite 3.35.0 or later (RETURNING and UPSERT)");
    assertThatThrownBy(() -> SqlDialect.detect("PostgreSQL", "11.22"))
        .hasMessageStartingWith("PostgreSQL 11.22 is too old: replicate-audio-jdbi needs PostgreSQL 12 or later");
    assertThatThrownBy(() -> SqlDialect.detect("MariaDB", "unknown"))
        .hasMessageStartingWith("MariaDB reports version 'unknown', which replicate-audio-jdbi can't read; it needs"
            + " MariaDB 10.6 or later");
  }

  @Test
  void anUnsupportedProductIsNamedWithWhatIsSupported() {
    assertThatThrownBy(() -> SqlDialect.detect("Oracle", "23.4"))
        .isInstanceOf(StorageException.class)
        .hasMessage("Unsupported database 'Oracle' (version 23.4): replicate-audio-jdbi works with H2 2.1.214+,"
            + " PostgreSQL 12+, MySQL 8.0.1+, MariaDB 10.6+ and SQLite 3.35.0+");
  }

  @Test
  void urlsNameTheirFamily() {
    assertThat(SqlDialect.ofUrl("jdbc:mysql://db/app")).contains(SqlDialect.MYSQL);
    assertThat(SqlDialect.ofUrl("JDBC:MARIADB://db/app")).contains(SqlDialect.MARIADB);
    assertThat(SqlDialect.ofUrl("jdbc:sqlite:/tmp/x.db")).contains(SqlDialect.SQLITE);
    assertThat(SqlDialect.ofUrl("jdbc:oracle:thin:@x")).isEqualTo(Optional.empty());
  }

  @Test
  void capabilitiesAreWhatTheStoresRelyOn() {
    assertThat(SqlDialect.POSTGRESQL.listenNotify()).isTrue();
    assertThat(SqlDialect.MARIADB.listenNotify()).isFalse();
    assertThat(SqlDialect.SQLITE.skipLocked()).isFalse();
    assertThat(SqlDialect.MYSQL.updateReturning()).isFalse();
    assertThat(SqlDialect.SQLITE.updateReturning()).isTrue();
    assertThat(SqlDialect.MARIADB.largeValues()).isEqualTo(SqlDialect.LargeValues.CHUNKED);
    assertThat(SqlDialect.POSTGRESQL.largeValues()).isEqualTo(SqlDialect.LargeValues.SLICED_READS);
    assertThat(SqlDialect.MARIADB.schemaResource()).isEqualTo(SqlDialect.MYSQL.schemaResource())
        .isEqualTo(SchemaInstaller.MYSQL_SCHEMA);
  }

  @Test
  void aDialectsOwnStatementOverridesTheSharedOneAndMariaDbFallsBackToMySql() {
    assertThat(Sql.get(SqlDialect.H2, "job_insert_if_absent")).doesNotContain("ON CONFLICT").doesNotContain("--");
    assertThat(Sql.get(SqlDialect.POSTGRESQL, "job_insert_if_absent")).endsWith("ON CONFLICT (prediction_id) DO NOTHING");
    assertThat(Sql.get(SqlDialect.MARIADB, "job_insert_if_absent")).endsWith("ON DUPLICATE KEY UPDATE id = id")
        .isEqualTo(Sql.get(SqlDialect.MYSQL, "job_insert_if_absent"));
    assertThat(Sql.get(SqlDialect.SQLITE, "job_find")).isEqualTo(Sql.get(SqlDialect.H2, "job_find"));
    assertThatThrownBy(() -> Sql.get(SqlDialect.SQLITE, "no_such_statement"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no SQL file no_such_statement.sql for SQLite");
    for (SqlDialect d : SqlDialect.values()) {
      assertThat(SqlDialect.class.getClassLoader().getResource(d.schemaResource())).as(d.schemaResource()).isNotNull();
    }
  }
}
