package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.replicateaudio.prediction.Prediction;
import dev.replicateaudio.prediction.PredictionStatus;
import dev.replicateaudio.testing.Bounded;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * {@link PredictionJson} on any webhook body: a {@link Prediction} or a
 * {@link PredictionParseException}, never another exception and never a hang; what it writes reads
 * back as the same prediction.
 */
class PredictionJsonPropertiesTest {

  @Property(tries = 3000)
  void anyBytesGiveAPredictionOrAParseException(@ForAll @Size(max = 3000) byte[] body) throws Exception {
    parseOrRefuse(body);
  }

  @Property(tries = 1500)
  void anyMangledWebhookBodyGivesAPredictionOrAParseException(@ForAll("mangledBodies") String body) throws Exception {
    parseOrRefuse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 3000)
  void anyValuesInAWellFormedBodyGiveAPredictionOrAParseException(@ForAll("wellFormedBodies") String body)
      throws Exception {
    parseOrRefuse(body.getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 300)
  void aWrittenPredictionReadsBackTheSame(@ForAll("predictions") Prediction prediction) throws Exception {
    Prediction read = Bounded.call(() -> PredictionJson.parsePrediction(PredictionJson.writePrediction(prediction)));

    assertThat(read).usingRecursiveComparison().isEqualTo(prediction);
  }

  private static void parseOrRefuse(byte[] body) throws Exception {
    try {
      Prediction p = Bounded.call(() -> PredictionJson.parsePrediction(body));
      assertThat(p.id()).isNotBlank();
      assertThat(p.outputUrls()).allSatisfy(u -> assertThat(u.getScheme()).isIn("https", "http", "data", "HTTPS",
          "HTTP", "DATA", "Https", "Http", "Data"));
      if (p.predictTime() != null) {
        assertThat(p.predictTime().isNegative()).isFalse();
      }
    } catch (PredictionParseException e) {
      assertThat(e.problem()).isNotBlank();
    }
  }

  // ---- generators ----

  private static final String TEMPLATE = "{\"id\":%s,\"model\":%s,\"status\":%s,\"output\":%s,\"error\":%s,"
      + "\"created_at\":%s,\"started_at\":%s,\"completed_at\":%s,\"data_removed\":%s,\"metrics\":{\"predict_time\":%s}}";

  /** Bodies shaped like Replicate's, each field mostly valid (so that parsing reaches the later fields), sometimes odd. */
  @Provide
  Arbitrary<String> wellFormedBodies() {
    Arbitrary<String> anyJson = anyJsonValue();
    Arbitrary<String> ids = mostly(Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(26)
        .map(PredictionJsonPropertiesTest::q), Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(30)
        .map(PredictionJsonPropertiesTest::q), anyJson));
    Arbitrary<String> statuses = mostly(Arbitraries.of("starting", "processing", "succeeded", "failed", "canceled",
        "aborted").map(PredictionJsonPropertiesTest::q), Arbitraries.oneOf(Arbitraries.of("SUCCEEDED", "", "done")
        .map(PredictionJsonPropertiesTest::q), anyJson));
    Arbitrary<String> urls = Arbitraries.oneOf(
        Arbitraries.strings().alpha().numeric().ofMaxLength(20).map(s -> q("https://replicate.delivery/" + s + "/out.wav")),
        Arbitraries.strings().ofMaxLength(40).map(s -> q("https://replicate.delivery/" + s)),
        Arbitraries.strings().ofMaxLength(40).map(s -> q("http://" + s)),
        Arbitraries.strings().ofMaxLength(40).map(s -> q("data:" + s)),
        Arbitraries.strings().ofMaxLength(40).map(s -> q("HTTPS://" + s)));
    Arbitrary<String> outputs = mostly(Arbitraries.of("null", q("https://replicate.delivery/a/out.wav")),
        Arbitraries.oneOf(urls, urls.list().ofMaxSize(4).map(l -> "[" + String.join(",", l) + "]"),
            urls.map(u -> "{\"audio\":" + u + ",\"n\":[1," + u + "]}"), anyJson));
    Arbitrary<String> times = mostly(Arbitraries.of("2026-11-28T12:00:00.123456Z", "2026-11-28T12:00:00",
        "2026-11-28T12:00:00+02:00", "").map(PredictionJsonPropertiesTest::q).injectNull(0.3).map(t -> t == null ? "null" : t),
        Arbitraries.oneOf(Arbitraries.of("yesterday", "+999999999-12-31T23:59:59Z", "2026-13-45T99:99:99Z",
            "-999999999-01-01T00:00:00Z").map(PredictionJsonPropertiesTest::q), anyJson));
    Arbitrary<String> numbers = Arbitraries.oneOf(Arbitraries.of("1e-999999999", "1e999999999", "-0", "0.000000000001",
        "31622400", "31622401", "1E+9", "12.5", "NaN", "1e-1000", "9".repeat(900), "0." + "0".repeat(800) + "1",
        "8388608.000000001", "0.0000000005", "0.0000000015"),
        Arbitraries.bigDecimals().map(Object::toString), Arbitraries.doubles().map(String::valueOf));
    Arbitrary<String> predictTimes = Arbitraries.oneOf(numbers, numbers.map(PredictionJsonPropertiesTest::q), anyJson);
    List<Arbitrary<Object>> parts = List.of(ids.asGeneric(), anyJson.asGeneric(), statuses.asGeneric(),
        outputs.asGeneric(), anyJson.asGeneric(), times.asGeneric(), times.asGeneric(), times.asGeneric(),
        mostly(Arbitraries.of("true", "false"), Arbitraries.oneOf(Arbitraries.of("\"yes\"", "1"), anyJson)).asGeneric(),
        predictTimes.asGeneric());
    return Combinators.combine(parts).as(values -> String.format(TEMPLATE, values.toArray()));
  }

