package dev.replicateaudio.jdbi;

/** A fresh, empty database (or schema) for one test class; closing it drops it. */
interface TestDatabase extends AutoCloseable {
  /** Settings that reach this database, with a pool name of its own; tune the pool as needed. */
  DatabaseSettings.Builder settings(String poolName);

  /** The column type for long text (a host's Base64 audio column). */
  String textType();

  /** The column type for binary audio. */
  String binaryType();

  @Override
  void close();
}
