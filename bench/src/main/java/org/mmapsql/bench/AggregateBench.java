package org.mmapsql.bench;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Arrays;
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
 * {@code SELECT SUM(val), MIN(val), MAX(val)} over 10,000,000 rows. {@code java}
 * is the ceiling: one loop over the same file through a {@link MemorySegment},
 * with the same sequential SUM/MIN/MAX semantics as the SQL.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--enable-native-access=ALL-UNNAMED",
    "--sun-misc-unsafe-memory-access=allow", "-Xms2g", "-Xmx6g"})
@State(Scope.Benchmark)
public class AggregateBench {
  static final String TABLE = "a10m";
  static final long ROWS = 10_000_000;

  @Param({Data.MMAPSQL, Data.H2_MEM, Data.H2_FILE, Data.JAVA})
  public String engine;

  private Connection connection;
  private PreparedStatement aggregate;
  private Arena arena;
  private MemorySegment segment;

  @Setup(Level.Trial)
  public void setUp() throws SQLException {
    if (engine.equals(Data.JAVA)) {
      arena = Arena.ofShared();
      segment = Data.mapFile(TABLE, ROWS, arena);
    } else {
      connection = Data.connect(engine);
      Data.ensureTable(connection, engine, TABLE, ROWS);
      aggregate = connection.prepareStatement("SELECT SUM(val), MIN(val), MAX(val) FROM " + TABLE);
    }
    double[] got = sumMinMax();
    double[] want = Data.expectedAggregates(ROWS);
    Data.check(Arrays.equals(got, want), engine + ": SUM/MIN/MAX " + Arrays.toString(got)
        + ", want " + Arrays.toString(want));
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    Data.closeQuietly(aggregate);
    Data.closeQuietly(connection);
    if (arena != null) {
      arena.close();
    }
  }

  /** {@code SELECT SUM(val), MIN(val), MAX(val) FROM a10m}. */
  @Benchmark
  public double[] sumMinMax() throws SQLException {
    if (segment != null) {
      return javaSumMinMax(segment);
    }
    try (ResultSet rs = aggregate.executeQuery()) {
      rs.next();
      return new double[] {rs.getDouble(1), rs.getDouble(2), rs.getDouble(3)};
    }
  }

  private static double[] javaSumMinMax(MemorySegment s) {
    long n = s.byteSize() / 8;
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (long i = 0; i < n; i++) {
      double v = s.getAtIndex(Data.LE_DOUBLE, i);
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new double[] {sum, min, max};
  }
}
