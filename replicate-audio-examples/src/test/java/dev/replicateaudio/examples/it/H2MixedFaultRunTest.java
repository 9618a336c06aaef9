package dev.replicateaudio.examples.it;

/** {@link MixedFaultRunSuite} on H2 in memory. */
class H2MixedFaultRunTest extends MixedFaultRunSuite {
  @Override
  ItDatabase newDatabase() {
    return ItDatabase.h2();
  }
}
