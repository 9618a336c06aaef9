package dev.replicateaudio.jdbi;

/**
 * A file-based H2 database in a directory of its own under {@code java.io.tmpdir}. File, not
 * {@code mem:}: an in-memory H2 keeps stored BLOBs on the Java heap, which would hide whether
 * storing streams; a file database is also what the default URL gives.
 */
final class H2FileDatabase extends FileDatabase {
  private H2FileDatabase() {
    super("h2-test-");
  }

  static H2FileDatabase create() {
    return new H2FileDatabase();
  }

  @Override
  public DatabaseSettings.Builder settings(String poolName) {
    return DatabaseSettings.builder().url("jdbc:h2:file:" + dir.resolve("db").toAbsolutePath()).poolName(poolName);
  }

  @Override
  public String textType() {
    return "CLOB";
  }

  @Override
  public String binaryType() {
    return "BLOB";
  }

  @Override
  public String toString() {
    return "H2 " + dir;
  }
}
