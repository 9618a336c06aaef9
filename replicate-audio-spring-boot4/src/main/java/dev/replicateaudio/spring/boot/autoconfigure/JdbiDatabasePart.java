package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.jdbi.DatabaseSettings;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.core.env.Environment;

/** Resolves {@code replicate-audio.database.*} (falling back to DATABASE_URL and DB_*) for our own pool. */
final class JdbiDatabasePart implements ResolvedConfig.DatabasePart {
  private final boolean applicationHasDataSource;

  JdbiDatabasePart(boolean applicationHasDataSource) {
    this.applicationHasDataSource = applicationHasDataSource;
  }

  @Override
  public Object resolve(ReplicateAudioProperties p, Environment env, List<String> problems) {
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
          + DatabaseSettings.ENV_URL + ", and the application has no DataSource bean: name a jdbc:h2: or"
          + " jdbc:postgresql: URL, or define a DataSource (spring.datasource.*)");
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
    if (d.getUrl() != null) {
      b.url(d.getUrl());
    }
    if (d.getUser() != null) {
      b.user(d.getUser());
    }
    if (d.getPassword() != null) {
      b.password(d.getPassword());
    }
    if (d.getPoolName() != null) {
      b.poolName(d.getPoolName());
    }
    if (d.getPoolSize() != null) {
      b.poolSize(d.getPoolSize());
    }
    if (d.getMaxOverflow() != null) {
      b.maxOverflow(d.getMaxOverflow());
    }
    if (d.getPoolTimeout() != null) {
      b.poolTimeout(d.getPoolTimeout());
    }
    if (d.getPoolRecycle() != null) {
      b.poolRecycle(d.getPoolRecycle());
    }
    if (d.getIdleTimeout() != null) {
      b.idleTimeout(d.getIdleTimeout());
    }
    if (d.getStatementTimeout() != null) {
      b.statementTimeout(d.getStatementTimeout());
    }
    if (d.getLeakDetectionThreshold() != null) {
      b.leakDetectionThreshold(d.getLeakDetectionThreshold());
    }
    try {
      return b.build();
    } catch (ConfigurationException e) {
      problems.addAll(ResolvedConfig.renamed(e.problems()));
      return null;
    }
  }
}
