package dev.replicateaudio.examples.it;

/** {@link TransactionFaultSuite} on SQLite, in a file of its own. */
class SqliteTransactionFaultTest extends TransactionFaultSuite {
  @Override
  ItDatabase newDatabase() {
    return ItDatabase.sqlite();
  }
}
