package dev.replicateaudio.audio;

import java.nio.file.Path;

/**
 * Turns downloaded audio into the audio that is stored; one per content type (the seed's
 * {@code AudioPostProcessor}). {@link SoundEffectProcessor} trims silence; background music and
 * speech are validated (header and a decoding pass) and passed through. Hosts can register their
 * own through {@link AudioPostProcessors}.
 *
 * <p>Blocking: the pipeline calls it on the host's executor. An interrupted call stops its work
 * (killing any ffmpeg process) and throws. Implementations are thread-safe.
 */
@FunctionalInterface
public interface AudioPostProcessor {
  /**
   * Processes {@code input}.
   *
   * @param input the downloaded audio; not modified
   * @param output a path in the same private temp directory the processor may write to; it does
   *     not exist yet
   * @return the audio to store: {@code output}, or {@code input} itself for a pass-through
   * @throws InvalidAudioException (permanent) when the audio is corrupt, truncated, of a format
   *     that is not accepted, or entirely silent ({@link SilentAudioException})
   * @throws dev.replicateaudio.ffmpeg.FfmpegException when ffmpeg fails or times out
   */
  ProcessedAudio process(Path input, Path output);
}
