package dev.replicateaudio.examples.it;

import org.junit.jupiter.api.Assumptions;

/** The project's skip rule: a missing external service skips a test on a laptop and fails it in CI. */
final class Ci {
  private Ci() {
  }

  static boolean isCi() {
    return Boolean.getBoolean("replicateaudio.ci") || "true".equalsIgnoreCase(System.getenv("CI"));
  }

  /** Skips the calling test, or fails it when running in CI ({@code CI=true} or {@code -Dreplicateaudio.ci=true}). */
  static RuntimeException unavailable(String what, Throwable cause) {
    if (isCi()) {
      throw new IllegalStateException(what + " (CI=true or -Dreplicateaudio.ci=true: failing instead of skipping)",
          cause);
    }
    Assumptions.abort(what + ": " + cause);
    return new IllegalStateException("unreachable");
  }
}
