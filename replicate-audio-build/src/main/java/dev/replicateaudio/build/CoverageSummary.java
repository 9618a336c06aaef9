package dev.replicateaudio.build;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Prints the line and branch coverage of every module of the reactor from JaCoCo's CSV reports: each
 * module on its own tests ({@code <module>/target/site/jacoco/jacoco.csv}) and on every test of the reactor
 * ({@code replicate-audio-build/target/site/jacoco-aggregate/jacoco.csv}), then the classes named on the
 * command line. {@code mvn -B verify} runs it last.
 *
 * <p>Usage: {@code CoverageSummary <reactor root> [fully.qualified.Class ...]}. It only reports: the build
 * fails on coverage through the JaCoCo check of the module concerned.
 */
public final class CoverageSummary {
  /** The module that aggregates the reactor's coverage. */
  static final String AGGREGATOR = "replicate-audio-build";

  /**
   * Line and branch counters of a set of classes, as JaCoCo counts them.
   *
   * @param linesMissed lines with no instruction run
   * @param linesCovered lines with at least one instruction run
   * @param branchesMissed branches never taken
   * @param branchesCovered branches taken
   */
  record Counts(long linesMissed, long linesCovered, long branchesMissed, long branchesCovered) {
    static final Counts ZERO = new Counts(0, 0, 0, 0);

    Counts plus(Counts other) {
      return new Counts(linesMissed + other.linesMissed, linesCovered + other.linesCovered,
          branchesMissed + other.branchesMissed, branchesCovered + other.branchesCovered);
    }

    String lines() {
      return ratio(linesCovered, linesMissed);
    }

    String branches() {
      return ratio(branchesCovered, branchesMissed);
    }

    private static String ratio(long covered, long missed) {
      long total = covered + missed;
      if (total == 0) {
        return "-";
      }
      return String.format(Locale.ROOT, "%,d/%,d %5.1f %%", covered, total, 100.0 * covered / total);
    }
  }

  /**
   * One row of a JaCoCo CSV report.
   *
   * @param group the report's group: the module, or {@code <aggregator>/<module>} in an aggregate report
   * @param className the class's fully qualified name, nested classes after a dot
   * @param counts its counters
   */
  record Row(String group, String className, Counts counts) {
    /** The module the row belongs to: the last segment of its group. */
    String module() {
      return group.substring(group.lastIndexOf('/') + 1);
    }
  }

  private CoverageSummary() {}

  /**
   * Prints the summary to standard output.
   *
   * @param args the reactor's root directory, then the classes to list one by one
   * @throws IOException when a pom.xml or a report can't be read
   */
  public static void main(String[] args) throws IOException {
    if (args.length < 1) {
      throw new IllegalArgumentException("usage: CoverageSummary <reactor root> [class ...]");
    }
    System.out.print(render(Paths.get(args[0]).toAbsolutePath().normalize(),
        Arrays.asList(args).subList(1, args.length), AGGREGATOR));
    System.out.flush();
  }

