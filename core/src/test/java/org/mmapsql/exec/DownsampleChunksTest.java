package org.mmapsql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.sql.type.SqlTypeName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.exec.Aggregates.Kind;
import org.mmapsql.storage.Dtype;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.MappedArray;

/**
 * {@code GROUP BY idx / k} computed a few buckets at a time gives H2's
 * answer whatever the chunk size: chunks of 5 buckets (so every table here
 * spans many chunks, and idx ranges start and end inside a chunk), 1-D and
 * 2-D, with a shard base, and over an empty table.
 */
class DownsampleChunksTest {
  private static final int N = 20_000;
  private static final int WIDTH = 3;
  private static final int CHUNK = 5;

  @TempDir Path dir;
  private Connection h2;

  @BeforeEach void setUp() throws Exception {
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
  }

  @AfterEach void tearDown() throws Exception {
    h2.close();
  }

  /** Whole numbers from -100 to 100, so every sum is exact in both engines. */
  private static double value(long i) {
    return (i * 7919) % 201 - 100;
  }

  /** A raw f8 file of {@code rows} rows of {@code width} values (0: 1-D), also as H2 table t from idx {@code base}. */
  private MappedArray table(int rows, int width, long base) throws Exception {
    int cols = Math.max(width, 1);
    ByteBuffer b = ByteBuffer.allocate(rows * cols * 8).order(ByteOrder.nativeOrder());
    StringBuilder ddl = new StringBuilder("CREATE TABLE t(idx BIGINT PRIMARY KEY");
    for (int c = 0; c < cols; c++) {
      ddl.append(", c").append(c).append(" DOUBLE");
    }
    try (Statement s = h2.createStatement()) {
      s.execute(ddl + ")");
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO t VALUES (?" + ", ?".repeat(cols) + ")")) {
      for (int r = 0; r < rows; r++) {
        ps.setLong(1, base + r);
        for (int c = 0; c < cols; c++) {
          double v = value((long) r * cols + c);
          b.putDouble(v);
          ps.setDouble(c + 2, v);
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
    Path f = dir.resolve("t.f8");
    Files.write(f, b.array());
    return MappedArray.open(f, Layout.raw(Dtype.FLOAT64, width), false);
  }

  private List<List<Object>> h2(String sql) throws Exception {
    List<List<Object>> out = new ArrayList<>();
    try (Statement s = h2.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          Object o = rs.getObject(i);
          row.add(o instanceof Number x ? (Object) x.doubleValue() : o);
        }
        out.add(row);
      }
    }
    return out;
  }

  private static List<List<Object>> downsample(MappedArray a, IdxRanges idx, long base, long k, Kind[] kinds,
      int[] columns, SqlTypeName[] types) {
    List<List<Object>> out = new ArrayList<>();
    Downsample d = new Downsample(a, () -> idx.positionsFrom(base), base, k, kinds, columns, types, null, CHUNK);
    while (d.moveNext()) {
      List<Object> row = new ArrayList<>();
      for (Object o : d.current()) {
        row.add(o instanceof Number x ? (Object) x.doubleValue() : o);
      }
      out.add(row);
    }
    assertFalse(d.moveNext(), "an ended downsample starts again");
    d.close();
    return out;
  }

  private static final Kind[] KINDS = {Kind.MIN, Kind.MAX, Kind.AVG, Kind.COUNT_ROWS, Kind.SUM, Kind.COUNT_VAL};
  private static final SqlTypeName[] TYPES = {SqlTypeName.BIGINT, SqlTypeName.DOUBLE, SqlTypeName.DOUBLE,
      SqlTypeName.DOUBLE, SqlTypeName.BIGINT, SqlTypeName.DOUBLE, SqlTypeName.BIGINT};

  private static String sql(long k, String where) {
    return "SELECT idx / " + k + " AS b, MIN(c0), MAX(c0), AVG(c0), COUNT(*), SUM(c0), COUNT(c0) FROM t" + where
        + " GROUP BY idx / " + k + " ORDER BY b";
  }

  private static IdxRanges between(long lo, long hi) {
    return IdxRanges.range(lo, true, false, hi, true, false);
  }

  @Test void oneDimensionalOverManyChunksIsH2sGroupBy() throws Exception {
    for (long base : new long[] {0, 1000}) {
      try (Statement s = h2.createStatement()) {
        s.execute("DROP TABLE IF EXISTS t");
      }
      try (MappedArray a = table(N, 0, base)) {
        int[] columns = {0, 0, 0, -1, 0, 0};
        for (long k : new long[] {32, 1000}) {
          String at = "k=" + k + " base=" + base;
          assertEquals(h2(sql(k, "")), downsample(a, IdxRanges.ALL, base, k, KINDS, columns, TYPES), at);
          // starts and ends inside a bucket and inside a chunk
          assertEquals(h2(sql(k, " WHERE idx BETWEEN 4321 AND 17777")),
              downsample(a, between(4321, 17777), base, k, KINDS, columns, TYPES), at);
          // one bucket in two pieces, and pieces in buckets on both sides of a chunk's end
          IdxRanges pieces = IdxRanges.or(between(1001, 1002), between(1010, 1011), IdxRanges.point(1100),
              IdxRanges.point(1300), IdxRanges.point(2200), between(5000, 9000), IdxRanges.point(30000));
          assertEquals(h2(sql(k, " WHERE idx BETWEEN 1001 AND 1002 OR idx IN (1010, 1011, 1100, 1300, 2200, 30000)"
              + " OR idx BETWEEN 5000 AND 9000")), downsample(a, pieces, base, k, KINDS, columns, TYPES), at);
          assertEquals(List.of(), downsample(a, between(N + base, N + base + 5000), base, k, KINDS, columns, TYPES));
        }
      }
    }
  }

  @Test void twoDimensionalOverManyChunksIsH2sGroupBy() throws Exception {
    try (MappedArray a = table(N / WIDTH, WIDTH, 0)) {
      Kind[] kinds = {Kind.MIN, Kind.SUM, Kind.AVG, Kind.COUNT_ROWS};
      int[] columns = {2, 1, 0, -1};
      SqlTypeName[] types = {SqlTypeName.BIGINT, SqlTypeName.DOUBLE, SqlTypeName.DOUBLE, SqlTypeName.DOUBLE,
          SqlTypeName.BIGINT};
      for (long k : new long[] {32, 1000}) {
        for (String where : List.of("", " WHERE idx BETWEEN 77 AND 5000")) {
          String sql = "SELECT idx / " + k + " AS b, MIN(c2), SUM(c1), AVG(c0), COUNT(*) FROM t" + where
              + " GROUP BY idx / " + k + " ORDER BY b";
          IdxRanges idx = where.isEmpty() ? IdxRanges.ALL : between(77, 5000);
          assertEquals(h2(sql), downsample(a, idx, 0, k, kinds, columns, types), sql);
        }
      }
    }
  }

  @Test void anEmptyTableHasNoBuckets() throws Exception {
    try (MappedArray a = table(0, 0, 0)) {
      assertEquals(List.of(), h2(sql(32, "")));
      assertEquals(List.of(), downsample(a, IdxRanges.ALL, 0, 32, KINDS, new int[] {0, 0, 0, -1, 0, 0}, TYPES));
    }
  }
}
