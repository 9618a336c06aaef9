package dev.replicateaudio.port;

/**
 * The audio is larger than {@code maxFileSize}. Permanent: the same output will always be too large.
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class AudioTooLargeException extends DownloadException {
  private static final long serialVersionUID = 1L;

  /** The limit, in bytes. */
  private final long limitBytes;
  /** The declared or observed size in bytes, or -1. */
  private final long sizeBytes;

  /**
   * An exception whose message names the source, the size and the limit.
   *
   * @param source where the audio came from, for the message
   * @param sizeBytes the declared or observed size, or -1 when only "more than the limit" is known
   * @param limitBytes the limit ({@code maxFileSize}), in bytes
   */
  public AudioTooLargeException(String source, long sizeBytes, long limitBytes) {
    super("Audio from " + source + " is larger than the limit of " + limitBytes + " bytes"
        + (sizeBytes >= 0 ? " (" + sizeBytes + " bytes)" : "") + "; raise REPLICATE_MAX_FILE_SIZE to accept it",
        -1, false, null);
    this.limitBytes = limitBytes;
    this.sizeBytes = sizeBytes;
  }

  /**
   * The limit that was exceeded ({@code maxFileSize}).
   *
   * @return the limit, in bytes
   */
  public long limitBytes() {
    return limitBytes;
  }

  /**
   * The declared or observed size, or -1 when the download stopped at the limit.
   *
   * @return the size in bytes, or -1
   */
  public long sizeBytes() {
    return sizeBytes;
  }
}
