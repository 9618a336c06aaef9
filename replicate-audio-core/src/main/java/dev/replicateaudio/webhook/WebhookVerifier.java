package dev.replicateaudio.webhook;

import dev.replicateaudio.internal.SettingParsers;
import dev.replicateaudio.webhook.WebhookVerificationException.Reason;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Verifies the signature of a Replicate webhook request (the symmetric
 * <a href="https://www.standardwebhooks.com">Standard Webhooks</a> scheme Replicate uses), before
 * anything parses its body.
 *
 * <pre>{@code
 * // once, at startup; the secret comes from GET /v1/webhooks/default/secret
 * WebhookVerifier verifier = WebhookVerifier.create(System.getenv("REPLICATE_WEBHOOK_SECRET"));
 *
 * // per request, with the raw body bytes exactly as received
 * try {
 *   VerifiedWebhook message = verifier.verifyMultiValued(exchange.getRequestHeaders(), rawBody);
 *   // deduplicate on message.id(), then parse rawBody
 * } catch (WebhookVerificationException e) {
 *   // answer 401; e.reason() says which check failed
 * }
 * }</pre>
 *
 * <p>What {@code verify} checks, in this order:
 * <ol>
 *   <li>the headers {@code webhook-id}, {@code webhook-timestamp} and {@code webhook-signature} are
 *       present (names compared case-insensitively) and not empty;</li>
 *   <li>{@code webhook-timestamp} is whole seconds since the epoch, within the tolerance of the
 *       verifier's clock in both directions (default {@value #DEFAULT_TOLERANCE_SECONDS} s, compared
 *       in whole seconds);</li>
 *   <li>some {@code v1,<base64>} entry of the space-separated {@code webhook-signature} equals the
 *       HMAC-SHA256 of the bytes {@code webhook-id + "." + webhook-timestamp + "." + body}, keyed
 *       with one of the verifier's secrets. Entries of other versions ({@code v1a}, {@code v2}) are
 *       skipped; several entries let a sender rotate its secret. Comparison is constant-time.</li>
 * </ol>
 * The body is signed as raw bytes: never parse and re-serialize JSON before verifying, and verify
 * before trusting anything in the request, including the query string of the webhook URL (which
 * the signature does not cover).
 *
 * <p>A secret is {@code whsec_} followed by base64 (the prefix may be left out). A verifier made
 * with several secrets accepts a signature by any of them, so a host can move to a new secret
 * without rejecting webhooks signed with the old one; {@link #sign} uses the first.
 *
 * <p>The secret is never logged, printed or put into an exception message; {@link #toString()}
 * masks it. This class is thread-safe; share one instance. Verifying costs one HMAC-SHA256 pass
 * over the body per secret and allocates a few small objects.
 */
public final class WebhookVerifier {
  /** The header carrying the message id, unique per message and the same across retries. */
  public static final String WEBHOOK_ID = "webhook-id";
  /** The header carrying the time of signing, in whole seconds since the epoch. */
  public static final String WEBHOOK_TIMESTAMP = "webhook-timestamp";
  /** The header carrying the space-separated list of {@code version,base64} signatures. */
  public static final String WEBHOOK_SIGNATURE = "webhook-signature";

  /** The default timestamp tolerance in seconds, as in Replicate's docs and Standard Webhooks. */
  public static final long DEFAULT_TOLERANCE_SECONDS = 300;
  /** The default timestamp tolerance: 5 minutes either way. */
  public static final Duration DEFAULT_TOLERANCE = Duration.ofSeconds(DEFAULT_TOLERANCE_SECONDS);
  /** The largest tolerance accepted. */
  public static final Duration MAX_TOLERANCE = Duration.ofHours(24);
  /** Secrets shorter than this many bytes are refused (Replicate's are 24, the standard's 24 to 64). */
  public static final int MIN_SECRET_BYTES = 16;

  private static final String SECRET_PREFIX = "whsec_";
  private static final String ALGORITHM = "HmacSHA256";
  private static final int SIGNATURE_BYTES = 32;
  /** Timestamps have at most this many digits (about 31 million years of seconds). */
  private static final int MAX_TIMESTAMP_DIGITS = 15;

  private final List<Mac> prototypes;
  private final Duration tolerance;
  private final Clock clock;

  private WebhookVerifier(List<Mac> prototypes, Duration tolerance, Clock clock) {
    this.prototypes = prototypes;
    this.tolerance = tolerance;
    this.clock = clock;
  }

  /**
   * A verifier for {@code secret} with the default tolerance of 5 minutes and the system UTC clock.
   *
   * @param secret the webhook signing secret, {@code whsec_<base64>}
   * @return a verifier, to share
   * @throws IllegalArgumentException when the secret is not valid (the message never contains it)
   */
  public static WebhookVerifier create(String secret) {
    return create(secret, DEFAULT_TOLERANCE, Clock.systemUTC());
  }

  /**
   * A verifier for {@code secret}.
   *
   * @param secret the webhook signing secret, {@code whsec_<base64>}
   * @param tolerance how far {@code webhook-timestamp} may be from {@code clock}, either way; from
   *     1 s to 24 h
   * @param clock the clock timestamps are checked against
   * @return a verifier, to share
   * @throws IllegalArgumentException when the secret or the tolerance is not valid
   */
  public static WebhookVerifier create(String secret, Duration tolerance, Clock clock) {
    Objects.requireNonNull(secret, "secret == null");
    return create(List.of(secret), tolerance, clock);
  }

  /**
   * A verifier that accepts signatures made with any of {@code secrets}, for moving to a new secret
   * without downtime. {@link #sign} uses the first secret.
   *
   * @param secrets one or more webhook signing secrets, {@code whsec_<base64>}, current one first
   * @param tolerance how far {@code webhook-timestamp} may be from {@code clock}, either way; from
   *     1 s to 24 h
   * @param clock the clock timestamps are checked against
   * @return a verifier, to share
   * @throws IllegalArgumentException when a secret or the tolerance is not valid, or the list is empty
   */
  public static WebhookVerifier create(List<String> secrets, Duration tolerance, Clock clock) {
    Objects.requireNonNull(secrets, "secrets == null");
    Objects.requireNonNull(tolerance, "tolerance == null");
    Objects.requireNonNull(clock, "clock == null");
    if (secrets.isEmpty()) {
      throw new IllegalArgumentException("secrets is empty; give at least one webhook signing secret");
    }
    if (tolerance.compareTo(Duration.ofSeconds(1)) < 0 || tolerance.compareTo(MAX_TOLERANCE) > 0) {
      throw new IllegalArgumentException("tolerance must be from 1 s to 24 h, was "
          + SettingParsers.describe(tolerance));
    }
    List<Mac> prototypes = new ArrayList<>(secrets.size());
    for (int i = 0; i < secrets.size(); i++) {
      String label = secrets.size() == 1 ? "webhook secret" : "webhook secret #" + (i + 1);
      String secret = Objects.requireNonNull(secrets.get(i), () -> label + " == null");
      prototypes.add(newMac(decodeSecret(secret, label)));
    }
    return new WebhookVerifier(List.copyOf(prototypes), tolerance, clock);
  }

  /**
   * Verifies a webhook request.
   *
   * @param headers the request headers; names are matched case-insensitively
   * @param body the raw request body, exactly as received
   * @return the verified message's id and timestamp
   * @throws WebhookVerificationException when a check fails; {@link WebhookVerificationException#reason()}
   *     says which
   */
  public VerifiedWebhook verify(Map<String, String> headers, byte[] body) {
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(body, "body == null");
    WebhookHeaders found = new WebhookHeaders();
    for (Map.Entry<String, String> e : headers.entrySet()) {
      found.add(e.getKey(), e.getValue());
    }
    return verify(found, body);
  }

  /**
   * Verifies a webhook request whose headers come as a multi-valued map, the form most servers
   * give ({@code com.sun.net.httpserver.Headers}, Spring's {@code HttpHeaders}, OkHttp's
   * {@code Headers.toMultimap()}). Several values of {@code webhook-signature} are taken together;
   * several different values of {@code webhook-id} or {@code webhook-timestamp} are refused.
   *
   * @param headers the request headers; names are matched case-insensitively
   * @param body the raw request body, exactly as received
   * @return the verified message's id and timestamp
   * @throws WebhookVerificationException when a check fails
   */
  public VerifiedWebhook verifyMultiValued(Map<String, List<String>> headers, byte[] body) {
    Objects.requireNonNull(headers, "headers == null");
    Objects.requireNonNull(body, "body == null");
    WebhookHeaders found = new WebhookHeaders();
    for (Map.Entry<String, List<String>> e : headers.entrySet()) {
      if (e.getValue() != null) {
        for (String value : e.getValue()) {
          found.add(e.getKey(), value);
        }
      }
    }
    return verify(found, body);
  }

  /**
   * The {@code webhook-signature} value for a message, signed with this verifier's first secret:
   * {@code v1,<base64>}. For simulators and tests.
   *
   * @param msgId the {@code webhook-id}: printable ASCII without spaces
   * @param timestamp the {@code webhook-timestamp}; sub-second precision is dropped
   * @param body the exact body bytes that will be sent
   * @return the header value, for example {@code v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=}
   */
  public String sign(String msgId, Instant timestamp, byte[] body) {
    Objects.requireNonNull(timestamp, "timestamp == null");
    return sign(msgId, timestamp.getEpochSecond(), body);
  }

  /**
   * The {@code webhook-signature} value for a message, signed with this verifier's first secret:
   * {@code v1,<base64>}. For simulators and tests.
   *
   * @param msgId the {@code webhook-id}: printable ASCII without spaces
   * @param timestampSeconds the {@code webhook-timestamp} in seconds since the epoch, not negative
   * @param body the exact body bytes that will be sent
   * @return the header value, {@code v1,<base64 of the HMAC-SHA256>}
   */
  public String sign(String msgId, long timestampSeconds, byte[] body) {
    checkMsgId(msgId);
    Objects.requireNonNull(body, "body == null");
    if (timestampSeconds < 0 || Long.toString(timestampSeconds).length() > MAX_TIMESTAMP_DIGITS) {
      throw new IllegalArgumentException("timestampSeconds must be from 0 to " + MAX_TIMESTAMP_DIGITS
          + " digits of seconds since the epoch, was " + timestampSeconds);
    }
    byte[] mac = hmac(prototypes.get(0), msgId.getBytes(StandardCharsets.US_ASCII),
        Long.toString(timestampSeconds).getBytes(StandardCharsets.US_ASCII), body);
    return "v1," + Base64.getEncoder().encodeToString(mac);
  }

  /**
   * The three headers Replicate would send with {@code body}: {@code webhook-id},
   * {@code webhook-timestamp} and {@code webhook-signature}, signed with this verifier's first
   * secret. For simulators and tests; the map is unmodifiable and keeps that order.
   *
   * @param msgId the {@code webhook-id}: printable ASCII without spaces
   * @param timestamp the {@code webhook-timestamp}; sub-second precision is dropped
   * @param body the exact body bytes that will be sent
   * @return the three headers, names in lower case
   */
  public Map<String, String> signedHeaders(String msgId, Instant timestamp, byte[] body) {
    String signature = sign(msgId, timestamp, body);
    Map<String, String> headers = new LinkedHashMap<>();
    headers.put(WEBHOOK_ID, msgId);
    headers.put(WEBHOOK_TIMESTAMP, Long.toString(timestamp.getEpochSecond()));
    headers.put(WEBHOOK_SIGNATURE, signature);
    return Collections.unmodifiableMap(headers);
  }

  /**
   * How far a timestamp may be from the clock, either way.
   *
   * @return the tolerance
   */
  public Duration tolerance() {
    return tolerance;
  }

  /**
   * How many secrets this verifier accepts; never the secrets themselves.
   *
   * @return the number of secrets, at least 1
   */
  public int secretCount() {
    return prototypes.size();
  }

  /** Shows the tolerance and how many secrets there are; never the secrets. */
  @Override
  public String toString() {
    return "WebhookVerifier{secrets=" + prototypes.size() + " (masked), tolerance="
        + SettingParsers.describe(tolerance) + ", clock=" + clock + "}";
  }

  // ---- verification ----

  private VerifiedWebhook verify(WebhookHeaders h, byte[] body) {
    h.checkComplete();
    String id = h.id;
    String timestampText = h.timestamp;
    long timestamp = parseTimestamp(timestampText);
    checkTolerance(timestamp, timestampText);

    byte[] idBytes = id.getBytes(StandardCharsets.UTF_8);
    byte[] timestampBytes = timestampText.getBytes(StandardCharsets.US_ASCII);
    byte[][] expected = null;
    int checked = 0;
    String firstProblem = null;
    List<String> otherVersions = null;
    String signatures = h.signature;
    int n = signatures.length();
    int entry = 0;
    for (int i = 0; i < n; ) {
      while (i < n && Character.isWhitespace(signatures.charAt(i))) {
        i++;
      }
      int start = i;
      while (i < n && !Character.isWhitespace(signatures.charAt(i))) {
        i++;
      }
      if (start == i) {
        break;
      }
      entry++;
      String token = signatures.substring(start, i);
      int comma = token.indexOf(',');
      if (comma < 0) {
        if (firstProblem == null) {
          firstProblem = "entry " + entry + " '" + SettingParsers.printable(token) + "' has no 'version,' prefix";
        }
        continue;
      }
      String version = token.substring(0, comma);
      if (!version.equals("v1")) {
        if (otherVersions == null) {
          otherVersions = new ArrayList<>();
        }
        otherVersions.add(SettingParsers.printable(version));
        continue;
      }
      byte[] candidate = decodeSignature(token.substring(comma + 1));
      if (candidate == null) {
        if (firstProblem == null) {
          firstProblem = "entry " + entry + " '" + SettingParsers.printable(token)
              + "' is not base64 of a 32-byte HMAC-SHA256";
        }
        continue;
      }
      if (expected == null) {
        expected = new byte[prototypes.size()][];
        for (int s = 0; s < expected.length; s++) {
          expected[s] = hmac(prototypes.get(s), idBytes, timestampBytes, body);
        }
      }
      checked++;
      for (byte[] mac : expected) {
        if (MessageDigest.isEqual(mac, candidate)) {
          return new VerifiedWebhook(id, Instant.ofEpochSecond(timestamp));
        }
      }
    }
    if (checked == 0) {
      String why = firstProblem != null ? firstProblem
          : otherVersions != null ? "it has no v1 entry, only " + otherVersions
          : "it has no entries";
      throw new WebhookVerificationException(Reason.MALFORMED_SIGNATURE,
          "webhook-signature holds no usable v1 signature: " + why, WEBHOOK_SIGNATURE, null);
    }
    throw new WebhookVerificationException(Reason.NO_MATCHING_SIGNATURE,
        "none of the " + checked + " v1 signature(s) in webhook-signature matches the message signed with "
            + (prototypes.size() == 1 ? "the verifier's secret" : "any of the verifier's " + prototypes.size() + " secrets")
            + (firstProblem == null ? "" : " (also: " + firstProblem + ")")
            + ": the body, webhook-id or webhook-timestamp was altered, or the secret is not the account's"
            + " current signing secret (GET /v1/webhooks/default/secret)",
        WEBHOOK_SIGNATURE, null);
  }

  private static long parseTimestamp(String text) {
    boolean digits = !text.isEmpty() && text.length() <= MAX_TIMESTAMP_DIGITS;
    for (int i = 0; digits && i < text.length(); i++) {
      char c = text.charAt(i);
      digits = c >= '0' && c <= '9';
    }
    if (!digits) {
      throw new WebhookVerificationException(Reason.MALFORMED_TIMESTAMP,
          "webhook-timestamp '" + SettingParsers.printable(text)
              + "' is not a whole number of seconds since the epoch (1 to " + MAX_TIMESTAMP_DIGITS + " digits)",
          WEBHOOK_TIMESTAMP, null);
    }
    return Long.parseLong(text);
  }

  private void checkTolerance(long timestamp, String text) {
    Instant now = clock.instant();
    long skewSeconds = now.getEpochSecond() - timestamp;
    Duration skew = Duration.ofSeconds(skewSeconds);
    if (skew.abs().compareTo(tolerance) <= 0) {
      return;
    }
    String when = " (" + Instant.ofEpochSecond(timestamp) + ")";
    String message;
    if (skewSeconds > 0) {
      message = "webhook-timestamp " + text + when + " is " + skewSeconds + " s older than this verifier's clock ("
          + now + "); the tolerance is " + SettingParsers.describe(tolerance)
          + ": a delayed or replayed message, or a clock out of sync";
    } else {
      boolean looksLikeMillis = Duration.ofSeconds(now.getEpochSecond() - timestamp / 1000).abs()
          .compareTo(tolerance) <= 0;
      message = "webhook-timestamp " + text + when + " is " + (-skewSeconds) + " s ahead of this verifier's clock ("
          + now + "); the tolerance is " + SettingParsers.describe(tolerance)
          + (looksLikeMillis ? ": it looks like milliseconds, but webhook-timestamp is in seconds"
              : ": a clock out of sync, or a forged message");
    }
    throw new WebhookVerificationException(Reason.TIMESTAMP_OUTSIDE_TOLERANCE, message, WEBHOOK_TIMESTAMP, skew);
  }

  /** The 32 decoded bytes, or null when {@code b64} is not standard base64 of 32 bytes. */
  private static byte[] decodeSignature(String b64) {
    // 32 bytes are 44 base64 characters with padding, 43 without
    if (b64.length() != 44 && b64.length() != 43) {
      return null;
    }
    try {
      byte[] decoded = Base64.getDecoder().decode(b64);
      return decoded.length == SIGNATURE_BYTES ? decoded : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static byte[] hmac(Mac prototype, byte[] id, byte[] timestamp, byte[] body) {
    Mac mac = copy(prototype);
    mac.update(id);
    mac.update((byte) '.');
    mac.update(timestamp);
    mac.update((byte) '.');
    mac.update(body);
    return mac.doFinal();
  }

  /*
   * Mac instances are not thread-safe. Measured on JDK 17 (best of 8 runs, 2 busy cores), per
   * HMAC of a 20-byte / 2 KB body: clone of a keyed prototype 0.38 / 1.61 us, ThreadLocal Mac
   * 0.35 / 1.53 us, Mac.getInstance + init 0.69 / 1.96 us. The clone is within 30 ns of the
   * ThreadLocal and, unlike it, leaves no copy of the key in the threads of a host's pool. The
   * prototype itself is never updated, so cloning it concurrently only reads it.
   */
  private static Mac copy(Mac prototype) {
    try {
      return (Mac) prototype.clone();
    } catch (CloneNotSupportedException e) {
      throw new IllegalStateException("the " + ALGORITHM + " provider " + prototype.getProvider().getName()
          + " can't clone a Mac", e);
    }
  }

  private static Mac newMac(byte[] key) {
    try {
      Mac mac = Mac.getInstance(ALGORITHM);
      mac.init(new SecretKeySpec(key, ALGORITHM));
      // fail now, not on the first webhook, if this provider can't clone
      mac.clone();
      return mac;
    } catch (GeneralSecurityException | CloneNotSupportedException e) {
      // a message of our own: the provider's might describe the key
      throw new IllegalStateException(ALGORITHM + " is not available from this JVM's security providers ("
          + e.getClass().getName() + ")");
    }
  }

  // ---- secrets and ids ----

  /** Decodes a {@code whsec_} secret; messages never contain the secret or any part of it. */
  private static byte[] decodeSecret(String secret, String label) {
    String s = secret.strip();
    if (s.isEmpty()) {
      throw new IllegalArgumentException(label + " is empty; expected 'whsec_' followed by base64"
          + " (Replicate: GET /v1/webhooks/default/secret)");
    }
    if (s.startsWith("whsk_") || s.startsWith("whpk_")) {
      throw new IllegalArgumentException(label + " is an asymmetric Standard Webhooks key (whsk_/whpk_),"
          + " which is not supported; Replicate signs with a symmetric secret that starts with 'whsec_'");
    }
    if (s.startsWith("r8_")) {
      throw new IllegalArgumentException(label + " looks like a Replicate API token (r8_...), not a webhook"
          + " signing secret; get the secret from GET /v1/webhooks/default/secret, it starts with 'whsec_'");
    }
    String b64 = s.startsWith(SECRET_PREFIX) ? s.substring(SECRET_PREFIX.length()) : s;
    String where = s.startsWith(SECRET_PREFIX) ? " after the 'whsec_' prefix" : "";
    if (b64.isEmpty()) {
      throw new IllegalArgumentException(label + " has nothing after the 'whsec_' prefix");
    }
    int padding = 0;
    for (int i = 0; i < b64.length(); i++) {
      char c = b64.charAt(i);
      boolean alphabet = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
          || c == '+' || c == '/';
      if (c == '=') {
        padding++;
      } else if (!alphabet || padding > 0) {
        throw new IllegalArgumentException(label + " is not standard base64" + where + ": character "
            + (i + 1) + " of " + b64.length() + " is not allowed there");
      }
    }
    int dataChars = b64.length() - padding;
    if (padding > 2 || dataChars % 4 == 1 || (padding > 0 && b64.length() % 4 != 0)) {
      throw new IllegalArgumentException(label + " is not standard base64" + where + ": "
          + b64.length() + " characters with " + padding + " '=' cannot be decoded (truncated?)");
    }
    byte[] key;
    try {
      key = Base64.getDecoder().decode(b64);
    } catch (IllegalArgumentException e) {
      // no cause: the JDK's message quotes the offending character
      throw new IllegalArgumentException(label + " is not standard base64" + where);
    }
    if (key.length < MIN_SECRET_BYTES) {
      throw new IllegalArgumentException(label + " decodes to " + key.length + " bytes; at least "
          + MIN_SECRET_BYTES + " are required (Replicate's secrets decode to 24): is it truncated?");
    }
    return key;
  }

  private static void checkMsgId(String msgId) {
    Objects.requireNonNull(msgId, "msgId == null");
    if (msgId.isEmpty() || msgId.length() > 256) {
      throw new IllegalArgumentException("msgId must be 1 to 256 characters, was " + msgId.length());
    }
    for (int i = 0; i < msgId.length(); i++) {
      char c = msgId.charAt(i);
      if (c <= 0x20 || c >= 0x7f) {
        throw new IllegalArgumentException("msgId must be printable ASCII without spaces (it travels in a header),"
            + " was '" + SettingParsers.printable(msgId) + "'");
      }
    }
  }

  /** The three headers as found in a request, names matched case-insensitively. Not thread-safe. */
  private static final class WebhookHeaders {
    String id;
    String timestamp;
    String signature;

    void add(String name, String value) {
      if (name == null || value == null) {
        return;
      }
      if (name.equalsIgnoreCase(WEBHOOK_SIGNATURE)) {
        String v = value.strip();
        // several signature headers (or keys differing in case) hold one list between them
        signature = signature == null || signature.isEmpty() ? v : v.isEmpty() ? signature : signature + " " + v;
      } else if (name.equalsIgnoreCase(WEBHOOK_ID)) {
        id = single(WEBHOOK_ID, id, value.strip());
      } else if (name.equalsIgnoreCase(WEBHOOK_TIMESTAMP)) {
        timestamp = single(WEBHOOK_TIMESTAMP, timestamp, value.strip());
      }
    }

    private static String single(String name, String previous, String value) {
      if (previous != null && !previous.equals(value)) {
        throw new WebhookVerificationException(Reason.DUPLICATE_HEADER,
            name + " has several different values, '" + SettingParsers.printable(previous) + "' and '"
                + SettingParsers.printable(value) + "'; a message has exactly one",
            name, null);
      }
      return value;
    }

    void checkComplete() {
      List<String> missing = new ArrayList<>(3);
      List<String> empty = new ArrayList<>(3);
      check(WEBHOOK_ID, id, missing, empty);
      check(WEBHOOK_TIMESTAMP, timestamp, missing, empty);
      check(WEBHOOK_SIGNATURE, signature, missing, empty);
      if (missing.isEmpty() && empty.isEmpty()) {
        return;
      }
      StringBuilder message = new StringBuilder("webhook request ");
      if (!missing.isEmpty()) {
        message.append("lacks ").append(missing.size() == 1 ? "header " : "headers ")
            .append(String.join(", ", missing));
      }
      if (!empty.isEmpty()) {
        message.append(missing.isEmpty() ? "has " : " and has ").append(empty.size() == 1 ? "an empty header " : "empty headers ")
            .append(String.join(", ", empty));
      }
      message.append(" (Replicate signs every webhook with webhook-id, webhook-timestamp and webhook-signature)");
      String first = !missing.isEmpty() ? missing.get(0) : empty.get(0);
      throw new WebhookVerificationException(Reason.MISSING_HEADER, message.toString(), first, null);
    }

    private static void check(String name, String value, List<String> missing, List<String> empty) {
      if (value == null) {
        missing.add(name);
      } else if (value.isEmpty()) {
        empty.add(name);
      }
    }
  }
}
