package dev.replicateaudio;

import dev.replicateaudio.internal.SettingParsers;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Identifies one piece of content in the host's database that audio is generated for: its type
 * (a table, in the seed: {@code sound_effect}, {@code background_music}, {@code speech}) and its id.
 *
 * <p>Content types are 1 to 64 characters of {@code [A-Za-z0-9_.-]}: they travel in webhook URLs
 * and database rows. Hosts may use their own types besides the three constants.
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param contentType the content's type, for example {@link #SOUND_EFFECT}
 * @param contentId the content's id within its type
 */
public record ContentKey(String contentType, long contentId) {
  /** Short generated sound effects; trimmed of leading and trailing silence by default. */
  public static final String SOUND_EFFECT = "sound_effect";
  /** Background music; validated (header and a decoding pass) and stored as generated. */
  public static final String BACKGROUND_MUSIC = "background_music";
  /** Speech (text to speech); validated (header and a decoding pass) and stored as generated. */
  public static final String SPEECH = "speech";

  private static final Pattern TYPE = Pattern.compile("[A-Za-z0-9_.-]{1,64}");

  /**
   * Checks the content type.
   *
   * @param contentType the content's type, for example {@link #SOUND_EFFECT}
   * @param contentId the content's id within its type
   * @throws IllegalArgumentException when {@code contentType} is not 1 to 64 characters of
   *     {@code [A-Za-z0-9_.-]}
   */
  public ContentKey {
    Objects.requireNonNull(contentType, "contentType == null");
    if (!TYPE.matcher(contentType).matches()) {
      throw new IllegalArgumentException("contentType must be 1 to 64 characters of [A-Za-z0-9_.-], was '"
          + SettingParsers.printable(contentType) + "'");
    }
  }

  /**
   * A key of any content type.
   *
   * @param contentType 1 to 64 characters of {@code [A-Za-z0-9_.-]}
   * @param contentId the content's id
   * @return the key
   */
  public static ContentKey of(String contentType, long contentId) {
    return new ContentKey(contentType, contentId);
  }

  /**
   * A {@link #SOUND_EFFECT} key.
   *
   * @param contentId the sound effect's id
   * @return the key
   */
  public static ContentKey soundEffect(long contentId) {
    return new ContentKey(SOUND_EFFECT, contentId);
  }

  /**
   * A {@link #BACKGROUND_MUSIC} key.
   *
   * @param contentId the music's id
   * @return the key
   */
  public static ContentKey backgroundMusic(long contentId) {
    return new ContentKey(BACKGROUND_MUSIC, contentId);
  }

  /**
   * A {@link #SPEECH} key.
   *
   * @param contentId the speech's id
   * @return the key
   */
  public static ContentKey speech(long contentId) {
    return new ContentKey(SPEECH, contentId);
  }

  /** {@code sound_effect:42}. */
  @Override
  public String toString() {
    return contentType + ":" + contentId;
  }
}
