package dev.replicateaudio.examples;

import java.io.PrintStream;
import java.util.List;

/** Prints rows as an aligned text table. */
final class Table {
  private Table() {
  }

  static void print(PrintStream out, String[] header, List<String[]> rows) {
    int[] width = new int[header.length];
    for (int c = 0; c < header.length; c++) {
      width[c] = header[c].length();
      for (String[] row : rows) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    line(out, header, width);
    StringBuilder rule = new StringBuilder();
    for (int c = 0; c < header.length; c++) {
      rule.append(c == 0 ? "" : "  ").append("-".repeat(width[c]));
    }
    out.println(rule.toString().stripTrailing());
    for (String[] row : rows) {
      line(out, row, width);
    }
  }

  private static void line(PrintStream out, String[] cells, int[] width) {
    StringBuilder sb = new StringBuilder();
    for (int c = 0; c < cells.length; c++) {
      sb.append(c == 0 ? "" : "  ").append(cells[c]).append(" ".repeat(width[c] - cells[c].length()));
    }
    out.println(sb.toString().stripTrailing());
  }
}
