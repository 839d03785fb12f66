package org.mmapsql.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Reads a JMH result file written with {@code -rf csv} and prints, for each
 * benchmark, the time of every engine and mmapsql's time divided by each
 * other engine's: {@code mmapsql/h2mem = 0.5} means mmapsql takes half the
 * time (twice as fast); {@code 3.0} means three times as long.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mmapsql.bench.Ratios results.csv</pre>
 */
public final class Ratios {
  private static final List<String> ENGINES = List.of(Data.MMAPSQL, Data.H2_MEM, Data.H2_FILE, Data.JAVA);

  private Ratios() {
  }

  record Score(double value, double error, String unit) {
    double nanos() {
      return value * nanosPer(unit);
    }
  }

  public static void main(String[] args) throws IOException {
    if (args.length != 1) {
      System.err.println("usage: Ratios <jmh-results.csv>");
      System.exit(2);
    }
    List<String> lines = Files.readAllLines(Path.of(args[0]));
    List<String> header = fields(lines.get(0));
    int bench = header.indexOf("Benchmark");
    int score = header.indexOf("Score");
    int error = header.indexOf("Score Error (99.9%)");
    int unit = header.indexOf("Unit");
    int engine = header.indexOf("Param: engine");
    Map<String, Map<String, Score>> table = new LinkedHashMap<>();
    for (String line : lines.subList(1, lines.size())) {
      if (line.isBlank()) {
        continue;
      }
      List<String> f = fields(line);
      String name = f.get(bench).replaceFirst("^org\\.mmapsql\\.bench\\.", "");
      table.computeIfAbsent(name, k -> new LinkedHashMap<>())
          .put(f.get(engine), new Score(number(f.get(score)), number(f.get(error)), f.get(unit)));
    }

    StringBuilder out = new StringBuilder();
    out.append("| benchmark | unit |");
    ENGINES.forEach(e -> out.append(' ').append(e).append(" |"));
    out.append(" mmapsql/h2mem | mmapsql/h2file | mmapsql/java |\n|---|---|");
    out.append("---:|".repeat(ENGINES.size() + 3)).append('\n');
    for (var row : table.entrySet()) {
      Map<String, Score> s = row.getValue();
      Score m = s.get(Data.MMAPSQL);
      String unitName = m != null ? m.unit() : s.values().iterator().next().unit();
      out.append("| ").append(row.getKey()).append(" | ").append(unitName).append(" |");
      for (String e : ENGINES) {
        Score x = s.get(e);
        out.append(' ').append(x == null ? "–" : format(x.value() * nanosPer(x.unit()) / nanosPer(unitName))
            + (Double.isNaN(x.error()) ? "" : " ± " + format(x.error() * nanosPer(x.unit()) / nanosPer(unitName))))
            .append(" |");
      }
      for (String e : List.of(Data.H2_MEM, Data.H2_FILE, Data.JAVA)) {
        Score x = s.get(e);
        out.append(' ').append(m == null || x == null ? "–" : ratio(m.nanos() / x.nanos())).append(" |");
      }
      out.append('\n');
    }
    System.out.print(out);
  }

  private static String ratio(double r) {
    return r >= 100 ? String.format(Locale.ROOT, "%.0f", r) : String.format(Locale.ROOT, "%.2f", r);
  }

  private static String format(double v) {
    if (v == 0 || Math.abs(v) >= 100) {
      return String.format(Locale.ROOT, "%.1f", v);
    }
    return String.format(Locale.ROOT, "%.3g", v);
  }

  private static double nanosPer(String unit) {
    String u = unit.endsWith("/op") ? unit.substring(0, unit.length() - 3) : unit;
    return switch (u) {
      case "ns" -> 1;
      case "us" -> 1e3;
      case "ms" -> 1e6;
      case "s" -> 1e9;
      case "min" -> 60e9;
      default -> throw new IllegalArgumentException("not a time per operation: " + unit
          + " (run JMH in avgt or ss mode)");
    };
  }

  private static double number(String s) {
    try {
      return Double.parseDouble(s.replace(',', '.'));
    } catch (NumberFormatException e) {
      return Double.NaN;
    }
  }

  /** One line of JMH's CSV: comma separated, fields optionally in double quotes. */
  static List<String> fields(String line) {
    List<String> out = new ArrayList<>();
    StringBuilder cur = new StringBuilder();
    boolean quoted = false;
    for (int i = 0; i < line.length(); i++) {
      char c = line.charAt(i);
      if (quoted) {
        if (c == '"' && i + 1 < line.length() && line.charAt(i + 1) == '"') {
          cur.append('"');
          i++;
        } else if (c == '"') {
          quoted = false;
        } else {
          cur.append(c);
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        out.add(cur.toString());
        cur.setLength(0);
      } else {
        cur.append(c);
      }
    }
    out.add(cur.toString());
    return out;
  }
}
