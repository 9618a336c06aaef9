package dev.replicateaudio.okhttp;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.ThreadLocalRandom;

/**
 * When to try a Replicate call again, and after how long.
 *
 * <p>GETs are retried on 429, 5xx and I/O errors; state-changing POSTs (create, cancel) only on 429,
 * because Replicate has no idempotency key and a repeated create could bill twice. The delay is the
 * server's hint ({@code Retry-After} in seconds or as an HTTP date, then the body's
 * {@code retry_after}, then "resets in ~Ns"), or else exponential backoff with jitter; either is
 * capped at {@code maxBackoff}.
 */
record RetryPolicy(int maxAttempts, Duration baseBackoff, Duration maxBackoff, Clock clock) {

  boolean mayRetryStatus(int code, boolean idempotent) {
    return code == 429 || idempotent && code >= 500 && code <= 599;
  }

  boolean mayRetryIoError(boolean idempotent) {
    return idempotent;
  }

  /**
   * The delay before retry number {@code retry} (1 for the first retry).
   *
   * @param hint the server's hint, or null
   */
  Duration delay(int retry, Duration hint) {
    long capMillis = maxBackoff.toMillis();
    if (hint != null) {
      long h = Math.min(hint.toMillis(), capMillis);
      // never earlier than asked; up to 10 % later so that many clients don't return at once
      return Duration.ofMillis(h + ThreadLocalRandom.current().nextLong(h / 10 + 1));
    }
    long exp = baseBackoff.toMillis() << Math.min(retry - 1, 20);
    long d = Math.min(exp < 0 ? capMillis : exp, capMillis);
    // "equal jitter": half fixed, half random
    return Duration.ofMillis(d / 2 + ThreadLocalRandom.current().nextLong(d / 2 + 1));
  }

  /** A {@code Retry-After} header's delay: whole seconds, or an HTTP date; null when absent or unusable. */
  Duration retryAfterHeader(String value) {
    if (value == null || value.isBlank()) {
      return null;
    }
    String v = value.strip();
    if (v.chars().allMatch(Character::isDigit)) {
      if (v.length() > 9) {
        return maxBackoff;
      }
      return Duration.ofSeconds(Long.parseLong(v));
    }
    try {
      Instant at = ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant();
      Duration d = Duration.between(clock.instant(), at);
      return d.isNegative() ? Duration.ZERO : d;
    } catch (DateTimeParseException e) {
      return null;
    }
  }
}
