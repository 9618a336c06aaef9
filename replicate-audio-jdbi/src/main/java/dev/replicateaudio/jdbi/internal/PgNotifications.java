package dev.replicateaudio.jdbi.internal;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * The one class of the module that touches the PostgreSQL driver's own types. The driver is not a
 * dependency of this module (hosts bring it): call {@link #driverPresent} before loading this
 * class, which fails with {@link NoClassDefFoundError} when the driver is absent.
 */
public final class PgNotifications {
  /** The driver interface this class needs. */
  public static final String DRIVER_INTERFACE = "org.postgresql.PGConnection";

  private final PGConnection pg;

  private PgNotifications(PGConnection pg) {
    this.pg = pg;
  }

  /** A notification as received. */
  public record Notification(String channel, int senderPid, String payload) {
  }

  /** Whether {@value #DRIVER_INTERFACE} can be loaded by the class loader of {@code anchor}. */
  public static boolean driverPresent(Class<?> anchor) {
    try {
      Class.forName(DRIVER_INTERFACE, false, anchor.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /**
   * The driver's view of {@code connection}, or null when the connection does not unwrap to a
   * {@code PGConnection} (another database, or a proxy that hides the driver's connection).
   */
  public static PgNotifications of(Connection connection) throws SQLException {
    if (!connection.isWrapperFor(PGConnection.class)) {
      return null;
    }
    return new PgNotifications(connection.unwrap(PGConnection.class));
  }

  /**
   * Waits up to {@code timeoutMillis} (at least 1) for notifications and returns those that came;
   * empty when none did.
   */
  public List<Notification> poll(int timeoutMillis) throws SQLException {
    PGNotification[] received = pg.getNotifications(Math.max(1, timeoutMillis));
    if (received == null || received.length == 0) {
      return List.of();
    }
    List<Notification> out = new ArrayList<>(received.length);
    for (PGNotification n : received) {
      out.add(new Notification(n.getName(), n.getPID(), n.getParameter()));
    }
    return out;
  }

  /** Drops the notifications the driver has buffered without waiting. */
  public void discardBuffered() throws SQLException {
    pg.getNotifications();
  }

  /** The server process serving this connection. */
  public int backendPid() {
    return pg.getBackendPID();
  }
}
