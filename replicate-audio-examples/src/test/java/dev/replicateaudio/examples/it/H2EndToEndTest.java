package dev.replicateaudio.examples.it;

/** {@link EndToEndSuite} on H2 in memory. */
class H2EndToEndTest extends EndToEndSuite {
  @Override
  ItDatabase newDatabase() {
    return ItDatabase.h2();
  }
}
