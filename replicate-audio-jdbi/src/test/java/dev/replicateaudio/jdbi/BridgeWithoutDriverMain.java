package dev.replicateaudio.jdbi;

import dev.replicateaudio.notify.WebhookCompletionNotifier;
import org.h2.jdbcx.JdbcDataSource;

/**
 * Runs in a JVM whose classpath lacks the PostgreSQL driver: prints what starting a bridge each way
 * throws. See {@code PostgresCompletionBridgeTest}.
 */
public final class BridgeWithoutDriverMain {
  private BridgeWithoutDriverMain() {
  }

  public static void main(String[] args) {
    boolean loadable;
    try {
      Class.forName("org.postgresql.PGConnection");
      loadable = true;
    } catch (ClassNotFoundException e) {
      loadable = false;
    }
    System.out.println("driver class loadable: " + loadable);
    WebhookCompletionNotifier notifier = WebhookCompletionNotifier.builder().build();
    try {
      PostgresCompletionBridge.start(DatabaseSettings.builder().url("jdbc:postgresql://127.0.0.1:1/nowhere").build(),
          notifier).close();
      System.out.println("settings: started");
    } catch (RuntimeException e) {
      System.out.println("settings: " + e);
    }
    JdbcDataSource h2 = new JdbcDataSource();
    h2.setURL("jdbc:h2:mem:no-driver");
    try {
      PostgresCompletionBridge.start(h2, notifier).close();
      System.out.println("dataSource: started");
    } catch (RuntimeException e) {
      System.out.println("dataSource: " + e);
    }
  }
}
