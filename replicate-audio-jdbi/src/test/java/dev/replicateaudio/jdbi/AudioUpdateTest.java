package dev.replicateaudio.jdbi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class AudioUpdateTest {
  @Test
  void acceptsAnUpdateUsingTheAudioParameter() {
    AudioUpdate u = AudioUpdate.base64("  update sound_effects set audio_data_b64 = :audio where id = :content_id ");
    assertThat(u.sql()).isEqualTo("update sound_effects set audio_data_b64 = :audio where id = :content_id");
    assertThat(u.encoding()).isEqualTo(AudioUpdate.Encoding.BASE64);
    assertThat(AudioUpdate.binary("UPDATE t SET a = :audio").encoding()).isEqualTo(AudioUpdate.Encoding.BINARY);
  }

  @Test
  void refusesStatementsThatAreNotUpdatesOrLackTheAudio() {
    assertThatThrownBy(() -> AudioUpdate.binary("INSERT INTO t (a) VALUES (:audio)"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sql must be an UPDATE statement, was 'INSERT INTO t (a) VALUES (:audio)'");
    assertThatThrownBy(() -> AudioUpdate.binary("UPDATEX t SET a = :audio"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be an UPDATE statement");
    assertThatThrownBy(() -> AudioUpdate.base64("UPDATE t SET a = :audio_data"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("sql must use the :audio parameter, was 'UPDATE t SET a = :audio_data'");
    assertThatThrownBy(() -> AudioUpdate.base64(null)).isInstanceOf(NullPointerException.class).hasMessage("sql == null");
  }

  @Test
  void aContentTypeIsMappedOnceAndMustBeValid() {
    JdbiAudioStore.Builder b = JdbiAudioStore.builder(org.jdbi.v3.core.Jdbi.create("jdbc:h2:mem:unused"))
        .mapContentType("sound_effect", AudioUpdate.binary("UPDATE t SET a = :audio"));
    assertThatThrownBy(() -> b.mapContentType("sound_effect", AudioUpdate.binary("UPDATE u SET a = :audio")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("content type 'sound_effect' is mapped already");
    assertThatThrownBy(() -> b.mapContentType("bad type", AudioUpdate.binary("UPDATE u SET a = :audio")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("contentType must be 1 to 64 characters");
  }
}
