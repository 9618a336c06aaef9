package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.jdbi.DatabaseSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.env.Environment;

/**
 * Resolves {@code replicate-audio.database.*} (falling back to DATABASE_URL and DB_*) for our own pool,
 * and checks the polling bridge's timing ({@code replicate-audio.bridge.*}).
 */
final class JdbiDatabasePart implements ResolvedConfig.DatabasePart {
  private final boolean applicationHasDataSource;

  JdbiDatabasePart(boolean applicationHasDataSource) {
    this.applicationHasDataSource = applicationHasDataSource;
  }

  @Override
  public Object resolve(ReplicateAudioProperties p, Environment env, List<String> problems) {
    ReplicateAudioBridge.checkPollTiming(p.getBridge(), problems);
    ReplicateAudioProperties.Database d = p.getDatabase();
    // auto: an explicit replicate-audio.database.url means a pool of our own; else the application's
    // DataSource when there is one (DATABASE_URL, often the platform's URL for the application, is read
    // only when we run our own pool)
    boolean own = d.getMode() == ReplicateAudioProperties.DatabaseMode.OWN
        || (d.getMode() == ReplicateAudioProperties.DatabaseMode.AUTO && (d.getUrl() != null || !applicationHasDataSource));
    if (!own) {
      if (!applicationHasDataSource) {
        problems.add(ResolvedConfig.name("database.mode") + "=shared, but the application has no DataSource bean");
      }
      return null;
    }
    Map<String, String> vars = new HashMap<>();
    ResolvedConfig.fallback(vars, env, d.getUrl(), DatabaseSettings.ENV_URL);
    ResolvedConfig.fallback(vars, env, d.getUser(), DatabaseSettings.ENV_USER);
    ResolvedConfig.fallback(vars, env, d.getPassword(), DatabaseSettings.ENV_PASSWORD);
    ResolvedConfig.fallback(vars, env, d.getPoolName(), DatabaseSettings.ENV_POOL_NAME);
    ResolvedConfig.fallback(vars, env, d.getPoolSize(), DatabaseSettings.ENV_POOL_SIZE);
    ResolvedConfig.fallback(vars, env, d.getMaxOverflow(), DatabaseSettings.ENV_MAX_OVERFLOW);
    ResolvedConfig.fallback(vars, env, d.getPoolTimeout(), DatabaseSettings.ENV_POOL_TIMEOUT);
    ResolvedConfig.fallback(vars, env, d.getPoolRecycle(), DatabaseSettings.ENV_POOL_RECYCLE);
    ResolvedConfig.fallback(vars, env, d.getIdleTimeout(), DatabaseSettings.ENV_IDLE_TIMEOUT);
    ResolvedConfig.fallback(vars, env, d.getStatementTimeout(), DatabaseSettings.ENV_STATEMENT_TIMEOUT);
    ResolvedConfig.fallback(vars, env, d.getLeakDetectionThreshold(), DatabaseSettings.ENV_LEAK_DETECTION_THRESHOLD);
    if (d.getUrl() == null && (vars.get(DatabaseSettings.ENV_URL) == null || vars.get(DatabaseSettings.ENV_URL).isBlank())) {
      // never fall back silently to the library's H2 file in the working directory
      problems.add(ResolvedConfig.name("database.url") + " is not set, and neither is the variable "
          + DatabaseSettings.ENV_URL + ", and the application has no DataSource bean: name a jdbc:h2:,"
          + " jdbc:postgresql:, jdbc:mysql:, jdbc:mariadb: or jdbc:sqlite: URL, or define a DataSource (spring.datasource.*)");
      return null;
    }
    DatabaseSettings base;
    try {
      base = DatabaseSettings.fromEnvironment(vars);
    } catch (ConfigurationException e) {
      problems.addAll(e.problems());
      base = DatabaseSettings.defaults();
    }
    DatabaseSettings.Builder b = base.toBuilder();
    Optional.ofNullable(d.getUrl()).ifPresent(b::url);
    Optional.ofNullable(d.getUser()).ifPresent(b::user);
    Optional.ofNullable(d.getPassword()).ifPresent(b::password);
    Optional.ofNullable(d.getPoolName()).ifPresent(b::poolName);
    Optional.ofNullable(d.getPoolSize()).ifPresent(b::poolSize);
    Optional.ofNullable(d.getMaxOverflow()).ifPresent(b::maxOverflow);
    Optional.ofNullable(d.getPoolTimeout()).ifPresent(b::poolTimeout);
    Optional.ofNullable(d.getPoolRecycle()).ifPresent(b::poolRecycle);
    Optional.ofNullable(d.getIdleTimeout()).ifPresent(b::idleTimeout);
    Optional.ofNullable(d.getStatementTimeout()).ifPresent(b::statementTimeout);
    Optional.ofNullable(d.getLeakDetectionThreshold()).ifPresent(b::leakDetectionThreshold);
    try {
      return b.build();
    } catch (ConfigurationException e) {
      problems.addAll(ResolvedConfig.renamed(e.problems()));
      return null;
    }
  }
}
