package dev.replicateaudio.ffmpeg;

import java.time.Duration;
import java.util.Objects;

/**
 * What ffprobe reports about an audio file's container and its first audio stream, read from its
 * header (see {@link FfmpegRunner#probe(java.nio.file.Path)}). Header values can be wrong for a
 * truncated file; decoding tells for sure.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param formatName ffprobe's {@code format_name}, for example {@code mp3}, {@code wav}, {@code flac}
 *     or {@code mov,mp4,m4a,3gp,3g2,mj2}
 * @param codecName the audio stream's {@code codec_name}, for example {@code mp3} or {@code pcm_s16le}
 * @param sampleFormat the decoder's sample format, for example {@code s16} or {@code fltp}; empty when unknown
 * @param duration the container's duration (or the stream's); null when unknown
 * @param channels the number of channels; 0 when unknown
 * @param sampleRate samples per second per channel; 0 when unknown
 * @param bitRate the stream's (or else the container's) bit rate in bits per second; 0 when unknown
 * @param bitsPerSample the stream's bits per raw sample (for example 24 for 24-bit FLAC); 0 when unknown
 */
public record AudioInfo(String formatName, String codecName, String sampleFormat, Duration duration, int channels,
    int sampleRate, long bitRate, int bitsPerSample) {
  /**
   * Checks the components.
   *
   * @param formatName ffprobe's {@code format_name}, for example {@code mp3}, {@code wav}, {@code flac}
   *     or {@code mov,mp4,m4a,3gp,3g2,mj2}
   * @param codecName the audio stream's {@code codec_name}, for example {@code mp3} or {@code pcm_s16le}
   * @param sampleFormat the decoder's sample format, for example {@code s16} or {@code fltp}; empty when unknown
   * @param duration the container's duration (or the stream's); null when unknown
   * @param channels the number of channels; 0 when unknown
   * @param sampleRate samples per second per channel; 0 when unknown
   * @param bitRate the stream's (or else the container's) bit rate in bits per second; 0 when unknown
   * @param bitsPerSample the stream's bits per raw sample (for example 24 for 24-bit FLAC); 0 when unknown
   * @throws NullPointerException when {@code formatName}, {@code codecName} or {@code sampleFormat} is null
   */
  public AudioInfo {
    Objects.requireNonNull(formatName, "formatName == null");
    Objects.requireNonNull(codecName, "codecName == null");
    Objects.requireNonNull(sampleFormat, "sampleFormat == null");
  }

  /**
   * True when the bit rate is known.
   *
   * @return whether {@link #bitRate()} is above 0
   */
  public boolean hasBitRate() {
    return bitRate > 0;
  }
}
