package dev.replicateaudio.okhttp;

import java.util.Objects;

/**
 * What to answer a webhook request with: a status code and a short plain-text body (send it as
 * {@link #CONTENT_TYPE}).
 *
 * <table>
 *   <caption>Status codes</caption>
 *   <tr><th>code</th><th>when</th><th>Replicate then</th></tr>
 *   <tr><td>200</td><td>accepted: processed, a duplicate, a non-terminal event, or a failure recorded for good</td><td>stops</td></tr>
 *   <tr><td>202</td><td>still processing when {@code acknowledgeAfter} passed</td><td>stops</td></tr>
 *   <tr><td>400</td><td>no content key in the query, a body that is not prediction JSON, or a webhook that does not match its job</td><td>retries (terminal events)</td></tr>
 *   <tr><td>401</td><td>the signature did not verify</td><td>retries (terminal events)</td></tr>
 *   <tr><td>413</td><td>the body is larger than {@code maxBodyBytes}</td><td>retries (terminal events)</td></tr>
 *   <tr><td>500</td><td>an unexpected failure</td><td>retries (terminal events)</td></tr>
 *   <tr><td>503</td><td>a transient failure (database, download): try again</td><td>retries (terminal events)</td></tr>
 * </table>
 *
 * <p>Instances are immutable and thread-safe.
 *
 * @param statusCode the HTTP status to answer with
 * @param body a short, human-readable explanation; never secrets, stack traces or file paths
 */
public record WebhookResponse(int statusCode, String body) {
  /** The content type of {@link #body()}. */
  public static final String CONTENT_TYPE = "text/plain; charset=utf-8";

  /**
   * Checks the components.
   *
   * @param statusCode the HTTP status to answer with
   * @param body a short, human-readable explanation; never secrets, stack traces or file paths
   * @throws IllegalArgumentException when {@code statusCode} is not from 200 to 599
   */
  public WebhookResponse {
    if (statusCode < 200 || statusCode > 599) {
      throw new IllegalArgumentException("statusCode must be from 200 to 599, was " + statusCode);
    }
    Objects.requireNonNull(body, "body == null");
  }

  /**
   * True for 2xx: Replicate will not send this webhook again.
   *
   * @return whether the status is 2xx
   */
  public boolean isSuccess() {
    return statusCode >= 200 && statusCode <= 299;
  }
}
