package dev.replicateaudio.spring.boot.autoconfigure;

import dev.replicateaudio.ReplicateAudioSettings;
import dev.replicateaudio.testing.TestFfmpeg;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Shared bits of the starter's tests. */
final class TestSupport {
  static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String TOKEN = "r8_test_token_never_shown";

  private TestSupport() {
  }

  /** The properties every context needs: token, secret, base URL, ffmpeg; recovery off. */
  static String[] required(String... more) {
    ReplicateAudioSettings ffmpeg = TestFfmpeg.settings();
    String[] base = {
        "replicate-audio.api.token=" + TOKEN,
        "replicate-audio.webhook.secret=" + SECRET,
        "replicate-audio.webhook.base-url=https://example.com/hooks/replicate",
        "replicate-audio.ffmpeg.path=" + ffmpeg.ffmpegPath(),
        "replicate-audio.ffmpeg.ffprobe-path=" + ffmpeg.ffprobePath(),
        "replicate-audio.recovery.enabled=false"};
    String[] all = new String[base.length + more.length];
    System.arraycopy(base, 0, all, 0, base.length);
    System.arraycopy(more, 0, all, base.length, more.length);
    return all;
  }

  static String h2Url(String name) {
    return "jdbc:h2:mem:" + name + "-" + System.nanoTime();
  }

  /**
   * Standard Webhooks signature headers, computed here independently of the library's verifier:
   * base64(HMAC-SHA256(base64-decoded secret, id.timestamp.body)).
   */
  static Map<String, String> sign(String id, Instant at, byte[] body) {
    try {
      byte[] key = Base64.getDecoder().decode(SECRET.substring("whsec_".length()));
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
      String timestamp = Long.toString(at.getEpochSecond());
      mac.update((id + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
      String signature = Base64.getEncoder().encodeToString(mac.doFinal(body));
      Map<String, String> headers = new LinkedHashMap<>();
      headers.put("webhook-id", id);
      headers.put("webhook-timestamp", timestamp);
      headers.put("webhook-signature", "v1," + signature);
      return headers;
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
