package dev.replicateaudio.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class PredictionTest {
  static final URI WAV = URI.create("https://replicate.delivery/pbxt/abc/out.wav");
  static final URI DATA = URI.create("data:audio/wav;base64,UklGRg==");

  @Test
  void ofSetsIdStatusOutputsAndErrorOnly() {
    Prediction p = Prediction.of("p1", PredictionStatus.SUCCEEDED, List.of(WAV, DATA), null);

    assertThat(p.id()).isEqualTo("p1");
    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(p.outputUrls()).containsExactly(WAV, DATA);
    assertThat(p.firstOutput()).contains(WAV);
    assertThat(p.errorMessage()).isEmpty();
    assertThat(p.model()).isNull();
    assertThat(p.createdAt()).isNull();
    assertThat(p.dataRemoved()).isFalse();
    assertThat(p.predictTime()).isNull();
    assertThat(p.isTerminal()).isTrue();
  }

  @Test
  void allComponentsAreKept() {
    Instant t = Instant.parse("2024-01-01T00:00:00.765994657Z");
    Prediction p = new Prediction("p1", PredictionStatus.FAILED, List.of(), "boom", "sepal/audiogen", t,
        t.plusSeconds(1), t.plusSeconds(5), true, Duration.ofMillis(4200));

    assertThat(p.model()).isEqualTo("sepal/audiogen");
    assertThat(p.completedAt()).isEqualTo(t.plusSeconds(5));
    assertThat(p.predictTime()).isEqualTo(Duration.ofMillis(4200));
    assertThat(p.errorMessage()).contains("boom");
    assertThat(p.firstOutput()).isEmpty();
  }

  @Test
  void outputListIsCopiedAndUnmodifiable() {
    List<URI> outputs = new ArrayList<>(List.of(WAV));
    Prediction p = Prediction.of("p1", PredictionStatus.SUCCEEDED, outputs, null);

    outputs.add(DATA);

    assertThat(p.outputUrls()).containsExactly(WAV);
    assertThatThrownBy(() -> p.outputUrls().add(DATA)).isInstanceOf(UnsupportedOperationException.class);
  }

  @Test
  void nonTerminalStatusesAreNotTerminal() {
    assertThat(Prediction.of("p1", PredictionStatus.STARTING, List.of(), null).isTerminal()).isFalse();
    assertThat(Prediction.of("p1", PredictionStatus.ABORTED, List.of(), null).isTerminal()).isTrue();
  }

  @Test
  void idStatusAndOutputsAreRequired() {
    assertThatThrownBy(() -> Prediction.of(null, PredictionStatus.SUCCEEDED, List.of(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("id == null");
    assertThatThrownBy(() -> Prediction.of(" ", PredictionStatus.SUCCEEDED, List.of(), null))
        .isInstanceOf(IllegalArgumentException.class).hasMessage("prediction id is blank");
    assertThatThrownBy(() -> Prediction.of("p1", null, List.of(), null))
        .isInstanceOf(NullPointerException.class).hasMessage("status == null");
    assertThatThrownBy(() -> Prediction.of("p1", PredictionStatus.SUCCEEDED, null, null))
        .isInstanceOf(NullPointerException.class).hasMessage("outputUrls == null");
    assertThatThrownBy(() -> Prediction.of("p1", PredictionStatus.SUCCEEDED, Arrays.asList(WAV, null), null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void toStringLeavesOutTheOutputUrls() {
    Prediction ok = Prediction.of("p1", PredictionStatus.SUCCEEDED, List.of(WAV, DATA), null);
    Prediction failed = new Prediction("p2", PredictionStatus.FAILED, List.of(), "CUDA OOM", null, null, null, null,
        true, null);

    assertThat(ok).hasToString("Prediction{id=p1, status=succeeded, outputs=2}");
    assertThat(ok.toString()).doesNotContain("replicate.delivery").doesNotContain("base64");
    assertThat(failed).hasToString("Prediction{id=p2, status=failed, outputs=0, error=CUDA OOM, dataRemoved}");
  }

  @Test
  void predictionsWithEqualComponentsAreEqual() {
    assertThat(Prediction.of("p1", PredictionStatus.SUCCEEDED, List.of(WAV), null))
        .isEqualTo(Prediction.of("p1", PredictionStatus.SUCCEEDED, List.of(WAV), null))
        .isNotEqualTo(Prediction.of("p1", PredictionStatus.PROCESSING, List.of(WAV), null));
  }
}
