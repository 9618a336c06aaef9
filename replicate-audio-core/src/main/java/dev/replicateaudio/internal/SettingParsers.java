package dev.replicateaudio.internal;

import dev.replicateaudio.ConfigurationException;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Parsing and validation of settings, shared by every settings type of the library so that rules
 * and messages are the same everywhere. A problem message always names the variable or setting,
 * quotes the bad value and says what is accepted.
 */
public final class SettingParsers {
  public static final String TIMEOUT_FORMS = "seconds (e.g. 300 or 2.5) or ISO-8601 (e.g. PT5M)";
  public static final String SIZE_FORMS = "bytes (e.g. 50000000) or a number with KB, MB, GB (x1000) or KiB, MiB, GiB (x1024)";
  public static final String THRESHOLD_FORMS = "-NdB with N from 0 to 200 (e.g. -60dB) or a linear amplitude in (0, 1] (e.g. 0.001)";

  private static final Pattern SECONDS = Pattern.compile("\\d{1,12}(\\.\\d{1,9})?");
  private static final Pattern SIZE = Pattern.compile("(\\d{1,30}(?:\\.\\d{1,9})?)\\s*([KMGT]i?B|B)?", Pattern.CASE_INSENSITIVE);
  private static final Pattern DECIBELS = Pattern.compile("(-?)(\\d{1,3}(?:\\.\\d{1,6})?)dB");
  private static final Pattern AMPLITUDE = Pattern.compile("\\d{1,3}(\\.\\d{1,12})?([eE]-?\\d{1,2})?");
  private static final Pattern INTEGER = Pattern.compile("[+-]?\\d{1,10}");
  private static final Pattern LONG_INTEGER = Pattern.compile("[+-]?\\d+");
  /** A Replicate API token or a Standard Webhooks secret, as they may appear in a mistaken value. */
  private static final Pattern SECRET_LIKE = Pattern.compile("(r8_|whsec_|whsk_|whpk_)[A-Za-z0-9+/=_-]{4,}");
  private static final Pattern DECIBELS_ANY_CASE = Pattern.compile("-?\\d{1,3}(?:\\.\\d{1,6})?db", Pattern.CASE_INSENSITIVE);

  private SettingParsers() {
  }

  // ---- validation of typed values (shared by records' compact constructors and env parsing) ----

  public static void checkTimeout(String name, Duration value, Duration max, List<String> problems) {
    if (value == null) {
      problems.add(name + " is required (" + TIMEOUT_FORMS + ")");
    } else if (value.isZero() || value.isNegative()) {
      problems.add(name + "=" + describe(value) + " must be positive, at most " + describe(max));
    } else if (value.compareTo(max) > 0) {
      problems.add(name + "=" + describe(value) + " is above the maximum of " + describe(max));
    }
  }

  public static void checkSize(String name, long value, long max, List<String> problems) {
    if (value <= 0) {
      problems.add(name + "=" + value + " must be a positive number of bytes, at most " + max);
    } else if (value > max) {
      problems.add(name + "=" + value + " bytes is above the maximum of " + max + " bytes");
    }
  }

  public static void checkCount(String name, int value, int max, List<String> problems) {
    checkRange(name, value, 1, max, problems);
  }

  public static void checkRange(String name, long value, long min, long max, List<String> problems) {
    if (value < min || value > max) {
      problems.add(name + "=" + value + " is out of range: accepted " + min + " to " + max);
    }
  }

  public static void checkExecutable(String name, String value, List<String> problems) {
    if (value == null || value.isBlank()) {
      problems.add(name + " is required: a path to the executable or a name looked up on PATH");
    } else if (value.indexOf('\0') >= 0 || value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
      problems.add(name + "='" + printable(value) + "' contains a control character");
    }
  }

  public static void checkSilenceThreshold(String name, String value, List<String> problems) {
    if (value == null) {
      problems.add(name + " is required: " + THRESHOLD_FORMS);
    } else if (!isValidSilenceThreshold(value)) {
      problems.add(name + "='" + printable(value) + "' is not accepted: " + THRESHOLD_FORMS + thresholdHint(value));
    }
  }

  /**
   * True for {@code -NdB} (N in [0, 200], the unit case-sensitive as ffmpeg wants it) and for a
   * linear amplitude in (0, 1]. Such a value is safe to place into an ffmpeg filter graph.
   */
  public static boolean isValidSilenceThreshold(String value) {
    Matcher db = DECIBELS.matcher(value);
    if (db.matches()) {
      double level = Double.parseDouble(db.group(2));
      boolean negative = !db.group(1).isEmpty();
      return level <= 200 && (negative || level == 0);
    }
    if (AMPLITUDE.matcher(value).matches()) {
      double amplitude = Double.parseDouble(value);
      return amplitude > 0 && amplitude <= 1;
    }
    return false;
  }

