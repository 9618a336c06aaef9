package dev.replicateaudio;

import java.util.List;
import java.util.Objects;

/**
 * Configuration that can't be used: one or more settings or environment variables are missing a
 * required value, unparsable or out of range. {@link #problems()} lists every problem found, each
 * naming the variable (or setting), the bad value and what is accepted; the message holds them all.
 * Permanent ({@link #isRetryable()} is false).
 *
 * <p>Its accessors are thread-safe: the fields are final.
 */
public final class ConfigurationException extends ReplicateAudioException {
  private static final long serialVersionUID = 1L;

  /** Every problem found, one line each. */
  private final List<String> problems;

  /**
   * An exception listing several problems.
   *
   * @param problems one line each, at least one
   * @throws IllegalArgumentException when {@code problems} is empty
   */
  public ConfigurationException(List<String> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /**
   * An exception for one problem.
   *
   * @param problem what is wrong: the variable, its value and what is accepted
   */
  public ConfigurationException(String problem) {
    this(List.of(Objects.requireNonNull(problem, "problem == null")));
  }

  /**
   * Every problem found.
   *
   * @return one line each, in the order the settings were checked; never empty
   */
  public List<String> problems() {
    return problems;
  }

  private static String message(List<String> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("problems is empty");
    }
    if (problems.size() == 1) {
      return "Invalid configuration: " + problems.get(0);
    }
    StringBuilder sb = new StringBuilder("Invalid configuration (")
        .append(problems.size()).append(" problems):");
    for (String p : problems) {
      sb.append("\n  - ").append(p);
    }
    return sb.toString();
  }
}
