package dev.replicateaudio.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.replicateaudio.ContentKey;
import dev.replicateaudio.testing.Bounded;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * {@link WebhookUrls}: the content key written into any usable webhook base URL reads back as the
 * same key, wherever the base's own query puts its parameters; any query string reads as a key or
 * empty, never an exception or a hang.
 */
class WebhookUrlsPropertiesTest {

  @Property(tries = 2000)
  void aKeyWrittenIntoAWebhookUrlReadsBackTheSame(@ForAll("bases") URI base, @ForAll("keys") ContentKey key) {
    URI url = WebhookUrls.forContent(base, key);

    assertThat(WebhookUrls.contentKey(url)).hasValue(key);
    assertThat(WebhookUrls.contentKey(url.getRawQuery())).hasValue(key);
    assertThat(url.getHost()).isEqualTo(base.getHost());
    assertThat(url.getRawPath()).isEqualTo(base.getRawPath());
    if (base.getRawQuery() != null && !base.getRawQuery().isEmpty()) {
      assertThat(url.getRawQuery()).startsWith(base.getRawQuery());
    }
  }

  @Property(tries = 500)
  void aBaseThatAlreadyCarriesAKeyIsRefused(@ForAll("bases") URI base, @ForAll("keys") ContentKey key) {
    URI once = WebhookUrls.forContent(base, key);

    assertThatThrownBy(() -> WebhookUrls.forContent(once, key)).isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("already has a content_type or content_id parameter");
  }

  @Property(tries = 3000)
  void anyQueryGivesAKeyOrEmpty(@ForAll("queries") String query) throws Exception {
    Bounded.call(() -> WebhookUrls.contentKey(query))
        .ifPresent(key -> assertThat(key.contentType()).matches("[A-Za-z0-9_.-]{1,64}"));
  }

  // ---- generators ----

  @Provide
  Arbitrary<ContentKey> keys() {
    Arbitrary<String> types = Arbitraries.oneOf(
        Arbitraries.of(ContentKey.SOUND_EFFECT, ContentKey.BACKGROUND_MUSIC, ContentKey.SPEECH),
        Arbitraries.strings().withCharRange('a', 'z').withCharRange('A', 'Z').withCharRange('0', '9')
            .withChars('_', '.', '-').ofMinLength(1).ofMaxLength(64));
    return Combinators.combine(types, Arbitraries.longs()).as(ContentKey::new);
  }

  @Provide
  Arbitrary<URI> bases() {
    Arbitrary<String> scheme = Arbitraries.of("https", "http", "HTTPS");
    Arbitrary<String> host = Arbitraries.of("example.com", "my.host", "127.0.0.1", "[::1]", "hooks.example.org:8443",
        "user@example.com", "localhost:1");
    Arbitrary<String> segment = Arbitraries.strings().alpha().numeric().withChars('-', '_', '~').ofMaxLength(12);
    Arbitrary<String> path = segment.list().ofMaxSize(4).map(list -> list.isEmpty() ? "" : "/" + String.join("/", list));
    Arbitrary<String> text = Arbitraries.strings().ofMaxLength(12).map(s -> URLEncoder.encode(s, StandardCharsets.UTF_8));
    Arbitrary<String> pair = Combinators.combine(text.filter(s -> !s.isEmpty()), text)
        .as((k, v) -> k + "=" + v)
        .filter(p -> !p.startsWith(WebhookUrls.CONTENT_TYPE_PARAM + "=") && !p.startsWith(WebhookUrls.CONTENT_ID_PARAM + "="));
    Arbitrary<String> query = pair.list().ofMaxSize(3).map(list -> list.isEmpty() ? "" : "?" + String.join("&", list));
    return Combinators.combine(scheme, host, path, query).as((s, h, p, q) -> URI.create(s + "://" + h + p + q));
  }

  @Provide
  Arbitrary<String> queries() {
    Arbitrary<String> names = Arbitraries.of(WebhookUrls.CONTENT_TYPE_PARAM, WebhookUrls.CONTENT_ID_PARAM,
        "content%5Ftype", "content_id%00", "x", "");
    Arbitrary<String> values = Arbitraries.oneOf(Arbitraries.strings().ofMaxLength(70),
        Arbitraries.strings().withChars("%0123456789abcdefABCDEF+-_.").ofMaxLength(30),
        Arbitraries.longs().map(String::valueOf), Arbitraries.bigIntegers().map(Object::toString));
    Arbitrary<String> pair = Combinators.combine(names, Arbitraries.of("=", "", "=="), values)
        .as((n, eq, v) -> n + eq + v);
    return Arbitraries.oneOf(pair.list().ofMaxSize(5).map(list -> String.join("&", list)),
        Arbitraries.strings().ofMaxLength(200));
  }
}
