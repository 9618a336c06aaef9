/**
 * Storage and transactions for replicate-audio on Jdbi and HikariCP, for H2, PostgreSQL, MySQL,
 * MariaDB and SQLite ({@link dev.replicateaudio.jdbi.SqlDialect}): pool
 * settings from the environment ({@link dev.replicateaudio.jdbi.DatabaseSettings}), the schema
 * ({@link dev.replicateaudio.jdbi.SchemaInstaller}), the core's storage ports
 * ({@link dev.replicateaudio.jdbi.JdbiTransactionRunner},
 * {@link dev.replicateaudio.jdbi.JdbiGenerationJobStore}, {@link dev.replicateaudio.jdbi.JdbiAudioStore}),
 * managed operations ({@link dev.replicateaudio.jdbi.DatabaseSessionManager}), monitoring
 * ({@link dev.replicateaudio.jdbi.DatabaseConnectionMonitor}), and, for several instances on one
 * database, the completion bridges ({@link dev.replicateaudio.jdbi.CompletionBridge}:
 * {@link dev.replicateaudio.jdbi.PostgresCompletionBridge} on PostgreSQL's LISTEN/NOTIFY,
 * {@link dev.replicateaudio.jdbi.PollingCompletionBridge} elsewhere).
 *
 * <pre>{@code
 * DatabaseSettings settings = DatabaseSettings.fromEnvironment();
 * try (HikariDataSource dataSource = settings.createDataSource()) {
 *   SchemaInstaller.install(dataSource);
 *   Jdbi jdbi = Jdbi.create(dataSource);                 // one instance for all of them
 *   TransactionRunner tx = JdbiTransactionRunner.create(jdbi);
 *   GenerationJobStore jobs = JdbiGenerationJobStore.create(jdbi);
 *   AudioStore audio = JdbiAudioStore.create(jdbi);
 *   DatabaseConnectionMonitor monitor = DatabaseConnectionMonitor.create(dataSource);
 *   CompletionBridge bridge = CompletionBridge.start(settings, dataSource, notifier); // several instances
 *   ...
 * }
 * }</pre>
 *
 * <p>Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.jdbi;
