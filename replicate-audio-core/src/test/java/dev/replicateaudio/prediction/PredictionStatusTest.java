package dev.replicateaudio.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PredictionStatusTest {
  @Test
  void succeededFailedCanceledAndAbortedAreTerminal() {
    assertThat(PredictionStatus.values()).filteredOn(PredictionStatus::isTerminal).containsExactly(
        PredictionStatus.SUCCEEDED, PredictionStatus.FAILED, PredictionStatus.CANCELED, PredictionStatus.ABORTED);
    assertThat(PredictionStatus.STARTING.isTerminal()).isFalse();
    assertThat(PredictionStatus.PROCESSING.isTerminal()).isFalse();
  }

  @Test
  void abortedIsKnownAndTerminalUnlikeInTheOfficialClients() {
    PredictionStatus aborted = PredictionStatus.fromApiValue("aborted");

    assertThat(aborted).isEqualTo(PredictionStatus.ABORTED);
    assertThat(aborted.isTerminal()).isTrue();
  }

  @ParameterizedTest
  @EnumSource(PredictionStatus.class)
  void apiValueRoundTrips(PredictionStatus status) {
    assertThat(status.apiValue()).isEqualTo(status.name().toLowerCase(java.util.Locale.ROOT));
    assertThat(PredictionStatus.fromApiValue(status.apiValue())).isEqualTo(status);
  }

  @Test
  void apiValuesAreReadCaseInsensitivelyAndTrimmed() {
    assertThat(PredictionStatus.fromApiValue("Succeeded")).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(PredictionStatus.fromApiValue(" PROCESSING\n")).isEqualTo(PredictionStatus.PROCESSING);
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "cancelled", "queued", "booting", "success"})
  void unknownValueIsRefusedListingTheKnownOnes(String value) {
    assertThatThrownBy(() -> PredictionStatus.fromApiValue(value))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Unknown prediction status '" + value
            + "'; known: starting, processing, succeeded, failed, canceled, aborted");
  }

  @Test
  void nullValueIsRefused() {
    assertThatThrownBy(() -> PredictionStatus.fromApiValue(null)).isInstanceOf(NullPointerException.class)
        .hasMessage("value == null");
  }
}
