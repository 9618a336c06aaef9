package dev.replicateaudio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ConfigurationException;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class SettingParsersTest {
  @ParameterizedTest
  @CsvSource({"300, PT5M", "2.5, PT2.5S", "0.000000001, PT0.000000001S", "999999999999.999999999, PT277777777H46M39.999999999S",
      "PT5M, PT5M", "' PT1H ', PT1H", "-PT5S, PT-5S"})
  void parseDurationReadsSecondsAndIso8601(String text, String expected) {
    assertThat(SettingParsers.parseDuration(text)).contains(Duration.parse(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", " ", "abc", "-5", "5s", "1e3", "P", "PT", "1.0000000001", "1234567890123"})
  void parseDurationIsEmptyForAnythingElse(String text) {
    assertThat(SettingParsers.parseDuration(text)).isEmpty();
  }

  @Test
  void parseDurationMapsIsoOverflowToTheExtremes() {
    assertThat(SettingParsers.parseDuration("PT9999999999999999999H").orElseThrow())
        .isGreaterThan(Duration.ofDays(365L * 1_000_000));
    assertThat(SettingParsers.parseDuration("-PT9999999999999999999H").orElseThrow()).isNegative();
  }

  @ParameterizedTest
  @CsvSource({"50000000, 50000000", "50MB, 50000000", "1.5KiB, 1536", "1 tib, 1099511627776", "8EiB-not, -1"})
  void parseSizeReadsBytesAndUnits(String text, long expected) {
    if (expected < 0) {
      assertThat(SettingParsers.parseSize(text)).isEmpty();
    } else {
      assertThat(SettingParsers.parseSize(text)).contains(expected);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"1.5", "0.0001KB", "9223372036854775808", "99999999999999GB", "-5", "5 M", ""})
  void parseSizeIsEmptyForFractionsOverflowsAndGarbage(String text) {
    assertThat(SettingParsers.parseSize(text)).isEmpty();
  }

  @Test
  void parseSizeExactKeepsFractionsAndHugeValues() {
    assertThat(SettingParsers.parseSizeExact("1.5")).contains(new BigDecimal("1.5"));
    assertThat(SettingParsers.parseSizeExact("99999999999999GB").orElseThrow())
        .isEqualByComparingTo("99999999999999000000000");
    assertThat(SettingParsers.parseSizeExact("lots")).isEmpty();
  }

  @Test
  void parseIntReadsWholeNumbersThatFitAnInt() {
    assertThat(SettingParsers.parseInt(" 42 ")).contains(42);
    assertThat(SettingParsers.parseInt("-2147483648")).contains(Integer.MIN_VALUE);
    assertThat(SettingParsers.parseInt("2147483648")).isEmpty();
    assertThat(SettingParsers.parseInt("4.0")).isEmpty();
  }

  @ParameterizedTest
  @CsvSource({"PT5M, 300 s", "PT2.5S, 2.5 s", "PT-5S, -5 s", "PT-1.5S, -1.5 s", "PT24H, PT24H", "PT1H30M, PT1H30M",
      "PT1H0.5S, PT1H0.5S", "PT1H1S, 3601 s", "PT0S, 0 s"})
  void describeGivesTheShortestReadableForm(String duration, String expected) {
    assertThat(SettingParsers.describe(Duration.parse(duration))).isEqualTo(expected);
  }

  @Test
  void printableMasksWhatLooksLikeATokenOrAWebhookSecret() {
    // a token pasted into the wrong variable must not end up in the ConfigurationException (#13)
    assertThat(SettingParsers.printable("r8_TOKENsecret7Qz2Lw9")).isEqualTo("r8_<masked>");
    assertThat(SettingParsers.printable("ffmpeg\nr8_TOKENsecret7Qz2Lw9")).isEqualTo("ffmpeg\\u000ar8_<masked>");
    assertThat(SettingParsers.printable("whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD")).isEqualTo("whsec_<masked>");
    assertThat(SettingParsers.printable("PT5M")).isEqualTo("PT5M");
  }

  @Test
  void printableEscapesControlCharactersAndCutsAt100() {
    assertThat(SettingParsers.printable("a\tb\u007f")).isEqualTo("a\\u0009b\\u007f");
    assertThat(SettingParsers.printable("x".repeat(100))).isEqualTo("x".repeat(100));
    assertThat(SettingParsers.printable("x".repeat(101))).isEqualTo("x".repeat(100) + "...");
    assertThat(SettingParsers.printable("é✓🔊")).isEqualTo("é✓🔊");
  }

  @ParameterizedTest
  @ValueSource(strings = {"-60dB", "0dB", "-200dB", "1", "0.001", "1e-3"})
  void validThresholdsAreSafeForAFilterGraph(String value) {
    assertThat(SettingParsers.isValidSilenceThreshold(value)).isTrue();
  }

  @ParameterizedTest
  @ValueSource(strings = {"-60dB,volume=9", "-60db", "60dB", "1.5", "0", "", " -60dB", "-200.5dB"})
  void otherThresholdsAreNot(String value) {
    assertThat(SettingParsers.isValidSilenceThreshold(value)).isFalse();
  }

  @Test
  void checkRangeNamesTheSettingTheValueAndTheRange() {
    List<String> problems = new ArrayList<>();

    SettingParsers.checkRange("poolSize", 0, 1, 100, problems);
    SettingParsers.checkRange("poolSize", 50, 1, 100, problems);

    assertThat(problems).containsExactly("poolSize=0 is out of range: accepted 1 to 100");
  }

  @Test
  void envReaderCollectsProblemsOfEveryKindAndThrowsThemTogether() {
    SettingParsers.EnvReader env = new SettingParsers.EnvReader(Map.of("A", "x", "B", "12", "C", " "));

    assertThat(env.integer("A", 0, 10)).isEmpty();
    assertThat(env.integer("B", 0, 10)).isEmpty();
    assertThat(env.integer("C", 0, 10)).isEmpty();
    assertThat(env.raw("C")).isEmpty();
    env.problem("D and E can't both be set");

    assertThat(env.problems()).containsExactly(
        "A='x' is not a whole number; accepted: 0 to 10",
        "B='12' is out of range; accepted: 0 to 10",
        "D and E can't both be set");
    assertThatThrownBy(env::throwIfProblems).isInstanceOf(ConfigurationException.class)
        .hasMessageStartingWith("Invalid configuration (3 problems):\n  - A='x'");
  }

  @Test
  void envReaderWithoutProblemsDoesNotThrow() {
    SettingParsers.EnvReader env = new SettingParsers.EnvReader(Map.of("N", "7"));

    assertThat(env.integer("N", 0, 10)).contains(7);
    env.throwIfProblems();
    assertThat(env.problems()).isEmpty();
  }
}
