package dev.replicateaudio.jdbi;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.CompletionStatus;
import dev.replicateaudio.ContentKey;
import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.jdbi.internal.Sql;
import dev.replicateaudio.jdbi.internal.SqlSupport;
import dev.replicateaudio.jdbi.internal.StorageErrors;
import dev.replicateaudio.notify.CompletionListener;
import dev.replicateaudio.notify.CompletionListener.CompletionEvent;
import dev.replicateaudio.notify.WebhookCompletionNotifier;
import dev.replicateaudio.port.StorageException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import javax.sql.DataSource;
import org.jdbi.v3.core.Jdbi;
import org.jdbi.v3.core.statement.PreparedBatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Carries completions between the instances of a host that share a database without server push
 * (MySQL, MariaDB, SQLite, H2; PostgreSQL too, though {@link PostgresCompletionBridge} is faster
 * there), through the table {@code ra_completion_events} ({@link SchemaInstaller}): every local
 * completion of the notifier becomes a row, and every instance polls for the rows of the others
 * and hands them to its notifier, as {@link CompletionEvent.Origin#REMOTE REMOTE} completions.
 *
 * <pre>{@code
 * PollingCompletionBridge bridge = PollingCompletionBridge.builder(dataSource, notifier)
 *     .pollInterval(Duration.ofMillis(250), Duration.ofSeconds(2))
 *     .start();
 * }</pre>
 *
 * <p><b>Timing.</b> While the notifier has waiters, or completions arrived in the last poll, the
 * bridge polls every {@code pollInterval} (default {@value #DEFAULT_POLL_MILLIS} ms); when idle
 * it backs off, doubling the pause up to {@code idleInterval} (default {@value #DEFAULT_IDLE_MILLIS}
 * ms); a local completion ends the pause at once, a new waiter within one poll interval. A waiter on another instance
 * therefore wakes about half a poll interval after the completion was published (measured on
 * MariaDB and SQLite: see the module README). A local completion is published at once, from a
 * bounded queue (default {@value #DEFAULT_QUEUE_CAPACITY}); the notifying thread never blocks, and a
 * full queue drops the completion, counted in {@link Stats#dropped()}. An empty poll is one indexed
 * query by primary key.
 *
 * <p><b>Ids that commit late.</b> Ids are handed out at insert and become visible at commit, so a
 * row may appear behind the cursor; the bridge remembers the ids it has not seen below its cursor
 * for {@value #GAP_MILLIS} ms and reads from the oldest of them, skipping what it delivered already.
 *
 * <p><b>Rows</b> older than {@code retention} (default 10 min) are deleted by the bridges, about
 * once a minute. The bridge borrows a connection of {@code dataSource} for each poll and each batch
 * it publishes, holding none in between. A failed poll or publish is logged (one WARN per outage)
 * and retried at the next poll; the completions of that batch stay queued.
 *
 * <p>One daemon thread, {@code replicate-audio-poll-bridge-<instanceId>}, polls, publishes and
 * delivers; waiters of remote completions are completed on it. {@link #close()} publishes what is
 * queued (for at most 2 s) and stops it.
 *
 * <p>This class is thread-safe; its {@link Builder} is not.
 */
public final class PollingCompletionBridge implements CompletionBridge {
  /** The default pause between polls while there are waiters, in milliseconds. */
  public static final long DEFAULT_POLL_MILLIS = 250;
  /** The default longest pause between polls when idle, in milliseconds. */
  public static final long DEFAULT_IDLE_MILLIS = 2_000;
  /** The default capacity of the send queue, in completions. */
  public static final int DEFAULT_QUEUE_CAPACITY = 10_000;
  /** How long an id missing below the cursor is waited for, in milliseconds. */
  public static final long GAP_MILLIS = 10_000;
  /** The default age after which rows are deleted. */
  public static final Duration DEFAULT_RETENTION = Duration.ofMinutes(10);

  private static final Logger LOG = LoggerFactory.getLogger(PollingCompletionBridge.class);
  private static final int MAX_ROWS_PER_POLL = 1_000;
  private static final int MAX_BATCH = 256;
  private static final long PURGE_EVERY_NANOS = TimeUnit.MINUTES.toNanos(1);
  private static final long DRAIN_MILLIS = 2_000;
  private static final long STOP_MILLIS = 10_000;

  private final WebhookCompletionNotifier notifier;
  private final DataSource dataSource;
  private final Jdbi jdbi;
  private final SqlDialect dialect;
  private final String instanceId;
  private final long pollNanos;
  private final long idleNanos;
  private final Duration retention;
  private final Clock clock = Clock.systemUTC();
  private final ArrayBlockingQueue<CompletionEvent> queue;
  private final Semaphore wake = new Semaphore(0);
  private final AtomicBoolean closed = new AtomicBoolean();
  private final AtomicBoolean dropping = new AtomicBoolean();
  private final LongAdder published = new LongAdder();
  private final LongAdder received = new LongAdder();
  private final LongAdder skippedOwn = new LongAdder();
  private final LongAdder dropped = new LongAdder();
  private final LongAdder polls = new LongAdder();
  private final LongAdder failures = new LongAdder();
  private final AtomicLong currentPauseNanos;
  private final Thread thread;
  private final CompletionListener publisher = new Publisher();
  // poller thread only
  private long cursor;
  private final Map<Long, Long> gaps = new HashMap<>(); // missing id -> when first missed (nanoTime)
  private long lastPurge = System.nanoTime();
  private boolean failing;

  private PollingCompletionBridge(Builder b, SqlDialect dialect, long startCursor) {
    this.notifier = b.notifier;
    this.dataSource = b.dataSource;
    this.jdbi = Jdbi.create(b.dataSource);
    this.dialect = dialect;
    this.instanceId = PostgresCompletionBridge.newInstanceId();
    this.pollNanos = b.pollInterval.toNanos();
    this.idleNanos = b.idleInterval.toNanos();
    this.retention = b.retention;
    this.queue = new ArrayBlockingQueue<>(b.queueCapacity);
    this.cursor = startCursor;
    this.currentPauseNanos = new AtomicLong(pollNanos);
    this.thread = new Thread(this::run, "replicate-audio-poll-bridge-" + instanceId);
    thread.setDaemon(true);
  }

  /**
   * Starts a bridge with the defaults on {@code dataSource}: the same as
   * {@code builder(dataSource, notifier).start()}.
   *
   * @param dataSource the host's pool for the database the instances share; the bridge borrows a
   *     connection per poll and per published batch, and never closes the pool
   * @param notifier this instance's notifier: its local completions are published, remote ones are
   *     handed to it
   * @return the running bridge; close it before the pool and the notifier
   * @throws NullPointerException if an argument is null
   * @throws StorageException when the database can't be reached (retryable), or it is not
   *     supported or the table {@code ra_completion_events} is missing (permanent: install the schema)
   */
  public static PollingCompletionBridge start(DataSource dataSource, WebhookCompletionNotifier notifier) {
    return builder(dataSource, notifier).start();
  }

  /**
   * A builder for a bridge on {@code dataSource}, starting from the defaults. Nothing is read or
   * started until {@link Builder#start()}.
   *
   * @param dataSource the host's pool for the database the instances share
   * @param notifier this instance's notifier
   * @return a new builder
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(DataSource dataSource, WebhookCompletionNotifier notifier) {
    return new Builder(Objects.requireNonNull(dataSource, "dataSource == null"),
        Objects.requireNonNull(notifier, "notifier == null"));
  }

  @Override
  public String instanceId() {
    return instanceId;
  }

  @Override
  public Stats stats() {
    return new Stats(published.sum(), received.sum(), skippedOwn.sum(), dropped.sum(), polls.sum(), failures.sum(),
        queue.size(), Duration.ofNanos(currentPauseNanos.get()));
  }

  /**
   * Stops taking the notifier's completions, publishes what is queued (for at most 2 s; what is left
   * is counted in {@link Stats#dropped()}), and stops the thread, waiting for it up to 10 s (then
   * interrupting it with a WARN). Idempotent; may be called from any thread, the bridge's own
   * included.
   */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    notifier.removeListener(publisher);
    wake.release();
    if (thread != Thread.currentThread()) {
      try {
        thread.join(STOP_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (thread.isAlive()) {
        thread.interrupt();
        LOG.warn("Completion bridge {}: its thread did not stop within {} ms", instanceId, STOP_MILLIS);
      }
    }
    LOG.info("Completion bridge {} (polling) stopped: published {}, received {}, dropped {}", instanceId,
        published.sum(), received.sum(), dropped.sum());
  }

  @Override
  public String toString() {
    return "PollingCompletionBridge[" + instanceId + ", " + dialect.displayName() + "]";
  }

  // ---- start ----

  private static PollingCompletionBridge start(Builder b) {
    Jdbi jdbi = Jdbi.create(b.dataSource);
    SqlDialect[] dialect = new SqlDialect[1];
    long last = SqlSupport.read(jdbi, "Completion bridge: reading " + SchemaInstaller.COMPLETION_EVENTS_TABLE, h -> {
      dialect[0] = SqlDialect.detect(h.getConnection());
      return h.createQuery(Sql.get(dialect[0], "event_last_id")).mapTo(Long.class).one();
    });
    PollingCompletionBridge bridge = new PollingCompletionBridge(b, dialect[0], last);
    bridge.thread.start();
    b.notifier.addListener(bridge.publisher);
    LOG.info("Completion bridge {} started, polling {} every {} ms (up to {} ms when idle)", bridge.instanceId,
        dialect[0].displayName(), b.pollInterval.toMillis(), b.idleInterval.toMillis());
    return bridge;
  }

  // ---- the thread ----

  private void run() {
    long pause = pollNanos;
    try {
      while (!closed.get()) {
        int got = cycle();
        boolean busy = got > 0 || notifier.pendingWaiters() > 0 || !queue.isEmpty();
        pause = busy ? pollNanos : Math.min(idleNanos, pause * 2);
        currentPauseNanos.set(pause);
        long deadline = System.nanoTime() + pause;
        // a local completion or a new waiter ends an idle pause early
        while (!closed.get() && queue.isEmpty()) {
          long left = deadline - System.nanoTime();
          if (left <= 0) {
            break;
          }
          long step = Math.min(left, pollNanos);
          wake.tryAcquire(step, TimeUnit.NANOSECONDS);
          wake.drainPermits();
          if (pause > pollNanos && notifier.pendingWaiters() > 0) {
            break;
          }
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      drainOnClose();
    }
  }

  /** Publishes what is queued, polls once, purges when due; returns the remote completions delivered. */
  private int cycle() {
    try {
      publishQueued(Long.MAX_VALUE);
      int delivered = poll();
      if (System.nanoTime() - lastPurge > PURGE_EVERY_NANOS) {
        lastPurge = System.nanoTime();
        purge();
      }
      if (failing) {
        failing = false;
        LOG.info("Completion bridge {} reaches the database again", instanceId);
      }
      return delivered;
    } catch (RuntimeException e) {
      failures.increment();
      if (!failing) {
        failing = true;
        LOG.warn("Completion bridge {}: the database is not answering ({}); retrying every poll. Until then"
            + " completions from other instances reach waiters here only through the job store", instanceId,
            StorageErrors.firstLine(e));
      }
      return 0;
    }
  }

  private void publishQueued(long deadlineNanos) {
    List<CompletionEvent> batch = new ArrayList<>(MAX_BATCH);
    while (System.nanoTime() < deadlineNanos) {
      queue.drainTo(batch, MAX_BATCH);
      if (batch.isEmpty()) {
        return;
      }
      Instant now = SqlSupport.now(clock);
      SqlSupport.inTransaction(jdbi, "Completion bridge: publishing " + batch.size() + " completions", h -> {
        PreparedBatch insert = h.prepareBatch(Sql.get(dialect, "event_insert"));
        for (CompletionEvent e : batch) {
          insert.bind("instance_id", instanceId)
              .bind("content_type", e.key().contentType())
              .bind("content_id", e.key().contentId())
              .bind("status", e.outcome().status().name())
              .bind("prediction_id", e.outcome().predictionId())
              .bind("error", SqlSupport.errorText(e.outcome().error()))
              .bind("created_at", SqlSupport.timestamp(dialect, now))
              .add();
        }
        return insert.execute();
      });
      published.add(batch.size());
      batch.clear();
      if (dropping.compareAndSet(true, false)) {
        LOG.info("Completion bridge {}: the send queue has room again; {} completions were dropped in all",
            instanceId, dropped.sum());
      }
    }
  }

  private int poll() {
    long now = System.nanoTime();
    gaps.values().removeIf(since -> now - since > TimeUnit.MILLISECONDS.toNanos(GAP_MILLIS));
    long after = gaps.isEmpty() ? cursor : Math.min(cursor, gaps.keySet().stream().mapToLong(Long::longValue).min()
        .getAsLong() - 1);
    List<Row> rows = SqlSupport.read(jdbi, "Completion bridge: polling", h ->
        h.createQuery(Sql.get(dialect, "event_poll"))
            .define("limit", MAX_ROWS_PER_POLL)
            .bind("after", after)
            .map((rs, ctx) -> new Row(rs.getLong("id"), rs.getString("instance_id"),
                new ContentKey(rs.getString("content_type"), rs.getLong("content_id")),
                rs.getString("status"), rs.getString("prediction_id"), rs.getString("error")))
            .list());
    polls.increment();
    int delivered = 0;
    for (Row row : rows) {
      if (row.id <= cursor) {
        if (gaps.remove(row.id) == null) {
          continue; // delivered already: read again because an older id is still missing
        }
      } else {
        for (long missing = cursor + 1; missing < row.id && gaps.size() < MAX_ROWS_PER_POLL; missing++) {
          gaps.put(missing, now);
        }
        cursor = row.id;
      }
      if (deliver(row)) {
        delivered++;
      }
    }
    return delivered;
  }

  private boolean deliver(Row row) {
    if (instanceId.equals(row.instanceId)) {
      skippedOwn.increment();
      return false;
    }
    CompletionStatus status;
    try {
      status = CompletionStatus.valueOf(row.status);
    } catch (IllegalArgumentException e) {
      LOG.warn("Completion bridge {} ignores event {} with unknown status '{}'", instanceId, row.id,
          SettingParsers.printable(row.status));
      return false;
    }
    received.increment(); // before the waiters wake: whoever sees a woken waiter sees the count
    try {
      int woken = notifier.notifyRemoteCompletion(row.key, new CompletionOutcome(status, row.predictionId, row.error));
      LOG.debug("Completion bridge {} received {} {} from {}: {} waiters woken", instanceId, row.key, status,
          row.instanceId, woken);
    } catch (RuntimeException e) {
      LOG.warn("Completion bridge {}: the notifier failed on the remote completion of {}", instanceId, row.key, e);
    }
    return true;
  }

  private void purge() {
    Instant before = SqlSupport.now(clock).minus(retention);
    int deleted = SqlSupport.inTransaction(jdbi, "Completion bridge: deleting old completions", h ->
        h.createUpdate(Sql.get(dialect, "event_purge")).bind("before", SqlSupport.timestamp(dialect, before)).execute());
    LOG.debug("Completion bridge {} deleted {} completions older than {}", instanceId, deleted, retention);
  }

  private void drainOnClose() {
    try {
      publishQueued(System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(DRAIN_MILLIS));
    } catch (RuntimeException e) {
      LOG.warn("Completion bridge {} could not publish its last completions: {}", instanceId,
          StorageErrors.firstLine(e));
    }
    int left = queue.size();
    queue.clear();
    if (left > 0) {
      dropped.add(left);
      LOG.warn("Completion bridge {} stopped with {} completions not published", instanceId, left);
    }
  }

  /** A row of {@code ra_completion_events}. */
  private record Row(long id, String instanceId, ContentKey key, String status, String predictionId, String error) {
  }

  /** Queues the notifier's local completions and wakes the thread; never blocks. */
  private final class Publisher implements CompletionListener {
    @Override
    public void onCompletion(CompletionEvent event) {
      if (event.origin() != CompletionEvent.Origin.LOCAL || closed.get()) {
        return;
      }
      if (queue.offer(event)) {
        wake.release();
      } else {
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
      return PollingCompletionBridge.this.toString();
    }
  }

  /**
   * The bridge's counters, as {@link PollingCompletionBridge#stats()} returns them: a snapshot,
   * immutable and thread-safe. Counts are since the bridge started.
   *
   * @param published completions of this instance written to the table
   * @param received completions of other instances handed to the notifier
   * @param skippedOwn rows of this bridge read back and ignored
   * @param dropped completions of this instance not written (a full queue, or closing with the database down)
   * @param polls polls made
   * @param failures polls or writes that failed (the database did not answer)
   * @param queued completions waiting to be written
   * @param pause the pause before the next poll: the poll interval, or more while idle
   */
  public record Stats(long published, long received, long skippedOwn, long dropped, long polls, long failures,
      int queued, Duration pause) implements CompletionBridge.Stats {
  }

  /** Builds and starts a {@link PollingCompletionBridge}. Not thread-safe. */
  public static final class Builder {
    private final DataSource dataSource;
    private final WebhookCompletionNotifier notifier;
    private Duration pollInterval = Duration.ofMillis(DEFAULT_POLL_MILLIS);
    private Duration idleInterval = Duration.ofMillis(DEFAULT_IDLE_MILLIS);
    private Duration retention = DEFAULT_RETENTION;
    private int queueCapacity = DEFAULT_QUEUE_CAPACITY;

    private Builder(DataSource dataSource, WebhookCompletionNotifier notifier) {
      this.dataSource = dataSource;
      this.notifier = notifier;
    }

    /**
     * The pause between polls while there are waiters ({@code interval}: 10 ms to 60 s; default
     * {@value PollingCompletionBridge#DEFAULT_POLL_MILLIS} ms), and the longest pause it backs off to
     * when idle ({@code idle}: from {@code interval} to 10 min; default
     * {@value PollingCompletionBridge#DEFAULT_IDLE_MILLIS} ms). Equal values turn the back-off off.
     *
     * @param interval the pause between polls while this instance has waiters: 10 ms to 60 s
     * @param idle the longest pause while idle: {@code interval} to 10 min
     * @return this builder
     * @throws NullPointerException if an argument is null
     * @throws IllegalArgumentException if a value is out of range; the message names it, the value
     *     and the range
     */
    public Builder pollInterval(Duration interval, Duration idle) {
      Objects.requireNonNull(interval, "interval == null");
      Objects.requireNonNull(idle, "idle == null");
      if (interval.compareTo(Duration.ofMillis(10)) < 0 || interval.compareTo(Duration.ofMinutes(1)) > 0) {
        throw new IllegalArgumentException("pollInterval interval=" + SettingParsers.describe(interval)
            + " is out of range: accepted 0.01 s to 60 s");
      }
      if (idle.compareTo(interval) < 0 || idle.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("pollInterval idle=" + SettingParsers.describe(idle)
            + " is out of range: accepted interval (" + SettingParsers.describe(interval) + ") to 600 s");
      }
      this.pollInterval = interval;
      this.idleInterval = idle;
      return this;
    }

    /**
     * How long rows of {@code ra_completion_events} are kept before a bridge deletes them: longer
     * than any instance's outage you expect to bridge. Every bridge on the database deletes rows
     * older than its own retention, so the shortest one wins.
     *
     * @param retention 1 min to 7 days; default 10 min
     * @return this builder
     * @throws NullPointerException if {@code retention} is null
     * @throws IllegalArgumentException if it is out of range
     */
    public Builder retention(Duration retention) {
      Objects.requireNonNull(retention, "retention == null");
      if (retention.compareTo(Duration.ofMinutes(1)) < 0 || retention.compareTo(Duration.ofDays(7)) > 0) {
        throw new IllegalArgumentException("retention=" + SettingParsers.describe(retention)
            + " is out of range: accepted 60 s to 7 days");
      }
      this.retention = retention;
      return this;
    }

    /**
     * How many local completions may wait to be written; when the queue is full (the database slow
     * or down), further ones are dropped and counted in {@link Stats#dropped()}.
     *
     * @param capacity 1 to {@value PostgresCompletionBridge#MAX_QUEUE_CAPACITY} completions; default
     *     {@value PollingCompletionBridge#DEFAULT_QUEUE_CAPACITY}
     * @return this builder
     * @throws IllegalArgumentException if it is out of range
     */
    public Builder queueCapacity(int capacity) {
      if (capacity < 1 || capacity > PostgresCompletionBridge.MAX_QUEUE_CAPACITY) {
        throw new IllegalArgumentException("queueCapacity=" + capacity + " is out of range: accepted 1 to "
            + PostgresCompletionBridge.MAX_QUEUE_CAPACITY);
      }
      this.queueCapacity = capacity;
      return this;
    }

    /**
     * Reads the table's last id (events before it are not replayed), starts the thread and
     * registers with the notifier. The builder may start further bridges afterwards, each with its
     * own instance id and thread.
     *
     * @return the running bridge
     * @throws StorageException when the database can't be reached (retryable), or it is not
     *     supported or the table is missing (permanent: install the schema)
     */
    public PollingCompletionBridge start() {
      return PollingCompletionBridge.start(this);
    }
  }
}
