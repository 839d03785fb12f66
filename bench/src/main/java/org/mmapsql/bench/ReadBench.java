package org.mmapsql.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reads on a table of 1,000,000 rows: a point read by idx, a range of 1,000
 * rows by {@code idx BETWEEN}, and {@code COUNT(*)}. The same SQL text runs on
 * mmapsql and on H2 (table {@code (idx BIGINT PRIMARY KEY, val DOUBLE)});
 * {@code java} reads the same file through a {@link MemorySegment}, no SQL.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class ReadBench {
  static final String TABLE = "p1m";
  static final long ROWS = 1_000_000;
  static final int RANGE = 1_000;

  @Param({Data.MMAPSQL, Data.H2_MEM, Data.H2_FILE, Data.JAVA})
  public String engine;

  private Connection connection;
  private PreparedStatement point;
  private PreparedStatement range;
  private PreparedStatement count;
  private Arena arena;
  private MemorySegment segment;
  private long seed = 0x9E3779B97F4A7C15L;
  /** Sum of the idx values of the last range read (keeps them read). */
  public long idxSum;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    if (engine.equals(Data.JAVA)) {
      arena = Arena.ofShared();
      segment = Data.mapFile(TABLE, ROWS, arena);
    } else {
      connection = Data.connect(engine);
      Data.ensureTable(connection, engine, TABLE, ROWS);
      point = connection.prepareStatement("SELECT val FROM " + TABLE + " WHERE idx = ?");
      range = connection.prepareStatement("SELECT idx, val FROM " + TABLE + " WHERE idx BETWEEN ? AND ?");
      count = connection.prepareStatement("SELECT COUNT(*) FROM " + TABLE);
    }
    // The same answers from every engine.
    for (long i : new long[] {0, 1, 12_345, ROWS - 1}) {
      Data.check(pointAt(i) == Data.value(i), engine + ": wrong value at idx " + i);
    }
    double want = 0;
    for (long i = 500; i < 500 + RANGE; i++) {
      want += Data.value(i);
    }
    Data.check(rangeFrom(500) == want, engine + ": wrong range sum");
    Data.check(countRows() == ROWS, engine + ": wrong COUNT(*)");
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    Data.closeQuietly(point);
    Data.closeQuietly(range);
    Data.closeQuietly(count);
    Data.closeQuietly(connection);
    if (arena != null) {
      arena.close();
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

  private double pointAt(long idx) throws SQLException {
    if (segment != null) {
      return segment.getAtIndex(Data.LE_DOUBLE, idx);
    }
    point.setLong(1, idx);
    try (ResultSet rs = point.executeQuery()) {
      rs.next();
      return rs.getDouble(1);
    }
  }

  private double rangeFrom(long from) throws SQLException {
    double sum = 0;
    if (segment != null) {
      for (long i = from; i < from + RANGE; i++) {
        sum += segment.getAtIndex(Data.LE_DOUBLE, i);
      }
      return sum;
    }
    range.setLong(1, from);
    range.setLong(2, from + RANGE - 1);
    long n = 0;
    try (ResultSet rs = range.executeQuery()) {
      while (rs.next()) {
        n += rs.getLong(1);
        sum += rs.getDouble(2);
      }
    }
    idxSum = n;
    return sum;
  }

  private long countRows() throws SQLException {
    if (segment != null) {
      return segment.byteSize() / 8;
    }
    try (ResultSet rs = count.executeQuery()) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** {@code SELECT val FROM p1m WHERE idx = ?}, random idx. */
  @Benchmark
  public double pointRead() throws SQLException {
    return pointAt(next(ROWS));
  }

  /** {@code SELECT idx, val FROM p1m WHERE idx BETWEEN ? AND ?+999}, random start, all rows read. */
  @Benchmark
  public double rangeRead1000() throws SQLException {
    return rangeFrom(next(ROWS - RANGE + 1));
  }

  /** {@code SELECT COUNT(*) FROM p1m}. */
  @Benchmark
  public long countStar() throws SQLException {
    return countRows();
  }
}
