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
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** Renders the run's charts as PNG files with JFreeChart. */
final class Charts {
  static final String WAKE_FILE = "benchmark-wake-latency.png";
  static final String THROUGHPUT_FILE = "benchmark-throughput.png";
  private static final int WIDTH = 900;
  private static final int HEIGHT = 540;
  private static final Color[] COLORS = {new Color(0x1b9e77), new Color(0xd95f02), new Color(0x7570b3),
      new Color(0xe7298a), new Color(0x666666)};

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
    return save(chart, dir.resolve(THROUGHPUT_FILE));
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
