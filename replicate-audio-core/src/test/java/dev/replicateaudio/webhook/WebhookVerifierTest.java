package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.replicateaudio.ReplicateAudioException;
import dev.replicateaudio.webhook.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookVerifierTest {
  // The known-answer vector of Replicate's docs and the Standard Webhooks test suites.
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String SECRET_BASE64 = "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek";
  static final long TIMESTAMP = 1614265330L;
  static final byte[] BODY = "{\"test\": 2432232314}".getBytes(StandardCharsets.UTF_8);
  static final String SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";
  // Replicate's docs example secret; the signature of the vector above with it was computed with
  // Python's hmac module: base64(hmac(b64decode(...), b"msg_p5j...330.{...}", sha256)).
  static final String OTHER_SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  static final String OTHER_SIGNATURE = "v1,78nXHjpFP0tVJQW5D0SBwmVyyW87BV/rL6MgfM/Bw44=";

  static final Clock AT_TIMESTAMP = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP), ZoneOffset.UTC);

  static WebhookVerifier verifier() {
    return WebhookVerifier.create(SECRET, WebhookVerifier.DEFAULT_TOLERANCE, AT_TIMESTAMP);
  }

  static Map<String, String> headers(String id, String timestamp, String signature) {
    Map<String, String> h = new LinkedHashMap<>();
    h.put("content-type", "application/json");
    if (id != null) {
      h.put("webhook-id", id);
    }
    if (timestamp != null) {
      h.put("webhook-timestamp", timestamp);
    }
    if (signature != null) {
      h.put("webhook-signature", signature);
    }
    return h;
  }

  static Map<String, String> validHeaders() {
    return headers(MSG_ID, Long.toString(TIMESTAMP), SIGNATURE);
  }

  static WebhookVerificationException failure(WebhookVerifier v, Map<String, String> headers, byte[] body) {
    WebhookVerificationException e =
        catchThrowableOfType(WebhookVerificationException.class, () -> v.verify(headers, body));
    assertThat(e).as("verification must fail").isNotNull();
    assertThat(e.getMessage()).doesNotContain(SECRET_BASE64);
    return e;
  }

  @Nested
  class KnownAnswer {
    @Test
    void knownAnswerVectorVerifiesAndReturnsIdAndTimestamp() {
      VerifiedWebhook verified = verifier().verify(validHeaders(), BODY);

      assertThat(verified.id()).isEqualTo(MSG_ID);
      assertThat(verified.timestamp()).isEqualTo(Instant.ofEpochSecond(TIMESTAMP));
    }

    @Test
    void signProducesTheKnownAnswer() {
      assertThat(verifier().sign(MSG_ID, TIMESTAMP, BODY)).isEqualTo(SIGNATURE);
      assertThat(verifier().sign(MSG_ID, Instant.ofEpochSecond(TIMESTAMP, 999_999_999), BODY)).isEqualTo(SIGNATURE);
    }

    @Test
    void secretWithoutPrefixOrWithSurroundingWhitespaceIsTheSameSecret() {
      for (String secret : List.of(SECRET_BASE64, "  " + SECRET + "\n")) {
        WebhookVerifier v = WebhookVerifier.create(secret, Duration.ofMinutes(5), AT_TIMESTAMP);
        assertThat(v.verify(validHeaders(), BODY).id()).isEqualTo(MSG_ID);
      }
    }

    @Test
    void bodyIsSignedAsRawBytesNotAsText() {
      // not valid UTF-8; signature computed independently with Python's hmac module
      byte[] body = {(byte) 0xff, 0x00, (byte) 0xfe, 0x0a, (byte) 0xc3, 0x28};
      String signature = "v1,ydrXlvQeRwCyBVB/yVYmnZtApz/ezOe2e6wnGrQs2rM=";

      assertThat(verifier().sign("msg_binary", TIMESTAMP, body)).isEqualTo(signature);
      assertThat(verifier().verify(headers("msg_binary", Long.toString(TIMESTAMP), signature), body).id())
          .isEqualTo("msg_binary");
    }

    @Test
    void signatureWithoutBase64PaddingIsAccepted() {
      String unpadded = SIGNATURE.substring(0, SIGNATURE.length() - 1);

      assertThat(verifier().verify(headers(MSG_ID, Long.toString(TIMESTAMP), unpadded), BODY).id()).isEqualTo(MSG_ID);
    }
  }

  @Nested
  class Tampering {
    @Test
    void alteredBodyIsRejected() {
      byte[] altered = "{\"test\": 2432232315}".getBytes(StandardCharsets.UTF_8);

      WebhookVerificationException e = failure(verifier(), validHeaders(), altered);

      assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
      assertThat(e.header()).contains("webhook-signature");
      assertThat(e.getMessage()).contains("none of the 1 v1 signature(s)").contains("altered")
          .doesNotContain("g0hM9SsE");
    }

    @Test
    void reserializedBodyIsRejected() {
      // the same JSON value, whitespace removed: a receiver that parses and re-serializes breaks it
      byte[] reserialized = "{\"test\":2432232314}".getBytes(StandardCharsets.UTF_8);

      assertThat(failure(verifier(), validHeaders(), reserialized).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void alteredIdIsRejected() {
      Map<String, String> h = headers(MSG_ID + "x", Long.toString(TIMESTAMP), SIGNATURE);

      assertThat(failure(verifier(), h, BODY).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void alteredTimestampIsRejected() {
      Map<String, String> h = headers(MSG_ID, Long.toString(TIMESTAMP + 1), SIGNATURE);

      assertThat(failure(verifier(), h, BODY).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void timestampWithLeadingZeroIsSignedAsSent() {
      // the signed content uses the header text, so a re-formatted timestamp no longer matches
      Map<String, String> h = headers(MSG_ID, "0" + TIMESTAMP, SIGNATURE);

      assertThat(failure(verifier(), h, BODY).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    }

    @Test
    void wrongSecretIsRejectedWithoutShowingAnySecretOrTheExpectedSignature() {
      WebhookVerifier other = WebhookVerifier.create(OTHER_SECRET, Duration.ofMinutes(5), AT_TIMESTAMP);

      WebhookVerificationException e = failure(other, validHeaders(), BODY);

      assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
      assertThat(e.getMessage()).doesNotContain("C2FVsBQIhrscChlQIMV").doesNotContain("78nXHjpF")
          .contains("GET /v1/webhooks/default/secret");
    }

    @Test
    void emptyBodyIsVerifiedLikeAnyOther() {
      byte[] empty = new byte[0];
      String signature = verifier().sign(MSG_ID, TIMESTAMP, empty);

      assertThat(verifier().verify(headers(MSG_ID, Long.toString(TIMESTAMP), signature), empty).id()).isEqualTo(MSG_ID);
      assertThat(failure(verifier(), validHeaders(), empty).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    }
  }

  @Nested
  class Timestamps {
    WebhookVerifier at(long epochSecond, long nanos) {
      return WebhookVerifier.create(SECRET, Duration.ofSeconds(300),
          Clock.fixed(Instant.ofEpochSecond(epochSecond, nanos), ZoneOffset.UTC));
    }

    @Test
    void timestampsAtExactlyTheToleranceEitherWayAreAccepted() {
      assertThat(at(TIMESTAMP + 300, 999_999_999).verify(validHeaders(), BODY).id()).isEqualTo(MSG_ID);
      assertThat(at(TIMESTAMP - 300, 0).verify(validHeaders(), BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void staleTimestampIsRejectedSayingHowOld() {
      WebhookVerificationException e = failure(at(TIMESTAMP + 301, 0), validHeaders(), BODY);

      assertThat(e.reason()).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
      assertThat(e.header()).contains("webhook-timestamp");
      assertThat(e.timestampSkew()).contains(Duration.ofSeconds(301));
      assertThat(e.getMessage())
          .contains("webhook-timestamp 1614265330 (2021-02-25T15:02:10Z) is 301 s older")
          .contains("tolerance is 300 s").contains("replayed");
    }

    @Test
    void futureTimestampIsRejectedSayingHowFarAhead() {
      WebhookVerificationException e = failure(at(TIMESTAMP - 3600, 0), validHeaders(), BODY);

      assertThat(e.reason()).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
      assertThat(e.timestampSkew()).contains(Duration.ofSeconds(-3600));
      assertThat(e.getMessage()).contains("is 3600 s ahead of this verifier's clock").contains("tolerance is 300 s");
    }

    @Test
    void timestampInMillisecondsGetsAHint() {
      Map<String, String> h = headers(MSG_ID, Long.toString(TIMESTAMP * 1000), SIGNATURE);

      WebhookVerificationException e = failure(verifier(), h, BODY);

      assertThat(e.reason()).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
      assertThat(e.getMessage()).contains("looks like milliseconds");
    }

    @Test
    void timestampIsCheckedBeforeTheSignature() {
      // a replay of a genuine message fails on its age, whatever its signature
      Map<String, String> h = headers(MSG_ID, Long.toString(TIMESTAMP - 10_000), "v1,garbage");

      assertThat(failure(verifier(), h, BODY).reason()).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
    }

    @Test
    void customToleranceIsApplied() {
      Clock clock = Clock.fixed(Instant.ofEpochSecond(TIMESTAMP + 30), ZoneOffset.UTC);
      WebhookVerifier strict = WebhookVerifier.create(SECRET, Duration.ofSeconds(10), clock);
      WebhookVerifier lenient = WebhookVerifier.create(SECRET, Duration.ofMinutes(1), clock);

      assertThat(failure(strict, validHeaders(), BODY).getMessage()).contains("tolerance is 10 s");
      assertThat(lenient.verify(validHeaders(), BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void defaultVerifierUsesTheSystemClockAndFiveMinutes() {
      WebhookVerifier v = WebhookVerifier.create(SECRET);
      long now = Instant.now().getEpochSecond();
      String signature = v.sign(MSG_ID, now, BODY);

      assertThat(v.tolerance()).isEqualTo(Duration.ofSeconds(300));
      assertThat(v.verify(headers(MSG_ID, Long.toString(now), signature), BODY).id()).isEqualTo(MSG_ID);
      // the known-answer vector is from 2021: far too old for the real clock
      assertThat(failure(v, validHeaders(), BODY).reason()).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "-1614265330", "+1614265330", "1614265330.5", "1.6e9", "1614265330s",
        "1234567890123456", "２０２１", "0x60375a72"})
    void malformedTimestampIsRejected(String timestamp) {
      WebhookVerificationException e = failure(verifier(), headers(MSG_ID, timestamp, SIGNATURE), BODY);

      assertThat(e.reason()).isEqualTo(Reason.MALFORMED_TIMESTAMP);
      assertThat(e.header()).contains("webhook-timestamp");
      assertThat(e.getMessage()).contains("webhook-timestamp '" + timestamp + "'")
          .contains("not a whole number of seconds since the epoch");
    }

    @Test
    void malformedTimestampIsQuotedEscapedAndShortened() {
      String hostile = "1\n" + "9".repeat(500);

      WebhookVerificationException e = failure(verifier(), headers(MSG_ID, hostile, SIGNATURE), BODY);

      assertThat(e.getMessage()).contains("'1\\u000a999").doesNotContain("\n").hasSizeLessThan(300);
    }
  }

  @Nested
  class Headers {
    @ParameterizedTest
    @ValueSource(strings = {"webhook-id", "webhook-timestamp", "webhook-signature"})
    void eachMissingHeaderIsNamed(String missing) {
      Map<String, String> h = validHeaders();
      h.remove(missing);

      WebhookVerificationException e = failure(verifier(), h, BODY);

      assertThat(e.reason()).isEqualTo(Reason.MISSING_HEADER);
      assertThat(e.header()).contains(missing);
      assertThat(e.getMessage()).startsWith("webhook request lacks header " + missing + " (");
    }

    @Test
    void allMissingHeadersAreNamedAtOnce() {
      WebhookVerificationException e = failure(verifier(), Map.of("content-type", "application/json"), BODY);

      assertThat(e.reason()).isEqualTo(Reason.MISSING_HEADER);
      assertThat(e.header()).contains("webhook-id");
      assertThat(e.getMessage()).contains("lacks headers webhook-id, webhook-timestamp, webhook-signature");
    }

    @Test
    void emptyAndBlankHeadersCountAsMissing() {
      Map<String, String> h = headers(MSG_ID, " ", "");

      WebhookVerificationException e = failure(verifier(), h, BODY);

      assertThat(e.reason()).isEqualTo(Reason.MISSING_HEADER);
      assertThat(e.header()).contains("webhook-timestamp");
      assertThat(e.getMessage()).contains("has empty headers webhook-timestamp, webhook-signature");
    }

    @Test
    void headerNamesAreCaseInsensitive() {
      Map<String, String> h = new HashMap<>();
      h.put("Webhook-Id", MSG_ID);
      h.put("WEBHOOK-TIMESTAMP", Long.toString(TIMESTAMP));
      h.put("webhook-Signature", SIGNATURE);
      h.put(null, "HTTP/1.1 200 OK"); // HttpURLConnection's header map has a null key

      assertThat(verifier().verify(h, BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void headerValuesAreTrimmedAsHttpDoes() {
      Map<String, String> h = headers(" " + MSG_ID + " ", TIMESTAMP + "\t", "  " + SIGNATURE + " ");

      assertThat(verifier().verify(h, BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void multiValuedHeadersAsServersGiveThemAreAccepted() {
      // com.sun.net.httpserver.Headers and Spring's HttpHeaders are Map<String, List<String>>
      Map<String, List<String>> h = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      h.put("Webhook-id", List.of(MSG_ID));
      h.put("Webhook-timestamp", List.of(Long.toString(TIMESTAMP)));
      h.put("Webhook-signature", List.of("v1,bm90IHRoZSByaWdodCBzaWduYXR1cmUgYXQgYWxsISE=", SIGNATURE));
      h.put("Accept", new ArrayList<>(java.util.Arrays.asList("a", null)));

      assertThat(verifier().verifyMultiValued(h, BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void multiValuedMapWithMissingHeaderIsRejected() {
      Map<String, List<String>> h = new HashMap<>();
      h.put("webhook-id", List.of(MSG_ID));
      h.put("webhook-timestamp", List.of());
      h.put("webhook-signature", null);

      WebhookVerificationException e =
          catchThrowableOfType(WebhookVerificationException.class, () -> verifier().verifyMultiValued(h, BODY));

      assertThat(e.reason()).isEqualTo(Reason.MISSING_HEADER);
      assertThat(e.getMessage()).contains("lacks headers webhook-timestamp, webhook-signature");
    }

    @Test
    void twoDifferentIdsAreRefused() {
      Map<String, List<String>> h = new HashMap<>();
      h.put("webhook-id", List.of(MSG_ID, "msg_other"));
      h.put("webhook-timestamp", List.of(Long.toString(TIMESTAMP)));
      h.put("webhook-signature", List.of(SIGNATURE));

      WebhookVerificationException e =
          catchThrowableOfType(WebhookVerificationException.class, () -> verifier().verifyMultiValued(h, BODY));

      assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_HEADER);
      assertThat(e.header()).contains("webhook-id");
      assertThat(e.getMessage()).isEqualTo("webhook-id has several different values, '" + MSG_ID
          + "' and 'msg_other'; a message has exactly one");
    }

    @Test
    void twoDifferentTimestampsUnderKeysOfDifferentCaseAreRefused() {
      Map<String, String> h = validHeaders();
      h.put("Webhook-Timestamp", Long.toString(TIMESTAMP + 1));

      WebhookVerificationException e = failure(verifier(), h, BODY);

      assertThat(e.reason()).isEqualTo(Reason.DUPLICATE_HEADER);
      assertThat(e.header()).contains("webhook-timestamp");
    }

    @Test
    void repeatedIdenticalValuesAreAccepted() {
      Map<String, List<String>> h = new HashMap<>();
      h.put("webhook-id", List.of(MSG_ID, MSG_ID));
      h.put("webhook-timestamp", List.of(Long.toString(TIMESTAMP)));
      h.put("webhook-signature", List.of(SIGNATURE));

      assertThat(verifier().verifyMultiValued(h, BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void nullArgumentsAreRefusedByName() {
      assertThatThrownBy(() -> verifier().verify(null, BODY)).isInstanceOf(NullPointerException.class)
          .hasMessage("headers == null");
      assertThatThrownBy(() -> verifier().verify(validHeaders(), null)).isInstanceOf(NullPointerException.class)
          .hasMessage("body == null");
      assertThatThrownBy(() -> verifier().verifyMultiValued(null, BODY)).isInstanceOf(NullPointerException.class)
          .hasMessage("headers == null");
    }
  }

  @Nested
  class Signatures {
    Map<String, String> withSignature(String signature) {
      return headers(MSG_ID, Long.toString(TIMESTAMP), signature);
    }

    @Test
    void anyMatchingEntryOfSeveralIsEnough() {
      String header = OTHER_SIGNATURE + " " + SIGNATURE + " v1,bm90IHRoZSByaWdodCBzaWduYXR1cmUgYXQgYWxsISE=";

      assertThat(verifier().verify(withSignature(header), BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void entriesMayBeSeparatedByAnyWhitespace() {
      assertThat(verifier().verify(withSignature(OTHER_SIGNATURE + "  \t" + SIGNATURE), BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void onlyV1EntriesAreConsidered() {
      String rightMacWrongVersion = SIGNATURE.replace("v1,", "v2,") + " " + SIGNATURE.replace("v1,", "v1a,")
          + " " + SIGNATURE.replace("v1,", "V1,");

      WebhookVerificationException e = failure(verifier(), withSignature(rightMacWrongVersion), BODY);

      assertThat(e.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE);
      assertThat(e.getMessage()).isEqualTo("webhook-signature holds no usable v1 signature: it has no v1 entry,"
          + " only [v2, v1a, V1]");
    }

    @Test
    void otherVersionsNextToAMatchingV1AreIgnored() {
      String header = "v1a,c2lnbmF0dXJl v2,MzJsNDk4 " + SIGNATURE;

      assertThat(verifier().verify(withSignature(header), BODY).id()).isEqualTo(MSG_ID);
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", // no version prefix
        "v1,", // nothing after the prefix
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1O", // 42 characters: one short of unpadded
        "v1,g0hM9SsE-OTPJTGt_tmIKtSyZlE3uFJELVlNIOLJ1OE=", // URL-safe alphabet
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ", // too short
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=AAAA", // too long
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=,extra", // a third field
        "v1,!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!" // 44 characters, not base64
    })
    void malformedEntriesAreReportedAsMalformed(String signature) {
      WebhookVerificationException e = failure(verifier(), withSignature(signature), BODY);

      assertThat(e.reason()).isEqualTo(Reason.MALFORMED_SIGNATURE);
      assertThat(e.header()).contains("webhook-signature");
      assertThat(e.getMessage()).startsWith("webhook-signature holds no usable v1 signature: entry 1 '" + signature + "'");
    }

    @Test
    void malformedEntryNextToAWellFormedOneReportsTheMismatchAndMentionsTheMalformedOne() {
      WebhookVerificationException e = failure(verifier(), withSignature("v1,xyz " + OTHER_SIGNATURE), BODY);

      assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
      assertThat(e.getMessage()).contains("none of the 1 v1 signature(s)")
          .contains("(also: entry 1 'v1,xyz' is not base64 of a 32-byte HMAC-SHA256)");
    }

    @Test
    void malformedEntryNextToAMatchingOneIsTolerated() {
      assertThat(verifier().verify(withSignature("garbage v1,xyz " + SIGNATURE), BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void noMatchAmongSeveralWellFormedEntriesCountsThem() {
      String header = OTHER_SIGNATURE + " v1,bm90IHRoZSByaWdodCBzaWduYXR1cmUgYXQgYWxsISE=";

      WebhookVerificationException e = failure(verifier(), withSignature(header), BODY);

      assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
      assertThat(e.getMessage()).contains("none of the 2 v1 signature(s) in webhook-signature matches the message"
          + " signed with the verifier's secret");
    }
  }

  @Nested
  class SeveralSecrets {
    @Test
    void verifierWithSeveralSecretsAcceptsASignatureByAnyOfThem() {
      WebhookVerifier v = WebhookVerifier.create(List.of(OTHER_SECRET, SECRET), Duration.ofMinutes(5), AT_TIMESTAMP);

      assertThat(v.secretCount()).isEqualTo(2);
      assertThat(v.verify(validHeaders(), BODY).id()).isEqualTo(MSG_ID);
      assertThat(v.verify(headers(MSG_ID, Long.toString(TIMESTAMP), OTHER_SIGNATURE), BODY).id()).isEqualTo(MSG_ID);
    }

    @Test
    void verifierWithSeveralSecretsSignsWithTheFirst() {
      WebhookVerifier v = WebhookVerifier.create(List.of(OTHER_SECRET, SECRET), Duration.ofMinutes(5), AT_TIMESTAMP);

      assertThat(v.sign(MSG_ID, TIMESTAMP, BODY)).isEqualTo(OTHER_SIGNATURE);
    }

    @Test
    void mismatchMessageCountsTheSecrets() {
      WebhookVerifier v = WebhookVerifier.create(List.of(OTHER_SECRET, OTHER_SECRET.replace('C', 'D')),
          Duration.ofMinutes(5), AT_TIMESTAMP);

      WebhookVerificationException e = failure(v, validHeaders(), BODY);

      assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
      assertThat(e.getMessage()).contains("any of the verifier's 2 secrets");
    }

    @Test
    void badSecretInTheListIsNamedByPosition() {
      assertThatThrownBy(() -> WebhookVerifier.create(List.of(SECRET, "whsec_short"), Duration.ofMinutes(5),
          AT_TIMESTAMP)).isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("webhook secret #2 ")
          .hasMessageNotContaining("short");
    }

    @Test
    void emptyListOrNullElementIsRefused() {
      assertThatThrownBy(() -> WebhookVerifier.create(List.of(), Duration.ofMinutes(5), AT_TIMESTAMP))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("secrets is empty; give at least one webhook signing secret");
      assertThatThrownBy(() -> WebhookVerifier.create(java.util.Arrays.asList(SECRET, null), Duration.ofMinutes(5),
          AT_TIMESTAMP)).isInstanceOf(NullPointerException.class).hasMessage("webhook secret #2 == null");
    }
  }

  @Nested
  class Secrets {
    void assertRefused(String secret, String expectedMessagePart) {
      assertThatThrownBy(() -> WebhookVerifier.create(secret))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(expectedMessagePart)
          .satisfies(e -> {
            String body = secret.startsWith("whsec_") ? secret.substring(6) : secret;
            if (body.length() >= 4) {
              assertThat(e.getMessage()).doesNotContain(body.strip());
            }
            assertThat(e.getCause()).isNull();
          });
    }

    @Test
    void nullSecretIsRefused() {
      assertThatThrownBy(() -> WebhookVerifier.create((String) null)).isInstanceOf(NullPointerException.class)
          .hasMessage("secret == null");
    }

    @Test
    void emptyOrBlankSecretIsRefused() {
      assertRefused("", "webhook secret is empty; expected 'whsec_' followed by base64");
      assertRefused("  \n", "webhook secret is empty");
    }

    @Test
    void prefixAloneIsRefused() {
      assertRefused("whsec_", "webhook secret has nothing after the 'whsec_' prefix");
    }

    @Test
    void nonBase64CharacterIsLocatedWithoutBeingShown() {
      assertRefused("whsec_MfKQ9r8GKYqrTwjU-D8ILPZIo2LaLaSw",
          "webhook secret is not standard base64 after the 'whsec_' prefix: character 17 of 32 is not allowed there");
      assertRefused("MfKQ9r8GKYqrTwjUPD8ILPZIo2La Sw",
          "webhook secret is not standard base64: character 29 of 31 is not allowed there");
    }

    @Test
    void truncatedBase64IsRefused() {
      assertRefused("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSwA",
          "webhook secret is not standard base64 after the 'whsec_' prefix: 33 characters with 0 '=' cannot be"
              + " decoded (truncated?)");
      assertRefused("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS==", "33 characters with 2 '=' cannot be decoded");
      assertRefused("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLa===", "cannot be decoded");
      assertRefused("whsec_MfKQ9r8GKYqrTwjUPD8I=PZIo2LaLaSw", "is not allowed there");
    }

    @Test
    void shortKeyIsRefused() {
      assertRefused("whsec_MfKQ9r8GKYqrTwjUPD8I", "webhook secret decodes to 15 bytes; at least 16 are required");
    }

    @Test
    void sixteenByteKeyIsAccepted() {
      assertThat(WebhookVerifier.create("whsec_MfKQ9r8GKYqrTwjUPD8ILA==").secretCount()).isEqualTo(1);
    }

    @Test
    void apiTokenInsteadOfSecretGetsAHint() {
      assertRefused("r8_Hk2p3QxLmN0aBcDeFgHiJkLmNoPqRsTuVwXyZ",
          "looks like a Replicate API token (r8_...), not a webhook signing secret");
    }

    @Test
    void asymmetricKeysAreRefused() {
      assertRefused("whsk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "asymmetric Standard Webhooks key");
      assertRefused("whpk_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "asymmetric Standard Webhooks key");
    }

    @Test
    void toStringMasksTheSecret() {
      WebhookVerifier v = WebhookVerifier.create(List.of(SECRET, OTHER_SECRET), Duration.ofMinutes(2), AT_TIMESTAMP);

      assertThat(v.toString()).startsWith("WebhookVerifier{secrets=2 (masked), tolerance=120 s, clock=")
          .doesNotContain(SECRET_BASE64).doesNotContain("C2FVsBQIhrscChlQIMV");
    }
  }

  @Nested
  class Creation {
    @Test
    void toleranceOutsideOneSecondToOneDayIsRefused() {
      for (Duration bad : List.of(Duration.ZERO, Duration.ofMillis(999), Duration.ofSeconds(-5),
          Duration.ofHours(24).plusSeconds(1))) {
        assertThatThrownBy(() -> WebhookVerifier.create(SECRET, bad, AT_TIMESTAMP))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("tolerance must be from 1 s to 24 h, was ");
      }
      assertThat(WebhookVerifier.create(SECRET, Duration.ofHours(24), AT_TIMESTAMP).tolerance())
          .isEqualTo(Duration.ofHours(24));
    }

    @Test
    void nullToleranceOrClockIsRefused() {
      assertThatThrownBy(() -> WebhookVerifier.create(SECRET, null, AT_TIMESTAMP))
          .isInstanceOf(NullPointerException.class).hasMessage("tolerance == null");
      assertThatThrownBy(() -> WebhookVerifier.create(SECRET, Duration.ofMinutes(5), null))
          .isInstanceOf(NullPointerException.class).hasMessage("clock == null");
    }
  }

  @Nested
  class Signing {
    @Test
    void signedHeadersVerify() {
      Instant at = Instant.ofEpochSecond(TIMESTAMP, 500_000_000);

      Map<String, String> h = verifier().signedHeaders(MSG_ID, at, BODY);

      assertThat(h).containsExactly(Map.entry("webhook-id", MSG_ID),
          Map.entry("webhook-timestamp", "1614265330"), Map.entry("webhook-signature", SIGNATURE));
      assertThat(verifier().verify(h, BODY).id()).isEqualTo(MSG_ID);
      assertThatThrownBy(() -> h.put("x", "y")).isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void signRefusesIdsThatCannotTravelInAHeader() {
      for (String bad : List.of("", "msg 1", "msg\n1", "msgé", "x".repeat(257))) {
        assertThatThrownBy(() -> verifier().sign(bad, TIMESTAMP, BODY))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageStartingWith("msgId must be");
      }
      assertThatThrownBy(() -> verifier().sign(null, TIMESTAMP, BODY)).isInstanceOf(NullPointerException.class)
          .hasMessage("msgId == null");
    }

    @Test
    void signRefusesImpossibleTimestamps() {
      assertThatThrownBy(() -> verifier().sign(MSG_ID, -1, BODY)).isInstanceOf(IllegalArgumentException.class)
          .hasMessage("timestampSeconds must be from 0 to 15 digits of seconds since the epoch, was -1");
      assertThatThrownBy(() -> verifier().sign(MSG_ID, 1_000_000_000_000_000L, BODY))
          .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("was 1000000000000000");
      assertThatThrownBy(() -> verifier().sign(MSG_ID, (Instant) null, BODY))
          .isInstanceOf(NullPointerException.class).hasMessage("timestamp == null");
      assertThatThrownBy(() -> verifier().sign(MSG_ID, TIMESTAMP, null))
          .isInstanceOf(NullPointerException.class).hasMessage("body == null");
    }

    @Test
    void signatureOfEveryOtherBodyDiffers() {
      String a = verifier().sign(MSG_ID, TIMESTAMP, "a".getBytes(StandardCharsets.UTF_8));
      String b = verifier().sign(MSG_ID, TIMESTAMP, "b".getBytes(StandardCharsets.UTF_8));

      assertThat(a).startsWith("v1,").hasSize(47).isNotEqualTo(b);
    }
  }

  @Nested
  class Exceptions {
    @Test
    void verificationFailureIsAPermanentReplicateAudioException() {
      WebhookVerificationException e = failure(verifier(), headers(MSG_ID, null, SIGNATURE), BODY);

      assertThat(e).isInstanceOf(ReplicateAudioException.class);
      assertThat(e.isRetryable()).isFalse();
      assertThat(e.timestampSkew()).isEmpty();
    }

    @Test
    void publicConstructorCarriesReasonAndMessageOnly() {
      WebhookVerificationException e = new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE, "custom");

      assertThat(e.reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
      assertThat(e).hasMessage("custom");
      assertThat(e.header()).isEmpty();
      assertThatThrownBy(() -> new WebhookVerificationException(null, "x")).isInstanceOf(NullPointerException.class)
          .hasMessage("reason == null");
    }
  }

  @Test
  void oneVerifierIsSafeToShareBetweenThreads() throws Exception {
    WebhookVerifier v = verifier();
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Callable<Boolean>> tasks = new ArrayList<>();
      for (int t = 0; t < 16; t++) {
        int thread = t;
        tasks.add(() -> {
          for (int i = 0; i < 2_000; i++) {
            byte[] body = ("{\"n\":" + thread + "_" + i + "}").getBytes(StandardCharsets.UTF_8);
            String id = "msg_" + thread + "_" + i;
            Map<String, String> h = v.signedHeaders(id, Instant.ofEpochSecond(TIMESTAMP), body);
            if (!v.verify(h, body).id().equals(id)) {
              return false;
            }
            // a signature for another body must never verify, however the threads interleave
            byte[] other = ("{\"n\":" + thread + "_" + (i + 1) + "}").getBytes(StandardCharsets.UTF_8);
            try {
              v.verify(h, other);
              return false;
            } catch (WebhookVerificationException expected) {
              // as it should
            }
          }
          return true;
        });
      }
      List<Future<Boolean>> results = pool.invokeAll(tasks);
      for (Future<Boolean> r : results) {
        assertThat(r.get()).isTrue();
      }
    } finally {
      pool.shutdownNow();
      assertThat(pool.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
