package dev.replicateaudio.jdbi.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.CompletionOutcome;
import dev.replicateaudio.ContentKey;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompletionPayloadTest {
  static final String ID = "0123456789abcdef";
  static final ContentKey KEY = ContentKey.of("sound_effect", 42);
  static final int MAX = CompletionPayload.MAX_POSTGRES_BYTES;

  /** Error texts that must come back unchanged: every escape, every kind of character. */
  static final List<String> AWKWARD = List.of(
      "plain",
      "quotes ' \" ` and $$dollar$$ quoting",
      "back\\slash, \\N, \\p, \\u0041, trailing \\",
      "pipes | and || and |",
      "lines\nand\r\nreturns\rand\ttabs",
      "NUL \0 in the middle and at the end \0",
      "unicode: Grüße, 日本語, emoji 🎵🔊, combining é, RTL שלום",
      "lone surrogates: \ud800 and \udfff and reversed \udc00\ud800",
      "|",
      "\\",
      "\\N");

  @Test
  void everyStatusAndEveryAwkwardTextRoundTrips() {
    for (boolean ascii : new boolean[] {false, true}) {
      for (String text : AWKWARD) {
        for (CompletionOutcome outcome : List.of(CompletionOutcome.failed("p-1", text),
            CompletionOutcome.canceled(text, text), CompletionOutcome.timedOut(null, text),
            CompletionOutcome.failed(null, text))) {
          CompletionPayload.Encoded e = CompletionPayload.encode(ID, KEY, outcome, ascii, MAX);
          assertThat(e.truncated()).isFalse();
          CompletionPayload.Decoded d = CompletionPayload.decode(e.text());
          assertThat(d.instanceId()).isEqualTo(ID);
          assertThat(d.key()).isEqualTo(KEY);
          assertThat(d.outcome()).as("ascii=%s, text=%s", ascii, text).isEqualTo(outcome);
          assertThat(e.text()).doesNotContain("\0", "\n", "\r");
          assertThat(e.bytes()).isEqualTo(bytesInServerEncoding(e.text(), ascii));
        }
      }
    }
    CompletionOutcome ok = CompletionOutcome.succeeded("p-ok");
    assertThat(CompletionPayload.decode(CompletionPayload.encode(ID, KEY, ok, false, MAX).text()).outcome()).isEqualTo(ok);
  }

  @Test
  void thePayloadIsCompactReadableText() {
    assertThat(CompletionPayload.encode(ID, ContentKey.speech(7), CompletionOutcome.succeeded("abc123"), false, MAX).text())
        .isEqualTo("ra1|0123456789abcdef|speech|7|SUCCEEDED|abc123|\\N");
    assertThat(CompletionPayload.encode(ID, KEY, CompletionOutcome.failed(null, "a|b\nc"), false, MAX).text())
        .isEqualTo("ra1|0123456789abcdef|sound_effect|42|FAILED|\\N|a\\pb\\nc");
  }

  @Test
  void asciiModeWritesOnlyAscii() {
    CompletionPayload.Encoded e = CompletionPayload.encode(ID, KEY,
        CompletionOutcome.failed("p-ü", "Grüße 日本 🎵"), true, MAX);
    assertThat(e.text()).matches("\\p{ASCII}*").contains("\\u00fc", "\\u65e5", "\\ud83c\\udfb5");
    assertThat(CompletionPayload.decode(e.text()).outcome().error()).isEqualTo("Grüße 日本 🎵");
    assertThat(CompletionPayload.decode(e.text()).outcome().predictionId()).isEqualTo("p-ü");
  }

  @Test
  void longErrorsAreCutAtACharacterBoundaryToFitTheLimitAndMarked() {
    for (String unit : List.of("x", "é", "日", "🎵", "|", "\\", "\na", "\ud800")) {
      for (boolean ascii : new boolean[] {false, true}) {
        String error = unit.repeat(10_240 / unit.length());
        CompletionPayload.Encoded e = CompletionPayload.encode(ID, KEY, CompletionOutcome.failed("p-long", error), ascii,
            MAX);
        assertThat(e.truncated()).isTrue();
        assertThat(e.bytes()).isLessThanOrEqualTo(MAX).isGreaterThan(MAX - 12);
        assertThat(bytesInServerEncoding(e.text(), ascii)).isEqualTo(e.bytes());
        String back = CompletionPayload.decode(e.text()).outcome().error();
        String marker = "... [cut, " + error.length() + " characters]";
        assertThat(back).as("unit %s ascii %s", unit, ascii).endsWith(marker);
        String kept = back.substring(0, back.length() - marker.length());
        assertThat(error).startsWith(kept);
        if (unit.equals("🎵")) {
          assertThat(kept.length() % 2).as("half a surrogate pair kept").isZero();
        }
        assertThat(kept).isNotEmpty();
      }
    }
  }

  @Test
  void aPayloadExactlyAtTheLimitIsNotCut() {
    String head = CompletionPayload.encode(ID, KEY, CompletionOutcome.failed("p", "e"), false, MAX).text();
    String error = "e".repeat(MAX - head.length() + 1);
    CompletionPayload.Encoded exact = CompletionPayload.encode(ID, KEY, CompletionOutcome.failed("p", error), false, MAX);
    assertThat(exact.bytes()).isEqualTo(MAX);
    assertThat(exact.truncated()).isFalse();
    CompletionPayload.Encoded over = CompletionPayload.encode(ID, KEY, CompletionOutcome.failed("p", error + "e"), false,
        MAX);
    assertThat(over.truncated()).isTrue();
    assertThat(over.bytes()).isLessThanOrEqualTo(MAX);
  }

  @Test
  void aPredictionIdTooLongForAnyPayloadCannotBeEncoded() {
    assertThat(CompletionPayload.encode(ID, KEY, CompletionOutcome.succeeded("p".repeat(MAX)), false, MAX)).isNull();
    assertThat(CompletionPayload.encode(ID, KEY, CompletionOutcome.failed("p".repeat(7_960), "boom ".repeat(100)), false,
        MAX)).isNull();
    // a long id that leaves room for the marker: the error is cut, the id kept whole
    CompletionPayload.Encoded e = CompletionPayload.encode(ID, KEY, CompletionOutcome.failed("p".repeat(7_900),
        "boom ".repeat(100)), false, MAX);
    assertThat(e.truncated()).isTrue();
    assertThat(CompletionPayload.decode(e.text()).outcome().predictionId()).hasSize(7_900);
  }

  @Test
  void textThatIsNotAPayloadIsRefusedWithTheReason() {
    assertThatThrownBy(() -> CompletionPayload.decode("hello"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("not a ra1 completion payload (7 fields separated by |): 'hello'");
    assertThatThrownBy(() -> CompletionPayload.decode("ra2|i|speech|1|SUCCEEDED|p|\\N"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("not a ra1 completion payload");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1||speech|1|SUCCEEDED|p|\\N"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without an instance id");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|x1|SUCCEEDED|p|\\N"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("content id 'x1', not a number");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|no spaces|1|SUCCEEDED|p|\\N"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("contentType must be 1 to 64 characters");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|DONE|p|\\N"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown status 'DONE'");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|PENDING|p|\\N"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("status PENDING, not a completion");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|SUCCEEDED|p|oops"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("SUCCEEDED outcome must not carry an error");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|FAILED|p|bad \\q"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("unknown escape \\q");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|FAILED|p|bad \\"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("lone backslash");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|FAILED|p|bad \\u12"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("short \\u escape");
    assertThatThrownBy(() -> CompletionPayload.decode("ra1|i|speech|1|FAILED|p|bad \\uXYZW"))
        .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("bad \\u escape");
  }

  static int bytesInServerEncoding(String text, boolean ascii) {
    if (ascii) {
      assertThat(text).matches("\\p{ASCII}*");
      return text.length();
    }
    return text.getBytes(StandardCharsets.UTF_8).length;
  }
}
