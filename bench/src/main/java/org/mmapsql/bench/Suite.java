package org.mmapsql.bench;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The performance issue's table in one run: every workload on every engine,
 * each engine in its own JVM ({@link EngineRun}), the servers of the remote
 * engines in theirs, all on the same data; prints the times and the ratios.
 *
 * <pre>java -cp bench/target/benchmarks.jar org.mmapsql.bench.Suite [--rows N] [--warm S] [--measure S]
 *     [--engines MMAPSQL,H2,...] [--out FILE] [--dtype i4]</pre>
 */
public final class Suite {
  private final long rows;
  private final String warm;
  private final String measure;
  private final Path logs;
  private final Map<Engine, Map<Workload, Result>> results = new EnumMap<>(Engine.class);

  /** One measurement: nanoseconds for {@code rows} rows (one operation when not a rate). */
  record Result(double nanos, long rows, String note) {
  }

  private Suite(long rows, String warm, String measure, Path logs) {
    this.rows = rows;
    this.warm = warm;
    this.measure = measure;
    this.logs = logs;
  }

  public static void main(String[] args) throws Exception {
    long rows = 10_000_000;
    String warm = "1";
    String measure = "1";
    List<Engine> engines = Arrays.asList(Engine.values());
    Path out = null;
    boolean memory = false;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--rows" -> rows = Long.parseLong(args[++i].replace("_", ""));
        case "--warm" -> warm = args[++i];
        case "--measure" -> measure = args[++i];
        case "--engines" -> engines = Arrays.stream(args[++i].split(","))
            .map(e -> Engine.valueOf(e.trim().toUpperCase(Locale.ROOT))).toList();
        case "--out" -> out = Path.of(args[++i]);
        case "--memory" -> memory = true;
        case "--dtype" -> System.setProperty("mmapsql.bench.dtype", args[++i]);
        default -> {
          System.err.println("usage: Suite [--rows N] [--warm S] [--measure S] [--engines A,B] [--out FILE] [--memory]"
              + " [--dtype f8|f4|f2|i8|i4|i2|i1|u8|u4|u2|u1]");
          System.exit(2);
        }
      }
    }
    Path logs = Data.DIR.resolve("logs");
    Files.createDirectories(logs);
    long start = System.nanoTime();
    prepareFiles(rows);
    Suite suite = new Suite(rows, warm, measure, logs);
    for (Engine e : engines) {
      System.err.printf(Locale.ROOT, "suite: %s (%.0f s so far)%n", e.title, (System.nanoTime() - start) / 1e9);
      suite.run(e);
    }
    AggregateType type = AggregateType.current();
    String dtype = type == AggregateType.F8 ? "" : String.format(Locale.ROOT,
        "%nThe aggregate rows read %s (table %s, val = (idx * 2654435761) mod %d), the predicate is val > %d.%n",
        type.suffix, type.table(), type.modulus, type.above());
    String table = suite.table(engines) + dtype + (memory ? "\n" + suite.memory() + "\n" : "") + String.format(Locale.ROOT,
        "%n%,d rows; warm-up %s s, measurement %s s a workload; %d cores; %s; whole run %.0f s%n",
        rows, warm, measure, Runtime.getRuntime().availableProcessors(),
        System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
        (System.nanoTime() - start) / 1e9);
    System.out.print(table);
    if (out != null) {
      Files.writeString(out, table, StandardCharsets.UTF_8);
    }
  }

  /** mmapsql's files: t (n rows), c1k, and c100m, a sparse file of 100 million zeros. */
  private static void prepareFiles(long rows) throws IOException {
    Data.ensureFile("t", rows);
    Data.ensureFile(AggregateType.current().table(), rows, AggregateType.current());
    Data.ensureFile("c1k", 1000);
    try (RandomAccessFile f = new RandomAccessFile(Data.file("c100m").toFile(), "rw")) {
      f.setLength(800_000_000L);
    }
  }

  private void run(Engine e) throws IOException, InterruptedException {
    Process server = null;
    String url = "-";
    try {
      if (e == Engine.MMAPSQL_REMOTE) {
        server = start(e, List.of("-Xmx1g", "-cp", classPath(e), "org.mmapsql.server.Main", "serve",
            "--data-dir", Data.mmapDir().toString(), "--port", "0"));
        url = awaitLine(server, "connect with ").substring("connect with ".length()).trim();
      } else if (e == Engine.AVATICA_H2) {
        server = start(e, List.of("-Xmx4g", "-cp", classPath(e), AvaticaH2Server.class.getName(), "" + rows));
        url = "jdbc:avatica:remote:url=http://localhost:" + awaitLine(server, "PORT ").substring(5).trim()
            + ";serialization=PROTOBUF";
      }
      child(e, url, null, List.of(), true);
      if (e.sql() && !skipped(Workload.FIRST_QUERY)) {
        child(e, url, "first", List.of(), true);
        firstFromAotCache(e, url, "first-aot");
        if (vector(e)) {
          firstFromAotCache(e, url, "first-aot-vector");
        }
      }
    } finally {
      if (server != null) {
        server.destroy();
        if (!server.waitFor(20, TimeUnit.SECONDS)) {
          server.destroyForcibly();
        }
      }
    }
  }

  /** Left out by {@code MMAPSQL_BENCH_ONLY} (as {@link EngineRun} leaves out its workloads). */
  private static boolean skipped(Workload w) {
    String only = System.getenv("MMAPSQL_BENCH_ONLY");
    return only != null && !Arrays.asList(only.split(",")).contains(w.name());
  }

  /**
   * {@link MemoryRun} in a JVM of at most 256 MB of heap, on mmapsql embedded: its line, or why it failed
   * (an out-of-memory error, a wrong answer).
   */
  private String memory() throws IOException, InterruptedException {
    System.err.println("suite: memory, 100 M rows in a JVM of -Xmx256m");
    Process p = start(Engine.MMAPSQL, List.of("-Xmx256m", "-cp", classPath(Engine.MMAPSQL),
        MemoryRun.class.getName()));
    String last = "MEMORY FAILED: no answer; see " + log(Engine.MMAPSQL);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        if (line.startsWith("MEMORY")) {
          last = line;
        }
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    if (p.exitValue() != 0 && !last.startsWith("MEMORY FAILED")) {
      last = "MEMORY FAILED: exit " + p.exitValue() + "; see " + log(Engine.MMAPSQL);
    }
    System.err.println("suite: " + last);
    return "Memory (mmapsql embedded, -Xmx256m): " + last.substring("MEMORY ".length());
  }

  /**
   * The first query again, in a JVM started from JDK 25's AOT cache (JEP 483/514/515) that a
   * training run of the same first query made: what an application can do for its own start-up.
   * {@code AOTMode=on}: a cache the JVM cannot use fails the run rather than time one without it.
   * {@code first-aot-vector}: the same with the Vector API's module, in a cache of its own.
   */
  private void firstFromAotCache(Engine e, String url, String first) throws IOException, InterruptedException {
    Path cache = logs.resolve(e.name().toLowerCase(Locale.ROOT) + (first.endsWith("vector") ? "-vector" : "") + ".aot");
    Files.deleteIfExists(cache);
    child(e, url, first, List.of("-XX:AOTCacheOutput=" + cache, "-Xlog:disable"), false);
    if (Files.exists(cache)) {
      child(e, url, first, List.of("-XX:AOTCache=" + cache, "-XX:AOTMode=on"), true);
    }
  }

  /**
   * Whether engine {@code e} runs with {@code --add-modules jdk.incubator.vector}: the loops, and mmapsql's
   * aggregates on the Vector API. Not its first queries (but {@code first-aot-vector}): with this
   * incubator module, JDK 25's AOT cache keeps no module graph and links no class ({@code
   * -Xlog:aot=info}: "Using AOT-linked classes: false"), and the first query takes about twice as long.
   */
  private static boolean vector(Engine e) {
    return !e.sql() || e == Engine.MMAPSQL || e == Engine.MMAPSQL_EXCLUSIVE;
  }

  /**
   * One {@link EngineRun} of engine {@code e}: all its workloads, or with {@code first} its first
   * query; with {@code jvmOptions} added; its results kept if {@code keep} (not a training run's).
   */
  private void child(Engine e, String url, String first, List<String> jvmOptions, boolean keep)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(jvmOptions);
    if (vector(e) && (first == null || first.equals("first-aot-vector"))) {
      cmd.addAll(List.of("--add-modules", "jdk.incubator.vector"));
    }
    cmd.add(e == Engine.H2 ? "-Xmx4g" : "-Xmx1g");
    cmd.addAll(List.of("-cp", classPath(e), EngineRun.class.getName(), e.name(), "" + rows, warm, measure, url));
    if (first != null) {
      cmd.add(first);
    }
    Process p = start(e, cmd);
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line; (line = r.readLine()) != null; ) {
        String[] f = line.split("\t", -1);
        if (keep && f.length == 5 && f[0].equals("R")) {
          results.computeIfAbsent(e, k -> new EnumMap<>(Workload.class))
              .put(Workload.valueOf(f[1]), new Result(Double.parseDouble(f[2]), Long.parseLong(f[3]), f[4]));
        }
      }
    }
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
    }
    if (p.exitValue() != 0) {
      System.err.println("suite: " + e.title + (first != null ? " (" + first + ")" : "") + " failed, exit " + p.exitValue()
          + "; see " + log(e));
      List<String> tail = Files.readAllLines(log(e));
      tail.subList(Math.max(0, tail.size() - 15), tail.size()).forEach(l -> System.err.println("  " + l));
    }
  }

  private Process start(Engine e, List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(List.of("--enable-native-access=ALL-UNNAMED", "--sun-misc-unsafe-memory-access=allow",
        "-Dmmapsql.bench.dir=" + Data.DIR, "-Dmmapsql.bench.dtype=" + AggregateType.current().suffix));
    cmd.addAll(args);
    return new ProcessBuilder(cmd)
        .redirectError(ProcessBuilder.Redirect.appendTo(log(e).toFile()))
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
        .start();
  }

  private Path log(Engine e) {
    return logs.resolve(e.name().toLowerCase(Locale.ROOT) + ".log");
  }

  /** Reads the server's output up to the line starting with {@code prefix}; leaves the rest to drain. */
  private static String awaitLine(Process server, String prefix) throws IOException {
    BufferedReader r = new BufferedReader(new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null; ) {
      if (line.trim().startsWith(prefix)) {
        Thread drain = new Thread(() -> {
          try {
            while (r.readLine() != null) {
              // discard
            }
          } catch (IOException ignored) {
            // server gone
          }
        });
        drain.setDaemon(true);
        drain.start();
        return line.trim();
      }
    }
    throw new IOException("server exited before printing '" + prefix + "'");
  }

  /**
   * The suite's class path without the other engines' drivers, so that a
   * fresh JVM's first query does not load (and DuckDB's unpack) drivers it
   * never uses. bench/run.sh gives the suite the jars one by one.
   */
  private static String classPath(Engine e) {
    List<String> keep = new ArrayList<>();
    for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      String name = Path.of(entry).getFileName().toString();
      boolean duck = name.startsWith("duckdb_jdbc");
      boolean h2 = name.startsWith("h2-");
      if ((!duck || e == Engine.DUCKDB) && (!h2 || e == Engine.H2 || e == Engine.AVATICA_H2)) {
        keep.add(entry);
      }
    }
    return String.join(java.io.File.pathSeparator, keep);
  }

  // ------------------------------------------------ the table

  /** The ratio columns: an engine's cost divided by another's (below 1: faster). */
  private record Ratio(String title, Engine of, Engine to) {
  }

  private static final List<Ratio> RATIOS = List.of(
      new Ratio("embedded / H2", Engine.MMAPSQL, Engine.H2),
      new Ratio("exclusive / H2", Engine.MMAPSQL_EXCLUSIVE, Engine.H2),
      new Ratio("embedded / DuckDB", Engine.MMAPSQL, Engine.DUCKDB),
      new Ratio("embedded / Vector loop", Engine.MMAPSQL, Engine.JAVA_VECTOR),
      new Ratio("remote / Avatica", Engine.MMAPSQL_REMOTE, Engine.AVATICA_H2));

  private String table(List<Engine> engines) {
    StringBuilder b = new StringBuilder("| workload |");
    engines.forEach(e -> b.append(' ').append(e.title).append(" |"));
    RATIOS.forEach(r -> b.append(' ').append(r.title).append(" |"));
    b.append("\n|---|").append("---:|".repeat(engines.size() + RATIOS.size())).append('\n');
    List<String> notes = new ArrayList<>();
    for (Workload w : Workload.values()) {
      b.append("| ").append(w.title).append(" |");
      for (Engine e : engines) {
        Result r = get(e, w);
        b.append(' ').append(r == null ? "–" : format(w, r)).append(" |");
        if (r != null && !r.note().isEmpty() && !r.note().endsWith(" ops")) {
          notes.add(e.title + ", " + w.title + ": " + r.note());
        }
      }
      for (Ratio ratio : RATIOS) {
        Result a = get(ratio.of(), w);
        Result z = get(ratio.to(), w);
        b.append(' ').append(a == null || z == null ? "–"
            : String.format(Locale.ROOT, "%.2f", (a.nanos() / a.rows()) / (z.nanos() / z.rows()))).append(" |");
      }
      b.append('\n');
    }
    b.append("\nRatios are costs (time per operation or per row): below 1 the first engine is faster.\n");
    notes.forEach(n -> b.append("- ").append(n).append('\n'));
    return b.toString();
  }

  private Result get(Engine e, Workload w) {
    Map<Workload, Result> m = results.get(e);
    return m == null ? null : m.get(w);
  }

  private static String format(Workload w, Result r) {
    if (w.rate) {
      double perSecond = r.rows() / (r.nanos() / 1e9);
      return perSecond >= 1e6 ? String.format(Locale.ROOT, "%.1f M rows/s", perSecond / 1e6)
          : String.format(Locale.ROOT, "%.0f k rows/s", perSecond / 1e3);
    }
    double ns = r.nanos();
    if (ns < 1e3) {
      return String.format(Locale.ROOT, "%.0f ns", ns);
    }
    if (ns < 1e6) {
      return String.format(Locale.ROOT, ns < 1e4 ? "%.2f µs" : "%.1f µs", ns / 1e3);
    }
    if (ns < 1e9) {
      return String.format(Locale.ROOT, ns < 1e7 ? "%.2f ms" : "%.1f ms", ns / 1e6);
    }
    return String.format(Locale.ROOT, "%.2f s", ns / 1e9);
  }
}
