package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.testing.Bounded;
import dev.replicateaudio.webhook.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link WebhookVerifier} on any input: a request gives a {@link VerifiedWebhook} or a
 * {@link WebhookVerificationException}, never another exception and never a hang; a signed message
 * verifies and any change to it does not; a secret gives a verifier or an
 * {@link IllegalArgumentException} that does not quote it.
 */
class WebhookVerifierPropertiesTest {
  private static final String SECRET = "whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD";
  private static final Instant NOW = Instant.parse("2026-11-28T12:00:00Z");
  private static final WebhookVerifier VERIFIER = WebhookVerifier.create(SECRET, WebhookVerifier.DEFAULT_TOLERANCE,
      Clock.fixed(NOW, ZoneOffset.UTC));

  @Property(tries = 2000)
  void anyRequestGivesAVerifiedMessageOrAVerificationException(@ForAll("headers") Map<String, String> headers,
      @ForAll @Size(max = 2000) byte[] body) throws Exception {
    try {
      VerifiedWebhook message = Bounded.call(() -> VERIFIER.verify(headers, body));
      assertThat(message.id()).isNotEmpty();
    } catch (WebhookVerificationException e) {
      assertThat(e.reason()).isNotNull();
      assertThat(e.getMessage()).isNotBlank().doesNotContain(SECRET.substring(6));
    }
  }

