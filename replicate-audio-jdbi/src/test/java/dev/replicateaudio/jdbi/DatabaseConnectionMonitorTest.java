package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatabaseConnectionMonitorTest {
  private HikariDataSource dataSource;
  private final List<Connection> held = new ArrayList<>();

  @BeforeEach
  void openPool() {
    dataSource = DatabaseSettings.builder().url(memUrl("monitor")).poolName("monitor")
        .poolSize(2).maxOverflow(2).poolTimeout(Duration.ofSeconds(30)).build().createDataSource();
  }

  @AfterEach
  void closePool() throws Exception {
    for (Connection c : held) {
      c.close();
    }
    assertThat(dataSource.getHikariPoolMXBean().getActiveConnections()).isZero();
    dataSource.close();
  }

  @Test
  void poolStatsCountConnectionsAndUtilisation() throws Exception {
    DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.create(dataSource);
    hold(3);
    PoolStats stats = monitor.poolStats();
    assertThat(stats.active()).isEqualTo(3);
    assertThat(stats.total()).isEqualTo(stats.active() + stats.idle());
    assertThat(stats.threadsAwaiting()).isZero();
    assertThat(stats.maximum()).isEqualTo(4);
    assertThat(stats.utilisation()).isEqualTo(0.75);
  }

  @Test
  void aPoolThatStaysHotWarnsOncePerEpisode() throws Exception {
    List<PoolStats> alerts = new CopyOnWriteArrayList<>();
    DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.builder(dataSource)
        .utilisationThreshold(0.75).sustainedSamples(3).onHighUtilisation(alerts::add).build();
    hold(3);
    monitor.sample();
    monitor.sample();
    assertThat(alerts).as("two samples are not 'stays'").isEmpty();
    monitor.sample();
    assertThat(alerts).hasSize(1);
    assertThat(alerts.get(0).active()).isEqualTo(3);
    monitor.sample();
    monitor.sample();
    assertThat(alerts).as("once per episode").hasSize(1);

    release(1);
    assertThat(monitor.sample().utilisation()).isEqualTo(0.5);
    hold(1);
    monitor.sample();
    monitor.sample();
    assertThat(alerts).hasSize(1);
    monitor.sample();
    assertThat(alerts).as("a new episode").hasSize(2);
  }

  @Test
  void aThrowingListenerDoesNotBreakSampling() throws Exception {
    DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.builder(dataSource).sustainedSamples(1)
        .utilisationThreshold(0.25).onHighUtilisation(stats -> {
          throw new IllegalStateException("listener bug");
        }).build();
    hold(1);
    assertThat(monitor.sample().active()).isEqualTo(1);
  }

  @Test
  void periodicReportingRunsOnTheHostsSchedulerUntilClosed() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.create(dataSource);
      List<PoolStats> reports = new CopyOnWriteArrayList<>();
      CountDownLatch three = new CountDownLatch(3);
      DatabaseConnectionMonitor.Reporting reporting = monitor.startReporting(scheduler, Duration.ofMillis(20), s -> {
        reports.add(s);
        three.countDown();
      });
      assertThat(three.await(30, TimeUnit.SECONDS)).isTrue();
      assertThat(reporting.isActive()).isTrue();
      reporting.close();
      reporting.close();
      assertThat(reporting.isActive()).isFalse();
      int seen = reports.size();
      scheduler.schedule(() -> { }, 200, TimeUnit.MILLISECONDS).get(30, TimeUnit.SECONDS);
      assertThat(reports).as("no report after close").hasSize(seen);
      assertThat(scheduler.isShutdown()).as("the scheduler stays the host's").isFalse();
    } finally {
      scheduler.shutdownNow();
    }
  }

  @Test
  void reportingStopsByItselfWhenThePoolCloses() throws Exception {
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    HikariDataSource other = DatabaseSettings.builder().url(memUrl("monitor-other"))
        .poolName("monitor-other").poolSize(1).maxOverflow(0).build().createDataSource();
    try {
      DatabaseConnectionMonitor.Reporting reporting = DatabaseConnectionMonitor.create(other)
          .startReporting(scheduler, Duration.ofMillis(10));
      other.close();
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (reporting.isActive() && System.nanoTime() < deadline) {
        Thread.sleep(10);
      }
      assertThat(reporting.isActive()).isFalse();
    } finally {
      other.close();
      scheduler.shutdownNow();
    }
  }

  @Test
  void healthCheckReportsAClosedPoolWithoutThrowing() {
    HikariDataSource other = DatabaseSettings.builder().url(memUrl("monitor-closed"))
        .poolName("monitor-closed").poolSize(1).maxOverflow(0).build().createDataSource();
    DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.create(other);
    assertThat(monitor.healthCheck().healthy()).isTrue();
    other.close();
    DatabaseHealth health = monitor.healthCheck();
    assertThat(health.healthy()).isFalse();
    assertThat(health.error()).isEqualTo("connection pool 'monitor-closed' is closed");
    assertThat(monitor.poolStats()).isEqualTo(new PoolStats(0, 0, 0, 0, 1, 0.0));
  }

  @Test
  void healthCheckOfAnExhaustedPoolGivesUpAfterItsOwnShortTimeout() throws Exception {
    DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.builder(dataSource)
        .healthCheckTimeout(Duration.ofMillis(300)).build();
    hold(4);
    long start = System.nanoTime();
    DatabaseHealth health = monitor.healthCheck();
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertThat(health.healthy()).isFalse();
    assertThat(health.error()).contains("health check failed: pool 'monitor' is exhausted")
        .contains("(pool size 4;");
    assertThat(took).as("the pool's own timeout is 30 s").isLessThan(Duration.ofSeconds(10));
    assertThat(health.latency()).isGreaterThanOrEqualTo(Duration.ofMillis(250));
    release(1);
    assertThat(monitor.healthCheck().healthy()).isTrue();
  }

  @Test
  void aHealthCheckLeavesTheSessionsOwnQueryTimeoutAlone() throws Exception {
    DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.create(dataSource);
    for (int i = 0; i < 5; i++) {
      assertThat(monitor.healthCheck().healthy()).isTrue();
    }
    hold(4);
    for (Connection c : held) {
      var rs = c.createStatement().executeQuery(
          "SELECT SETTING_VALUE FROM INFORMATION_SCHEMA.SETTINGS WHERE SETTING_NAME = 'QUERY_TIMEOUT'");
      assertThat(rs.next()).isTrue();
      assertThat(rs.getString(1)).isEqualTo("30000");
    }
  }

  @Test
  void theBuilderRefusesSettingsOutOfRange() {
    assertThatThrownBy(() -> DatabaseConnectionMonitor.builder(dataSource).healthCheckTimeout(Duration.ofMillis(10)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("healthCheckTimeout=0.01 s is out of range: accepted 250 ms to 5 min");
    assertThatThrownBy(() -> DatabaseConnectionMonitor.builder(dataSource).utilisationThreshold(1.5))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("utilisationThreshold=1.5 is out of range: accepted (0, 1]");
    assertThatThrownBy(() -> DatabaseConnectionMonitor.builder(dataSource).sustainedSamples(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sustainedSamples=0 is out of range: accepted 1 to 1000");
    ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    try {
      assertThatThrownBy(() -> DatabaseConnectionMonitor.create(dataSource).startReporting(scheduler, Duration.ZERO))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("interval=0 s is out of range: accepted 10 ms to 24 h");
    } finally {
      scheduler.shutdownNow();
    }
  }

  /** An in-memory database that goes away with the last connection (not kept until the JVM exits). */
  static String memUrl(String name) {
    return "jdbc:h2:mem:" + name + "-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=0";
  }

  private void hold(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      held.add(dataSource.getConnection());
    }
  }

  private void release(int n) throws Exception {
    for (int i = 0; i < n; i++) {
      held.remove(held.size() - 1).close();
    }
  }
}
