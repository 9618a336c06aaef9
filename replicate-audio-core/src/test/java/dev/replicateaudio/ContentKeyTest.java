package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ContentKeyTest {
  @Test
  void factoriesUseTheSeedsContentTypes() {
    assertThat(ContentKey.soundEffect(1)).isEqualTo(new ContentKey("sound_effect", 1));
    assertThat(ContentKey.backgroundMusic(2)).isEqualTo(new ContentKey("background_music", 2));
    assertThat(ContentKey.speech(3)).isEqualTo(new ContentKey("speech", 3));
    assertThat(ContentKey.of("jingle", 4)).isEqualTo(new ContentKey("jingle", 4));
    assertThat(ContentKey.SOUND_EFFECT).isEqualTo("sound_effect");
    assertThat(ContentKey.BACKGROUND_MUSIC).isEqualTo("background_music");
    assertThat(ContentKey.SPEECH).isEqualTo("speech");
  }

  @Test
  void keysAreValuesUsableInMapsAndSets() {
    assertThat(ContentKey.soundEffect(42)).isEqualTo(ContentKey.of("sound_effect", 42))
        .hasSameHashCodeAs(ContentKey.of("sound_effect", 42))
        .isNotEqualTo(ContentKey.soundEffect(43))
        .isNotEqualTo(ContentKey.speech(42));
  }

  @Test
  void toStringIsTypeColonId() {
    assertThat(ContentKey.soundEffect(42)).hasToString("sound_effect:42");
    assertThat(ContentKey.of("x", -1)).hasToString("x:-1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"a", "Sound.Effect-2_b", "0"})
  void hostTypesOfTheAllowedCharactersAreAccepted(String type) {
    assertThat(ContentKey.of(type, 1).contentType()).isEqualTo(type);
    assertThat(ContentKey.of("x".repeat(64), 1).contentType()).hasSize(64);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "sound effect", "a&b", "a=b", "a/b", "ü", "a\nb"})
  void typesThatCannotTravelInAUrlOrRowAreRefused(String type) {
    assertThatThrownBy(() -> ContentKey.of(type, 1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("contentType must be 1 to 64 characters of [A-Za-z0-9_.-], was '")
        .hasMessageNotContaining("\n");
  }

  @Test
  void tooLongOrNullTypeIsRefused() {
    assertThatThrownBy(() -> ContentKey.of("x".repeat(65), 1)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("1 to 64 characters");
    assertThatThrownBy(() -> ContentKey.of(null, 1)).isInstanceOf(NullPointerException.class)
        .hasMessage("contentType == null");
  }
}
