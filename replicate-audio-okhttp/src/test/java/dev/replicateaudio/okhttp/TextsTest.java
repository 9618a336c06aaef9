package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TextsTest {
  @Test
  void describeDropsQueryUserInfoAndFragment() {
    assertThat(Texts.describe(URI.create("https://user:pw@replicate.delivery:8443/a/b.wav?sig=SECRET#frag")))
        .isEqualTo("https://replicate.delivery:8443/a/b.wav?...");
    assertThat(Texts.describe(URI.create("https://replicate.delivery"))).isEqualTo("https://replicate.delivery/");
  }

  @Test
  void describeShowsOnlyTheHeaderAndLengthOfDataUris() {
    assertThat(Texts.describe(URI.create("data:audio/wav;base64,UklGRiQAAABXQVZF")))
        .isEqualTo("data:audio/wav;base64,... (16 chars)");
  }

  @Test
  void printableEscapesControlCharactersAndCuts() {
    assertThat(Texts.printable("a\nb\u0000c", 100)).isEqualTo("a\\u000ab\\u0000c");
    assertThat(Texts.printable("x".repeat(10), 4)).isEqualTo("xxxx...");
    assertThat(Texts.excerpt("é".repeat(300).getBytes(StandardCharsets.UTF_8), 5)).isEqualTo("ééééé...");
    assertThat(Texts.excerpt(new byte[0], 5)).isEqualTo("(empty)");
  }
}
