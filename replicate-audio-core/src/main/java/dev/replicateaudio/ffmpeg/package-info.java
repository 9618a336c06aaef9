/**
 * Running ffmpeg and ffprobe safely: {@link dev.replicateaudio.ffmpeg.FfmpegRunner} (timeouts,
 * process-tree kills, a concurrency limit, no pipes to fill up), its results and failures, header
 * probing into {@link dev.replicateaudio.ffmpeg.AudioInfo}, and the opt-in
 * {@link dev.replicateaudio.ffmpeg.BundledFfmpeg} fallback for hosts without ffmpeg. Every argument
 * and return value is non-null unless its Javadoc says otherwise.
 */
package dev.replicateaudio.ffmpeg;
