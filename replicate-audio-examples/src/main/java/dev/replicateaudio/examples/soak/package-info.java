/**
 * The soak runner: the whole pipeline under a steady storm of every fault for minutes or a day,
 * sampled every 10 s for leaks ({@link dev.replicateaudio.examples.soak.SoakRunner}), and the chart
 * of a run ({@link dev.replicateaudio.examples.soak.SoakChart}).
 */
package dev.replicateaudio.examples.soak;
