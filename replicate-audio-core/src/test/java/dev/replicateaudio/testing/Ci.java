package dev.replicateaudio.testing;

import org.junit.jupiter.api.Assumptions;

/**
 * The project's skip rule: a missing external service (ffmpeg, a PostgreSQL server) skips a test on
 * a laptop and fails it in CI ({@code CI=true} or {@code -Dreplicateaudio.ci=true}).
 */
public final class Ci {
  private Ci() {
  }

  /** True when running in CI: {@code -Dreplicateaudio.ci=true} or the environment variable {@code CI=true}. */
  public static boolean isCi() {
    return Boolean.getBoolean("replicateaudio.ci") || "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /**
   * Skips the calling test, or fails it when running in CI.
   *
   * @return never returns normally; declared so callers can write {@code throw Ci.unavailable(...)}
   */
  public static RuntimeException unavailable(String what, Throwable cause) {
    if (isCi()) {
      throw new IllegalStateException(what + " (CI=true or -Dreplicateaudio.ci=true: failing instead of skipping)",
          cause);
    }
    Assumptions.abort(what + ": " + cause);
    return new IllegalStateException("unreachable");
  }
}
