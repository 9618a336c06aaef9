package dev.replicateaudio.examples.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.ValueMarker;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.chart.ui.RectangleAnchor;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Renders the benchmark's and the soak's charts as PNG files with JFreeChart. Stateless. */
public final class Charts {
  static final String WAKE_FILE = "benchmark-wake-latency.png";
  static final String THROUGHPUT_FILE = "benchmark-throughput.png";
  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;
  private static final Color[] COLORS = {new Color(0x1b9e77), new Color(0xd95f02), new Color(0x7570b3),
      new Color(0xe7298a), new Color(0x666666), new Color(0x66a61e), new Color(0xe6ab02)};

  private Charts() {
  }

  /**
   * Wake latency, event-driven vs polling, at p50/p90/p99 on a log scale.
   *
   * @param series name → percentile label → milliseconds
   */
  static Path wakeLatency(Path dir, Map<String, Map<String, Double>> series, String subtitle) {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    series.forEach((name, points) -> points.forEach((p, ms) -> data.addValue(ms, name, p)));
    JFreeChart chart = ChartFactory.createBarChart("Wake latency: webhook processed -> waiting code runs",
        "percentile", "milliseconds (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
    chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    LogAxis axis = new LogAxis("milliseconds (log scale)");
    axis.setNumberFormatOverride(new DecimalFormat("0.####"));
    axis.setSmallestValue(1e-3);
    powersOfTen(axis, series.values().stream().flatMap(p -> p.values().stream()).mapToDouble(Double::doubleValue)
        .toArray());
    axis.setTickUnit(new NumberTickUnit(1)); // 0.001, 0.01 ... 1000 ms
    axis.setMinorTickCount(9);
    axis.setMinorTickMarksVisible(true);
    plot.setRangeAxis(axis);
    BarRenderer renderer = new BarRenderer();
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setBase(1e-3);
    renderer.setIncludeBaseInRange(false);
    renderer.setDefaultItemLabelGenerator(new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("0.###")));
    renderer.setDefaultItemLabelsVisible(true);
    for (int i = 0; i < COLORS.length; i++) {
      renderer.setSeriesPaint(i, COLORS[i]);
    }
    plot.setRenderer(renderer);
    goal(plot, 0.1, "goal p50: 0.1 ms");
    goal(plot, 1, "goal p99: 1 ms");
    return save(chart, dir.resolve(WAKE_FILE));
  }

  /**
   * Webhooks per second against concurrency, one line per database and trim, plus bare ffmpeg.
   *
   * @param lines name → concurrency → per second
   */
  static Path throughput(Path dir, Map<String, Map<Integer, Double>> lines, String subtitle) {
    XYSeriesCollection data = new XYSeriesCollection();
    lines.forEach((name, points) -> {
      XYSeries s = new XYSeries(name);
      points.forEach(s::add);
      data.addSeries(s);
    });
    JFreeChart chart = ChartFactory.createXYLineChart("End-to-end webhooks per second on loopback",
        "concurrent webhooks", "per second (log scale)", data, PlotOrientation.VERTICAL, true, false, false);
    chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    LogAxis x = new LogAxis("concurrent webhooks");
    x.setBase(2);
    x.setTickUnit(new NumberTickUnit(2));
    x.setNumberFormatOverride(new DecimalFormat("0"));
    x.setRange(0.8, 20);
    plot.setDomainAxis(x);
    LogAxis y = new LogAxis("per second (log scale)");
    y.setNumberFormatOverride(new DecimalFormat("0.#"));
    powersOfTen(y, java.util.stream.DoubleStream.concat(java.util.stream.DoubleStream.of(1000),
        lines.values().stream().flatMap(p -> p.values().stream()).mapToDouble(Double::doubleValue)).toArray());
    y.setTickUnit(new NumberTickUnit(1)); // 0.1, 1, 10, 100 ...
    y.setMinorTickCount(9);
    y.setMinorTickMarksVisible(true);
    plot.setRangeAxis(y);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
    for (int i = 0; i < COLORS.length; i++) {
      renderer.setSeriesPaint(i, COLORS[i]);
      renderer.setSeriesStroke(i, new BasicStroke(2.5f));
    }
    plot.setRenderer(renderer);
    goal(plot, 1000, "goal: 1,000/s (H2, no trim)");
    return save(chart, dir.resolve(THROUGHPUT_FILE));
  }

