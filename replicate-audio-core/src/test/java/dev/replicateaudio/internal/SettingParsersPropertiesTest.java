package dev.replicateaudio.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.ConfigurationException;
import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.testing.Bounded;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.LongRange;

/**
 * The settings parsers on any text: a value or empty, never an exception, never a hang; settings
 * from any environment are built or refused with one {@link ConfigurationException}; a silence
 * threshold that is accepted can't carry anything into an ffmpeg filter graph.
 */
class SettingParsersPropertiesTest {
  private static final List<String> VARIABLES = List.of(ReplicateAudioSettings.ENV_WEBHOOK_TIMEOUT,
      ReplicateAudioSettings.ENV_SOUND_EFFECTS_TIMEOUT, ReplicateAudioSettings.ENV_DOWNLOAD_TIMEOUT,
      ReplicateAudioSettings.ENV_FFMPEG_TIMEOUT, ReplicateAudioSettings.ENV_MAX_FILE_SIZE,
      ReplicateAudioSettings.ENV_SILENCE_THRESHOLD, ReplicateAudioSettings.ENV_FFMPEG_PATH,
      ReplicateAudioSettings.ENV_FFPROBE_PATH, ReplicateAudioSettings.ENV_FFMPEG_MAX_CONCURRENCY);

  @Property(tries = 3000)
  void anyTextParsesToAValueOrEmpty(@ForAll("settingTexts") String text) throws Exception {
    Bounded.call(() -> {
      Optional<Duration> duration = SettingParsers.parseDuration(text);
      duration.ifPresent(d -> assertThat(SettingParsers.describe(d)).isNotEmpty());
      Optional<Long> size = SettingParsers.parseSize(text);
      Optional<BigDecimal> exact = SettingParsers.parseSizeExact(text);
      size.ifPresent(s -> assertThat(exact).hasValueSatisfying(e -> assertThat(e.longValueExact()).isEqualTo(s)));
      SettingParsers.parseInt(text);
      SettingParsers.isValidSilenceThreshold(text);
      assertThat(SettingParsers.printable(text)).doesNotContain("\n", "\r", "\u0000");
      return null;
    });
  }

  @Property(tries = 2000)
  void anAcceptedSilenceThresholdHoldsNothingAFilterGraphWouldInterpret(@ForAll("settingTexts") String text) {
    if (SettingParsers.isValidSilenceThreshold(text)) {
      assertThat(text).matches("-?[0-9.eE-]+(dB)?");
    }
  }

  @Property(tries = 1000)
  void aSizeWithAUnitIsItsNumberTimesTheUnit(@ForAll @LongRange(min = 0, max = 1_000_000) long n,
      @ForAll("units") Map.Entry<String, Long> unit) {
    assertThat(SettingParsers.parseSize(n + unit.getKey())).hasValue(n * unit.getValue());
    assertThat(SettingParsers.parseSize(" " + n + " " + unit.getKey() + " ")).hasValue(n * unit.getValue());
  }

  @Property(tries = 1000)
  void wholeSecondsAndIsoDurationsParseToTheirDuration(@ForAll @LongRange(min = 0, max = 999_999_999_999L) long s) {
    assertThat(SettingParsers.parseDuration(Long.toString(s))).hasValue(Duration.ofSeconds(s));
    assertThat(SettingParsers.parseDuration(Duration.ofSeconds(s).toString())).hasValue(Duration.ofSeconds(s));
  }

  @Property(tries = 2000)
  void anyEnvironmentGivesSettingsOrOneConfigurationException(@ForAll("environments") Map<String, String> env)
      throws Exception {
    try {
      ReplicateAudioSettings settings = Bounded.call(() -> ReplicateAudioSettings.fromEnvironment(env));
      assertThat(settings.webhookTimeout()).isPositive();
      assertThat(settings.maxFileSize()).isPositive();
      assertThat(SettingParsers.isValidSilenceThreshold(settings.silenceThreshold())).isTrue();
    } catch (ConfigurationException e) {
      assertThat(e.problems()).isNotEmpty();
      assertThat(e.problems()).allSatisfy(p -> assertThat(VARIABLES.stream().anyMatch(p::contains))
          .as("names its variable: %s", p).isTrue());
    }
  }

  // ---- generators ----

  @Provide
  Arbitrary<String> settingTexts() {
    Arbitrary<String> numbers = Arbitraries.oneOf(
        Arbitraries.longs().map(String::valueOf),
        Arbitraries.doubles().map(String::valueOf),
        Arbitraries.bigDecimals().map(BigDecimal::toPlainString),
        Arbitraries.strings().numeric().ofMaxLength(60));
    Arbitrary<String> suffixes = Arbitraries.of("", "dB", "db", "B", "KB", "kib", "MiB", "GB", "TiB", "e-3", "e99",
        "S", "M", " s", "PT", "H");
    return Arbitraries.oneOf(
        Combinators.combine(Arbitraries.of("", "-", "+", "P", "PT", "-PT", "p", " "), numbers, suffixes)
            .as((a, b, c) -> a + b + c),
        Arbitraries.strings().withChars("0123456789.-+eEPTDHMSdBKiGb: ,;[]'\"=").ofMaxLength(40),
        Arbitraries.strings().ofMaxLength(80));
  }

  @Provide
  Arbitrary<Map.Entry<String, Long>> units() {
    return Arbitraries.of(Map.entry("", 1L), Map.entry("B", 1L), Map.entry("KB", 1_000L), Map.entry("kb", 1_000L),
        Map.entry("MB", 1_000_000L), Map.entry("GB", 1_000_000_000L), Map.entry("KiB", 1024L),
        Map.entry("MiB", 1L << 20), Map.entry("GiB", 1L << 30));
  }

  @Provide
  Arbitrary<Map<String, String>> environments() {
    Arbitrary<Map.Entry<String, String>> entry = Combinators.combine(Arbitraries.of(VARIABLES), settingTexts())
        .as(Map::entry);
    return entry.list().ofMaxSize(VARIABLES.size()).map(list -> {
      Map<String, String> env = new LinkedHashMap<>();
      list.forEach(e -> env.put(e.getKey(), e.getValue()));
      return env;
    });
  }
}
