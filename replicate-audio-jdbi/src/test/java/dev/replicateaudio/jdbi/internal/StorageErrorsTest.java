package dev.replicateaudio.jdbi.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.port.StorageException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.Test;

class StorageErrorsTest {
  @Test
  void aStorageExceptionPassesThroughUnchanged() {
    StorageException e = StorageException.permanent("already precise", null);
    assertThat(StorageErrors.translate("op", e)).isSameAs(e);
  }

  @Test
  void hikarisTimeoutBecomesAnExhaustedPoolMessage() {
    StorageException e = StorageErrors.translate("find(p)", new RuntimeException("wrapped", new SQLTransientConnectionException(
        "audio - Connection is not available, request timed out after 1003ms (total=15, active=15, idle=0, waiting=4)")));
    assertThat(e.getMessage()).isEqualTo("find(p) failed: pool 'audio' is exhausted, no connection became free within"
        + " 1003 ms (pool timeout, DB_POOL_TIMEOUT): all 15 connections are in use (pool size 15; active=15, idle=0,"
        + " waiting=4). The pool holds at most DB_POOL_SIZE + DB_MAX_OVERFLOW connections: raise them or"
        + " DB_POOL_TIMEOUT, or hold connections for shorter");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void hikarisTimeoutWithAConnectionFailureSaysTheDatabaseIsUnreachable() {
    SQLTransientConnectionException timeout = new SQLTransientConnectionException(
        "audio - Connection is not available, request timed out after 2001ms (total=0, active=0, idle=0, waiting=0)",
        "08001", new SQLException("Connection to 127.0.0.1:5 refused.\nCheck that the hostname is correct", "08001"));
    StorageException e = StorageErrors.translate("claim", timeout);
    assertThat(e.getMessage()).isEqualTo("claim failed: no database connection from pool 'audio' within 2001 ms"
        + " (DB_POOL_TIMEOUT): the database did not accept a new connection: Connection to 127.0.0.1:5 refused.");
    assertThat(e.isRetryable()).isTrue();
  }

  @Test
  void refusedCredentialsArePermanentDirectlyAndBehindThePoolsTimeout() {
    StorageException direct = StorageErrors.translate("claim",
        new SQLException("FATAL: password authentication failed for user \"audio\"", "28P01"));
    assertThat(direct).hasMessage("claim failed: the database refused the credentials (SQLState 28P01); check DB_USER"
        + " and DB_PASSWORD: FATAL: password authentication failed for user \"audio\"");
    assertThat(direct.isRetryable()).isFalse();

    SQLTransientConnectionException timeout = new SQLTransientConnectionException(
        "audio - Connection is not available, request timed out after 2001ms (total=0, active=0, idle=0, waiting=0)",
        "28000", new SQLException("Access denied for user 'audio'@'localhost' (using password: YES)", "28000", 1045));
    StorageException pooled = StorageErrors.translate("store audio", timeout);
    assertThat(pooled).hasMessage("store audio failed: the database refused the credentials (SQLState 28000, error"
        + " 1045); check DB_USER and DB_PASSWORD: Access denied for user 'audio'@'localhost' (using password: YES)");
    assertThat(pooled.isRetryable()).isFalse();

    assertThat(StorageErrors.translate("op", new SQLException("Access denied for user 'a' to database 'b'", "42000",
        1044)).isRetryable()).isFalse();
    assertThat((Throwable) StorageErrors.credentialsRefused(new SQLException("I/O error", "08006"))).isNull();
  }

  @Test
  void sqlStatesAreSortedIntoRetryableAndPermanent() {
    assertThat(StorageErrors.translate("op", new SQLException("ERROR: canceling statement due to statement timeout",
        "57014"))).hasMessageContaining("ran longer than the statement timeout (DB_STATEMENT_TIMEOUT)")
        .matches(StorageException::isRetryable);
    assertThat(StorageErrors.translate("op", new SQLException("Timeout trying to lock table", "HYT00")))
        .hasMessageContaining("timed out waiting for a lock").matches(StorageException::isRetryable);
    assertThat(StorageErrors.translate("op", new SQLException("could not serialize", "40001")))
        .hasMessageContaining("retry it").matches(StorageException::isRetryable);
    assertThat(StorageErrors.translate("op", new SQLException("I/O error", "08006")))
        .hasMessageContaining("the database connection failed").matches(StorageException::isRetryable);
    assertThat(StorageErrors.translate("op", new SQLException("ERROR: relation \"ra_audio\" does not exist", "42P01")))
        .hasMessageContaining("a table is missing; install the schema").matches(e -> !e.isRetryable());
    assertThat(StorageErrors.translate("op", new SQLException("value too long", "22001")))
        .hasMessage("op failed: the database rejected the statement (SQLState 22001): value too long")
        .matches(e -> !e.isRetryable());
    assertThat(StorageErrors.translate("op", new SQLException("something odd", "XX000")))
        .hasMessage("op failed: something odd (SQLState XX000)").matches(StorageException::isRetryable);
    assertThat(StorageErrors.translate("op", new IllegalStateException("bad binding")))
        .hasMessage("op failed: bad binding").matches(e -> !e.isRetryable());
    assertThat(StorageErrors.translate("op", new RuntimeException(new IOException("disk full"))))
        .hasMessage("op failed: I/O error: disk full").matches(StorageException::isRetryable);
  }
}
