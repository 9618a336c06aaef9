package dev.replicateaudio.audio;

import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * The audio containers the post-processors accept, each with the codecs accepted inside it. Every
 * other format (ogg, mp4, playlists, ...) is refused before ffmpeg decodes anything.
 *
 * <p>Thread-safe, like every enum.
 */
public enum AudioFormat {
  /** MPEG-1/2 Layer III; re-encoded with libmp3lame at the input's bit rate. */
  MP3("mp3", "audio/mpeg", ".mp3"),
  /** RIFF WAVE holding PCM ({@code pcm_s16le}, {@code pcm_s24le}, {@code pcm_f32le}, ...); the codec is kept. */
  WAV("wav", "audio/wav", ".wav"),
  /** Free Lossless Audio Codec; the bit depth is kept. */
  FLAC("flac", "audio/flac", ".flac");

  private final String formatName;
  private final String mimeType;
  private final String extension;

  AudioFormat(String formatName, String mimeType, String extension) {
    this.formatName = formatName;
    this.mimeType = mimeType;
    this.extension = extension;
  }

  /**
   * ffmpeg's name of the container, used with {@code -f}: {@code mp3}, {@code wav}, {@code flac}.
   *
   * @return the format name
   */
  public String formatName() {
    return formatName;
  }

  /**
   * The media type: {@code audio/mpeg}, {@code audio/wav}, {@code audio/flac}.
   *
   * @return the media type
   */
  public String mimeType() {
    return mimeType;
  }

  /**
   * The usual file name ending, with its dot: {@code .mp3}, {@code .wav}, {@code .flac}.
   *
   * @return the extension, with its dot
   */
  public String extension() {
    return extension;
  }

  /**
   * True when this container may hold audio of {@code codecName} (ffprobe's {@code codec_name}).
   *
   * @param codecName ffprobe's codec name, for example {@code pcm_s16le}
   * @return whether the codec belongs in this container
   */
  public boolean acceptsCodec(String codecName) {
    Objects.requireNonNull(codecName, "codecName == null");
    switch (this) {
      case MP3:
        return codecName.equals("mp3");
      case WAV:
        return codecName.startsWith("pcm_");
      default:
        return codecName.equals("flac");
    }
  }

  /**
   * The format for ffprobe's {@code format_name}, if it is an accepted one.
   *
   * @param formatName ffprobe's format name, any case, surrounding blanks ignored
   * @return the format; empty when it is not mp3, wav or flac
   */
  public static Optional<AudioFormat> fromFormatName(String formatName) {
    Objects.requireNonNull(formatName, "formatName == null");
    String f = formatName.trim().toLowerCase(Locale.ROOT);
    for (AudioFormat a : values()) {
      if (a.formatName.equals(f)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