  /** {@code usual} 9 times in 10, else {@code odd}. */
  private static Arbitrary<String> mostly(Arbitrary<String> usual, Arbitrary<String> odd) {
    return Arbitraries.frequencyOf(net.jqwik.api.Tuple.of(9, usual), net.jqwik.api.Tuple.of(1, odd));
  }

  @Provide
  Arbitrary<String> mangledBodies() {
    Arbitrary<String> base = wellFormedBodies();
    Arbitrary<String> inserts = Arbitraries.oneOf(Arbitraries.of("{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\u0000",
        "\uD800", "1e99999", "[".repeat(1100), "{\"a\":".repeat(1100), "\"id\":\"dup\"", "null", "/*", "\n"),
        Arbitraries.strings().ofMaxLength(10));
    return Combinators.combine(base, Arbitraries.integers().between(0, 400), Arbitraries.integers().between(0, 20),
        inserts).as((b, at, cut, insert) -> {
          int i = Math.min(at, b.length());
          int j = Math.min(b.length(), i + cut);
          return b.substring(0, i) + insert + b.substring(j);
        });
  }

  @Provide
  Arbitrary<Prediction> predictions() {
    Arbitrary<String> ids = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(26);
    Arbitrary<URI> urls = Arbitraries.strings().alpha().numeric().ofMinLength(1).ofMaxLength(12)
        .map(s -> URI.create("https://replicate.delivery/xezq/" + s + "/output.wav"));
    Arbitrary<Instant> instants = Arbitraries.longs().between(0, 4_000_000_000L)
        .flatMap(s -> Arbitraries.integers().between(0, 999_999).map(us -> Instant.ofEpochSecond(s, us * 1000L)));
    Arbitrary<Duration> predictTimes = Arbitraries.longs().between(0, 366L * 24 * 3600 * 1_000_000_000L)
        .map(Duration::ofNanos);
    List<Arbitrary<Object>> parts = List.of(ids.asGeneric(), Arbitraries.of(PredictionStatus.values()).asGeneric(),
        urls.list().ofMaxSize(3).asGeneric(),
        Arbitraries.strings().ofMinLength(1).ofMaxLength(40).filter(s -> !s.isBlank()).injectNull(0.5).asGeneric(),
        Arbitraries.strings().alpha().ofMinLength(1).ofMaxLength(20).map(s -> s + "/m").injectNull(0.3).asGeneric(),
        instants.injectNull(0.2).asGeneric(), instants.injectNull(0.2).asGeneric(), instants.injectNull(0.2).asGeneric(),
        Arbitraries.of(true, false).asGeneric(), predictTimes.injectNull(0.3).asGeneric());
    return Combinators.combine(parts)
        .as(p -> new Prediction((String) p.get(0), (PredictionStatus) p.get(1), castList(p.get(2)), (String) p.get(3),
            (String) p.get(4), (Instant) p.get(5), (Instant) p.get(6), (Instant) p.get(7), (Boolean) p.get(8),
            (Duration) p.get(9)));
  }

  @SuppressWarnings("unchecked")
  private static List<URI> castList(Object o) {
    return (List<URI>) o;
  }

  private static Arbitrary<String> anyJsonValue() {
    return Arbitraries.oneOf(Arbitraries.of("null", "true", "0", "-1.5e300", "[]", "{}", "[null]", "{\"x\":[1,{}]}",
        "\"\"", "\" \""), Arbitraries.strings().ofMaxLength(20).map(PredictionJsonPropertiesTest::q));
  }

  /** {@code s} as a JSON string literal. */
  private static String q(String s) {
    StringBuilder sb = new StringBuilder("\"");
    for (char c : s.toCharArray()) {
      if (c == '"' || c == '\\') {
        sb.append('\\').append(c);
      } else if (c < 0x20) {
        sb.append(String.format("\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    return sb.append('"').toString();
  }
}
