package dev.replicateaudio.jdbi;

import com.zaxxer.hikari.HikariDataSource;
import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.jdbi.internal.CompletionPayload;
import dev.replicateaudio.jdbi.internal.PgNotifications;
import dev.replicateaudio.jdbi.internal.StorageErrors;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.StorageException;
import java.sql.Array;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Pattern;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries completions between the instances of a host that share one PostgreSQL database, over
 * {@code LISTEN}/{@code NOTIFY}: the webhook of a content item may be processed on instance A while
 * the code waiting for it runs on instance B, and B's waiter wakes within milliseconds.
 *
 * <pre>{@code
 * WebhookCompletionNotifier notifier = WebhookNotifierFactory.createNotifier();
 * try (PostgresCompletionBridge bridge = PostgresCompletionBridge.start(databaseSettings, notifier)) {
 *   ...   // every local completion reaches the other instances' notifiers, and theirs reach this one
 * }
 * }</pre>
 *
 * <p>Every {@link CompletionEvent.Origin#LOCAL LOCAL} completion of the notifier is published with
 * {@code pg_notify(channel, payload)}; every notification on the channel from another bridge is
 * injected with {@link WebhookCompletionNotifier#notifyRemoteCompletion}, whose
 * {@link CompletionEvent.Origin#REMOTE REMOTE} events are not published again (no echo). A bridge
 * ignores its own notifications (each payload names the bridge's {@link #instanceId()}).
 *
 * <p><b>Threads and connections.</b> A bridge holds two connections and runs two daemon threads,
 * {@code replicate-audio-bridge-listener-<instanceId>} and {@code replicate-audio-bridge-sender-<instanceId>}:
 *
 * <ul>
 *   <li>The <b>listener</b> runs {@code LISTEN} on its own connection and waits for notifications
 *       with the driver's {@code PGConnection.getNotifications(timeout)}. It completes the waiters
 *       of remote completions on its thread, so keep the actions that depend on a waiter short (or
 *       continue them with {@code ...Async(executor)}).
 *   <li>The <b>sender</b> publishes from a bounded queue (default {@value #DEFAULT_QUEUE_CAPACITY}
 *       completions), in batches of up to 64 per statement. The notifying thread only offers to the
 *       queue and never blocks; when the queue is full the completion is dropped, counted in
 *       {@link Stats#dropped()} and reported by one WARN per episode.
 * </ul>
 *
 * <p>With {@link #start(DatabaseSettings, WebhookCompletionNotifier)} (the recommended form) both are
 * plain {@link DriverManager} connections outside the connection pool, named
 * {@code <poolName>-bridge-listen} and {@code <poolName>-bridge-send} in {@code pg_stat_activity}: the
 * pool's size, lifetime recycling and leak detection stay about the pool's own work, and a session
 * that {@code LISTEN}s never goes back into a pool. With {@link #start(DataSource, WebhookCompletionNotifier)}
 * the bridge takes its two connections from the data source and holds them until it closes (a pooled
 * data source lends them for the bridge's whole life, and its leak detection will report them; they
 * get {@code UNLISTEN *} before they are given back). Either way, connect to PostgreSQL directly
 * or through a session-pooling proxy: a transaction-pooling PgBouncer does not carry {@code LISTEN}.
 *
 * <p><b>Outages.</b> When the listening connection drops (a server restart, a terminated backend,
 * a network failure; a connection idle for 10 s is checked with {@code isValid}) the listener logs
 * one WARN, reconnects with exponential backoff (default 100 ms doubling to 5 s, with jitter) and
 * logs an INFO when it listens again. Notifications sent meanwhile are lost for this instance:
 * waiters that wait through {@code ReplicateAudio.await} still resolve when their wait times out,
 * from the job store. The sender reconnects the same way, keeps its queue meanwhile and sends the
 * batch that failed again. Delivery is best effort: the database stays the source of truth.
 *
 * <p><b>The payload</b> is compact text, not JSON: {@code ra1|<instance>|<content type>|<content id>|<STATUS>|<prediction id>|<error>},
 * with the prediction id and the error escaped so that any text round-trips (when the database's
 * encoding is not UTF-8, non-ASCII characters travel as {@code \}{@code uXXXX}). PostgreSQL refuses
 * payloads of 8000 bytes and more: a longer error is cut at a character boundary and marked
 * {@code ... [cut, N characters]}, counted in {@link Stats#truncated()}.
 *
 * <p>Notifications are scoped to one database and one channel (default
 * {@value #DEFAULT_CHANNEL}): every bridge on the same database and channel hears every other. Give
 * separate deployments that share a database different channels.
 *
 * <p>The PostgreSQL JDBC driver ({@code org.postgresql:postgresql}) must be on the classpath; this
 * module does not bring it. {@link #close()} stops both threads and closes both connections.
 *
 * <p>This class is thread-safe; its {@link Builder} is not.
 */
public final class PostgresCompletionBridge implements CompletionBridge {
  /** The default notification channel. */
  public static final String DEFAULT_CHANNEL = "replicate_audio_completions";
  /** The default capacity of the send queue, in completions. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  /** The largest send queue capacity. */
  public static final int MAX_QUEUE_CAPACITY = 1_000_000;
  /** The default first delay before reconnecting. */
  public static final Duration DEFAULT_MIN_RECONNECT_DELAY = Duration.ofMillis(100);
  /** The default longest delay between reconnection attempts. */
  public static final Duration DEFAULT_MAX_RECONNECT_DELAY = Duration.ofSeconds(5);
  /** The longest payload, in bytes of the server's encoding: PostgreSQL refuses 8000 and more. */
  public static final int MAX_PAYLOAD_BYTES = CompletionPayload.MAX_POSTGRES_BYTES;

  private static final Logger LOG = LoggerFactory.getLogger(PostgresCompletionBridge.class);
  private static final Pattern CHANNEL = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  private static final String DRIVER_ARTIFACT = "org.postgresql:postgresql";
  private static final int POLL_MILLIS = 250;
  private static final long PROBE_IDLE_NANOS = TimeUnit.SECONDS.toNanos(10);
  private static final int PROBE_TIMEOUT_SECONDS = 5;
  private static final int BROKEN_CHECK_SECONDS = 2;
  private static final int NETWORK_TIMEOUT_MILLIS = 30_000;
  private static final int MAX_BATCH = 64;
  private static final long DRAIN_MILLIS = 2_000;
  private static final long STOP_MILLIS = 5_000;
  private static final Executor DIRECT = Runnable::run;

  private final WebhookCompletionNotifier notifier;
  private final Source source;
  private final String channel;
  private final String instanceId;
  private final long minDelayNanos;
  private final long maxDelayNanos;
  private final ArrayBlockingQueue<CompletionEvent> queue;
  private final CountDownLatch closing = new CountDownLatch(1);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean dropping = new AtomicBoolean();
  private final AtomicBoolean malformedReported = new AtomicBoolean();
  private final LongAdder published = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder skippedOwn = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder truncated = new LongAdder();
  private final LongAdder malformed = new LongAdder();
  private final LongAdder listenerOutages = new LongAdder();
  private final LongAdder senderOutages = new LongAdder();
  private final Thread listenerThread;
  private final Thread senderThread;
  private volatile boolean stopNow;
  private volatile boolean listening;
  /** The connections in use, for a forced stop when a thread does not end in time. */
  private volatile Connection listenConnection;
  private volatile Connection sendConnection;
  private volatile Runnable registration;
  // sender thread only
  private final Backoff sendBackoff;
  private long sendOutageStart;
  private int sendFailedAttempts;

  private PostgresCompletionBridge(Builder b, Listening firstListening, Sending firstSending) {
    this.notifier = b.notifier;
    this.source = b.source;
    this.channel = b.channel;
    this.instanceId = newInstanceId();
    this.minDelayNanos = b.minReconnectDelay.toNanos();
    this.maxDelayNanos = b.maxReconnectDelay.toNanos();
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.listenConnection = firstListening.connection;
    this.sendConnection = firstSending.connection;
    this.listening = true;
    this.sendBackoff = new Backoff();
    this.listenerThread = new Thread(() -> listenLoop(firstListening), "replicate-audio-bridge-listener-" + instanceId);
    this.senderThread = new Thread(() -> sendLoop(firstSending), "replicate-audio-bridge-sender-" + instanceId);
    listenerThread.setDaemon(true);
    senderThread.setDaemon(true);
  }

  /**
   * Starts a bridge on plain connections to the database of {@code settings} (its URL, user and
   * password; {@code poolTimeout} bounds connecting), on the default channel. See {@link #builder(DatabaseSettings, WebhookCompletionNotifier)}.
   *
   * @param settings the settings of the shared database; only its URL, user, password, pool name
   *     (for {@code application_name}) and pool timeout are used
   * @param notifier this instance's notifier: its local completions are published, remote ones are
   *     handed to it
   * @return the running bridge, listening; close it before the notifier
   * @throws NullPointerException if an argument is null
   * @throws ConfigurationException when the URL is not PostgreSQL or the driver is missing
   * @throws StorageException (retryable) when the database can't be reached; nothing is left open
   */
  public static PostgresCompletionBridge start(DatabaseSettings settings, WebhookCompletionNotifier notifier) {
    return builder(settings, notifier).start();
  }

  /**
   * Starts a bridge on two connections of {@code dataSource}, held until it closes, on the default
   * channel. See {@link #builder(DataSource, WebhookCompletionNotifier)}.
   *
   * @param dataSource a data source of the shared PostgreSQL database; the bridge takes two of its
   *     connections for its whole life and gives them back, after {@code UNLISTEN *}, when it closes
   * @param notifier this instance's notifier: its local completions are published, remote ones are
   *     handed to it
   * @return the running bridge, listening; close it before the data source and the notifier
   * @throws NullPointerException if an argument is null
   * @throws ConfigurationException when the data source is not PostgreSQL or the driver is missing
   * @throws StorageException (retryable) when the database can't be reached; nothing is left open
   */
  public static PostgresCompletionBridge start(DataSource dataSource, WebhookCompletionNotifier notifier) {
    return builder(dataSource, notifier).start();
  }

  /**
   * A builder for a bridge on plain connections to the database of {@code settings} (recommended),
   * starting from the defaults. Nothing is checked or opened until {@link Builder#start()}.
   *
   * @param settings the settings of the shared database; only its URL, user, password, pool name
   *     and pool timeout are used
   * @param notifier this instance's notifier
   * @return a new builder
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(DatabaseSettings settings, WebhookCompletionNotifier notifier) {
    Objects.requireNonNull(settings, "settings == null");
    return new Builder(new SettingsSource(settings), Objects.requireNonNull(notifier, "notifier == null"));
  }

  /**
   * A builder for a bridge on two connections of {@code dataSource}, held until it closes, starting
   * from the defaults. Nothing is checked or opened until {@link Builder#start()}.
   *
   * @param dataSource a data source of the shared PostgreSQL database
   * @param notifier this instance's notifier
   * @return a new builder
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(DataSource dataSource, WebhookCompletionNotifier notifier) {
    Objects.requireNonNull(dataSource, "dataSource == null");
    return new Builder(new DataSourceSource(dataSource), Objects.requireNonNull(notifier, "notifier == null"));
  }

  /**
   * The channel this bridge publishes and listens on.
   *
   * @return the channel, as given to {@link Builder#channel} or {@value #DEFAULT_CHANNEL}
   */
  public String channel() {
    return channel;
  }

  /** This bridge's id, carried in its payloads so that it skips its own notifications: 16 hex digits. */
  @Override
  public String instanceId() {
    return instanceId;
  }

  /** The bridge's counters right now. */
  @Override
  public Stats stats() {
    return new Stats(published.sum(), received.sum(), skippedOwn.sum(), dropped.sum(), truncated.sum(),
        malformed.sum(), listenerOutages.sum(), senderOutages.sum(), listening && !closed.get(), queue.size());
  }

  /**
   * Stops publishing, sends what is queued (for at most 2 s, if the sending connection is up),
   * stops both threads and closes both connections. Idempotent; waits at most a few seconds and logs
   * a WARN if a thread does not end.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Runnable r = registration;
    if (r != null) {
      r.run();
    }
    closing.countDown();
    senderThread.interrupt(); // wakes it from waiting for the queue; it then sends what is queued
    if (source.ownsConnections()) {
      abort(listenConnection); // wakes the listener at once; a host's pooled connection gets UNLISTEN instead
    }
    boolean interrupted = false;
    interrupted |= join(listenerThread, STOP_MILLIS);
    interrupted |= join(senderThread, DRAIN_MILLIS + STOP_MILLIS);
    Thread self = Thread.currentThread();
    if ((senderThread.isAlive() && senderThread != self) || (listenerThread.isAlive() && listenerThread != self)) {
      stopNow = true;
      senderThread.interrupt();
      abort(sendConnection);
      abort(listenConnection);
      interrupted |= join(listenerThread, STOP_MILLIS);
      interrupted |= join(senderThread, STOP_MILLIS);
      for (Thread t : List.of(listenerThread, senderThread)) {
        if (t.isAlive() && t != self) {
          LOG.warn("Completion bridge {}: thread {} did not stop within {} ms", instanceId, t.getName(),
              2 * STOP_MILLIS + DRAIN_MILLIS);
        }
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    LOG.info("Completion bridge {} on channel '{}' stopped: published {}, received {}, dropped {}", instanceId,
        channel, published.sum(), received.sum(), dropped.sum());
  }

  @Override
  public String toString() {
    return "PostgresCompletionBridge[" + instanceId + ", channel=" + channel + ", " + source.describe() + "]";
  }

  // ---- start ----

  private static PostgresCompletionBridge start(Builder b) {
    b.source.check();
    if (!PgNotifications.driverPresent(PostgresCompletionBridge.class)) {
      throw new ConfigurationException("PostgresCompletionBridge needs the PostgreSQL JDBC driver ("
          + DRIVER_ARTIFACT + ", class " + PgNotifications.DRIVER_INTERFACE + ") on the classpath; add it");
    }
    Listening listen;
    try {
      listen = Listening.open(b.source, b.channel);
    } catch (SQLException e) {
      throw StorageErrors.translate("Completion bridge: listening on channel '" + b.channel + "' of "
          + b.source.describe(), e);
    }
    Sending send;
    try {
      send = Sending.open(b.source, b.channel);
    } catch (SQLException | RuntimeException e) {
      listen.close();
      if (e instanceof RuntimeException) {
        throw (RuntimeException) e;
      }
      throw StorageErrors.translate("Completion bridge: connecting for sending to " + b.source.describe(), e);
    }
    PostgresCompletionBridge bridge = new PostgresCompletionBridge(b, listen, send);
    try {
      bridge.listenerThread.start();
      bridge.senderThread.start();
    } catch (RuntimeException | Error e) { // no thread could be created: a started one closes its own connection
      bridge.closed.set(true);
      bridge.closing.countDown();
      if (!bridge.listenerThread.isAlive()) {
        listen.close();
      }
      if (!bridge.senderThread.isAlive()) {
        send.close();
      }
      throw e;
    }
    Publisher publisher = bridge.new Publisher();
    b.notifier.addListener(publisher);
    bridge.registration = () -> b.notifier.removeListener(publisher);
    LOG.info("Completion bridge {} started on channel '{}' of {}", bridge.instanceId, bridge.channel,
        b.source.describe());
    return bridge;
  }

  static String newInstanceId() {
    UUID u = UUID.randomUUID();
    return String.format(Locale.ROOT, "%016x", u.getMostSignificantBits() ^ u.getLeastSignificantBits());
  }

  // ---- the listener thread ----

  private void listenLoop(Listening first) {
    Listening current = first;
    Backoff backoff = new Backoff();
    long outageStart = 0;
    int failedAttempts = 0;
    long lastActivity = System.nanoTime();
    try {
      while (!isClosing()) {
        if (current == null) {
          try {
            current = Listening.open(source, channel);
          } catch (SQLException | RuntimeException e) {
            failedAttempts++;
            LOG.debug("Completion bridge {}: reconnecting the listening connection failed (attempt {}): {}",
                instanceId, failedAttempts, StorageErrors.firstLine(e));
            if (sleep(backoff.next())) {
              break;
            }
            continue;
          }
          listenConnection = current.connection;
          listening = true;
          backoff.reset();
          lastActivity = System.nanoTime();
          LOG.info("Completion bridge {} is listening on channel '{}' again after {} ms ({} failed attempts)",
              instanceId, channel, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - outageStart), failedAttempts);
          if (isClosing()) {
            break;
          }
        }
        try {
          List<PgNotifications.Notification> batch = current.notifications.poll(POLL_MILLIS);
          long now = System.nanoTime();
          if (!batch.isEmpty()) {
            lastActivity = now;
            for (PgNotifications.Notification n : batch) {
              deliver(n);
            }
          } else if (now - lastActivity > PROBE_IDLE_NANOS && !isClosing()) {
            if (!current.connection.isValid(PROBE_TIMEOUT_SECONDS)) {
              throw new SQLException("the connection did not answer a validity check within "
                  + PROBE_TIMEOUT_SECONDS + " s", "08006");
            }
            lastActivity = System.nanoTime();
          }
        } catch (SQLException | RuntimeException e) {
          if (isClosing()) {
            break;
          }
          listening = false;
          listenerOutages.increment();
          outageStart = System.nanoTime();
          failedAttempts = 0;
          LOG.warn("Completion bridge {} lost its listening connection ({}); reconnecting. Until then completions"
              + " from other instances reach waiters here only through the job store", instanceId,
              StorageErrors.firstLine(e));
          current.close();
          current = null;
          listenConnection = null;
          if (sleep(backoff.next())) {
            break;
          }
        }
      }
    } finally {
      listening = false;
      if (current != null) {
        current.close();
      }
      listenConnection = null;
    }
  }

  private void deliver(PgNotifications.Notification n) {
    if (!channel.equals(n.channel())) {
      return;
    }
    CompletionPayload.Decoded d;
    try {
      d = CompletionPayload.decode(n.payload());
    } catch (IllegalArgumentException e) {
      malformed.increment();
      if (malformedReported.compareAndSet(false, true)) {
        LOG.warn("Completion bridge {} ignores a notification on channel '{}' from backend {} that is not a"
            + " completion (further ones are logged at DEBUG): {}", instanceId, channel, n.senderPid(), e.getMessage());
      } else {
        LOG.debug("Completion bridge {} ignores a malformed notification: {}", instanceId, e.getMessage());
      }
      return;
    }
    if (instanceId.equals(d.instanceId())) {
      skippedOwn.increment();
      return;
    }
    received.increment(); // before the waiters wake: whoever sees a woken waiter sees the count
    try {
      int woken = notifier.notifyRemoteCompletion(d.key(), d.outcome());
      LOG.debug("Completion bridge {} received {} {} from {}: {} waiters woken", instanceId, d.key(),
          d.outcome().status(), d.instanceId(), woken);
    } catch (RuntimeException e) {
      LOG.warn("Completion bridge {}: the notifier failed on the remote completion of {}", instanceId, d.key(), e);
    }
  }

  // ---- the sender thread ----

  private void sendLoop(Sending first) {
    Sending current = first;
    List<CompletionEvent> batch = new ArrayList<>(MAX_BATCH);
    long drainDeadline = 0;
    try {
      while (!stopNow) {
        CompletionEvent next;
        if (isClosing()) {
          if (drainDeadline == 0) {
            drainDeadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS);
          }
          next = System.nanoTime() - drainDeadline < 0 ? queue.poll() : null;
          if (next == null) {
            break;
          }
        } else {
          try {
            next = queue.poll(POLL_MILLIS, TimeUnit.MILLISECONDS);
          } catch (InterruptedException e) {
            continue; // only close() interrupts; the loop checks why
          }
          if (next == null) {
            continue;
          }
          if (Thread.interrupted() && !isClosing()) {
            LOG.debug("Completion bridge {}: sender interrupted, not by close(); ignored", instanceId);
          }
        }
        batch.add(next);
        queue.drainTo(batch, MAX_BATCH - 1);
        current = publish(current, batch);
        batch.clear();
        if (queue.isEmpty() && dropping.get() && dropping.compareAndSet(true, false)) {
          LOG.info("Completion bridge {}: the send queue has drained; {} completions were dropped in all", instanceId,
              dropped.sum());
        }
      }
    } finally {
      int left = batch.size() + queue.size();
      queue.clear();
      if (left > 0) {
        dropped.add(left);
        LOG.warn("Completion bridge {} stopped with {} completions not published", instanceId, left);
      }
      if (current != null) {
        current.close();
      }
      sendConnection = null;
    }
  }

  /** Publishes {@code batch}, reconnecting as needed; returns the connection to use next (null when closed). */
  private Sending publish(Sending current, List<CompletionEvent> batch) {
    Encoding encoding = null;
    while (true) {
      if (current == null) {
        if (isClosing() || stopNow) {
          dropped.add(batch.size());
          batch.clear();
          return null;
        }
        try {
          current = Sending.open(source, channel);
          sendConnection = current.connection;
          sendBackoff.reset();
          LOG.info("Completion bridge {} can publish again after {} ms ({} failed attempts)", instanceId,
              TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - sendOutageStart), sendFailedAttempts);
        } catch (SQLException | RuntimeException e) {
          sendFailedAttempts++;
          LOG.debug("Completion bridge {}: reconnecting the sending connection failed (attempt {}): {}", instanceId,
              sendFailedAttempts, StorageErrors.firstLine(e));
          sleep(sendBackoff.next());
          continue;
        }
      }
      if (encoding == null || encoding.asciiOnly != current.asciiOnly) {
        encoding = encode(batch, current.asciiOnly);
      }
      try {
        current.send(encoding.payloads);
        encoding.settle();
        published.add(encoding.payloads.size());
        return current;
      } catch (SQLException e) {
        if (current.isBroken(e)) {
          senderLost(current, e);
          current = null;
          sleep(sendBackoff.next());
          continue;
        }
        encoding.settle();
        return sendOneByOne(current, encoding.payloads, e);
      }
    }
  }

  /** After a batch failed for a reason other than the connection: each payload alone, dropping those that fail. */
  private Sending sendOneByOne(Sending current, List<String> payloads, SQLException batchFailure) {
    LOG.debug("Completion bridge {}: a batch of {} failed ({}); sending one by one", instanceId, payloads.size(),
        StorageErrors.firstLine(batchFailure));
    for (int i = 0; i < payloads.size(); i++) {
      try {
        current.send(List.of(payloads.get(i)));
        published.increment();
      } catch (SQLException e) {
        if (current.isBroken(e)) {
          dropped.add(payloads.size() - i);
          senderLost(current, e);
          return null;
        }
        dropped.increment();
        LOG.warn("Completion bridge {}: PostgreSQL refused a completion notification ({}); dropped it", instanceId,
            StorageErrors.firstLine(e));
      }
    }
    return current;
  }

  private void senderLost(Sending lost, SQLException e) {
    senderOutages.increment();
    sendOutageStart = System.nanoTime();
    sendFailedAttempts = 0;
    LOG.warn("Completion bridge {} lost its sending connection ({}); reconnecting. Completions of this instance wait"
        + " in the send queue meanwhile (at most {})", instanceId, StorageErrors.firstLine(e),
        queue.remainingCapacity() + queue.size());
    lost.close();
    sendConnection = null;
  }

  private Encoding encode(List<CompletionEvent> batch, boolean asciiOnly) {
    Encoding enc = new Encoding(asciiOnly);
    for (CompletionEvent event : batch) {
      CompletionPayload.Encoded e = CompletionPayload.encode(instanceId, event.key(), event.outcome(), asciiOnly,
          MAX_PAYLOAD_BYTES);
      if (e == null) {
        enc.unencodable.add(event.key().toString());
      } else {
        enc.payloads.add(e.text());
        if (e.truncated()) {
          enc.truncated++;
        }
      }
    }
    return enc;
  }

  /** One batch's payloads; its counts are recorded once, by {@link #settle()}. */
  private final class Encoding {
    final boolean asciiOnly;
    final List<String> payloads = new ArrayList<>();
    final List<String> unencodable = new ArrayList<>();
    int truncated;

    Encoding(boolean asciiOnly) {
      this.asciiOnly = asciiOnly;
    }

    void settle() {
      PostgresCompletionBridge.this.truncated.add(truncated);
      if (!unencodable.isEmpty()) {
        dropped.add(unencodable.size());
        LOG.warn("Completion bridge {} dropped the completions of {}: their prediction id alone exceeds the {} bytes"
            + " of a notification", instanceId, unencodable, MAX_PAYLOAD_BYTES);
      }
    }
  }

  // ---- shared ----

  private boolean isClosing() {
    return closing.getCount() == 0;
  }

  /** Sleeps {@code nanos} or until the bridge closes; true when it is closing. */
  private boolean sleep(long nanos) {
    try {
      return closing.await(nanos, TimeUnit.NANOSECONDS);
    } catch (InterruptedException e) {
      return true; // only close() interrupts
    }
  }

  /** Waits for {@code t} to end; true when the waiting thread was interrupted. */
  private static boolean join(Thread t, long millis) {
    if (t == Thread.currentThread()) {
      return false; // close() from a waiter's action on the listener thread: it ends after this call returns
    }
    try {
      t.join(millis);
      return false;
    } catch (InterruptedException e) {
      return true;
    }
  }

  private static void abort(Connection c) {
    if (c != null) {
      try {
        c.abort(DIRECT);
      } catch (SQLException | RuntimeException e) {
        LOG.debug("Aborting a completion bridge connection failed", e);
      }
    }
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      LOG.debug("Closing a completion bridge connection failed", e);
    }
  }

  private static boolean isConnectionState(SQLException e) {
    String state = e.getSQLState();
    return state != null && (state.startsWith("08") || state.startsWith("57P"));
  }

  /** Exponential backoff with ±20 % jitter. Used by one thread. */
  private final class Backoff {
    private long next = minDelayNanos;

    long next() {
      long d = next;
      next = Math.min(maxDelayNanos, next > maxDelayNanos / 2 ? maxDelayNanos : next * 2);
      return (long) (d * (0.8 + 0.4 * ThreadLocalRandom.current().nextDouble()));
    }

    void reset() {
      next = minDelayNanos;
    }
  }

  /** Queues the notifier's local completions for the sender; never blocks. */
  private final class Publisher implements CompletionListener {
    @Override
    public void onCompletion(CompletionEvent event) {
      if (event.origin() != CompletionEvent.Origin.LOCAL || closed.get()) {
        return;
      }
      if (!queue.offer(event)) {
        dropped.increment();
        if (dropping.compareAndSet(false, true)) {
          LOG.warn("Completion bridge {}: the send queue is full ({} completions); dropping completions for other"
              + " instances until it drains (their waiters fall back to the job store)", instanceId,
              queue.size() + queue.remainingCapacity());
        }
      }
    }

    @Override
    public String toString() {
      return PostgresCompletionBridge.this.toString();
    }
  }

  /** The listening connection: {@code LISTEN} done. */
  private static final class Listening {
    final Connection connection;
    final PgNotifications notifications;

    private Listening(Connection connection, PgNotifications notifications) {
      this.connection = connection;
      this.notifications = notifications;
    }

    static Listening open(Source source, String channel) throws SQLException {
      Connection c = source.open("listen");
      try {
        requirePostgres(c, source);
        PgNotifications pg = PgNotifications.of(c);
        if (pg == null) {
          throw new ConfigurationException("PostgresCompletionBridge: the connections of " + source.describe()
              + " do not unwrap to " + PgNotifications.DRIVER_INTERFACE + "; connect with the PostgreSQL JDBC driver ("
              + DRIVER_ARTIFACT + ") of this class loader, not through a wrapper that hides it");
        }
        c.setAutoCommit(true);
        try (Statement st = c.createStatement()) {
          st.execute("LISTEN \"" + channel + "\"");
        }
        return new Listening(c, pg);
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
    }

    /** Stops listening (so a pooled connection goes back clean) and closes the connection. */
    void close() {
      try {
        if (!connection.isClosed()) {
          try (Statement st = connection.createStatement()) {
            st.execute("UNLISTEN *");
          }
          notifications.discardBuffered();
        }
      } catch (SQLException | RuntimeException e) {
        LOG.debug("UNLISTEN on a completion bridge connection failed (it is closed anyway)", e);
      }
      closeQuietly(connection);
    }
  }

  /** The sending connection, with the server's encoding and a statement that publishes a batch. */
  private static final class Sending {
    final Connection connection;
    final String channel;
    final boolean asciiOnly;
    private PreparedStatement notify;

    private Sending(Connection connection, String channel, boolean asciiOnly) {
      this.connection = connection;
      this.channel = channel;
      this.asciiOnly = asciiOnly;
    }

    static Sending open(Source source, String channel) throws SQLException {
      Connection c = source.open("send");
      try {
        requirePostgres(c, source);
        c.setAutoCommit(true);
        c.setNetworkTimeout(DIRECT, NETWORK_TIMEOUT_MILLIS);
        String encoding;
        try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SHOW server_encoding")) {
          encoding = rs.next() ? rs.getString(1) : "";
        }
        return new Sending(c, channel, !"UTF8".equalsIgnoreCase(encoding));
      } catch (SQLException | RuntimeException e) {
        closeQuietly(c);
        throw e;
      }
    }

    /** One {@code pg_notify} per payload, in one statement (one transaction: all or none). */
    void send(List<String> payloads) throws SQLException {
      if (notify == null) {
        notify = connection.prepareStatement("SELECT pg_notify(?, p) FROM unnest(?::text[]) AS t(p)");
      }
      Array array = connection.createArrayOf("text", payloads.toArray());
      try {
        notify.setString(1, channel);
        notify.setArray(2, array);
        try (ResultSet rs = notify.executeQuery()) {
          while (rs.next()) {
            // pg_notify returns void: one row per notification
          }
        }
      } finally {
        array.free();
      }
    }

    /** Whether {@code e} means the connection is gone (and not that the statement failed). */
    boolean isBroken(SQLException e) {
      if (isConnectionState(e)) {
        return true;
      }
      try {
        return connection.isClosed() || !connection.isValid(BROKEN_CHECK_SECONDS);
      } catch (SQLException | RuntimeException x) {
        return true;
      }
    }

    void close() {
      if (notify != null) {
        try {
          notify.close();
        } catch (SQLException | RuntimeException e) {
          LOG.debug("Closing the completion bridge's statement failed", e);
        }
      }
      closeQuietly(connection);
    }
  }

  private static void requirePostgres(Connection c, Source source) throws SQLException {
    String product = c.getMetaData().getDatabaseProductName();
    if (!"PostgreSQL".equalsIgnoreCase(product)) {
      throw new ConfigurationException("PostgresCompletionBridge needs PostgreSQL (LISTEN/NOTIFY), but "
          + source.describe() + " is " + product);
    }
  }

  /** Where the bridge's connections come from. */
  private interface Source {
    /** Fails fast on what can be checked before connecting. */
    void check();

    /** A new connection for {@code role} ("listen" or "send"). */
    Connection open(String role) throws SQLException;

    /** For messages and logs; no password. */
    String describe();

    /** Whether the connections are the bridge's alone (closed, not given back), so close() may abort them. */
    boolean ownsConnections();
  }

  /** Plain {@link DriverManager} connections with the URL, user and password of settings. */
  private static final class SettingsSource implements Source {
    private final DatabaseSettings settings;

    SettingsSource(DatabaseSettings settings) {
      this.settings = settings;
    }

    @Override
    public void check() {
      if (SqlDialect.ofUrl(settings.url()).orElse(null) != SqlDialect.POSTGRESQL) {
        throw new ConfigurationException("PostgresCompletionBridge needs PostgreSQL (LISTEN/NOTIFY), but "
            + DatabaseSettings.ENV_URL + "='" + settings.maskedUrl() + "' is not a jdbc:postgresql: URL");
      }
      try {
        DriverManager.getDriver(settings.connectionUrl());
      } catch (SQLException e) {
        throw new ConfigurationException(DatabaseSettings.ENV_URL + "='" + settings.maskedUrl()
            + "' has no JDBC driver on the classpath; PostgresCompletionBridge needs " + DRIVER_ARTIFACT);
      }
    }

    @Override
    public Connection open(String role) throws SQLException {
      Properties p = new Properties();
      if (settings.user() != null) {
        p.setProperty("user", settings.user());
      }
      if (settings.connectionPassword() != null) {
        p.setProperty("password", settings.connectionPassword());
      }
      long seconds = Math.max(1, (settings.poolTimeout().toMillis() + 999) / 1000);
      String timeout = Long.toString(Math.min(seconds, Integer.MAX_VALUE));
      p.setProperty("connectTimeout", timeout);
      p.setProperty("loginTimeout", timeout);
      p.setProperty("tcpKeepAlive", "true");
      p.setProperty("ApplicationName", settings.poolName() + "-bridge-" + role);
      return DriverManager.getConnection(settings.connectionUrl(), p);
    }

    @Override
    public String describe() {
      return settings.maskedUrl();
    }

    @Override
    public boolean ownsConnections() {
      return true;
    }
  }

  /** Connections of a host's data source. */
  private static final class DataSourceSource implements Source {
    private final DataSource dataSource;

    DataSourceSource(DataSource dataSource) {
      this.dataSource = dataSource;
    }

    @Override
    public void check() {
    }

    @Override
    public Connection open(String role) throws SQLException {
      return dataSource.getConnection();
    }

    @Override
    public String describe() {
      if (dataSource instanceof HikariDataSource) {
        return "pool '" + ((HikariDataSource) dataSource).getPoolName() + "'";
      }
      return "data source " + dataSource.getClass().getName();
    }

    @Override
    public boolean ownsConnections() {
      return false;
    }
  }

  /**
   * The bridge's counters, as {@link PostgresCompletionBridge#stats()} returns them: a snapshot,
   * immutable and thread-safe. Counts are since the bridge started.
   *
   * @param published completions of this instance sent to the channel
   * @param received completions of other instances handed to the notifier
   * @param skippedOwn notifications of this bridge that came back to it and were ignored
   * @param dropped completions of this instance not published: the send queue was full, the bridge
   *     closed before sending them, or PostgreSQL refused them
   * @param truncated published completions whose error text was cut to fit the payload limit
   * @param malformed notifications on the channel that were not completion payloads
   * @param listenerOutages times the listening connection was lost
   * @param senderOutages times the sending connection was lost
   * @param listening whether the bridge is listening right now
   * @param queued completions waiting in the send queue
   */
  public record Stats(long published, long received, long skippedOwn, long dropped, long truncated, long malformed,
      long listenerOutages, long senderOutages, boolean listening, int queued) implements CompletionBridge.Stats {
  }

  /**
   * Builds and starts a {@link PostgresCompletionBridge}.
   *
   * <pre>{@code
   * PostgresCompletionBridge bridge = PostgresCompletionBridge.builder(settings, notifier)
   *     .channel("shop_audio_completions")
   *     .queueCapacity(50_000)
   *     .reconnectDelay(Duration.ofMillis(200), Duration.ofSeconds(10))
   *     .start();
   * }</pre>
   *
   * <p>This class is not thread-safe.
   */
  public static final class Builder {
    private final Source source;
    private final WebhookCompletionNotifier notifier;
    private String channel = DEFAULT_CHANNEL;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;
    private Duration minReconnectDelay = DEFAULT_MIN_RECONNECT_DELAY;
    private Duration maxReconnectDelay = DEFAULT_MAX_RECONNECT_DELAY;

    private Builder(Source source, WebhookCompletionNotifier notifier) {
      this.source = source;
      this.notifier = notifier;
    }

    /**
     * The notification channel. Default {@value PostgresCompletionBridge#DEFAULT_CHANNEL}; 1 to 63 characters of
     * {@code [A-Za-z0-9_]}, not starting with a digit. Case matters: the channel is quoted in
     * {@code LISTEN}, so {@code Shop} and {@code shop} are different channels.
     *
     * @param channel the channel every instance of one deployment uses
     * @return this builder
     * @throws NullPointerException if {@code channel} is null
     * @throws IllegalArgumentException if it is not accepted; the message quotes it
     */
    public Builder channel(String channel) {
      Objects.requireNonNull(channel, "channel == null");
      if (!CHANNEL.matcher(channel).matches()) {
        throw new IllegalArgumentException("channel='" + SettingParsers.printable(channel) + "' is not accepted:"
            + " 1 to 63 characters of [A-Za-z0-9_], not starting with a digit");
      }
      this.channel = channel;
      return this;
    }

    /**
     * How many completions may wait to be published. Default
     * {@value PostgresCompletionBridge#DEFAULT_QUEUE_CAPACITY}; 1 to 1,000,000. When the queue is
     * full (the database slow or down), further completions are dropped and counted in
     * {@link Stats#dropped()}.
     *
     * @param capacity 1 to {@value PostgresCompletionBridge#MAX_QUEUE_CAPACITY} completions
     * @return this builder
     * @throws IllegalArgumentException if it is out of range
     */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1 || capacity > MAX_QUEUE_CAPACITY) {
        throw new IllegalArgumentException("queueCapacity=" + capacity + " is out of range: accepted 1 to "
            + MAX_QUEUE_CAPACITY);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * The delays between reconnection attempts: {@code min} first, doubling up to {@code max}, each
     * with ±20 % jitter. Default 100 ms to 5 s; {@code min} from 1 ms to 1 min, {@code max} from
     * {@code min} to 10 min. The listener and the sender each keep their own backoff, reset when they
     * connect again.
     *
     * @param min the first delay: 1 ms to 1 min
     * @param max the longest delay: {@code min} to 10 min
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a value is out of range; the message names it, the value
     *     and the range
     */
    public Builder reconnectDelay(Duration min, Duration max) {
      Objects.requireNonNull(min, "min == null");
      Objects.requireNonNull(max, "max == null");
      if (min.compareTo(Duration.ofMillis(1)) < 0 || min.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("reconnectDelay min=" + SettingParsers.describe(min)
            + " is out of range: accepted 0.001 s to 60 s");
      }
      if (max.compareTo(min) < 0 || max.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("reconnectDelay max=" + SettingParsers.describe(max)
            + " is out of range: accepted min (" + SettingParsers.describe(min) + ") to 600 s");
      }
      this.minReconnectDelay = min;
      this.maxReconnectDelay = max;
      return this;
    }

    /**
     * Connects, runs {@code LISTEN}, starts the two threads and registers with the notifier. When
     * it returns, the bridge is listening. The builder may start further bridges afterwards, each
     * with its own instance id, connections and threads.
     *
     * @return the running bridge
     * @throws ConfigurationException when the database is not PostgreSQL or the driver is missing
     * @throws StorageException (retryable) when the database can't be reached; nothing is left open
     */
    public PostgresCompletionBridge start() {
      return PostgresCompletionBridge.start(this);
    }
  }
}
