package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplicateAudioSettingsTest {
  static final String TIMEOUT_FORMS = "seconds (e.g. 300 or 2.5) or ISO-8601 (e.g. PT5M)";
  static final String SIZE_FORMS = "bytes (e.g. 50000000) or a number with KB, MB, GB (x1000) or KiB, MiB, GiB (x1024)";
  static final String THRESHOLD_FORMS =
      "-NdB with N from 0 to 200 (e.g. -60dB) or a linear amplitude in (0, 1] (e.g. 0.001)";

  static final String[] TIMEOUT_VARIABLES = {"REPLICATE_WEBHOOK_TIMEOUT", "REPLICATE_SOUND_EFFECTS_TIMEOUT",
      "REPLICATE_DOWNLOAD_TIMEOUT", "REPLICATE_FFMPEG_TIMEOUT"};

  static ReplicateAudioSettings fromEnv(String variable, String value) {
    return ReplicateAudioSettings.fromEnvironment(Map.of(variable, value));
  }

  /** The one problem reported for {@code variable=value}. */
  static String problem(String variable, String value) {
    ConfigurationException e = org.assertj.core.api.Assertions.catchThrowableOfType(ConfigurationException.class,
        () -> fromEnv(variable, value));
    assertThat(e).as("%s='%s' must be refused", variable, value).isNotNull();
    assertThat(e.problems()).hasSize(1);
    assertThat(e).hasMessage("Invalid configuration: " + e.problems().get(0));
    return e.problems().get(0);
  }

  static Function<ReplicateAudioSettings, Duration> timeoutOf(String variable) {
    switch (variable) {
      case "REPLICATE_WEBHOOK_TIMEOUT": return ReplicateAudioSettings::webhookTimeout;
      case "REPLICATE_SOUND_EFFECTS_TIMEOUT": return ReplicateAudioSettings::soundEffectsTimeout;
      case "REPLICATE_DOWNLOAD_TIMEOUT": return ReplicateAudioSettings::downloadTimeout;
      case "REPLICATE_FFMPEG_TIMEOUT": return ReplicateAudioSettings::ffmpegTimeout;
      default: throw new IllegalArgumentException(variable);
    }
  }

  @Nested
  class Defaults {
    @Test
    void defaultsAreTheSeedsValues() {
      ReplicateAudioSettings s = ReplicateAudioSettings.defaults();

      assertThat(s.webhookTimeout()).isEqualTo(Duration.ofSeconds(300));
      assertThat(s.soundEffectsTimeout()).isEqualTo(Duration.ofSeconds(300));
      assertThat(s.downloadTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(s.ffmpegTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(s.maxFileSize()).isEqualTo(50_000_000L);
      assertThat(s.silenceThreshold()).isEqualTo("-60dB");
      assertThat(s.ffmpegPath()).isEqualTo("ffmpeg");
      assertThat(s.ffprobePath()).isEqualTo("ffprobe");
      assertThat(s.maxConcurrentFfmpeg()).isEqualTo(Math.min(1024, Runtime.getRuntime().availableProcessors()));
    }

    @Test
    void emptyEnvironmentGivesTheDefaults() {
      assertThat(ReplicateAudioSettings.fromEnvironment(Map.of())).isEqualTo(ReplicateAudioSettings.defaults());
    }

    @Test
    void blankVariablesGiveTheDefaults() {
      Map<String, String> env = new HashMap<>();
      for (String v : new String[] {"REPLICATE_WEBHOOK_TIMEOUT", "REPLICATE_SOUND_EFFECTS_TIMEOUT",
          "REPLICATE_DOWNLOAD_TIMEOUT", "REPLICATE_FFMPEG_TIMEOUT", "REPLICATE_MAX_FILE_SIZE",
          "REPLICATE_SILENCE_THRESHOLD", "REPLICATE_FFMPEG_PATH", "REPLICATE_FFPROBE_PATH",
          "REPLICATE_FFMPEG_MAX_CONCURRENCY"}) {
        env.put(v, v.length() % 2 == 0 ? "" : " \t ");
      }

      assertThat(ReplicateAudioSettings.fromEnvironment(env)).isEqualTo(ReplicateAudioSettings.defaults());
    }

    @Test
    void otherVariablesAreIgnored() {
      Map<String, String> env = Map.of("PATH", "/usr/bin", "REPLICATE_API_TOKEN", "r8_x", "REPLICATE_UNKNOWN", "oops");

      assertThat(ReplicateAudioSettings.fromEnvironment(env)).isEqualTo(ReplicateAudioSettings.defaults());
    }

    @Test
    void processEnvironmentIsReadThroughTheSameSeam() {
      assertThat(ReplicateAudioSettings.fromEnvironment())
          .isEqualTo(ReplicateAudioSettings.fromEnvironment(System.getenv()));
    }

    @Test
    void nullEnvironmentIsRefused() {
      assertThatThrownBy(() -> ReplicateAudioSettings.fromEnvironment(null))
          .isInstanceOf(NullPointerException.class).hasMessage("environment == null");
    }
  }

  @Nested
  class Timeouts {
    @ParameterizedTest
    @CsvSource({
        "300, PT5M",
        "2.5, PT2.5S",
        "0.001, PT0.001S",
        "' 45 ', PT45S",
        "PT5M, PT5M",
        "pt90s, PT1M30S",
        "PT1.5S, PT1.5S",
        "P1D, PT24H",
        "86400, PT24H",
        "000120, PT2M"
    })
    void everyTimeoutAcceptsSecondsAndIso8601(String value, String expected) {
      for (String variable : TIMEOUT_VARIABLES) {
        assertThat(timeoutOf(variable).apply(fromEnv(variable, value))).as(variable).isEqualTo(Duration.parse(expected));
      }
    }

    @Test
    void eachTimeoutVariableSetsItsOwnSetting() {
      ReplicateAudioSettings s = ReplicateAudioSettings.fromEnvironment(Map.of(
          "REPLICATE_WEBHOOK_TIMEOUT", "1", "REPLICATE_SOUND_EFFECTS_TIMEOUT", "2",
          "REPLICATE_DOWNLOAD_TIMEOUT", "3", "REPLICATE_FFMPEG_TIMEOUT", "4"));

      assertThat(s.webhookTimeout()).isEqualTo(Duration.ofSeconds(1));
      assertThat(s.soundEffectsTimeout()).isEqualTo(Duration.ofSeconds(2));
      assertThat(s.downloadTimeout()).isEqualTo(Duration.ofSeconds(3));
      assertThat(s.ffmpegTimeout()).isEqualTo(Duration.ofSeconds(4));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0.0", "PT0S", "-5", "-2.5", "-PT5M", "PT-5M"})
    void zeroOrNegativeTimeoutIsRefused(String value) {
      for (String variable : TIMEOUT_VARIABLES) {
        assertThat(problem(variable, value)).isEqualTo(variable + "='" + value + "' must be positive; accepted: "
            + TIMEOUT_FORMS + ", at most PT24H");
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "5m", "300s", "1e3", "2.", ".5", "1,5", "PT", "P", "PT5X", "5 minutes",
        "0.0000000001", "--5"})
    void unparsableTimeoutIsRefused(String value) {
      for (String variable : TIMEOUT_VARIABLES) {
        assertThat(problem(variable, value))
            .isEqualTo(variable + "='" + value + "' is not a duration; accepted: " + TIMEOUT_FORMS);
      }
    }

    @ParameterizedTest
    @ValueSource(strings = {"86401", "86400.000000001", "PT24H0.5S", "P2D", "999999999999",
        "9300000000", "PT9999999999999999999H", "P99999999999999D"})
    void timeoutAboveOneDayIsRefusedEvenWhenItOverflows(String value) {
      for (String variable : TIMEOUT_VARIABLES) {
        assertThat(problem(variable, value)).isEqualTo(variable + "='" + value + "' is above the maximum of PT24H");
      }
    }

    @Test
    void hugeNegativeIsoTimeoutIsReportedAsNotPositive() {
      assertThat(problem("REPLICATE_FFMPEG_TIMEOUT", "-PT9999999999999999999H")).contains("must be positive");
    }

    @Test
    void timeoutMessageEscapesControlCharactersAndCutsLongValues() {
      String value = "30\u0007" + "x".repeat(300);

      String problem = problem("REPLICATE_DOWNLOAD_TIMEOUT", value);

      assertThat(problem).startsWith("REPLICATE_DOWNLOAD_TIMEOUT='30\\u0007xxx").contains("xxx...'")
          .doesNotContain("\u0007").hasSizeLessThan(250);
    }
  }

  @Nested
  class Sizes {
    @ParameterizedTest
    @CsvSource({
        "50000000, 50000000",
        "1, 1",
        "1B, 1",
        "512 B, 512",
        "50KB, 50000",
        "50MB, 50000000",
        "50 mb, 50000000",
        "2GB, 2000000000",
        "1.5MB, 1500000",
        "64KiB, 65536",
        "48MiB, 50331648",
        "1.5KiB, 1536",
        "2 gib, 2147483648",
        "1TiB, 1099511627776",
        "1TB, 1000000000000",
        "' 7MB ', 7000000"
    })
    void maxFileSizeAcceptsBytesAndUnits(String value, long expected) {
      assertThat(fromEnv("REPLICATE_MAX_FILE_SIZE", value).maxFileSize()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "0B", "0.0MB", "-5", "-5MB", "-0"})
    void zeroOrNegativeSizeIsRefused(String value) {
      assertThat(problem("REPLICATE_MAX_FILE_SIZE", value))
          .isEqualTo("REPLICATE_MAX_FILE_SIZE='" + value + "' must be positive; accepted: " + SIZE_FORMS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "50M", "50 XB", "5e6", "1,000", "MB", "50MBs", "--5", "50 kibibytes"})
    void unparsableSizeIsRefused(String value) {
      assertThat(problem("REPLICATE_MAX_FILE_SIZE", value))
          .isEqualTo("REPLICATE_MAX_FILE_SIZE='" + value + "' is not a size; accepted: " + SIZE_FORMS);
    }

    @ParameterizedTest
    @ValueSource(strings = {"1099511627777", "2TiB", "1.1TB", "9223372036854775808",
        "99999999999999999999999", "99999999999GB"})
    void sizeAboveOneTebibyteIsRefusedEvenWhenItOverflows(String value) {
      assertThat(problem("REPLICATE_MAX_FILE_SIZE", value))
          .isEqualTo("REPLICATE_MAX_FILE_SIZE='" + value + "' is above the maximum of 1099511627776 bytes");
    }

    @Test
    void fractionOfAByteIsRefused() {
      assertThat(problem("REPLICATE_MAX_FILE_SIZE", "1.5")).isEqualTo("REPLICATE_MAX_FILE_SIZE='1.5' is not a whole"
          + " number of bytes (1.5); accepted: " + SIZE_FORMS);
      assertThat(problem("REPLICATE_MAX_FILE_SIZE", "1.0001KB")).contains("is not a whole number of bytes (1000.1)");
    }
  }

  @Nested
  class SilenceThreshold {
    @ParameterizedTest
    @ValueSource(strings = {"-60dB", "-0dB", "0dB", "-200dB", "-45.5dB", "-0.000001dB", "0.001", "1", "1.0",
        "0.5", "1e-3", "5E-2"})
    void thresholdAcceptsNegativeDecibelsAndAmplitudes(String value) {
      assertThat(fromEnv("REPLICATE_SILENCE_THRESHOLD", value).silenceThreshold()).isEqualTo(value);
      assertThat(ReplicateAudioSettings.builder().silenceThreshold(value).build().silenceThreshold()).isEqualTo(value);
    }

    @Test
    void thresholdIsTrimmed() {
      assertThat(fromEnv("REPLICATE_SILENCE_THRESHOLD", " -50dB\n").silenceThreshold()).isEqualTo("-50dB");
    }

    @ParameterizedTest
    @ValueSource(strings = {"-60dB,volume=9", "-60dB:start_periods=9", "-60dB;rm -rf /", "-60 dB", "dB", "-dB",
        "1.5", "0", "0.0", "2", "1e3", "-201dB", "-1000dB", "-0.001", "-60", "abc", "-60dBFS", "'-60dB'"})
    void anythingElseIsRefusedBecauseItEntersAFilterGraph(String value) {
      assertThat(problem("REPLICATE_SILENCE_THRESHOLD", value))
          .isEqualTo("REPLICATE_SILENCE_THRESHOLD='" + value + "' is not accepted; accepted: " + THRESHOLD_FORMS);
    }

    @Test
    void decibelsInTheWrongCaseGetAHint() {
      assertThat(problem("REPLICATE_SILENCE_THRESHOLD", "-60db")).isEqualTo("REPLICATE_SILENCE_THRESHOLD='-60db'"
          + " is not accepted; accepted: " + THRESHOLD_FORMS + " (the unit is case-sensitive: dB)");
      assertThat(problem("REPLICATE_SILENCE_THRESHOLD", "-60DB")).endsWith("(the unit is case-sensitive: dB)");
    }

    @Test
    void positiveDecibelsGetAHint() {
      assertThat(problem("REPLICATE_SILENCE_THRESHOLD", "60dB")).isEqualTo("REPLICATE_SILENCE_THRESHOLD='60dB'"
          + " is not accepted; accepted: " + THRESHOLD_FORMS + " (a level in dB is 0 or below, e.g. -60dB)");
    }

    @Test
    void builderRefusesTheSameThresholds() {
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().silenceThreshold("-60dB,volume=9").build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid configuration: silenceThreshold='-60dB,volume=9' is not accepted: " + THRESHOLD_FORMS);
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().silenceThreshold("-60db").build())
          .isInstanceOf(ConfigurationException.class).hasMessageEndingWith("(the unit is case-sensitive: dB)");
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().silenceThreshold(null).build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid configuration: silenceThreshold is required: " + THRESHOLD_FORMS);
    }
  }

  @Nested
  class Executables {
    @Test
    void pathsAreTakenAsGivenAfterTrimming() {
      ReplicateAudioSettings s = ReplicateAudioSettings.fromEnvironment(Map.of(
          "REPLICATE_FFMPEG_PATH", " /opt/ffmpeg 6/bin/ffmpeg ", "REPLICATE_FFPROBE_PATH", "ffprobe-6"));

      assertThat(s.ffmpegPath()).isEqualTo("/opt/ffmpeg 6/bin/ffmpeg");
      assertThat(s.ffprobePath()).isEqualTo("ffprobe-6");
    }

    @Test
    void pathWithAControlCharacterIsRefused() {
      assertThat(problem("REPLICATE_FFMPEG_PATH", "/usr/bin/ff\nmpeg"))
          .isEqualTo("REPLICATE_FFMPEG_PATH='/usr/bin/ff\\u000ampeg' contains a control character");
      assertThat(problem("REPLICATE_FFPROBE_PATH", "ffprobe\u0000"))
          .isEqualTo("REPLICATE_FFPROBE_PATH='ffprobe\\u0000' contains a control character");
    }

    @Test
    void builderRefusesBlankOrNullPaths() {
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().ffmpegPath(" ").ffprobePath(null).build())
          .isInstanceOf(ConfigurationException.class)
          .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
              "ffmpegPath is required: a path to the executable or a name looked up on PATH",
              "ffprobePath is required: a path to the executable or a name looked up on PATH"));
    }
  }

  @Nested
  class Concurrency {
    @ParameterizedTest
    @CsvSource({"1, 1", "4, 4", "+8, 8", "' 16 ', 16", "1024, 1024", "0004, 4"})
    void concurrencyAcceptsWholeNumbersFromOneTo1024(String value, int expected) {
      assertThat(fromEnv("REPLICATE_FFMPEG_MAX_CONCURRENCY", value).maxConcurrentFfmpeg()).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "-1", "1025", "2147483648", "99999999999", "-99999999999999999999"})
    void concurrencyOutOfRangeIsRefused(String value) {
      assertThat(problem("REPLICATE_FFMPEG_MAX_CONCURRENCY", value))
          .isEqualTo("REPLICATE_FFMPEG_MAX_CONCURRENCY='" + value + "' is out of range; accepted: 1 to 1024");
    }

    @ParameterizedTest
    @ValueSource(strings = {"1.5", "four", "4 threads", "0x10", "1e2", "--1"})
    void concurrencyThatIsNotAWholeNumberIsRefused(String value) {
      assertThat(problem("REPLICATE_FFMPEG_MAX_CONCURRENCY", value))
          .isEqualTo("REPLICATE_FFMPEG_MAX_CONCURRENCY='" + value + "' is not a whole number; accepted: 1 to 1024");
    }
  }

  @Nested
  class SeveralProblems {
    @Test
    void everyBadVariableIsReportedAtOnceInOrder() {
      Map<String, String> env = new LinkedHashMap<>();
      env.put("REPLICATE_FFMPEG_MAX_CONCURRENCY", "0");
      env.put("REPLICATE_WEBHOOK_TIMEOUT", "soon");
      env.put("REPLICATE_SOUND_EFFECTS_TIMEOUT", "-1");
      env.put("REPLICATE_DOWNLOAD_TIMEOUT", "P7D");
      env.put("REPLICATE_FFMPEG_TIMEOUT", "30"); // good
      env.put("REPLICATE_MAX_FILE_SIZE", "lots");
      env.put("REPLICATE_SILENCE_THRESHOLD", "-60dB,volume=9");
      env.put("REPLICATE_FFMPEG_PATH", "ff\rmpeg");
      env.put("REPLICATE_FFPROBE_PATH", "ffprobe"); // good

      assertThatThrownBy(() -> ReplicateAudioSettings.fromEnvironment(env))
          .isInstanceOf(ConfigurationException.class)
          .isInstanceOf(ReplicateAudioException.class)
          .hasMessage("Invalid configuration (7 problems):"
              + "\n  - REPLICATE_WEBHOOK_TIMEOUT='soon' is not a duration; accepted: " + TIMEOUT_FORMS
              + "\n  - REPLICATE_SOUND_EFFECTS_TIMEOUT='-1' must be positive; accepted: " + TIMEOUT_FORMS + ", at most PT24H"
              + "\n  - REPLICATE_DOWNLOAD_TIMEOUT='P7D' is above the maximum of PT24H"
              + "\n  - REPLICATE_MAX_FILE_SIZE='lots' is not a size; accepted: " + SIZE_FORMS
              + "\n  - REPLICATE_SILENCE_THRESHOLD='-60dB,volume=9' is not accepted; accepted: " + THRESHOLD_FORMS
              + "\n  - REPLICATE_FFMPEG_PATH='ff\\u000dmpeg' contains a control character"
              + "\n  - REPLICATE_FFMPEG_MAX_CONCURRENCY='0' is out of range; accepted: 1 to 1024")
          .satisfies(e -> {
            ConfigurationException ce = (ConfigurationException) e;
            assertThat(ce.problems()).hasSize(7);
            assertThat(ce.isRetryable()).isFalse();
            assertThatThrownBy(() -> ce.problems().add("x")).isInstanceOf(UnsupportedOperationException.class);
          });
    }

    @Test
    void builderReportsEveryBadValueAtOnce() {
      assertThatThrownBy(() -> ReplicateAudioSettings.builder()
          .webhookTimeout(null)
          .soundEffectsTimeout(Duration.ZERO)
          .downloadTimeout(Duration.ofSeconds(-5))
          .ffmpegTimeout(Duration.ofHours(25))
          .maxFileSize(0)
          .silenceThreshold("60dB")
          .maxConcurrentFfmpeg(1025)
          .build())
          .isInstanceOf(ConfigurationException.class)
          .satisfies(e -> assertThat(((ConfigurationException) e).problems()).containsExactly(
              "webhookTimeout is required (" + TIMEOUT_FORMS + ")",
              "soundEffectsTimeout=0 s must be positive, at most PT24H",
              "downloadTimeout=-5 s must be positive, at most PT24H",
              "ffmpegTimeout=PT25H is above the maximum of PT24H",
              "maxFileSize=0 must be a positive number of bytes, at most 1099511627776",
              "silenceThreshold='60dB' is not accepted: " + THRESHOLD_FORMS + " (a level in dB is 0 or below, e.g. -60dB)",
              "maxConcurrentFfmpeg=1025 is out of range: accepted 1 to 1024"));
    }

    @Test
    void builderRefusesValuesAboveTheLimits() {
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().maxFileSize((1L << 40) + 1).build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid configuration: maxFileSize=1099511627777 bytes is above the maximum of 1099511627776 bytes");
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().maxConcurrentFfmpeg(0).build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid configuration: maxConcurrentFfmpeg=0 is out of range: accepted 1 to 1024");
      assertThatThrownBy(() -> ReplicateAudioSettings.builder().downloadTimeout(Duration.ofMillis(-1500)).build())
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid configuration: downloadTimeout=-1.5 s must be positive, at most PT24H");
    }

    @Test
    void configurationExceptionNeedsAtLeastOneProblem() {
      assertThatThrownBy(() -> new ConfigurationException(java.util.List.of()))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("problems is empty");
      assertThat(new ConfigurationException("x=1 is wrong")).hasMessage("Invalid configuration: x=1 is wrong");
    }
  }

  @Nested
  class Builder {
    @Test
    void builderSettersCarryTheComponentNames() {
      ReplicateAudioSettings s = ReplicateAudioSettings.builder()
          .webhookTimeout(Duration.ofMinutes(10))
          .soundEffectsTimeout(Duration.ofMinutes(2))
          .downloadTimeout(Duration.ofSeconds(45))
          .ffmpegTimeout(Duration.ofSeconds(20))
          .maxFileSize(10_000_000)
          .silenceThreshold("-50dB")
          .ffmpegPath("/usr/local/bin/ffmpeg")
          .ffprobePath("/usr/local/bin/ffprobe")
          .maxConcurrentFfmpeg(3)
          .build();

      assertThat(s).isEqualTo(new ReplicateAudioSettings(Duration.ofMinutes(10), Duration.ofMinutes(2),
          Duration.ofSeconds(45), Duration.ofSeconds(20), 10_000_000, "-50dB", "/usr/local/bin/ffmpeg",
          "/usr/local/bin/ffprobe", 3));
    }

    @Test
    void toBuilderRoundTripsEveryValue() {
      ReplicateAudioSettings s = ReplicateAudioSettings.fromEnvironment(Map.of(
          "REPLICATE_WEBHOOK_TIMEOUT", "600", "REPLICATE_SOUND_EFFECTS_TIMEOUT", "PT2M",
          "REPLICATE_DOWNLOAD_TIMEOUT", "12.5", "REPLICATE_FFMPEG_TIMEOUT", "7",
          "REPLICATE_MAX_FILE_SIZE", "20MiB", "REPLICATE_SILENCE_THRESHOLD", "0.002",
          "REPLICATE_FFMPEG_PATH", "/a/ffmpeg", "REPLICATE_FFPROBE_PATH", "/a/ffprobe",
          "REPLICATE_FFMPEG_MAX_CONCURRENCY", "5"));

      assertThat(s.toBuilder().build()).isEqualTo(s).isNotSameAs(s);
    }

    @Test
    void toBuilderDerivesWithoutChangingTheOriginal() {
      ReplicateAudioSettings original = ReplicateAudioSettings.defaults();

      ReplicateAudioSettings derived = original.toBuilder().ffmpegTimeout(Duration.ofSeconds(5)).build();

      assertThat(derived.ffmpegTimeout()).isEqualTo(Duration.ofSeconds(5));
      assertThat(original.ffmpegTimeout()).isEqualTo(Duration.ofSeconds(30));
      assertThat(derived.toBuilder().ffmpegTimeout(Duration.ofSeconds(30)).build()).isEqualTo(original);
    }

    @Test
    void canonicalConstructorValidatesToo() {
      assertThatThrownBy(() -> new ReplicateAudioSettings(Duration.ofSeconds(1), Duration.ofSeconds(1),
          Duration.ofSeconds(1), Duration.ofSeconds(1), -1, "-60dB", "ffmpeg", "ffprobe", 1))
          .isInstanceOf(ConfigurationException.class)
          .hasMessage("Invalid configuration: maxFileSize=-1 must be a positive number of bytes, at most 1099511627776");
    }
  }
}
