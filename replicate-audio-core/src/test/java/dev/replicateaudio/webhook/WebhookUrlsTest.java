package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ContentKey;
import java.net.URI;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class WebhookUrlsTest {
  static final URI BASE = URI.create("https://example.com/hooks/replicate");

  @Test
  void contentKeyIsAddedAsQueryParameters() {
    assertThat(WebhookUrls.forContent(BASE, ContentKey.soundEffect(42)))
        .isEqualTo(URI.create("https://example.com/hooks/replicate?content_type=sound_effect&content_id=42"));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "https://example.com/h?tenant=7 | https://example.com/h?tenant=7&content_type=speech&content_id=5",
      "https://example.com/h? | https://example.com/h?content_type=speech&content_id=5",
      "https://example.com | https://example.com?content_type=speech&content_id=5",
      "http://user:pw@localhost:8080/a%20b/h | http://user:pw@localhost:8080/a%20b/h?content_type=speech&content_id=5",
      "https://example.com/h?sig=a%2Bb%3D&x | https://example.com/h?sig=a%2Bb%3D&x&content_type=speech&content_id=5",
      "http://[::1]:9000/h | http://[::1]:9000/h?content_type=speech&content_id=5"
  })
  void existingQueryPortUserInfoAndEscapesAreKept(String base, String expected) {
    assertThat(WebhookUrls.forContent(URI.create(base), ContentKey.speech(5)).toString()).isEqualTo(expected);
  }

  @ParameterizedTest
  @ValueSource(strings = {"/hooks/replicate", "ftp://example.com/h", "https:opaque", "mailto:hooks@example.com"})
  void baseMustBeAnAbsoluteHttpUrl(String base) {
    assertThatThrownBy(() -> WebhookUrls.forContent(URI.create(base), ContentKey.speech(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook base must be an absolute http(s) URL, was '" + base + "'");
  }

  @Test
  void baseWithAFragmentIsRefused() {
    assertThatThrownBy(() -> WebhookUrls.forContent(URI.create("https://example.com/h#top"), ContentKey.speech(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook base must not have a fragment, was 'https://example.com/h#top'");
  }

  @ParameterizedTest
  @ValueSource(strings = {"https://example.com/h?content_type=speech", "https://example.com/h?a=1&content_id=3",
      "https://example.com/h?content%5Fid=3"})
  void baseThatAlreadyCarriesAKeyIsRefused(String base) {
    assertThatThrownBy(() -> WebhookUrls.forContent(URI.create(base), ContentKey.speech(5)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("webhook base already has a content_type or content_id parameter: '" + base + "'");
  }

  @Test
  void nullArgumentsAreRefusedByName() {
    assertThatThrownBy(() -> WebhookUrls.forContent(null, ContentKey.speech(5)))
        .isInstanceOf(NullPointerException.class).hasMessage("base == null");
    assertThatThrownBy(() -> WebhookUrls.forContent(BASE, null))
        .isInstanceOf(NullPointerException.class).hasMessage("key == null");
    assertThatThrownBy(() -> WebhookUrls.contentKey((URI) null))
        .isInstanceOf(NullPointerException.class).hasMessage("requestUri == null");
  }

  @Test
  void keyRoundTripsThroughTheUrl() {
    for (ContentKey key : new ContentKey[] {ContentKey.soundEffect(1), ContentKey.backgroundMusic(Long.MAX_VALUE),
        ContentKey.speech(-7), ContentKey.of("Host.Type-2", 0)}) {
      URI url = WebhookUrls.forContent(URI.create("https://example.com/h?tenant=a%26b"), key);

      assertThat(WebhookUrls.contentKey(url)).contains(key);
      assertThat(WebhookUrls.contentKey(url.getRawQuery())).contains(key);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "content_id=42&content_type=sound_effect | sound_effect:42",
      "x=1&content_type=speech&y&content_id=007 | speech:7",
      "content%5Ftype=sound%5Feffect&content_id=42 | sound_effect:42",
      "content_type=speech&content_id=1&content_type=sound_effect | speech:1"
  })
  void keyIsFoundAmongOtherParametersInAnyOrder(String query, String expected) {
    assertThat(WebhookUrls.contentKey(query)).hasValueSatisfying(k -> assertThat(k).hasToString(expected));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "content_type=speech", "content_id=1", "content_type=speech&content_id=abc",
      "content_type=speech&content_id=", "content_type=&content_id=1", "content_type=a+b&content_id=1",
      "content_type=speech&content_id=99999999999999999999", "content_type=speech&content_id=1.5",
      "content_type=%zz&content_id=1", "content_type=speech&content_id=%", "content_type=speech&content_id=1%2"})
  void missingOrMalformedKeyGivesEmpty(String query) {
    assertThat(WebhookUrls.contentKey(query)).isEmpty();
  }

  @Test
  void nullQueryOrUriWithoutQueryGivesEmpty() {
    assertThat(WebhookUrls.contentKey((String) null)).isEmpty();
    assertThat(WebhookUrls.contentKey(URI.create("https://example.com/h"))).isEmpty();
  }
}
