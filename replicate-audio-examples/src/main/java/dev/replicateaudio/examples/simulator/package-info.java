/**
 * A local Replicate simulator: {@link dev.replicateaudio.examples.simulator.ReplicateSimulator}
 * serves Replicate's prediction API, generated audio and signed webhooks on loopback, with
 * {@link dev.replicateaudio.examples.simulator.Fault}s to inject, so examples, integration tests and
 * benchmarks run offline.
 */
package dev.replicateaudio.examples.simulator;