  /** Why a threshold that looks almost right is refused; empty when there is nothing to add. */
  private static String thresholdHint(String value) {
    if (DECIBELS_ANY_CASE.matcher(value).matches() && !value.endsWith("dB")) {
      return " (the unit is case-sensitive: dB)";
    }
    Matcher db = DECIBELS.matcher(value);
    if (db.matches() && db.group(1).isEmpty() && Double.parseDouble(db.group(2)) <= 200) {
      return " (a level in dB is 0 or below, e.g. -" + value + ")";
    }
    return "";
  }

  // ---- parsing of text values ----

  /**
   * Parses seconds ({@code 300}, {@code 2.5}) or ISO-8601 ({@code PT5M}); empty when unparsable. An
   * ISO-8601 value too large for a {@link Duration} gives the largest (or, when negative, the
   * smallest) duration, so that range checks report it as out of range.
   */
  public static Optional<Duration> parseDuration(String text) {
    String t = text.strip();
    if (SECONDS.matcher(t).matches()) {
      // at most 12 integer digits: whole seconds and nanos both fit a long (Duration.ofNanos would not)
      BigDecimal seconds = new BigDecimal(t);
      long whole = seconds.longValue();
      long nanos = seconds.subtract(BigDecimal.valueOf(whole)).movePointRight(9).longValueExact();
      return Optional.of(Duration.ofSeconds(whole, nanos));
    }
    if (t.length() > 1 && (t.charAt(0) == 'P' || t.charAt(0) == 'p' || t.charAt(0) == '-')) {
      try {
        return Optional.of(Duration.parse(t));
      } catch (DateTimeParseException e) {
        if (e.getCause() instanceof ArithmeticException || e.getCause() instanceof NumberFormatException) {
          // well formed, but beyond what a Duration holds: report it as out of range, not unparsable
          return Optional.of(t.indexOf('-') >= 0 ? Duration.ofSeconds(Long.MIN_VALUE) : ChronoUnit.FOREVER.getDuration());
        }
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  /**
   * Parses a byte count: plain bytes or a number with a unit; empty when unparsable, when the
   * result is not a whole number of bytes, or when it overflows a {@code long}.
   */
  public static Optional<Long> parseSize(String text) {
    Optional<BigDecimal> bytes = parseSizeExact(text);
    if (bytes.isEmpty()) {
      return Optional.empty();
    }
    try {
      return Optional.of(bytes.get().longValueExact());
    } catch (ArithmeticException e) {
      return Optional.empty();
    }
  }

  /**
   * Parses a byte count like {@link #parseSize} but returns the exact value, which may have a
   * fraction or exceed a {@code long}; empty when unparsable.
   */
  public static Optional<BigDecimal> parseSizeExact(String text) {
    Matcher m = SIZE.matcher(text.strip());
    if (!m.matches()) {
      return Optional.empty();
    }
    String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
    long multiplier;
    switch (unit) {
      case "B": multiplier = 1L; break;
      case "KB": multiplier = 1_000L; break;
      case "MB": multiplier = 1_000_000L; break;
      case "GB": multiplier = 1_000_000_000L; break;
      case "TB": multiplier = 1_000_000_000_000L; break;
      case "KIB": multiplier = 1L << 10; break;
      case "MIB": multiplier = 1L << 20; break;
      case "GIB": multiplier = 1L << 30; break;
      case "TIB": multiplier = 1L << 40; break;
      default: return Optional.empty();
    }
    return Optional.of(new BigDecimal(m.group(1)).multiply(BigDecimal.valueOf(multiplier)));
  }

  /** Parses a whole number that fits an {@code int}; empty when unparsable. */
  public static Optional<Integer> parseInt(String text) {
    String t = text.strip();
    if (!INTEGER.matcher(t).matches()) {
      return Optional.empty();
    }
    long v = Long.parseLong(t);
    if (v < Integer.MIN_VALUE || v > Integer.MAX_VALUE) {
      return Optional.empty();
    }
    return Optional.of((int) v);
  }

  /** {@code 300 s}, {@code 2.5 s}, {@code PT24H}: the shortest readable form. */
  public static String describe(Duration d) {
    if (d.isNegative() || d.toSeconds() < 3600 || d.toSeconds() % 60 != 0) {
      if (d.getNano() == 0) {
        return d.getSeconds() + " s";
      }
      return BigDecimal.valueOf(d.getSeconds()).add(BigDecimal.valueOf(d.getNano(), 9)).stripTrailingZeros()
          .toPlainString() + " s";
    }
    return d.toString();
  }

  /**
   * The value with control characters escaped, cut to 100 characters, for messages; anything in it
   * that looks like a Replicate API token ({@code r8_...}) or a webhook secret ({@code whsec_...}),
   * say one pasted into the wrong variable, is masked.
   */
  public static String printable(String value) {
    return SECRET_LIKE.matcher(escaped(value)).replaceAll("$1<masked>");
  }

  private static String escaped(String value) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < value.length() && sb.length() < 100; i++) {
      char c = value.charAt(i);
      if (c < 0x20 || c == 0x7f) {
        sb.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
      } else {
        sb.append(c);
      }
    }
    if (sb.length() >= 100 && value.length() > 100) {
      sb.append("...");
    }
    return sb.toString();
  }

  /**
   * Reads variables from an environment map, collecting every problem so that one
   * {@link ConfigurationException} can report them all. Not thread-safe.
   */
  public static final class EnvReader {
    private final Map<String, String> env;
    private final List<String> problems = new ArrayList<>();

    public EnvReader(Map<String, String> env) {
      this.env = Objects.requireNonNull(env, "env == null");
    }

    /** The value without surrounding whitespace, or empty when unset or blank. */
    public Optional<String> raw(String variable) {
      String v = env.get(variable);
      if (v == null || v.isBlank()) {
        return Optional.empty();
      }
      return Optional.of(v.strip());
    }

    public Optional<Duration> timeout(String variable, Duration max) {
      Optional<String> raw = raw(variable);
      if (raw.isEmpty()) {
        return Optional.empty();
      }
      Optional<Duration> d = parseDuration(raw.get());
      if (d.isEmpty() && raw.get().startsWith("-") && parseDuration(raw.get().substring(1)).isPresent()) {
        problem(variable, raw.get(), "must be positive; accepted: " + TIMEOUT_FORMS + ", at most " + describe(max));
        return Optional.empty();
      }
      if (d.isEmpty()) {
        problem(variable, raw.get(), "is not a duration; accepted: " + TIMEOUT_FORMS);
        return Optional.empty();
      }
      if (d.get().isZero() || d.get().isNegative()) {
        problem(variable, raw.get(), "must be positive; accepted: " + TIMEOUT_FORMS + ", at most " + describe(max));
        return Optional.empty();
      }
      if (d.get().compareTo(max) > 0) {
        problem(variable, raw.get(), "is above the maximum of " + describe(max));
        return Optional.empty();
      }
      return d;
    }

    public Optional<Long> size(String variable, long max) {
      Optional<String> raw = raw(variable);
      if (raw.isEmpty()) {
        return Optional.empty();
      }
      Optional<BigDecimal> v = parseSizeExact(raw.get());
      if (v.isEmpty() && raw.get().startsWith("-") && parseSizeExact(raw.get().substring(1)).isPresent()) {
        v = Optional.of(BigDecimal.ONE.negate());
      }
      if (v.isEmpty()) {
        problem(variable, raw.get(), "is not a size; accepted: " + SIZE_FORMS);
        return Optional.empty();
      }
      if (v.get().signum() <= 0) {
        problem(variable, raw.get(), "must be positive; accepted: " + SIZE_FORMS);
        return Optional.empty();
      }
      if (v.get().compareTo(BigDecimal.valueOf(max)) > 0) {
        problem(variable, raw.get(), "is above the maximum of " + max + " bytes");
        return Optional.empty();
      }
      if (v.get().stripTrailingZeros().scale() > 0) {
        problem(variable, raw.get(), "is not a whole number of bytes (" + v.get().stripTrailingZeros().toPlainString()
            + "); accepted: " + SIZE_FORMS);
        return Optional.empty();
      }
      return Optional.of(v.get().longValueExact());
    }

    public Optional<Integer> count(String variable, int max) {
      return integer(variable, 1, max);
    }

    public Optional<Integer> integer(String variable, int min, int max) {
      Optional<String> raw = raw(variable);
      if (raw.isEmpty()) {
        return Optional.empty();
      }
      Optional<Integer> v = parseInt(raw.get());
      if (v.isEmpty() && LONG_INTEGER.matcher(raw.get()).matches()) {
        problem(variable, raw.get(), "is out of range; accepted: " + min + " to " + max);
        return Optional.empty();
      }
      if (v.isEmpty()) {
        problem(variable, raw.get(), "is not a whole number; accepted: " + min + " to " + max);
        return Optional.empty();
      }
      if (v.get() < min || v.get() > max) {
        problem(variable, raw.get(), "is out of range; accepted: " + min + " to " + max);
        return Optional.empty();
      }
      return v;
    }

    public Optional<String> silenceThreshold(String variable) {
      Optional<String> raw = raw(variable);
      if (raw.isEmpty()) {
        return Optional.empty();
      }
      if (!isValidSilenceThreshold(raw.get())) {
        problem(variable, raw.get(), "is not accepted; accepted: " + THRESHOLD_FORMS + thresholdHint(raw.get()));
        return Optional.empty();
      }
      return raw;
    }

    public Optional<String> executable(String variable) {
      Optional<String> raw = raw(variable);
      if (raw.isPresent()) {
        List<String> p = new ArrayList<>();
        checkExecutable(variable, raw.get(), p);
        if (!p.isEmpty()) {
          problems.addAll(p);
          return Optional.empty();
        }
      }
      return raw;
    }

    /** Records a problem with a variable's value: {@code VAR='value' <what is wrong>}. */
    public void problem(String variable, String value, String what) {
      problems.add(variable + "='" + printable(value) + "' " + what);
    }

    /** Records a problem in free form. */
    public void problem(String text) {
      problems.add(text);
    }

    public List<String> problems() {
      return List.copyOf(problems);
    }

    public void throwIfProblems() {
      if (!problems.isEmpty()) {
        throw new ConfigurationException(problems);
      }
    }
  }
}
