package dev.replicateaudio.internal;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Reserved temporary paths, shared by every kind of temp file holder ({@code ManagedTempFiles},
 * {@link SharedTempDirectory}): the rules for their suffixes, looking one up, deleting them.
 */
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

  /**
   * The reserved path at {@code index}.
   *
   * @throws IndexOutOfBoundsException naming the index and how many paths there are
   */
  public static Path reserved(List<Path> paths, int index) {
    if (index < 0 || index >= paths.size()) {
      throw new IndexOutOfBoundsException("index " + index + " is out of range: " + paths.size() + " paths");
    }
    return paths.get(index);
  }

  /** Deletes one file system entry without following a link; tests pass one that fails ({@code ManagedTempFiles}). */
  @FunctionalInterface
  public interface Deleter {
    void delete(Path path) throws IOException;
  }

  /**
   * Deletes the reserved {@code paths} in {@code directory} without listing it; a path already gone
   * is fine. Nothing is deleted when {@code directory} is no longer a directory: one swapped for a link
   * is never entered.
   *
   * @return whether every path is gone; false leaves what is left (a non-empty directory, say) to a
   *     full walk of the directory
   */
  public static boolean deleteReserved(Path directory, List<Path> paths, Deleter deleter) {
    if (!Files.isDirectory(directory, LinkOption.NOFOLLOW_LINKS)) {
      return false;
    }
    boolean all = true;
    for (Path path : paths) {
      try {
        deleter.delete(path); // Files.deleteIfExists never follows a link: the link goes, not its target
      } catch (NoSuchFileException e) {
        // gone already
      } catch (IOException e) {
        all = false;
      }
    }
    return all;
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
