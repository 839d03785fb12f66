package org.mmapsql.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * One engine's share of the suite, in its own JVM: every workload that
 * applies to it, each warmed up then timed for a fixed time (at least one
 * operation), each answer checked. Prints one line per workload for
 * {@link Suite}: {@code R <workload> <nanos per op> <rows per op> <note>}.
 *
 * <pre>EngineRun ENGINE ROWS WARM_SECONDS MEASURE_SECONDS URL|- [first|first-aot|first-aot-vector]</pre>
 */
public final class EngineRun {
  private final Engine engine;
  private final long rows;
  private final double warm;
  private final double measure;
  private long seed = 0x9E3779B97F4A7C15L;

  private EngineRun(Engine engine, long rows, double warm, double measure) {
    this.engine = engine;
    this.rows = rows;
    this.warm = warm;
    this.measure = measure;
  }

  public static void main(String[] args) throws Exception {
    long main = System.nanoTime();
    Engine engine = Engine.valueOf(args[0]);
    long rows = Long.parseLong(args[1]);
    String url = !engine.sql() ? null : args[4].equals("-") ? engine.embeddedUrl() : args[4];
    if (args.length > 5 && args[5].startsWith("first")) {
      first(engine, url, main, switch (args[5]) {
        case "first-aot" -> Workload.FIRST_QUERY_AOT;
        case "first-aot-vector" -> Workload.FIRST_QUERY_AOT_VECTOR;
        default -> Workload.FIRST_QUERY;
      });
      return;
    }
    EngineRun run = new EngineRun(engine, rows, Double.parseDouble(args[2]), Double.parseDouble(args[3]));
    if (engine.sql()) {
      try (Connection c = engine.connect(url)) {
        engine.prepare(c, rows);
        run.sql(c);
      }
    } else {
      try (Arena arena = Arena.ofShared()) {
        run.plain(PlainLoops.of(engine, Data.mapFile("t", rows, arena), AggregateType.F8));
      }
    }
    System.out.flush();
  }