  /**
   * The summary for the reactor at {@code root}: one line per module with code, then one per named class
   * and per class nested in it (as JaCoCo's check counts them: each on its own).
   */
  static String render(Path root, List<String> classes, String aggregator) throws IOException {
    List<String> modules = new ArrayList<>();
    Map<String, List<Row>> own = new LinkedHashMap<>();
    Path aggregate = null;
    for (Reactor.Module module : Reactor.modules(root)) {
      if (module.artifactId().equals(aggregator)) {
        aggregate = module.directory().resolve("target/site/jacoco-aggregate/jacoco.csv");
      }
      if (module.hasCode()) {
        modules.add(module.artifactId());
        own.put(module.artifactId(), readIfPresent(module.directory().resolve("target/site/jacoco/jacoco.csv")));
      }
    }
    List<Row> all = aggregate == null ? List.of() : readIfPresent(aggregate);

    StringBuilder out = new StringBuilder();
    out.append("\nCoverage (JaCoCo): covered/total lines and branches. own = the module's own tests;")
        .append("\nall = every test of the reactor (the examples' integration tests run core, okhttp and jdbi too).\n\n");
    String format = "%-28s %-24s %-24s %-24s %-24s%n";
    out.append(String.format(Locale.ROOT, format, "module", "own lines", "own branches", "all lines", "all branches"));
    for (String module : modules) {
      List<Row> rows = own.get(module);
      Counts mine = sum(rows, null);
      Counts everyone = sum(all, module);
      out.append(String.format(Locale.ROOT, format, module,
          rows.isEmpty() ? "no report" : mine.lines(), rows.isEmpty() ? "" : mine.branches(),
          all.isEmpty() ? "no report" : everyone.lines(), all.isEmpty() ? "" : everyone.branches()));
    }
    if (!classes.isEmpty()) {
      out.append('\n');
      out.append(String.format(Locale.ROOT, format, "class (own module's tests)", "lines", "branches", "", ""));
      for (String className : classes) {
        List<Row> found = own.values().stream().flatMap(List::stream)
            .filter(r -> r.className().equals(className) || r.className().startsWith(className + "."))
            .collect(Collectors.toList());
        String packagePrefix = className.substring(0, className.lastIndexOf('.') + 1);
        if (found.isEmpty()) {
          out.append(String.format(Locale.ROOT, format, className.substring(packagePrefix.length()), "no report",
              "", "", ""));
        }
        for (Row row : found) {
          out.append(String.format(Locale.ROOT, format, row.className().substring(packagePrefix.length()),
              row.counts().lines(), row.counts().branches(), "", ""));
        }
      }
    }
    return out.toString().replaceAll(" +\n", "\n");
  }

  /** Sums the rows of {@code module}, or of every row when it is null. */
  static Counts sum(List<Row> rows, String module) {
    Counts total = Counts.ZERO;
    for (Row row : rows) {
      if (module == null || row.module().equals(module)) {
        total = total.plus(row.counts());
      }
    }
    return total;
  }

  /** The rows of a JaCoCo CSV report; empty when there is none (tests skipped, or not run yet). */
  static List<Row> readIfPresent(Path csv) {
    if (!Files.isRegularFile(csv)) {
      return List.of();
    }
    try {
      return parse(Files.readAllLines(csv, StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Parses JaCoCo's CSV: {@code GROUP,PACKAGE,CLASS,INSTRUCTION_MISSED,INSTRUCTION_COVERED,
   * BRANCH_MISSED,BRANCH_COVERED,LINE_MISSED,LINE_COVERED,...}, header first. Names hold no commas
   * (JaCoCo writes anonymous classes as {@code new Runnable() {...}}).
   */
  static List<Row> parse(List<String> lines) {
    if (lines.isEmpty() || !lines.get(0).startsWith("GROUP,PACKAGE,CLASS,")) {
      throw new IllegalArgumentException("not a JaCoCo CSV report: the header is "
          + (lines.isEmpty() ? "missing" : "'" + lines.get(0) + "'"));
    }
    List<String> header = Arrays.asList(lines.get(0).split(","));
    int branchMissed = column(header, "BRANCH_MISSED");
    int branchCovered = column(header, "BRANCH_COVERED");
    int lineMissed = column(header, "LINE_MISSED");
    int lineCovered = column(header, "LINE_COVERED");
    List<Row> rows = new ArrayList<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      String[] cells = line.split(",", -1);
      if (cells.length != header.size()) {
        throw new IllegalArgumentException("a JaCoCo CSV row has " + cells.length + " cells, the header "
            + header.size() + ": '" + line + "'");
      }
      String className = cells[1].isEmpty() ? cells[2] : cells[1] + "." + cells[2];
      rows.add(new Row(cells[0], className, new Counts(
          Long.parseLong(cells[lineMissed]), Long.parseLong(cells[lineCovered]),
          Long.parseLong(cells[branchMissed]), Long.parseLong(cells[branchCovered]))));
    }
    return rows;
  }

  private static int column(List<String> header, String name) {
    int index = header.indexOf(name);
    if (index < 0) {
      throw new IllegalArgumentException("a JaCoCo CSV header without " + name + ": " + header);
    }
    return index;
  }
}
