/**
 * Storage and transactions for replicate-audio on Jdbi and HikariCP, for H2 and PostgreSQL: pool
 * settings from the environment ({@link dev.replicateaudio.jdbi.DatabaseSettings}), the schema
 * ({@link dev.replicateaudio.jdbi.SchemaInstaller}), the core's storage ports
 * ({@link dev.replicateaudio.jdbi.JdbiTransactionRunner},
 * {@link dev.replicateaudio.jdbi.JdbiGenerationJobStore}, {@link dev.replicateaudio.jdbi.JdbiAudioStore}),
 * managed operations ({@link dev.replicateaudio.jdbi.DatabaseSessionManager}), monitoring
 * ({@link dev.replicateaudio.jdbi.DatabaseConnectionMonitor}), and, for several instances on one
 * PostgreSQL database, the completion bridge ({@link dev.replicateaudio.jdbi.PostgresCompletionBridge}).
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
 *   PostgresCompletionBridge bridge = PostgresCompletionBridge.start(settings, notifier); // PostgreSQL only
 *   ...
 * }
 * }</pre>
 *
 * <p>Every argument and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.jdbi;