  /** A fresh JVM's first answer: connect and one query, timed from JVM start. */
  private static void first(Engine engine, String url, long mainNanos, Workload w) throws SQLException {
    String sql = engine.mmapsql() || engine == Engine.AVATICA_H2 ? "SELECT COUNT(*) FROM t" : "SELECT 1";
    try (Connection c = engine.connect(url); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      rs.getLong(1);
    }
    long answered = System.currentTimeMillis();
    long fromMain = System.nanoTime() - mainNanos;
    long fromStart = answered - java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime();
    // CPU times too: on a busy machine they say what the first query costs better than the wall clock.
    long processCpu = ((com.sun.management.OperatingSystemMXBean)
        java.lang.management.ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    long mainCpu = java.lang.management.ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
    result(w, fromStart * 1e6, 1, String.format(Locale.ROOT,
        "%.0f ms from main(); CPU %.0f ms in all, %.0f ms on the main thread", fromMain / 1e6, processCpu / 1e6,
        mainCpu / 1e6));
  }

  // ------------------------------------------------ SQL engines

  private void sql(Connection c) throws Exception {
    try (PreparedStatement point = c.prepareStatement("SELECT val FROM t WHERE idx = ?");
        PreparedStatement in = c.prepareStatement("SELECT idx, val FROM t WHERE idx IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        PreparedStatement update = c.prepareStatement("UPDATE t SET val = ? WHERE idx = ?");
        Statement s = c.createStatement()) {
      Map<Workload, Op> small = new EnumMap<>(Workload.class);
      small.put(Workload.POINT_READ, () -> {
        long i = next(rows);
        point.setLong(1, i);
        try (ResultSet rs = point.executeQuery()) {
          Data.check(rs.next() && rs.getDouble(1) == Data.value(i), engine + ": point read at " + i);
        }
        return 1;
      });
      small.put(Workload.IN10_READ, () -> {
        long base = next(rows - 1000);
        for (int k = 0; k < 10; k++) {
          in.setLong(k + 1, base + 97L * k);
        }
        int n = 0;
        try (ResultSet rs = in.executeQuery()) {
          while (rs.next()) {
            Data.check(rs.getDouble(2) == Data.value(rs.getLong(1)), engine + ": IN read");
            n++;
          }
        }
        Data.check(n == 10, engine + ": IN read gave " + n + " rows");
        return 1;
      });
      small.put(Workload.POINT_UPDATE, () -> {
        long i = next(rows);
        update.setDouble(1, Data.value(i)); // the same value: t stays as every engine has it
        update.setLong(2, i);
        Data.check(update.executeUpdate() == 1, engine + ": point update at " + i);
        return 1;
      });
      small.put(Workload.COUNT_STATEMENT, () -> {
        Data.check(count(s, "SELECT COUNT(*) FROM t") == rows, engine + ": COUNT(*)");
        return 1;
      });
      small.put(Workload.LITERAL_STATEMENT, () -> {
        long i = next(rows);
        try (ResultSet rs = s.executeQuery("SELECT val FROM t WHERE idx = " + i)) {
          Data.check(rs.next() && rs.getDouble(1) == Data.value(i), engine + ": literal point read at " + i);
        }
        return 1;
      });
      warmTogether(small);
      for (Map.Entry<Workload, Op> w : small.entrySet()) {
        time(w.getKey(), w.getValue());
      }
      if (engine.mmapsql()) {
        time(Workload.COUNT_1K, () -> {
          Data.check(count(s, "SELECT COUNT(*) FROM c1k") == 1000, engine + ": COUNT(*) of c1k");
          return 1;
        });
        time(Workload.COUNT_100M, () -> {
          Data.check(count(s, "SELECT COUNT(*) FROM c100m") == 100_000_000L, engine + ": COUNT(*) of c100m");
          return 1;
        });
      }
      if (!engine.remote()) {
        double sum = Data.expectedSum(0, rows);
        time(Workload.SUM_STATEMENT, () -> {
          try (ResultSet rs = s.executeQuery("SELECT SUM(val) FROM t")) {
            Data.check(rs.next() && rs.getDouble(1) == sum, engine + ": SUM(val) " + rs.getDouble(1) + ", want " + sum);
          }
          return 1;
        });
      }
    }
    if (!engine.remote()) {
      aggregates(c);
      downsample(c);
    }
    scan(c);
    append(c);
    insertSelect(c);
  }

  /**
   * {@code INSERT INTO cp(val) SELECT val FROM t} into an empty cp, emptied
   * again after each copy (not timed); the note gives MB/s of values copied
   * (8 bytes a row).
   */
  private void insertSelect(Connection c) throws Exception {
    if (skipped(Workload.INSERT_SELECT)) {
      return;
    }
    try (Statement s = c.createStatement()) {
      String reset = switch (engine) {
        case MMAPSQL, MMAPSQL_REMOTE, MMAPSQL_EXCLUSIVE -> {
          s.executeQuery("SELECT MMAP('cp', 'cp.f8')").close();
          yield "DELETE FROM cp";
        }
        case H2, AVATICA_H2 -> {
          s.execute("CREATE TABLE IF NOT EXISTS cp(idx BIGINT GENERATED BY DEFAULT AS IDENTITY"
              + " (START WITH 0 MINVALUE 0) PRIMARY KEY, val DOUBLE)");
          yield "TRUNCATE TABLE cp RESTART IDENTITY";
        }
        case DUCKDB -> {
          s.execute("CREATE SEQUENCE cp_idx START 0 MINVALUE 0");
          s.execute("CREATE TABLE cp(idx BIGINT DEFAULT nextval('cp_idx') PRIMARY KEY, val DOUBLE)");
          yield "DROP TABLE cp;DROP SEQUENCE cp_idx;CREATE SEQUENCE cp_idx START 0 MINVALUE 0;"
              + "CREATE TABLE cp(idx BIGINT DEFAULT nextval('cp_idx') PRIMARY KEY, val DOUBLE)";
        }
        default -> throw new IllegalStateException(engine + " is not SQL");
      };
      Op empty = () -> {
        for (String sql : reset.split(";")) {
          s.execute(sql);
        }
        return 0;
      };
      empty.run();
      copies(() -> {
        long n = s.executeLargeUpdate("INSERT INTO cp(val) SELECT val FROM t");
        Data.check(n == rows, engine + ": INSERT ... SELECT copied " + n + " rows, want " + rows);
        return n;
      }, () -> {
        // a sum, not a row: DuckDB appends a parallel SELECT's rows in no particular order
        double sum = Data.expectedSum(0, rows);
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(val) FROM cp")) {
          Data.check(rs.next() && rs.getLong(1) == rows && rs.getDouble(2) == sum, engine + ": cp's sum");
        }
        return empty.run();
      }, "");
    }
  }

  /**
   * Times {@code copy} alone: warm-up, then copies for {@code measure} seconds
   * (at least one), running {@code reset} after each outside the time.
   */
  private void copies(Op copy, Op reset, String note) throws Exception {
    long warmEnd = System.nanoTime() + (long) (warm * 1e9);
    do {
      copy.run();
      reset.run();
    } while (System.nanoTime() < warmEnd);
    long copied = 0;
    long nanos = 0;
    long end = System.nanoTime() + (long) (measure * 1e9);
    do {
      long t0 = System.nanoTime();
      copied += copy.run();
      nanos += System.nanoTime() - t0;
      reset.run();
    } while (System.nanoTime() < end);
    result(Workload.INSERT_SELECT, nanos, copied, String.format(Locale.ROOT, "%.0f MB/s",
        copied * 8 / (nanos / 1e9) / 1e6) + note);
  }

  private void aggregates(Connection c) throws Exception {
    if (skipped(Workload.AGGREGATES) && skipped(Workload.AGGREGATES_RANGE) && skipped(Workload.AGGREGATES_PREDICATE)) {
      return;
    }
    AggregateType type = AggregateType.current();
    engine.prepareAggregateTable(c, rows, type);
    String select = "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(val) FROM " + type.table();
    long lo = rows / 4;
    long hi = 3 * rows / 4;
    aggregate(c, Workload.AGGREGATES, select, Expected.of(type, 0, rows, Double.NEGATIVE_INFINITY));
    aggregate(c, Workload.AGGREGATES_RANGE, select + " WHERE idx BETWEEN " + lo + " AND " + hi,
        Expected.of(type, lo, hi + 1, Double.NEGATIVE_INFINITY));
    aggregate(c, Workload.AGGREGATES_PREDICATE, select + " WHERE val > " + type.above(),
        Expected.of(type, 0, rows, type.above()));
  }

  private void aggregate(Connection c, Workload w, String sql, Expected want) throws Exception {
    try (PreparedStatement p = c.prepareStatement(sql)) {
      time(w, () -> {
        try (ResultSet rs = p.executeQuery()) {
          rs.next();
          Expected got = new Expected(rs.getDouble(1), rs.getDouble(2), rs.getDouble(3), rs.getDouble(4), rs.getLong(5));
          Data.check(got.matches(want), engine + ": " + w + " " + got + ", want " + want);
        }
        return 1;
      });
    }
  }

  private void downsample(Connection c) throws Exception {
    String sql = "SELECT " + engine.bucket("10000") + " AS b, MIN(val), MAX(val), AVG(val) FROM t GROUP BY "
        + engine.bucket("10000");
    long buckets = (rows + 9999) / 10000;
    try (PreparedStatement p = c.prepareStatement(sql)) {
      time(Workload.DOWNSAMPLE, () -> {
        long n = 0;
        double mins = 0;
        try (ResultSet rs = p.executeQuery()) {
          while (rs.next()) {
            n++;
            mins += rs.getDouble(2);
          }
        }
        Data.check(n == buckets, engine + ": downsampling gave " + n + " buckets, want " + buckets);
        return 1;
      });
    }
  }

  private void scan(Connection c) throws Exception {
    try (Statement s = c.createStatement()) {
      if (engine == Engine.H2 || engine == Engine.AVATICA_H2) {
        s.execute("SET LAZY_QUERY_EXECUTION TRUE"); // stream rows, as the others do, rather than build the result first
      }
      s.setFetchSize(10_000);
      rate(Workload.FULL_SCAN, budget -> {
        long n = 0;
        long end = System.nanoTime() + budget;
        try (ResultSet rs = s.executeQuery("SELECT idx, val FROM t")) {
          while (rs.next()) {
            long i = rs.getLong(1);
            double v = rs.getDouble(2);
            if ((n & 0xFFFF) == 0) {
              Data.check(v == Data.value(i), engine + ": scan at " + i);
              if (System.nanoTime() > end) {
                n++;
                break;
              }
            }
            n++;
          }
        }
        return n;
      });
    }
  }

  private void append(Connection c) throws Exception {
    String note = "";
    try {
      c.setAutoCommit(false);
    } catch (SQLException | RuntimeException e) {
      note = "setAutoCommit(false) fails: " + e;
    }
    boolean[] commit = {c.getAutoCommit() == false};
    String[] failed = {null};
    try (PreparedStatement insert = c.prepareStatement("INSERT INTO app(val) VALUES (?)")) {
      long[] next = {0};
      String finalNote = note;
      rate(Workload.APPEND, budget -> {
        long end = System.nanoTime() + budget;
        long n = 0;
        do {
          for (int k = 0; k < 1000; k++) {
            insert.setDouble(1, Data.value(next[0]++));
            insert.addBatch();
          }
          insert.executeBatch();
          if (commit[0]) {
            try {
              c.commit();
            } catch (SQLException | RuntimeException e) {
              failed[0] = "commit() fails: " + e;
              commit[0] = false;
              c.setAutoCommit(true);
            }
          }
          n += 1000;
        } while (System.nanoTime() < end);
        return n;
      }, () -> failed[0] != null ? failed[0] + "; measured without it" : finalNote);
    } finally {
      if (!c.getAutoCommit()) {
        c.setAutoCommit(true);
      }
    }
  }

  // ------------------------------------------------ plain Java

  private void plain(PlainLoops loops) throws Exception {
    time(Workload.POINT_READ, () -> {
      long i = next(rows);
      Data.check(loops.get(i) == Data.value(i), engine + ": point read");
      return 1;
    });
    double sum = Data.expectedSum(0, rows);
    time(Workload.SUM_STATEMENT, () -> {
      Data.check(loops.sum() == sum, engine + ": sum");
      return 1;
    });
    long lo = rows / 4;
    long hi = 3 * rows / 4;
    AggregateType type = AggregateType.current();
    try (Arena arena = Arena.ofShared()) {
      PlainLoops typed = type == AggregateType.F8 ? loops
          : PlainLoops.of(engine, Data.mapFile(type.table(), rows, type, arena), type);
      plainAggregate(Workload.AGGREGATES, typed, type, 0, rows, Double.NEGATIVE_INFINITY);
      plainAggregate(Workload.AGGREGATES_RANGE, typed, type, lo, hi + 1, Double.NEGATIVE_INFINITY);
      plainAggregate(Workload.AGGREGATES_PREDICATE, typed, type, 0, rows, type.above());
    }
    time(Workload.DOWNSAMPLE, () -> {
      Data.check(loops.downsample(10_000).length == (rows + 9999) / 10000 * 3, engine + ": downsampling");
      return 1;
    });
    rate(Workload.FULL_SCAN, budget -> {
      loops.scan();
      return rows;
    });
    plainCopy(loops);
  }

  /**
   * The reference of INSERT ... SELECT: {@code MemorySegment.copy} of t's
   * mapping into a fresh file of the same size, mapped (the kernel gives it
   * new pages, as an append does), deleted after each copy (not timed). The
   * note adds a copy into an off-heap segment allocated once: memory bandwidth
   * alone, no new pages.
   */
  private void plainCopy(PlainLoops loops) throws Exception {
    if (skipped(Workload.INSERT_SELECT)) {
      return;
    }
    MemorySegment from = loops.segment;
    long bytes = from.byteSize();
    double offHeap;
    try (Arena arena = Arena.ofConfined()) {
      MemorySegment dst = arena.allocate(bytes, 64);
      MemorySegment.copy(from, 0, dst, 0, bytes); // touches every page once, outside the time
      long t0 = System.nanoTime();
      int n = 0;
      do {
        MemorySegment.copy(from, 0, dst, 0, bytes);
        n++;
      } while (System.nanoTime() - t0 < measure * 1e9);
      offHeap = bytes * n / ((System.nanoTime() - t0) / 1e9) / 1e6;
    }
    Path to = Data.mmapDir().resolve("cp-plain.f8");
    Files.deleteIfExists(to);
    copies(() -> {
      try (Arena arena = Arena.ofConfined(); FileChannel ch = FileChannel.open(to, StandardOpenOption.CREATE_NEW,
          StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        MemorySegment dst = ch.map(FileChannel.MapMode.READ_WRITE, 0, bytes, arena);
        MemorySegment.copy(from, 0, dst, 0, bytes);
        Data.check(dst.get(Data.LE_DOUBLE, bytes - 8) == Data.value(rows - 1), engine + ": copy");
      }
      return rows;
    }, () -> {
      Files.delete(to);
      return 0;
    }, String.format(Locale.ROOT, " into a new mapped file; %.0f MB/s into an off-heap segment (memory bandwidth)",
        offHeap));
  }

  private void plainAggregate(Workload w, PlainLoops loops, AggregateType type, long from, long to, double above)
      throws Exception {
    if (skipped(w)) {
      return;
    }
    Expected want = Expected.of(type, from, to, above);
    // The Vector API is very slow until compiled: a first pass over all rows would be taken for the measurement.
    for (int k = 0; k < 2_000; k++) {
      loops.aggregate(from, Math.min(to, from + 4_099), above);
    }
    time(w, () -> {
      Expected got = loops.aggregate(from, to, above);
      Data.check(got.matches(want), engine + ": " + w + " " + got + ", want " + want);
      return 1;
    });
  }

  // ------------------------------------------------ measuring

  interface Op {
    long run() throws Exception;
  }

  interface Batch {
    /** Runs for about {@code budgetNanos}; returns the rows processed. */
    long run(long budgetNanos) throws Exception;
  }

  /** Rounds of the short operations before any is timed: enough calls for the JIT to compile their code. */
  static final int WARM_ROUNDS = 10_000;

  /**
   * Runs the short operations in turn, {@link #WARM_ROUNDS} times and at least {@code warm} seconds
   * (at most 20 times that), before any is timed. A warm-up by time alone leaves a slow first
   * operation too few calls to be compiled: on a busy 2-core machine a remote point read stayed
   * at milliseconds (interpreted code in the client, the HTTP client and protobuf on both sides),
   * where it takes 70-90 us once compiled.
   */
  private void warmTogether(Map<Workload, Op> ops) throws Exception {
    long start = System.nanoTime();
    long least = start + (long) (warm * 1e9);
    long most = start + (long) (20 * warm * 1e9);
    for (int round = 0; ; round++) {
      long now = System.nanoTime();
      if (now >= most || (round >= WARM_ROUNDS && now >= least)) {
        break;
      }
      for (Map.Entry<Workload, Op> w : ops.entrySet()) {
        if (!skipped(w.getKey())) {
          w.getValue().run();
        }
      }
    }
  }

  /** Warms up for {@code warm} seconds, then runs {@code op} for {@code measure} seconds; at least once each. */
  private void time(Workload w, Op op) throws Exception {
    if (skipped(w)) {
      return;
    }
    long warmEnd = System.nanoTime() + (long) (warm * 1e9);
    long first = System.nanoTime();
    op.run();
    first = System.nanoTime() - first;
    if (first > measure * 1e9) { // one operation is longer than the whole budget: it is the measurement
      // but a first one may still run interpreted (a busy machine starves the JIT): the faster of two
      long second = System.nanoTime();
      op.run();
      second = System.nanoTime() - second;
      if (second > measure * 1e9) {
        result(w, Math.min(first, second), 1, "the faster of two executions");
        return;
      }
    }
    while (System.nanoTime() < warmEnd) {
      op.run();
    }
    long n = 0;
    long start = System.nanoTime();
    long end = start + (long) (measure * 1e9);
    long now;
    do {
      op.run();
      n++;
      now = System.nanoTime();
    } while (now < end);
    result(w, (double) (now - start) / n, 1, n + " ops");
  }

  private void rate(Workload w, Batch batch) throws Exception {
    rate(w, batch, () -> "");
  }

  private void rate(Workload w, Batch batch, java.util.function.Supplier<String> note) throws Exception {
    if (skipped(w)) {
      return;
    }
    batch.run((long) (warm * 1e9));
    long start = System.nanoTime();
    long rowsDone = 0;
    long end = start + (long) (measure * 1e9);
    do {
      rowsDone += batch.run(end - System.nanoTime());
    } while (System.nanoTime() < end);
    long took = System.nanoTime() - start;
    result(w, took, rowsDone, note.get());
  }

  /**
   * {@code -Dmmapsql.bench.only=POINT_READ,...} runs only those workloads (for profiling one);
   * so does {@code MMAPSQL_BENCH_ONLY} in the environment of {@code bench/run.sh}, for every engine.
   */
  private static boolean skipped(Workload w) {
    String only = System.getProperty("mmapsql.bench.only", System.getenv("MMAPSQL_BENCH_ONLY"));
    return only != null && !java.util.Arrays.asList(only.split(",")).contains(w.name());
  }

  private static void result(Workload w, double nanos, long rowsPerOp, String note) {
    System.out.println("R\t" + w.name() + "\t" + nanos + "\t" + rowsPerOp + "\t" + note);
    System.out.flush();
  }

  private static long count(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** xorshift64: cheap, the same sequence for every engine. */
  private long next(long bound) {
    long x = seed;
    x ^= x << 13;
    x ^= x >>> 7;
    x ^= x << 17;
    seed = x;
    return Math.floorMod(x, bound);
  }

  /** SUM, MIN, MAX, AVG, COUNT(val) of a run of rows. */
  record Expected(double sum, double min, double max, double avg, long count) {
    /** Of rows {@code from..to-1} whose value is above {@code above}, computed directly. */
    static Expected of(AggregateType type, long from, long to, double above) {
      double sum = 0;
      long whole = 0; // an integer column's sum, exact as the engines give it (uint32's pass 2^53 in a double)
      double min = Double.POSITIVE_INFINITY;
      double max = Double.NEGATIVE_INFINITY;
      long n = 0;
      for (long i = from; i < to; i++) {
        long v = type.value(i);
        if (v > above) {
          sum += v;
          whole += v;
          min = Math.min(min, v);
          max = Math.max(max, v);
          n++;
        }
      }
      if (!type.floats()) {
        sum = whole;
      }
      return new Expected(sum, min, max, sum / n, n);
    }

    boolean matches(Expected o) {
      return sum == o.sum && min == o.min && max == o.max && count == o.count
          && Math.abs(avg - o.avg) <= 1e-9 * Math.abs(o.avg);
    }
  }
}
