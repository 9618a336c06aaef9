package dev.replicateaudio.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MiniJsonTest {
  @Test
  void parsesFfprobeOutputWithNumbersAsStringsAndNotAvailableValues() {
    String json = "{\n  \"streams\": [\n    {\n      \"codec_name\": \"pcm_s16le\",\n      \"channels\": 1,\n"
        + "      \"sample_rate\": \"44100\",\n      \"bit_rate\": \"N/A\",\n      \"disposition\": {\"attached_pic\": 0}\n"
        + "    }\n  ],\n  \"format\": {\"format_name\": \"wav\", \"duration\": \"3.000000\", \"tags\": {}}\n}\n";
    Object root = MiniJson.parse(json);
    Map<String, Object> stream = MiniJson.object(Map.of("s", MiniJson.array(root, "streams").get(0)), "s").orElseThrow();
    assertThat(MiniJson.text(stream, "codec_name")).contains("pcm_s16le");
    assertThat(MiniJson.number(stream, "channels")).contains(BigDecimal.ONE);
    assertThat(MiniJson.number(stream, "sample_rate")).contains(new BigDecimal("44100"));
    assertThat(MiniJson.number(stream, "bit_rate")).isEmpty();
    assertThat(MiniJson.text(stream, "bit_rate")).isEmpty();
    assertThat(MiniJson.number(stream, "missing")).isEmpty();
    Map<String, Object> format = MiniJson.object(root, "format").orElseThrow();
    assertThat(MiniJson.number(format, "duration")).contains(new BigDecimal("3.000000"));
    assertThat(MiniJson.object(format, "tags")).contains(Map.of());
    assertThat(MiniJson.array(root, "format")).isEmpty();
  }

  @Test
  void parsesEveryValueKindAndEscape() {
    Object v = MiniJson.parse("[true,false,null,-1.5e3,\"a\\\"b\\\\c\\/d\\n\\t\\u00e9\",[],{}]");
    @SuppressWarnings("unchecked")
    List<Object> list = (List<Object>) v;
    assertThat(list).containsExactly(true, false, null, new BigDecimal("-1.5e3"), "a\"b\\c/d\n\té", List.of(),
        Map.of());
  }

  @Test
  void rejectsMalformedJsonNamingTheOffset() {
    assertThatThrownBy(() -> MiniJson.parse("{\"a\": 1,}")).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("Invalid JSON at offset 8: expected a string key, found '}'");
    assertThatThrownBy(() -> MiniJson.parse("[1 2]")).hasMessageContaining("expected ',' or ']'");
    assertThatThrownBy(() -> MiniJson.parse("\"open")).hasMessageContaining("closing");
    assertThatThrownBy(() -> MiniJson.parse("{} x")).hasMessageContaining("end of input");
    assertThatThrownBy(() -> MiniJson.parse("")).hasMessageContaining("expected a value");
    assertThatThrownBy(() -> MiniJson.parse("nul")).hasMessageContaining("'null'");
    assertThatThrownBy(() -> MiniJson.parse("[\"\\x\"]")).hasMessageContaining("valid escape");
  }

  @Test
  void limitsNesting() {
    String deep = "[".repeat(MiniJson.MAX_DEPTH + 2) + "]".repeat(MiniJson.MAX_DEPTH + 2);
    assertThatThrownBy(() -> MiniJson.parse(deep)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("levels of nesting");
    String ok = "[".repeat(MiniJson.MAX_DEPTH) + "]".repeat(MiniJson.MAX_DEPTH);
    assertThat(MiniJson.parse(ok)).isInstanceOf(List.class);
  }
}
