package dev.replicateaudio.internal;

import java.io.File;
import java.util.Objects;

/** The rules for the suffixes of reserved temporary file names, shared by every kind of temp file holder. */
public final class TempNames {
  /** The longest suffix accepted, in characters. */
  public static final int MAX_SUFFIX_LENGTH = 32;
  /** The most suffixes one holder can reserve. */
  public static final int MAX_SUFFIXES = 64;

  private TempNames() {
  }

  /**
   * Checks suffixes such as {@code ".mp3"}: at most {@value #MAX_SUFFIXES} of them, each at most
   * {@value #MAX_SUFFIX_LENGTH} characters, without path separators, {@code ..} or control characters.
   *
   * @param suffixes the suffixes, in order
   * @throws IllegalArgumentException naming the first refused suffix and why
   */
  public static void checkSuffixes(String... suffixes) {
    Objects.requireNonNull(suffixes, "suffixes == null");
    if (suffixes.length > MAX_SUFFIXES) {
      throw new IllegalArgumentException("too many suffixes: " + suffixes.length + ", at most " + MAX_SUFFIXES);
    }
    for (int i = 0; i < suffixes.length; i++) {
      checkSuffix(i, suffixes[i]);
    }
  }

  private static void checkSuffix(int index, String suffix) {
    if (suffix == null) {
      throw new IllegalArgumentException("suffix " + index + " is null");
    }
    String why = null;
    if (suffix.length() > MAX_SUFFIX_LENGTH) {
      why = "is " + suffix.length() + " characters long, at most " + MAX_SUFFIX_LENGTH + " are accepted";
    } else if (suffix.indexOf('/') >= 0 || suffix.indexOf('\\') >= 0
        || suffix.contains(File.separator)) {
      why = "contains a path separator";
    } else if (suffix.contains("..")) {
      why = "contains '..'";
    } else {
      for (int i = 0; i < suffix.length(); i++) {
        char c = suffix.charAt(i);
        if (c < 0x20 || c == 0x7f) {
          why = c == 0 ? "contains a NUL character" : "contains a control character";
          break;
        }
      }
    }
    if (why != null) {
      throw new IllegalArgumentException("suffix " + index + " '" + printable(suffix) + "' " + why);
    }
  }

  private static String printable(String s) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < s.length() && i < 80; i++) {
      char c = s.charAt(i);
      sb.append(c < 0x20 || c == 0x7f ? String.format("\\u%04x", (int) c) : String.valueOf(c));
    }
    return s.length() > 80 ? sb + "..." : sb.toString();
  }
}