  /**
   * Lines over time on a linear scale: one line per series, x in seconds (shown in minutes or hours
   * when the run is long), with optional dashed horizontal marks (a goal, a limit).
   *
   * @param file the PNG to write
   * @param series name → points, each {@code {seconds, value}}, in order
   * @param marks label → y value of a dashed line
   * @return {@code file}
   */
  public static Path lines(Path file, String title, String subtitle, String yLabel, Map<String, List<double[]>> series,
      Map<String, Double> marks) {
    double lastSecond = series.values().stream().flatMap(List::stream).mapToDouble(p -> p[0]).max().orElse(0);
    double unit = lastSecond > 3 * 3600 ? 3600 : lastSecond > 180 ? 60 : 1;
    String xLabel = unit == 3600 ? "hours" : unit == 60 ? "minutes" : "seconds";
    XYSeriesCollection data = new XYSeriesCollection();
    series.forEach((name, points) -> {
      XYSeries s = new XYSeries(name, false, true);
      points.forEach(p -> s.add(p[0] / unit, p[1]));
      data.addSeries(s);
    });
    JFreeChart chart = ChartFactory.createXYLineChart(title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true,
        false, false);
    chart.addSubtitle(new TextTitle(subtitle, new Font(Font.SANS_SERIF, Font.PLAIN, 12)));
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, false);
    for (int i = 0; i < COLORS.length; i++) {
      renderer.setSeriesPaint(i, COLORS[i]);
      renderer.setSeriesStroke(i, new BasicStroke(2f));
    }
    plot.setRenderer(renderer);
    marks.forEach((label, y) -> goal(plot, y, label));
    double highestMark = marks.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    if (highestMark > 0 && highestMark >= plot.getRangeAxis().getUpperBound()) {
      plot.getRangeAxis().setUpperBound(highestMark * 1.08); // the marks are what the chart is read against
    }
    return save(chart, file);
  }

  /**
   * A log axis from the power of ten below the smallest value to the one above twice the largest
   * (room for the bars' labels).
   */
  private static void powersOfTen(LogAxis axis, double[] values) {
    double min = Double.MAX_VALUE;
    double max = Double.MIN_VALUE;
    for (double v : values) {
      if (v > 0) {
        min = Math.min(min, v);
        max = Math.max(max, v);
      }
    }
    if (min <= max) {
      axis.setRange(Math.pow(10, Math.floor(Math.log10(min))), Math.pow(10, Math.ceil(Math.log10(max * 2))));
    }
  }

  /** A dashed horizontal line at a goal. */
  private static void goal(org.jfree.chart.plot.Plot plot, double value, String label) {
    ValueMarker marker = new ValueMarker(value, Color.GRAY, new BasicStroke(1.2f, BasicStroke.CAP_BUTT,
        BasicStroke.JOIN_MITER, 10f, new float[] {6f, 4f}, 0f));
    marker.setLabel(label);
    marker.setLabelFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
    marker.setLabelBackgroundColor(new Color(255, 255, 255, 0));
    marker.setLabelPaint(Color.DARK_GRAY);
    marker.setLabelAnchor(RectangleAnchor.TOP_RIGHT);
    marker.setLabelTextAnchor(TextAnchor.BOTTOM_RIGHT);
    if (plot instanceof CategoryPlot) {
      ((CategoryPlot) plot).addRangeMarker(marker);
    } else {
      ((XYPlot) plot).addRangeMarker(marker);
    }
  }

  /** The throughput lines of {@code figures}, in the chart's order. */
  static Map<String, Map<Integer, Double>> throughputLines(Figures figures) {
    Map<String, Map<Integer, Double>> lines = new java.util.LinkedHashMap<>();
    for (String db : Figures.DATABASES) {
      for (boolean trim : new boolean[] {false, true}) {
        String name = (db.equals("h2") ? "H2" : "PostgreSQL") + (trim ? ", trim" : ", no trim");
        lines.put(name, points(figures, c -> Figures.throughputKey(db, trim, c)));
      }
    }
    lines.put("bare ffmpeg trim", points(figures, Figures::bareKey));
    return lines;
  }

  private static Map<Integer, Double> points(Figures figures, java.util.function.IntFunction<String> key) {
    Map<Integer, Double> p = new java.util.TreeMap<>();
    for (int c : Figures.CONCURRENCY) {
      if (figures.has(key.apply(c))) {
        p.put(c, figures.get(key.apply(c)));
      }
    }
    return p;
  }

  private static Path save(JFreeChart chart, Path file) {
    try {
      Files.createDirectories(file.getParent());
      ChartUtils.saveChartAsPNG(file.toFile(), chart, WIDTH, HEIGHT);
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException("can't write " + file, e);
    }
  }

  static List<String> files() {
    return List.of(WAKE_FILE, THROUGHPUT_FILE);
  }
}
