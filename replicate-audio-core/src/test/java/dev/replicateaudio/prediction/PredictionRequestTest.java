package dev.replicateaudio.prediction;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.prediction.PredictionRequest.TargetKind;
import java.net.URI;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class PredictionRequestTest {
  static final String VERSION = "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb";
  static final URI HOOK = URI.create("https://example.com/hooks/replicate?content_type=sound_effect&content_id=42");

  @Nested
  class Targets {
    @Test
    void modelVersionAndDeploymentTargetsAreKeptWithTheirKind() {
      PredictionRequest model = PredictionRequest.forModel("minimax/speech-02-turbo").build();
      PredictionRequest version = PredictionRequest.forVersion(VERSION).build();
      PredictionRequest owned = PredictionRequest.forVersion("meta/musicgen:" + VERSION).build();
      PredictionRequest deployment = PredictionRequest.forDeployment("acme/sfx.v2").build();

      assertThat(model.kind()).isEqualTo(TargetKind.MODEL);
      assertThat(model.target()).isEqualTo("minimax/speech-02-turbo");
      assertThat(version.kind()).isEqualTo(TargetKind.VERSION);
      assertThat(version.target()).isEqualTo(VERSION);
      assertThat(owned.target()).isEqualTo("meta/musicgen:" + VERSION);
      assertThat(deployment.kind()).isEqualTo(TargetKind.DEPLOYMENT);
      assertThat(deployment.target()).isEqualTo("acme/sfx.v2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "audiogen", "sepal/", "/audiogen", "a/b/c", "sepal audio/gen", "-x/y", "x/.y"})
    void modelMustBeOwnerSlashName(String model) {
      assertThatThrownBy(() -> PredictionRequest.forModel(model))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("model must be 'owner/name', was '" + model + "'");
    }

    @Test
    void modelWithAVersionPointsToForVersion() {
      assertThatThrownBy(() -> PredictionRequest.forModel("meta/musicgen:" + VERSION))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageEndingWith("; for 'owner/name:version' use forVersion");
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "671AC645CE5E552CC63A54A2BBFF63FCF798043055D2DAC5FC9E36A837EEDCFB",
        "671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcf", "meta/musicgen", "meta/musicgen:",
        "meta:671ac645ce5e552cc63a54a2bbff63fcf798043055d2dac5fc9e36a837eedcfb"})
    void versionMustBeA64CharacterHexIdOptionallyWithItsModel(String version) {
      assertThatThrownBy(() -> PredictionRequest.forVersion(version))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("version must be a 64-character lowercase hex id or 'owner/name:<id>', was '" + version + "'");
    }

    @Test
    void deploymentMustBeOwnerSlashName() {
      assertThatThrownBy(() -> PredictionRequest.forDeployment("acme"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("deployment must be 'owner/name', was 'acme'");
    }

    @Test
    void nullTargetsAreRefusedByName() {
      assertThatThrownBy(() -> PredictionRequest.forModel(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("ownerAndName == null");
      assertThatThrownBy(() -> PredictionRequest.forVersion(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("version == null");
      assertThatThrownBy(() -> PredictionRequest.forDeployment(null)).isInstanceOf(NullPointerException.class)
          .hasMessage("ownerAndName == null");
    }
  }

  @Nested
  class Events {
    @Test
    void eventsFilterDefaultsToCompletedOnly() {
      assertThat(PredictionRequest.forModel("sepal/audiogen").build().webhookEventsFilter())
          .containsExactly(WebhookEvent.COMPLETED);
    }

    @Test
    void eventsFilterCanBeChosenAndIsUnmodifiable() {
      PredictionRequest r = PredictionRequest.forModel("sepal/audiogen")
          .webhookEventsFilter(WebhookEvent.START, WebhookEvent.COMPLETED).build();

      assertThat(r.webhookEventsFilter()).containsExactly(WebhookEvent.START, WebhookEvent.COMPLETED);
      assertThatThrownBy(() -> r.webhookEventsFilter().add(WebhookEvent.LOGS))
          .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void emptyEventsFilterIsRefused() {
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").webhookEventsFilter(Set.of()))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("webhookEventsFilter is empty; give at least one event (default: COMPLETED)");
    }

    @Test
    void eventApiValuesAreReplicates() {
      assertThat(EnumSet.allOf(WebhookEvent.class)).extracting(WebhookEvent::apiValue)
          .containsExactly("start", "output", "logs", "completed");
    }
  }

  @Nested
  class CancelAfter {
    @ParameterizedTest
    @CsvSource({"1, 1s", "59, 59s", "60, 1m", "61, 1m1s", "300, 5m", "3600, 1h", "3660, 1h1m", "3601, 1h1s",
        "3723, 1h2m3s", "86400, 24h"})
    void cancelAfterHeaderValueUsesHoursMinutesSeconds(long seconds, String header) {
      PredictionRequest r = PredictionRequest.forModel("sepal/audiogen").cancelAfter(Duration.ofSeconds(seconds)).build();

      assertThat(r.cancelAfter()).isEqualTo(Duration.ofSeconds(seconds));
      assertThat(r.cancelAfterHeaderValue()).isEqualTo(header);
    }

    @Test
    void noCancelAfterMeansNoHeader() {
      PredictionRequest r = PredictionRequest.forModel("sepal/audiogen").build();

      assertThat(r.cancelAfter()).isNull();
      assertThat(r.cancelAfterHeaderValue()).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"PT0S", "PT-1S", "PT1.5S", "PT0.5S", "PT24H1S", "P2D"})
    void cancelAfterMustBeWholeSecondsFromOneSecondToOneDay(String duration) {
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").cancelAfter(Duration.parse(duration)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("cancelAfter must be whole seconds from 1 s to 24 h, was " + Duration.parse(duration));
    }
  }

  @Nested
  class Webhooks {
    @ParameterizedTest
    @ValueSource(strings = {"https://example.com/hook", "http://localhost:8080/hook?x=1", "HTTPS://EXAMPLE.COM"})
    void absoluteHttpUrlsAreAccepted(String url) {
      assertThat(PredictionRequest.forModel("sepal/audiogen").webhook(URI.create(url)).build().webhook())
          .isEqualTo(URI.create(url));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/hook", "hook", "ftp://example.com/hook", "https:opaque", "mailto:a@example.com",
        "file:///tmp/hook"})
    void otherUrlsAreRefused(String url) {
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").webhook(URI.create(url)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("webhook must be an absolute http(s) URL, was '" + url + "'");
    }

    @Test
    void noWebhookIsNull() {
      assertThat(PredictionRequest.forModel("sepal/audiogen").build().webhook()).isNull();
    }
  }

  @Nested
  class Input {
    @Test
    void inputKeepsInsertionOrderAndNullValuesAndIsUnmodifiable() {
      PredictionRequest r = PredictionRequest.forModel("sepal/audiogen")
          .input("prompt", "door creak").input("duration", 3).input("seed", null).build();

      assertThat(r.input().keySet()).containsExactly("prompt", "duration", "seed");
      assertThat(r.input().values()).containsExactly("door creak", 3, null);
      assertThatThrownBy(() -> r.input().put("x", 1)).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void inputMapReplacesEverythingBefore() {
      Map<String, Object> input = new LinkedHashMap<>();
      input.put("prompt", "rain");
      input.put("duration", 5);

      PredictionRequest r = PredictionRequest.forModel("sepal/audiogen").input("old", 1).input(input).build();

      assertThat(r.input()).containsExactly(Map.entry("prompt", "rain"), Map.entry("duration", 5));
    }

    @Test
    void refusedInputMapLeavesTheBuilderAsItWas() {
      Map<String, Object> bad = new LinkedHashMap<>();
      bad.put("prompt", "rain");
      bad.put(" ", 1);
      PredictionRequest.Builder b = PredictionRequest.forModel("sepal/audiogen").input("kept", 1);

      assertThatThrownBy(() -> b.input(bad)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("input name is blank");
      assertThat(b.build().input()).containsExactly(Map.entry("kept", 1));
    }

    @Test
    void inputNamesMustNotBeNullOrBlank() {
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").input("", 1))
          .isInstanceOf(IllegalArgumentException.class).hasMessage("input name is blank");
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").input(null, 1))
          .isInstanceOf(NullPointerException.class).hasMessage("input name == null");
      Map<String, Object> nullKey = new HashMap<>();
      nullKey.put(null, 1);
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").input(nullKey))
          .isInstanceOf(NullPointerException.class).hasMessage("input name == null");
      assertThatThrownBy(() -> PredictionRequest.forModel("sepal/audiogen").input((Map<String, ?>) null))
          .isInstanceOf(NullPointerException.class).hasMessage("input == null");
    }

    @Test
    void builtRequestDoesNotChangeWhenTheBuilderOrSourceMapDoes() {
      Map<String, Object> input = new LinkedHashMap<>(Map.of("prompt", "rain"));
      PredictionRequest.Builder b = PredictionRequest.forModel("sepal/audiogen").input(input);
      PredictionRequest r = b.build();

      input.put("duration", 9);
      b.input("later", 1).webhookEventsFilter(WebhookEvent.LOGS);

      assertThat(r.input()).containsOnlyKeys("prompt");
      assertThat(r.webhookEventsFilter()).containsExactly(WebhookEvent.COMPLETED);
    }
  }

  @Test
  void toBuilderRoundTripsEveryValueAndDerivesIndependently() {
    PredictionRequest original = PredictionRequest.forVersion(VERSION)
        .input("prompt", "lofi").webhook(HOOK).webhookEventsFilter(WebhookEvent.OUTPUT, WebhookEvent.COMPLETED)
        .cancelAfter(Duration.ofMinutes(5)).build();

    PredictionRequest copy = original.toBuilder().build();
    PredictionRequest derived = original.toBuilder().input("prompt", "jazz").cancelAfter(Duration.ofMinutes(1)).build();

    assertThat(copy.kind()).isEqualTo(original.kind());
    assertThat(copy.target()).isEqualTo(original.target());
    assertThat(copy.input()).isEqualTo(original.input());
    assertThat(copy.webhook()).isEqualTo(HOOK);
    assertThat(copy.webhookEventsFilter()).isEqualTo(original.webhookEventsFilter());
    assertThat(copy.cancelAfterHeaderValue()).isEqualTo("5m");
    assertThat(derived.input()).containsEntry("prompt", "jazz");
    assertThat(original.input()).containsEntry("prompt", "lofi");
    assertThat(original.cancelAfterHeaderValue()).isEqualTo("5m");
  }

  @Test
  void toStringNamesTheTargetButNotTheInputValues() {
    PredictionRequest r = PredictionRequest.forModel("sepal/audiogen").input("prompt", "secret plan")
        .webhook(HOOK).cancelAfter(Duration.ofSeconds(90)).build();

    assertThat(r).hasToString("PredictionRequest{model=sepal/audiogen, inputKeys=[prompt], webhook=" + HOOK
        + ", events=[COMPLETED], cancelAfter=1m30s}");
    assertThat(r.toString()).doesNotContain("secret plan");
  }
}
