package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionRequest;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.prediction.WebhookEvent;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class PredictionJsonTest {

  static byte[] fixture(String path) {
    try (InputStream in = PredictionJsonTest.class.getResourceAsStream("/fixtures/" + path)) {
      if (in == null) {
        throw new IllegalArgumentException("no fixture " + path);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- recorded Replicate responses ----

  @Test
  void readsRecordedCreateResponseWithNanosecondTimestampAndNoOutputKey() {
    Prediction p = PredictionJson.parsePrediction(fixture("recorded/create-starting.json"));

    assertThat(p.id()).isEqualTo("vgcm4plb7tgzlyznry5d5jkgvu");
    assertThat(p.status()).isEqualTo(PredictionStatus.STARTING);
    assertThat(p.model()).isEqualTo("stability-ai/sdxl");
    assertThat(p.outputUrls()).isEmpty();
    assertThat(p.createdAt()).isEqualTo(Instant.parse("2023-08-16T18:57:08.360785140Z"));
    assertThat(p.startedAt()).isNull();
    assertThat(p.completedAt()).isNull();
    assertThat(p.predictTime()).isNull();
    assertThat(p.isTerminal()).isFalse();
  }

  @Test
  void readsRecordedSucceededPredictionWithDeliveryUrlArrayAndMetrics() {
    Prediction p = PredictionJson.parsePrediction(fixture("recorded/get-succeeded-array-output.json"));

    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(p.outputUrls()).containsExactly(URI.create(
        "https://replicate.delivery/pbxt/9inf36wjsEWuQ6XTf84iezPftv9QZdePfGySnU5tUai3BOrWE/out-0.png"));
    assertThat(p.completedAt()).isEqualTo(Instant.parse("2023-08-16T18:57:12.170420Z"));
    assertThat(p.predictTime()).isEqualTo(Duration.ofNanos(3_804_328_000L));
    assertThat(p.error()).isNull();
  }

  @Test
  void fieldOrderDoesNotMatter() {
    Prediction a = PredictionJson.parsePrediction(fixture("recorded/get-succeeded-array-output.json"));
    Prediction b = PredictionJson.parsePrediction(fixture("recorded/get-succeeded-reordered-fields.json"));

    assertThat(b.id()).isEqualTo(a.id());
    assertThat(b.status()).isEqualTo(a.status());
    assertThat(b.outputUrls()).isEqualTo(a.outputUrls());
    assertThat(b.completedAt()).isEqualTo(a.completedAt());
  }

  @Test
  void readsRecordedCancelResponse() {
    Prediction p = PredictionJson.parsePrediction(fixture("recorded/cancel-canceled.json"));

    assertThat(p.id()).isEqualTo("hdwst0bb05rgp0cf0p29mzk2am");
    assertThat(p.status()).isEqualTo(PredictionStatus.CANCELED);
    assertThat(p.isTerminal()).isTrue();
    assertThat(p.outputUrls()).isEmpty();
    assertThat(p.predictTime()).isEqualTo(Duration.ofNanos(128_148_000L));
  }

  @Test
  void textOutputsAreNotMistakenForFiles() {
    Prediction p = PredictionJson.parsePrediction(fixture("recorded/create-blocking-processing.json"));

    assertThat(p.status()).isEqualTo(PredictionStatus.PROCESSING);
    assertThat(p.outputUrls()).isEmpty();
    assertThat(p.dataRemoved()).isFalse();
    assertThat(p.createdAt()).isEqualTo(Instant.parse("2024-10-04T18:07:37.245Z"));
  }

  @Test
  void readsRecordedDataUriOutput() {
    Prediction p = PredictionJson.parsePrediction(fixture("recorded/create-blocking-data-uri-output.json"));

    assertThat(p.outputUrls()).hasSize(1);
    URI out = p.outputUrls().get(0);
    assertThat(out.getScheme()).isEqualTo("data");
    assertThat(out.getRawSchemeSpecificPart()).startsWith("image/png;base64,iVBORw0KGgo");
    assertThat(p.toString()).doesNotContain("iVBORw0KGgo").contains("outputs=1");
  }

  @Test
  void readsRecordedModelCreateResponse() {
    Prediction p = PredictionJson.parsePrediction(fixture("recorded/create-by-model-starting.json"));

    assertThat(p.id()).isEqualTo("heat2o3bzn3ahtr6bjfftvbaci");
    assertThat(p.status()).isEqualTo(PredictionStatus.STARTING);
  }

  // ---- audio models ----

  @Test
  void audiogenSingleUriOutput() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/audiogen-succeeded-uri.json"));

    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(p.model()).isEqualTo("sepal/audiogen");
    assertThat(p.outputUrls()).containsExactly(
        URI.create("https://replicate.delivery/xezq/AbCdEfGhIjKlMnOpQrStUvWxYz0123456789/out.wav"));
    assertThat(p.firstOutput()).contains(p.outputUrls().get(0));
    assertThat(p.predictTime()).isEqualTo(Duration.ofNanos(4_245_011_000L));
    assertThat(p.startedAt()).isEqualTo(Instant.parse("2025-03-14T09:26:53.601206Z"));
  }

  @Test
  void musicgenArrayOutputKeepsOrder() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/musicgen-succeeded-array.json"));

    assertThat(p.outputUrls()).extracting(URI::getPath)
        .containsExactly("/pbxt/Mg7x3k2p9QrJ40cjb2vv9pShW1/out.wav", "/pbxt/Mg7x3k2p9QrJ40cjb2vv9pShW1/out.mp4");
  }

  @Test
  void objectOutputCollectsEveryUrlInDocumentOrderAndSkipsOtherValues() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/stable-audio-object-output.json"));

    assertThat(p.outputUrls()).extracting(URI::toString).containsExactly(
        "https://replicate.delivery/yhqm/Sa25ObjOutput/rain.wav",
        "https://a1.replicate.delivery/yhqm/Sa25ObjOutput/stem-0.wav",
        "https://a1.replicate.delivery/yhqm/Sa25ObjOutput/stem-1.wav");
  }

  @Test
  void speechDataUriOutput() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/speech-succeeded-data-uri.json"));

    assertThat(p.outputUrls()).hasSize(1);
    String ssp = p.outputUrls().get(0).getRawSchemeSpecificPart();
    assertThat(ssp).startsWith("audio/mpeg;base64,");
    byte[] audio = Base64.getDecoder().decode(ssp.substring(ssp.indexOf(',') + 1));
    assertThat(audio).hasSize(417).startsWith((byte) 0xFF, (byte) 0xFB);
  }

  @Test
  void abortedIsTerminalAndKeepsNanoseconds() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/speech-aborted.json"));

    assertThat(p.status()).isEqualTo(PredictionStatus.ABORTED);
    assertThat(p.isTerminal()).isTrue();
    assertThat(p.outputUrls()).isEmpty();
    assertThat(p.startedAt()).isNull();
    assertThat(p.createdAt()).isEqualTo(Instant.parse("2025-10-20T10:00:00.123456789Z"));
    assertThat(p.predictTime()).isNull();
  }

  @Test
  void failedCarriesTheErrorText() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/musicgen-failed.json"));

    assertThat(p.status()).isEqualTo(PredictionStatus.FAILED);
    assertThat(p.errorMessage()).contains("CUDA out of memory. Tried to allocate 2.00 GiB");
  }

  @Test
  void dataRemovedLeavesNoOutputs() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/audiogen-data-removed.json"));

    assertThat(p.dataRemoved()).isTrue();
    assertThat(p.status()).isEqualTo(PredictionStatus.SUCCEEDED);
    assertThat(p.outputUrls()).isEmpty();
  }

  @Test
  void nonTerminalWebhookWithEmptyMetrics() {
    Prediction p = PredictionJson.parsePrediction(fixture("audio/audiogen-processing-webhook.json"));

    assertThat(p.status()).isEqualTo(PredictionStatus.PROCESSING);
    assertThat(p.completedAt()).isNull();
    assertThat(p.predictTime()).isNull();
  }

  @ParameterizedTest
  @EnumSource(PredictionStatus.class)
  void readsEveryStatus(PredictionStatus status) {
    Prediction p = PredictionJson.parsePrediction("{\"id\":\"abc\",\"status\":\"" + status.apiValue() + "\"}");

    assertThat(p.status()).isEqualTo(status);
    assertThat(p.isTerminal()).isEqualTo(status.isTerminal());
  }

  @Test
  void errorThatIsNotAStringIsKeptAsJsonText() {
    Prediction p = PredictionJson.parsePrediction("{\"id\":\"abc\",\"status\":\"failed\",\"error\":{\"code\":\"E1\"}}");

    assertThat(p.error()).isEqualTo("{\"code\":\"E1\"}");
  }

  @Test
  void timestampsWithOffsetOrWithoutZoneAreUtc() {
    Prediction p = PredictionJson.parsePrediction("{\"id\":\"abc\",\"status\":\"succeeded\","
        + "\"created_at\":\"2024-01-01T01:00:00.5+01:00\",\"completed_at\":\"2024-01-01T00:00:01.123456\"}");

    assertThat(p.createdAt()).isEqualTo(Instant.parse("2024-01-01T00:00:00.5Z"));
    assertThat(p.completedAt()).isEqualTo(Instant.parse("2024-01-01T00:00:01.123456Z"));
  }

  @Test
  void httpOutputUrlsAreCanonicalized() {
    Prediction p = PredictionJson.parsePrediction(
        "{\"id\":\"abc\",\"status\":\"succeeded\",\"output\":\"HTTPS://Replicate.Delivery/a b.wav\"}");

    assertThat(p.outputUrls()).containsExactly(URI.create("https://replicate.delivery/a%20b.wav"));
  }

  // ---- failures: one exception type, precise and bounded ----

  @Test
  void malformedJsonNamesTheLocationAndQuotesTheStart() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("{\"id\": \"abc\", \"status\": }"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("malformed JSON at line 1, column")
        .hasMessageContaining("document starts with: {\"id\": \"abc\"");
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   "})
  void emptyDocument(String body) {
    assertThatThrownBy(() -> PredictionJson.parsePrediction(body))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("the document is empty");
  }

  @Test
  void notAnObject() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("[1,2]"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("expected a JSON object, got array");
  }

  @Test
  void missingId() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("{\"status\":\"succeeded\"}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("missing \"id\"")
        .extracting(e -> ((PredictionParseException) e).problem()).isEqualTo("missing \"id\"");
  }

  @Test
  void idOfWrongType() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("{\"id\":42,\"status\":\"succeeded\"}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("\"id\" must be a non-blank string, was number 42");
  }

  @Test
  void missingStatus() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("{\"id\":\"abc\"}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("missing \"status\" (prediction abc)");
  }

  @Test
  void unknownStatusNamesTheValueAndTheKnownOnes() {
    // the docs once showed "successful"; the API says "succeeded"
    assertThatThrownBy(() -> PredictionJson.parsePrediction("{\"id\":\"abc\",\"status\":\"successful\"}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("unknown \"status\" 'successful'")
        .hasMessageContaining("aborted");
  }

  @Test
  void trailingDataIsRejected() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("{\"id\":\"abc\",\"status\":\"succeeded\"} {}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("malformed JSON");
  }

  @Test
  void duplicateKeysAreRejected() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction(
        "{\"id\":\"abc\",\"status\":\"failed\",\"status\":\"succeeded\"}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("Duplicate field 'status'");
  }

  @Test
  void unparsableTimestampNamesTheField() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction(
        "{\"id\":\"abc\",\"status\":\"succeeded\",\"completed_at\":\"yesterday\"}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("\"completed_at\" is not an ISO-8601 timestamp: 'yesterday'");
  }

  @Test
  void unparsableOutputUrlNamesItsPlace() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction(
        "{\"id\":\"abc\",\"status\":\"succeeded\",\"output\":{\"files\":[\"https://exa mple.com/x.wav\"]}}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("output.files[0] is not a valid URL: https://exa mple.com/x.wav");
  }

  @Test
  void malformedDataUriNamesItsPlace() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction(
        "{\"id\":\"abc\",\"status\":\"succeeded\",\"output\":[\"data:audio/wav;base64,AA AA\"]}"))
        .isInstanceOf(PredictionParseException.class)
        .hasMessageContaining("output[0] is not a valid data: URI");
  }

  @Test
  void excerptIsBounded() {
    String huge = "{\"id\":\"" + "x".repeat(100_000) + "\", oops}";
    assertThatThrownBy(() -> PredictionJson.parsePrediction(huge))
        .isInstanceOf(PredictionParseException.class)
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(700));
  }

  @Test
  void parseFailureIsPermanent() {
    assertThatThrownBy(() -> PredictionJson.parsePrediction("nope"))
        .isInstanceOfSatisfying(PredictionParseException.class, e -> assertThat(e.isRetryable()).isFalse());
  }

  // ---- writing ----

  @Test
  void writesVersionRequestWithExplicitEventsFilter() throws IOException {
    PredictionRequest request = PredictionRequest.forVersion("a".repeat(64))
        .input("prompt", "door creak")
        .input("duration", 3)
        .webhook(URI.create("https://example.com/hook?content_type=sound_effect&content_id=42"))
        .build();

    JsonNode json = PredictionJson.mapper().readTree(PredictionJson.writeRequest(request));

    assertThat(json.get("version").textValue()).isEqualTo("a".repeat(64));
    assertThat(json.get("input").get("prompt").textValue()).isEqualTo("door creak");
    assertThat(json.get("input").get("duration").intValue()).isEqualTo(3);
    assertThat(json.get("webhook").textValue())
        .isEqualTo("https://example.com/hook?content_type=sound_effect&content_id=42");
    assertThat(json.get("webhook_events_filter")).extracting(JsonNode::textValue).containsExactly("completed");
  }

  @Test
  void modelRequestHasNoVersionAndKeepsNestedInputAndEventOrder() throws IOException {
    Map<String, Object> input = new LinkedHashMap<>();
    input.put("text", "hi");
    input.put("options", Map.of("speed", 1.5));
    input.put("list", List.of(1, 2));
    input.put("none", null);
    PredictionRequest request = PredictionRequest.forModel("minimax/speech-02-turbo").input(input)
        .webhook(URI.create("https://example.com/hook"))
        .webhookEventsFilter(WebhookEvent.COMPLETED, WebhookEvent.START)
        .build();

    JsonNode json = PredictionJson.mapper().readTree(PredictionJson.writeRequest(request));

    assertThat(json.has("version")).isFalse();
    assertThat(json.get("input").get("options").get("speed").doubleValue()).isEqualTo(1.5);
    assertThat(json.get("input").get("list")).hasSize(2);
    assertThat(json.get("input").get("none").isNull()).isTrue();
    assertThat(json.get("webhook_events_filter")).extracting(JsonNode::textValue).containsExactly("start", "completed");
  }

  @Test
  void inputThatIsNotJsonIsRejectedByName() {
    PredictionRequest request = PredictionRequest.forModel("a/b").input("weird", new Object()).build();

    assertThatThrownBy(() -> PredictionJson.writeRequest(request))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("input 'weird' can't be written as JSON (a java.lang.Object)");
  }

  @Test
  void writtenPredictionReadsBackTheSame() {
    Prediction original = new Prediction("abc123", PredictionStatus.SUCCEEDED,
        List.of(URI.create("https://replicate.delivery/x/out.wav"), URI.create("data:audio/wav;base64,UklGRg==")),
        null, "sepal/audiogen", Instant.parse("2025-01-01T00:00:00.123456789Z"), Instant.parse("2025-01-01T00:00:01Z"),
        Instant.parse("2025-01-01T00:00:05.5Z"), false, Duration.ofMillis(4_500));

    Prediction back = PredictionJson.parsePrediction(PredictionJson.writePrediction(original));

    assertThat(back).isEqualTo(original);
  }

  @Test
  void writtenSingleOutputIsAStringAndNoOutputIsNull() throws IOException {
    Prediction one = Prediction.of("a", PredictionStatus.SUCCEEDED, List.of(URI.create("https://replicate.delivery/o.wav")), null);
    Prediction none = Prediction.of("b", PredictionStatus.FAILED, List.of(), "boom");

    assertThat(PredictionJson.mapper().readTree(PredictionJson.writePrediction(one)).get("output").isTextual()).isTrue();
    JsonNode failed = PredictionJson.mapper().readTree(PredictionJson.writePrediction(none));
    assertThat(failed.get("output").isNull()).isTrue();
    assertThat(failed.get("error").textValue()).isEqualTo("boom");
  }

  // found by PredictionJsonPropertiesTest (#13)
  @ParameterizedTest
  @ValueSource(strings = {"\"1e-20000000\"", "1e-20000000", "\"1e-999999999\"", "1e-999999999"})
  void aPredictTimeOfTinyMagnitudeIsReadAsZeroAtOnce(String value) throws Exception {
    String json = "{\"id\":\"p1\",\"status\":\"succeeded\",\"metrics\":{\"predict_time\":" + value + "}}";

    // rounding 1e-20000000 to nanoseconds used to compute 10^20000000: about 15 s of CPU per parse
    Prediction p = dev.replicateaudio.testing.Bounded.call(java.time.Duration.ofSeconds(2),
        () -> PredictionJson.parsePrediction(json));

    assertThat(p.predictTime()).isEqualTo(Duration.ZERO);
  }

  // found by PredictionJsonPropertiesTest (#13)
  @Test
  void aPredictTimeIsReadToTheNanosecondAsWritten() {
    Prediction written = new Prediction("p1", PredictionStatus.SUCCEEDED, List.of(), null, null, null, null, null,
        false, Duration.ofSeconds(8_388_608, 1));

    Prediction read = PredictionJson.parsePrediction(PredictionJson.writePrediction(written));

    // a double holds 8388608.000000001 as 8388608.000000002
    assertThat(read.predictTime()).isEqualTo(Duration.ofSeconds(8_388_608, 1));
    assertThat(PredictionJson.parsePrediction("{\"id\":\"p1\",\"status\":\"succeeded\",\"metrics\":"
        + "{\"predict_time\":\"" + "1".repeat(65) + "\"}}").predictTime()).as("a 65-character string is ignored").isNull();
  }
}
