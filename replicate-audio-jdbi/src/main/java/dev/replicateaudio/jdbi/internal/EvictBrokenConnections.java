package dev.replicateaudio.jdbi.internal;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells HikariCP to drop a connection that reported its own loss in a way HikariCP's SQLState
 * rules miss (MariaDB Connector/J's {@code 70100 Connection was killed}, a
 * {@code SQLNonTransientConnectionException}; H2's closed or broken connection and closed database),
 * so that the release or retry that follows gets a live connection instead of the dead one. Set on
 * every pool {@code DatabaseSettings} creates. Stateless and thread-safe.
 */
public final class EvictBrokenConnections implements SQLExceptionOverride {
  @java.lang.Override
  public SQLExceptionOverride.Override adjudicate(SQLException e) {
    return StorageErrors.isConnectionLoss(e) ? SQLExceptionOverride.Override.MUST_EVICT
        : SQLExceptionOverride.Override.CONTINUE_EVICT;
  }
}
