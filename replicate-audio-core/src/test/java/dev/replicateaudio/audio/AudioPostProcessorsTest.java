package dev.replicateaudio.audio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.ffmpeg.FfmpegRunner;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class AudioPostProcessorsTest {
  private final ReplicateAudioSettings settings = ReplicateAudioSettings.defaults();
  private final AudioPostProcessor custom = (in, out) -> new ProcessedAudio(in, "audio/ogg", Duration.ZERO, Duration.ZERO);

  @Test
  void defaultsTrimSoundEffectsAndValidateMusicSpeechAndUnknownTypes() {
    try (FfmpegRunner runner = FfmpegRunner.create(settings)) {
      AudioPostProcessors p = AudioPostProcessors.defaults(runner, settings);
      assertThat(p.forType(ContentKey.SOUND_EFFECT)).isInstanceOf(SoundEffectProcessor.class);
      assertThat(p.forType(ContentKey.BACKGROUND_MUSIC)).isInstanceOf(PassThroughProcessor.class);
      assertThat(p.forType(ContentKey.SPEECH)).isInstanceOf(PassThroughProcessor.class);
      assertThat(p.forType("jingle")).isInstanceOf(PassThroughProcessor.class).isSameAs(p.fallback().orElseThrow());
      assertThat(p.find("jingle")).isEmpty();
      assertThat(p.contentTypes()).containsExactly("sound_effect", "background_music", "speech");
    }
  }

  @Test
  void hostsRegisterTheirOwnWithoutChangingTheOriginal() {
    try (FfmpegRunner runner = FfmpegRunner.create(settings)) {
      AudioPostProcessors defaults = AudioPostProcessors.defaults(runner, settings);
      AudioPostProcessors mine = defaults.toBuilder().register("jingle", custom).register(ContentKey.SPEECH, custom)
          .build();
      assertThat(mine.forType("jingle")).isSameAs(custom);
      assertThat(mine.forType(ContentKey.SPEECH)).isSameAs(custom);
      assertThat(defaults.forType(ContentKey.SPEECH)).isInstanceOf(PassThroughProcessor.class);
      assertThat(defaults.find("jingle")).isEmpty();
      assertThat(mine.toBuilder().unregister("jingle").build().find("jingle")).isEmpty();
      assertThatThrownBy(() -> mine.contentTypes().add("x")).isInstanceOf(UnsupportedOperationException.class);
    }
  }

  @Test
  void withoutAFallbackAnUnknownTypeIsRefusedNamingTheRegisteredOnes() {
    AudioPostProcessors p = AudioPostProcessors.builder().register("sound_effect", custom).build();
    assertThat(p.fallback()).isEmpty();
    assertThatThrownBy(() -> p.forType("podcast")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("No AudioPostProcessor for content type 'podcast' and no fallback; registered: [sound_effect]");
  }

  @Test
  void refusesInvalidContentTypes() {
    assertThatThrownBy(() -> AudioPostProcessors.builder().register("bad type!", custom))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contentType")
        .hasMessageContaining("bad type!");
    assertThatThrownBy(() -> AudioPostProcessors.builder().register("ok", null)).isInstanceOf(NullPointerException.class)
        .hasMessage("processor == null");
  }
}