  @Property(tries = 1000)
  void anyMultiValuedRequestGivesAVerifiedMessageOrAVerificationException(
      @ForAll("headers") Map<String, String> first, @ForAll("headers") Map<String, String> second,
      @ForAll @Size(max = 500) byte[] body) throws Exception {
    Map<String, List<String>> headers = new LinkedHashMap<>();
    first.forEach((k, v) -> headers.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    second.forEach((k, v) -> headers.computeIfAbsent(k, x -> new ArrayList<>()).add(v));
    try {
      Bounded.call(() -> VERIFIER.verifyMultiValued(headers, body));
    } catch (WebhookVerificationException e) {
      assertThat(e.reason()).isNotNull();
    }
  }

  @Property(tries = 500)
  void aSignedMessageVerifiesAndAnyChangeToItsBodyDoesNot(@ForAll("ids") String id,
      @ForAll @IntRange(min = -300, max = 300) int skewSeconds, @ForAll @Size(max = 4000) byte[] body,
      @ForAll @IntRange(min = 0, max = 1 << 20) int position, @ForAll @IntRange(min = 1, max = 255) int flip)
      throws Exception {
    Map<String, String> headers = VERIFIER.signedHeaders(id, NOW.plusSeconds(skewSeconds), body);

    VerifiedWebhook message = Bounded.call(() -> VERIFIER.verify(headers, body));
    assertThat(message.id()).isEqualTo(id);

    if (body.length > 0) {
      byte[] changed = body.clone();
      changed[position % changed.length] ^= (byte) flip;
      assertThatThrownBy(() -> VERIFIER.verify(headers, changed)).isInstanceOf(WebhookVerificationException.class)
          .extracting(e -> ((WebhookVerificationException) e).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
    }
    Map<String, String> otherId = new LinkedHashMap<>(headers);
    otherId.put(WebhookVerifier.WEBHOOK_ID, id + "x");
    assertThatThrownBy(() -> VERIFIER.verify(otherId, body)).isInstanceOf(WebhookVerificationException.class)
        .extracting(e -> ((WebhookVerificationException) e).reason()).isEqualTo(Reason.NO_MATCHING_SIGNATURE);
  }

  @Property(tries = 300)
  void aMessageOutsideTheToleranceIsRefusedWhateverItsSignature(@ForAll("ids") String id,
      @ForAll @IntRange(min = 301, max = 100_000_000) int skewSeconds, @ForAll boolean fromThePast,
      @ForAll @Size(max = 200) byte[] body) {
    Instant signedAt = fromThePast ? NOW.minusSeconds(skewSeconds) : NOW.plusSeconds(skewSeconds);
    Map<String, String> headers = VERIFIER.signedHeaders(id, signedAt, body);

    assertThatThrownBy(() -> VERIFIER.verify(headers, body)).isInstanceOf(WebhookVerificationException.class)
        .extracting(e -> ((WebhookVerificationException) e).reason()).isEqualTo(Reason.TIMESTAMP_OUTSIDE_TOLERANCE);
  }

  @Property(tries = 2000)
  void anySecretGivesAVerifierOrAnIllegalArgumentExceptionThatDoesNotQuoteIt(@ForAll("secrets") String secret)
      throws Exception {
    try {
      WebhookVerifier verifier = Bounded.call(() -> WebhookVerifier.create(secret));
      assertThat(verifier.toString()).doesNotContain(secret.strip());
    } catch (IllegalArgumentException e) {
      String core = secret.strip().startsWith("whsec_") ? secret.strip().substring(6) : secret.strip();
      if (core.length() >= 8) {
        assertThat(e.getMessage()).doesNotContain(core);
      }
    }
  }

  // ---- generators ----

  @Provide
  Arbitrary<Map<String, String>> headers() {
    Arbitrary<String> names = Arbitraries.of(WebhookVerifier.WEBHOOK_ID, "Webhook-Id", WebhookVerifier.WEBHOOK_TIMESTAMP,
        "WEBHOOK-TIMESTAMP", WebhookVerifier.WEBHOOK_SIGNATURE, "Webhook-Signature", "content-type", "x-other");
    Arbitrary<String> anyText = Arbitraries.strings().ofMaxLength(120);
    Arbitrary<String> timestamps = Arbitraries.oneOf(
        Arbitraries.longs().between(NOW.getEpochSecond() - 600, NOW.getEpochSecond() + 600).map(String::valueOf),
        Arbitraries.longs().map(String::valueOf), Arbitraries.strings().numeric().ofMaxLength(30), anyText);
    Arbitrary<String> signatures = Arbitraries.oneOf(
        Arbitraries.bytes().array(byte[].class).ofMinSize(0).ofMaxSize(40)
            .map(b -> "v1," + Base64.getEncoder().encodeToString(b)),
        Arbitraries.bytes().array(byte[].class).ofSize(32).list().ofMaxSize(4).map(list -> {
          StringBuilder sb = new StringBuilder();
          for (byte[] b : list) {
            sb.append(sb.length() == 0 ? "" : " ").append("v1,").append(Base64.getEncoder().encodeToString(b));
          }
          return sb.toString();
        }),
        Arbitraries.strings().withChars("v12a, =+/ABCxyz").ofMaxLength(120), anyText);
    Arbitrary<String> values = Arbitraries.oneOf(anyText, timestamps, signatures,
        Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(300));
    Arbitrary<Map.Entry<String, String>> entry = Combinators.combine(names, values).as(Map::entry);
    return entry.list().ofMaxSize(8).map(list -> {
      Map<String, String> m = new LinkedHashMap<>();
      list.forEach(e -> m.put(e.getKey(), e.getValue()));
      return m;
    });
  }

  @Provide
  Arbitrary<String> ids() {
    return Arbitraries.strings().withCharRange('!', '~').ofMinLength(1).ofMaxLength(256);
  }

  @Provide
  Arbitrary<String> secrets() {
    Arbitrary<String> base64 = Arbitraries.bytes().array(byte[].class).ofMaxSize(70)
        .map(b -> Base64.getEncoder().encodeToString(b));
    return Arbitraries.oneOf(
        base64.map(s -> "whsec_" + s),
        base64,
        base64.map(s -> s.isEmpty() ? s : s.substring(0, s.length() - 1)),
        Arbitraries.strings().ofMaxLength(100),
        Arbitraries.strings().withChars("whsec_=+/ABCdef0123\u00e9\t ").ofMaxLength(80),
        Arbitraries.strings().ascii().ofMaxLength(80).map(s -> "whsec_" + s),
        Arbitraries.strings().alpha().ofMaxLength(40).map(s -> new String(s.getBytes(StandardCharsets.UTF_8),
            StandardCharsets.ISO_8859_1)));
  }
}
