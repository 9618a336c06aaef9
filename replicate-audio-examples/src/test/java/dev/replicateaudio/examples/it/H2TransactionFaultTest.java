package dev.replicateaudio.examples.it;

/** {@link TransactionFaultSuite} on H2 in memory (sessions killed with {@code ABORT_SESSION}). */
class H2TransactionFaultTest extends TransactionFaultSuite {
  @Override
  ItDatabase newDatabase() {
    return ItDatabase.h2();
  }
}
