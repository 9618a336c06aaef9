package dev.replicateaudio;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CompletionOutcomeTest {
  @Test
  void succeededCarriesThePredictionAndNoError() {
    CompletionOutcome o = CompletionOutcome.succeeded("p1");

    assertThat(o.status()).isEqualTo(CompletionStatus.SUCCEEDED);
    assertThat(o.predictionId()).isEqualTo("p1");
    assertThat(o.error()).isNull();
    assertThat(o.errorMessage()).isEmpty();
    assertThat(o.isSuccess()).isTrue();
  }

  @Test
  void failureFactoriesCarryTheirStatusAndError() {
    assertThat(CompletionOutcome.failed("p1", "CUDA out of memory"))
        .isEqualTo(new CompletionOutcome(CompletionStatus.FAILED, "p1", "CUDA out of memory"));
    assertThat(CompletionOutcome.canceled("p1", "aborted by Cancel-After").status()).isEqualTo(CompletionStatus.CANCELED);
    assertThat(CompletionOutcome.timedOut("p1", "no webhook within 300 s").status()).isEqualTo(CompletionStatus.TIMED_OUT);
    assertThat(CompletionOutcome.failed("p1", "x").isSuccess()).isFalse();
    assertThat(CompletionOutcome.failed("p1", "x").errorMessage()).contains("x");
  }

  @Test
  void timedOutMayNotKnowThePrediction() {
    CompletionOutcome o = CompletionOutcome.timedOut(null, "no completion within 5 s");

    assertThat(o.predictionId()).isNull();
    assertThat(o.isSuccess()).isFalse();
  }

  @Test
  void pendingCarriesNoError() {
    CompletionOutcome o = CompletionOutcome.pending("p1");

    assertThat(o.status()).isEqualTo(CompletionStatus.PENDING);
    assertThat(o.error()).isNull();
    assertThat(o.status().isFinal()).isFalse();
  }

  @ParameterizedTest
  @EnumSource(value = CompletionStatus.class, names = {"SUCCEEDED", "CANCELED", "PENDING"})
  void everyStatusButTimedOutAndFailedNeedsAPredictionId(CompletionStatus status) {
    String error = status == CompletionStatus.SUCCEEDED || status == CompletionStatus.PENDING ? null : "e";

    assertThatThrownBy(() -> new CompletionOutcome(status, null, error))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("predictionId == null (allowed only for TIMED_OUT and FAILED)");
  }

  @Test
  void failureBeforeAnyPredictionExistedHasNoPredictionId() {
    CompletionOutcome o = CompletionOutcome.failed(null, "submission failed: 503");
    assertThat(o.predictionId()).isNull();
    assertThat(o.isSuccess()).isFalse();
  }

  @Test
  void successOrPendingWithAnErrorIsRefused() {
    assertThatThrownBy(() -> new CompletionOutcome(CompletionStatus.SUCCEEDED, "p1", "oops"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("SUCCEEDED outcome must not carry an error, got 'oops'");
    assertThatThrownBy(() -> new CompletionOutcome(CompletionStatus.PENDING, "p1", "oops"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PENDING outcome must not carry an error, got 'oops'");
  }

  @ParameterizedTest
  @EnumSource(value = CompletionStatus.class, names = {"FAILED", "CANCELED", "TIMED_OUT"})
  void unsuccessfulOutcomeNeedsAnErrorText(CompletionStatus status) {
    assertThatThrownBy(() -> new CompletionOutcome(status, "p1", null))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(status + " outcome needs an error text");
    assertThatThrownBy(() -> new CompletionOutcome(status, "p1", "  "))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(status + " outcome needs an error text");
  }

  @Test
  void statusIsRequired() {
    assertThatThrownBy(() -> new CompletionOutcome(null, "p1", null))
        .isInstanceOf(NullPointerException.class).hasMessage("status == null");
  }

  @Test
  void everyStatusButPendingIsFinal() {
    assertThat(CompletionStatus.values()).filteredOn(CompletionStatus::isFinal)
        .containsExactly(CompletionStatus.SUCCEEDED, CompletionStatus.FAILED, CompletionStatus.CANCELED,
            CompletionStatus.TIMED_OUT);
  }

  @Test
  void equalOutcomesAreEqual() {
    assertThat(CompletionOutcome.failed("p1", "e")).isEqualTo(CompletionOutcome.failed("p1", "e"))
        .hasSameHashCodeAs(CompletionOutcome.failed("p1", "e"))
        .isNotEqualTo(CompletionOutcome.canceled("p1", "e"));
  }
}
