package dev.replicateaudio.port;

/**
 * The audio is larger than {@code maxFileSize}. Permanent: the same output will always be too large.
 */
public final class AudioTooLargeException extends DownloadException {
  private static final long serialVersionUID = 1L;

  private final long limitBytes;
  private final long sizeBytes;

  /**
   * @param sizeBytes the declared or observed size, or -1 when only "more than the limit" is known
   */
  public AudioTooLargeException(String source, long sizeBytes, long limitBytes) {
    super("Audio from " + source + " is larger than the limit of " + limitBytes + " bytes"
        + (sizeBytes >= 0 ? " (" + sizeBytes + " bytes)" : "") + "; raise REPLICATE_MAX_FILE_SIZE to accept it",
        -1, false, null);
    this.limitBytes = limitBytes;
    this.sizeBytes = sizeBytes;
  }

  public long limitBytes() {
    return limitBytes;
  }

  /** The declared or observed size, or -1 when the download stopped at the limit. */
  public long sizeBytes() {
    return sizeBytes;
  }
}
