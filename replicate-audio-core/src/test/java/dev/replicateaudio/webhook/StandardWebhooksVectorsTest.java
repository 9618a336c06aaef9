package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Agreement with the reference Standard Webhooks implementation (npm {@code standardwebhooks}
 * 1.1.1): signatures it made, and its verdicts on intact, altered and multi-signature messages.
 * The fixture and how it was produced: {@code src/test/standardwebhooks/generate-vectors.js}.
 */
class StandardWebhooksVectorsTest {
  private static final String FIXTURE = "standardwebhooks-vectors.tsv";

  record Vector(String kind, String secret, String msgId, long timestamp, byte[] body, String signature,
      String verdict) {
    @Override
    public String toString() {
      return kind + " " + msgId + " @" + timestamp + " (" + body.length + " bytes)"
          + (verdict == null ? "" : " -> " + verdict);
    }
  }

  static List<Vector> vectors() {
    List<Vector> vectors = new ArrayList<>();
    try (InputStream in = Objects.requireNonNull(StandardWebhooksVectorsTest.class.getResourceAsStream(FIXTURE),
        FIXTURE + " is missing from the test resources");
        BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.isEmpty() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t", -1);
        byte[] body = Base64.getDecoder().decode(f[4]);
        if (f[0].equals("sign") && f.length == 6) {
          vectors.add(new Vector("sign", f[1], f[2], Long.parseLong(f[3]), body, f[5], null));
        } else if (f[0].equals("verify") && f.length == 7) {
          vectors.add(new Vector("verify", f[1], f[2], Long.parseLong(f[3]), body, f[5], f[6]));
        } else {
          throw new IllegalStateException("unexpected fixture line: " + line);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return vectors;
  }

  static Stream<Arguments> signVectors() {
    return vectors().stream().filter(v -> v.kind().equals("sign")).map(Arguments::of);
  }

  static Stream<Arguments> verifyVectors() {
    return vectors().stream().filter(v -> v.kind().equals("verify")).map(Arguments::of);
  }

  static WebhookVerifier verifierAt(Vector v) {
    return WebhookVerifier.create(v.secret(), Duration.ofMinutes(5),
        Clock.fixed(Instant.ofEpochSecond(v.timestamp()), ZoneOffset.UTC));
  }

  @Test
  void fixtureHoldsEnoughOfEveryKind() {
    List<Vector> all = vectors();

    assertThat(all).filteredOn(v -> v.kind().equals("sign")).hasSizeGreaterThanOrEqualTo(50);
    assertThat(all).filteredOn(v -> "ok".equals(v.verdict())).hasSizeGreaterThanOrEqualTo(20);
    assertThat(all).filteredOn(v -> "reject".equals(v.verdict())).hasSizeGreaterThanOrEqualTo(20);
    assertThat(all).anySatisfy(v -> assertThat(v.body()).isEmpty());
    assertThat(all).anySatisfy(v -> assertThat(new String(v.body(), StandardCharsets.UTF_8)).contains("🔊"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("signVectors")
  void signatureMatchesTheReferenceImplementation(Vector v) {
    WebhookVerifier verifier = verifierAt(v);

    assertThat(verifier.sign(v.msgId(), v.timestamp(), v.body())).isEqualTo(v.signature());
    Map<String, String> headers = verifier.signedHeaders(v.msgId(), Instant.ofEpochSecond(v.timestamp()), v.body());
    assertThat(verifier.verify(headers, v.body()).id()).isEqualTo(v.msgId());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("verifyVectors")
  void verdictMatchesTheReferenceImplementation(Vector v) {
    WebhookVerifier verifier = verifierAt(v);
    Map<String, String> headers = Map.of(
        "webhook-id", v.msgId(),
        "webhook-timestamp", Long.toString(v.timestamp()),
        "webhook-signature", v.signature());

    if (v.verdict().equals("ok")) {
      assertThat(verifier.verify(headers, v.body()).id()).isEqualTo(v.msgId());
    } else {
      assertThatThrownBy(() -> verifier.verify(headers, v.body()))
          .isInstanceOf(WebhookVerificationException.class)
          .hasMessageContaining("webhook-signature");
    }
  }
}
