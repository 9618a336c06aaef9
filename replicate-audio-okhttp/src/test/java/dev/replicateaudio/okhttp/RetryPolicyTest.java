package dev.replicateaudio.okhttp;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.RepeatedTest;
import org.junit.jupiter.api.Test;

class RetryPolicyTest {
  private final Clock clock = Clock.fixed(Instant.parse("2015-10-21T07:28:00Z"), ZoneOffset.UTC);
  private final RetryPolicy policy = new RetryPolicy(5, Duration.ofMillis(500), Duration.ofSeconds(30), clock);

  @Test
  void getsAreRetriedOn429And5xxButPostsOnlyOn429() {
    assertThat(policy.mayRetryStatus(429, true)).isTrue();
    assertThat(policy.mayRetryStatus(503, true)).isTrue();
    assertThat(policy.mayRetryStatus(500, true)).isTrue();
    assertThat(policy.mayRetryStatus(404, true)).isFalse();
    assertThat(policy.mayRetryStatus(429, false)).isTrue();
    assertThat(policy.mayRetryStatus(500, false)).isFalse();
    assertThat(policy.mayRetryStatus(503, false)).isFalse();
    assertThat(policy.mayRetryIoError(true)).isTrue();
    assertThat(policy.mayRetryIoError(false)).isFalse();
  }

  @RepeatedTest(20)
  void backoffDoublesWithJitterAndIsCapped() {
    assertThat(policy.delay(1, null).toMillis()).isBetween(250L, 500L);
    assertThat(policy.delay(2, null).toMillis()).isBetween(500L, 1000L);
    assertThat(policy.delay(3, null).toMillis()).isBetween(1000L, 2000L);
    assertThat(policy.delay(10, null).toMillis()).isBetween(15_000L, 30_000L);
    assertThat(policy.delay(64, null).toMillis()).isBetween(15_000L, 30_000L);
  }

  @RepeatedTest(20)
  void hintsAreNeverShortenedButCapped() {
    assertThat(policy.delay(1, Duration.ofSeconds(5)).toMillis()).isBetween(5_000L, 5_500L);
    assertThat(policy.delay(1, Duration.ofHours(2))).isBetween(Duration.ofSeconds(30), Duration.ofSeconds(33));
    assertThat(policy.delay(1, Duration.ZERO)).isEqualTo(Duration.ZERO);
  }

  @Test
  void retryAfterHeaderTakesSecondsOrAnHttpDate() {
    assertThat(policy.retryAfterHeader("120")).isEqualTo(Duration.ofSeconds(120));
    assertThat(policy.retryAfterHeader(" 0 ")).isEqualTo(Duration.ZERO);
    assertThat(policy.retryAfterHeader("Wed, 21 Oct 2015 07:28:07 GMT")).isEqualTo(Duration.ofSeconds(7));
    assertThat(policy.retryAfterHeader("Wed, 21 Oct 2015 07:00:00 GMT")).isEqualTo(Duration.ZERO);
    assertThat(policy.retryAfterHeader("99999999999999")).isEqualTo(Duration.ofSeconds(30));
    assertThat(policy.retryAfterHeader("soon")).isNull();
    assertThat(policy.retryAfterHeader("-5")).isNull();
    assertThat(policy.retryAfterHeader(null)).isNull();
  }

  @Test
  void problemBodyHintsComeFromRetryAfterThenFromTheResetsInSentence() {
    assertThat(ProblemBody.parse(bytes("{\"detail\":\"x\",\"status\":429,\"retry_after\":5}")).retryAfter())
        .isEqualTo(Duration.ofSeconds(5));
    assertThat(ProblemBody.parse(bytes("{\"retry_after\":\"0.25\"}")).retryAfter()).isEqualTo(Duration.ofMillis(250));
    assertThat(ProblemBody.parse(bytes("{\"detail\":\"Request was throttled. Your rate limit resets in ~30s.\"}"))
        .retryAfter()).isEqualTo(Duration.ofSeconds(30));
    assertThat(ProblemBody.parse(bytes("Too many requests; resets in ~7s")).retryAfter()).isEqualTo(Duration.ofSeconds(7));
    assertThat(ProblemBody.parse(bytes("{\"detail\":\"throttled\"}")).retryAfter()).isNull();
    assertThat(ProblemBody.parse(bytes("{\"retry_after\":-1}")).retryAfter()).isNull();
  }

  @Test
  void problemBodyWithoutTitleOrDetailKeepsTheJson() {
    ProblemBody p = ProblemBody.parse(bytes("{\"error\":\"weird\"}"));

    assertThat(p.title()).isNull();
    assertThat(p.detail()).isEqualTo("{\"error\":\"weird\"}");
    assertThat(ProblemBody.parse(new byte[0]).detail()).isNull();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
