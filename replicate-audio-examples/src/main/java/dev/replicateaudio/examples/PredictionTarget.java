package dev.replicateaudio.examples;

import dev.replicateaudio.prediction.PredictionRequest;

/** A model reference as the examples take it: {@code owner/name:version} for a version, {@code owner/name} for an official model. */
record PredictionTarget(String reference) {
  static PredictionTarget parse(String reference) {
    PredictionTarget t = new PredictionTarget(reference.trim());
    t.request(); // validates
    return t;
  }

  PredictionRequest.Builder request() {
    return reference.contains(":") ? PredictionRequest.forVersion(reference) : PredictionRequest.forModel(reference);
  }
}
