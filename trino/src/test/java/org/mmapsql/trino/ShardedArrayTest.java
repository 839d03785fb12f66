package org.mmapsql.trino;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.trino.Session;
import io.trino.testing.DistributedQueryRunner;
import io.trino.testing.MaterializedResult;
import io.trino.testing.MaterializedRow;
import io.trino.testing.TestingSession;

/**
 * One array of 30,000 doubles split over three real mmapsql servers (10,000, 12,345
 * and 7,655 rows, bound with {@code base=0}, {@code base=10000}, {@code base=22345}),
 * queried through Trino's own query runner with two workers; the same values in H2
 * give the expected answers. Beside it: the same shards bound without a base
 * ({@code nobase}), a catalog entry with a shard missing ({@code gappy}), and a 2-D
 * float32 array ({@code grid}, three columns) over two servers.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(120)
class ShardedArrayTest {
  private static final int N = 30_000;
  private static final long[] SIZES = {10_000, 12_345, 7_655};
  private static final int GRID_ROWS = 500;
  /** datetime64[ms] values: the epoch, a recent instant, the day before the epoch, NaT. */
  private static final long[] TIMES_MS = {0, 1_700_000_000_123L, -86_400_000L, Long.MIN_VALUE};
  private ShardCluster cluster;
  private MmapPlugin plugin;
  private DistributedQueryRunner trino;
  private Connection h2;

  @BeforeAll void start(@TempDir Path dir) throws Exception {
    double[] values = new double[N];
    for (int i = 0; i < N; i++) {
      values[i] = Math.sin(i * 0.01) + (i % 7) * 0.125;
    }
    values[12_345] = -5.5;
    cluster = new ShardCluster(dir, 3);
    long base = 0;
    for (int i = 0; i < SIZES.length; i++) {
      byte[] bytes = doubles(values, (int) base, (int) SIZES[i]);
      cluster.shard("series", i, "series", bytes, "float64", "base=" + base);
      cluster.shard("nobase", i, "nobase", bytes, "float64", "");
      base += SIZES[i];
    }
    cluster.array("gappy", "s1:series", "s3:series");
    cluster.shard("whole", 0, "whole", doubles(values, 0, N), "float64", "");
    float[][] grid = new float[GRID_ROWS][3];
    for (int r = 0; r < GRID_ROWS; r++) {
      grid[r] = new float[] {r * 0.5f, (float) Math.cos(r), -r};
    }
    cluster.shard("grid", 0, "grid", floats(grid, 0, 200), "float32", "columns=3,base=0");
    cluster.shard("grid", 1, "grid", floats(grid, 200, GRID_ROWS - 200), "float32", "columns=3,base=200");
    cluster.shard("times", 0, "times", longs(TIMES_MS[0], TIMES_MS[1]), "datetime64[ms]", "base=0");
    cluster.shard("times", 1, "times", longs(TIMES_MS[2], TIMES_MS[3]), "datetime64[ms]", "base=2");
    h2 = DriverManager.getConnection("jdbc:h2:mem:sharded");
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE series(idx BIGINT PRIMARY KEY, val DOUBLE)");
      s.execute("CREATE TABLE grid(idx BIGINT PRIMARY KEY, c0 REAL, c1 REAL, c2 REAL)");
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO grid VALUES (?, ?, ?, ?)")) {
      for (int r = 0; r < GRID_ROWS; r++) {
        ps.setLong(1, r);
        for (int c = 0; c < 3; c++) {
          ps.setFloat(c + 2, grid[r][c]);
        }
        ps.addBatch();
      }
      ps.executeBatch();
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO series VALUES (?, ?)")) {
      for (int i = 0; i < N; i++) {
        ps.setLong(1, i);
        ps.setDouble(2, values[i]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    long t0 = System.nanoTime();
    Session session = TestingSession.testSessionBuilder().setCatalog("mmapsql").setSchema("mmap").build();
    trino = DistributedQueryRunner.builder(session).setWorkerCount(2).build();
    plugin = new MmapPlugin();
    trino.installPlugin(plugin);
    trino.createCatalog("mmapsql", MmapPlugin.CONNECTOR_NAME, cluster.catalog(4_000));
    System.out.printf("trino harness (coordinator + 2 workers) started in %d ms%n", (System.nanoTime() - t0) / 1_000_000);
  }

  @AfterAll void stop() throws Exception {
    if (trino != null) {
      trino.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (h2 != null) {
      h2.close();
    }
  }

  // ------------------------------------------------ reads equal H2's

  @Test @Order(1) void pointQueries() throws SQLException {
    same("SELECT val FROM series WHERE idx = 12000");
    same("SELECT idx, val FROM series WHERE idx = 0");
    same("SELECT idx, val FROM series WHERE idx = 29999");
    same("SELECT idx, val FROM series WHERE idx = 30000");
    same("SELECT idx, val FROM series WHERE idx IN (0, 9999, 10000, 22344, 22345, 29999, 30000, -1)");
  }

  @Test @Order(2) void rangesAcrossShardBoundaries() throws SQLException {
    same("SELECT idx, val FROM series WHERE idx BETWEEN 9990 AND 10010");
    same("SELECT idx, val FROM series WHERE idx > 22340 AND idx <= 22350");
    same("SELECT idx, val FROM series WHERE idx < 5 OR idx >= 29995");
    same("SELECT COUNT(*) FROM series WHERE idx >= 3000 AND idx < 27000");
    same("SELECT idx, val FROM series");
  }

  @Test @Order(3) void filteredQueries() throws SQLException {
    same("SELECT idx FROM series WHERE val > 1.7");
    same("SELECT idx, val FROM series WHERE idx >= 5000 AND idx < 25000 AND val < -0.9");
    same("SELECT idx FROM series WHERE val = -5.5");
    // conditions on values the shards apply (see explainShowsThePushdown)
    same("SELECT idx, val FROM series WHERE val IN (-5.5, 0.75) OR val BETWEEN 1.5 AND 1.6");
    same("SELECT idx FROM series WHERE val IS NULL");
    same("SELECT idx FROM series WHERE val >= 1.875 AND idx > 20000");
    same("SELECT idx, c1 FROM grid WHERE c1 > 0.5 AND c2 <= -100");
    assertThat(trino.execute("SELECT COUNT(*) FROM (SELECT idx FROM series WHERE val > 1.0 LIMIT 100)")
        .getOnlyValue()).isEqualTo(100L);
  }

  @Test @Order(4) void aggregates() throws SQLException {
    same("SELECT COUNT(*), SUM(val), MIN(val), MAX(val), AVG(val), MIN(idx), MAX(idx), COUNT(val) FROM series");
    same("SELECT SUM(val), AVG(val) FROM series WHERE idx BETWEEN 9000 AND 23000");
    same("SELECT COUNT(*), SUM(val), MIN(val), MAX(val), AVG(val) FROM series WHERE idx > 100000");
    same("SELECT MAX(val) FROM series WHERE idx IN (5, 12345, 29000)");
    // not pushed (an expression inside, a filter on val): Trino aggregates the rows
    same("SELECT SUM(val * 2), COUNT(*) FROM series WHERE val > 0");
    // pushed with the condition on values
    same("SELECT COUNT(*), SUM(val), MAX(idx), MIN(val) FROM series WHERE val > 0.5 AND idx < 20000");
  }

  @Test @Order(5) void joins() throws SQLException {
    same("SELECT a.idx, a.val - b.val FROM series a JOIN series b ON a.idx = b.idx + 1 WHERE a.idx BETWEEN 9995 AND 10005");
    same("SELECT COUNT(*) FROM series a JOIN series b ON a.idx = b.idx WHERE a.val > b.val - 0.5 AND a.idx < 20000");
  }

  @Test @Order(6) void downsampling() throws SQLException {
    same("SELECT idx / 1000 AS bucket, AVG(val), MIN(val), MAX(val), COUNT(*) FROM series GROUP BY idx / 1000");
    same("SELECT idx / 250, SUM(val) FROM series WHERE idx BETWEEN 9500 AND 10500 GROUP BY idx / 250");
    // buckets that straddle the shard boundaries at 10000 and 22345
    same("SELECT idx / 7 AS b, MIN(idx), MAX(idx), COUNT(val) FROM series WHERE idx BETWEEN 9980 AND 10020"
        + " OR idx BETWEEN 22330 AND 22360 GROUP BY idx / 7");
    same("SELECT idx / 4000, MIN(val), MAX(val) FROM series WHERE val < 0 GROUP BY idx / 4000");
    same("SELECT idx / 3 AS b, val FROM series WHERE idx BETWEEN 9995 AND 10005");
    same("SELECT b, c FROM (SELECT idx / 5000 AS b, COUNT(*) AS c FROM series GROUP BY idx / 5000) WHERE c < 5000");
  }

  @Test @Order(7) void limits() throws SQLException {
    assertThat(trino.execute("SELECT COUNT(*) FROM (SELECT idx FROM series LIMIT 100)").getOnlyValue()).isEqualTo(100L);
    same("SELECT idx, val FROM series WHERE idx >= 9995 ORDER BY idx LIMIT 10");
  }

  @Test @Order(8) void shardsWithoutABaseFollowEachOther() throws SQLException {
    same("SELECT idx, val FROM series WHERE idx BETWEEN 9990 AND 10010",
        "SELECT idx, val FROM nobase WHERE idx BETWEEN 9990 AND 10010");
    same("SELECT COUNT(*), SUM(val), MIN(idx), MAX(idx) FROM series",
        "SELECT COUNT(*), SUM(val), MIN(idx), MAX(idx) FROM nobase");
  }

  @Test @Order(9) void typedAndTwoDimensionalColumns() throws SQLException {
    assertThat(trino.execute("DESCRIBE grid").getMaterializedRows().stream()
        .map(r -> r.getField(0) + " " + r.getField(1)).toList())
        .containsExactly("idx bigint", "c0 real", "c1 real", "c2 real");
    same("SELECT idx, c0, c1, c2 FROM grid WHERE idx BETWEEN 195 AND 205");
    same("SELECT COUNT(*), MIN(c1), MAX(c2), SUM(c0) FROM grid");
    same("SELECT idx / 100, AVG(c1) FROM grid GROUP BY idx / 100");
  }

  @Test @Order(14) void datetime64ColumnsAreTrinoTimestamps() {
    assertThat(trino.execute("DESCRIBE times").getMaterializedRows().stream()
        .map(r -> r.getField(0) + " " + r.getField(1)).toList())
        .containsExactly("idx bigint", "val timestamp(3)");
    List<Object> expected = new ArrayList<>();
    for (long ms : TIMES_MS) {
      expected.add(ms == Long.MIN_VALUE ? null
          : java.time.LocalDateTime.ofInstant(java.time.Instant.ofEpochMilli(ms), java.time.ZoneOffset.UTC));
    }
    List<Object> actual = trino.execute("SELECT val FROM times ORDER BY idx").getMaterializedRows().stream()
        .map(r -> r.getField(0)).toList();
    assertThat(actual).isEqualTo(expected);
    assertThat(trino.execute("SELECT idx FROM times WHERE val > TIMESTAMP '2000-01-01 00:00:00'").getOnlyValue())
        .isEqualTo(1L);
  }

  @Test @Order(13) void aGapBetweenShardsIsAnError() {
    assertThatThrownBy(() -> trino.execute("SELECT COUNT(*) FROM gappy"))
        .hasMessageContaining("shard 2 of gappy (table series on server s3) starts at idx 22345")
        .hasMessageContaining("shard 1 ends at 10000");
  }

  // ------------------------------------------------ what is pushed

  @Test @Order(10) void explainShowsThePushdown() {
    assertThat(explain("SELECT idx, val FROM series WHERE idx BETWEEN 9990 AND 10010"))
        .contains("mmapsql:series idx=[[9990, 10011)]");
    assertThat(explain("SELECT val FROM series WHERE idx IN (3, 7)"))
        .contains("mmapsql:series idx=[[3, 4), [7, 8)]");
    System.out.println(explain("SELECT SUM(val), COUNT(*) FROM series WHERE idx < 15000"));
    assertThat(explain("SELECT SUM(val), COUNT(*) FROM series WHERE idx < 15000"))
        .contains("mmapsql:series idx=[[0, 15000)] aggregates=[sum(val), count(*)] per shard")
        .doesNotContain("Aggregate[");
    assertThat(explain("SELECT idx FROM series LIMIT 5")).contains("mmapsql:series idx=all limit=5");
    assertThat(explain("SELECT SUM(val * 2) FROM series")).contains("Aggregate").doesNotContain("aggregates=");
    assertThat(explain("SELECT idx FROM series WHERE val > 1.5 AND idx < 100"))
        .contains("mmapsql:series idx=[[0, 100)] filter=((\"val\" > 1.5E0))");
    assertThat(explain("SELECT COUNT(*) FROM series WHERE val BETWEEN -1 AND 1"))
        .contains("filter=((\"val\" >= -1.0E0 AND \"val\" <= 1.0E0)) aggregates=[count(*)] per shard");
    assertThat(explain("SELECT idx / 1000 AS b, MIN(val), MAX(val), AVG(val) FROM series GROUP BY idx / 1000"))
        .contains("aggregates=[min(val), max(val), avg(val)] group by idx/1000 per shard")
        .doesNotContain("Aggregate[");
  }

  @Test @Order(12) void downsamplingMovesOneRowPerBucketAndShard() throws SQLException {
    long before = plugin.traffic().rows();
    same("SELECT idx / 1000 AS b, MIN(val), MAX(val), AVG(val) FROM series GROUP BY idx / 1000");
    // 10 buckets from shard 1, 13 from shard 2 (10..22), 8 from shard 3 (22..29): bucket 22 comes from two
    assertThat(plugin.traffic().rows() - before).isEqualTo(31);
    before = plugin.traffic().rows();
    same("SELECT idx FROM series WHERE val > 1.8");
    assertThat(plugin.traffic().rows() - before).isEqualTo(h2Long("SELECT COUNT(*) FROM series WHERE val > 1.8"));
  }

  @Test @Order(11) void aggregatePushdownMovesOneRowPerShard() throws SQLException {
    long before = plugin.traffic().rows();
    long bytesBefore = plugin.traffic().bytes();
    long t0 = System.nanoTime();
    Object pushed = trino.execute("SELECT SUM(val) FROM series").getOnlyValue();
    long pushedMs = (System.nanoTime() - t0) / 1_000_000;
    long pushedRows = plugin.traffic().rows() - before;
    long pushedBytes = plugin.traffic().bytes() - bytesBefore;

    before = plugin.traffic().rows();
    bytesBefore = plugin.traffic().bytes();
    t0 = System.nanoTime();
    Object scanned = trino.execute("SELECT SUM(val + 0) FROM series").getOnlyValue();
    long scannedMs = (System.nanoTime() - t0) / 1_000_000;
    long scannedRows = plugin.traffic().rows() - before;
    long scannedBytes = plugin.traffic().bytes() - bytesBefore;

    assertThat(pushedRows).isEqualTo(3);
    assertThat(scannedRows).isEqualTo(N);
    assertThat((Double) pushed).isCloseTo(h2Double("SELECT SUM(val) FROM series"), org.assertj.core.data.Offset.offset(1e-6));
    assertThat((Double) scanned).isCloseTo((Double) pushed, org.assertj.core.data.Offset.offset(1e-6));
    System.out.printf("SUM(val) over %d rows in 3 shards: pushed %d rows / %d bytes in %d ms;"
        + " not pushed %d rows / %d bytes in %d ms%n",
        N, pushedRows, pushedBytes, pushedMs, scannedRows, scannedBytes, scannedMs);

    // the same aggregate on one server holding all rows, through Trino; and the CPU each server spent
    for (String table : List.of("series", "whole", "series", "whole")) {
      long[] cpu = cluster.servers.stream().mapToLong(p -> p.cpu().toMillis()).toArray();
      t0 = System.nanoTime();
      Object sum = trino.execute("SELECT SUM(val), COUNT(*), MAX(val) FROM " + table).getMaterializedRows().get(0).getField(0);
      long ms = (System.nanoTime() - t0) / 1_000_000;
      StringBuilder work = new StringBuilder();
      for (int i = 0; i < cpu.length; i++) {
        work.append(" s").append(i + 1).append('=').append(cluster.servers.get(i).cpu().toMillis() - cpu[i]).append("ms");
      }
      assertThat((Double) sum).isCloseTo((Double) pushed, org.assertj.core.data.Offset.offset(1e-6));
      System.out.printf("SUM/COUNT/MAX over %s (%s): %d ms wall; server CPU%s%n", table,
          table.equals("whole") ? "one server" : "3 shards", ms, work);
    }
  }

  // ------------------------------------------------ writes

  @Test @Order(20) void insertAppendsToTheLastShard() throws Exception {
    long last = ShardCluster.count(cluster.servers.get(2), "series");
    trino.execute("INSERT INTO series(val) VALUES (1.5), (2.5), (-3.25)");
    try (Statement s = h2.createStatement()) {
      s.execute("INSERT INTO series VALUES (30000, 1.5), (30001, 2.5), (30002, -3.25)");
    }
    assertThat(ShardCluster.count(cluster.servers.get(2), "series")).isEqualTo(last + 3);
    assertThat(ShardCluster.count(cluster.servers.get(0), "series")).isEqualTo(10_000);
    same("SELECT idx, val FROM series WHERE idx >= 29998");
    same("SELECT COUNT(*), SUM(val) FROM series");
  }

  @Test @Order(22) void insertAppendsWholeRowsOfATwoDimensionalArray() throws Exception {
    trino.execute("INSERT INTO grid(c0, c1, c2) VALUES (REAL '1.5', REAL '2.25', REAL '-3'), (REAL '4', REAL '5', REAL '6')");
    try (Statement s = h2.createStatement()) {
      s.execute("INSERT INTO grid VALUES (500, 1.5, 2.25, -3), (501, 4, 5, 6)");
    }
    assertThat(ShardCluster.count(cluster.servers.get(1), "grid")).isEqualTo(GRID_ROWS - 200 + 2);
    same("SELECT idx, c0, c1, c2 FROM grid WHERE idx >= 498");
    // a row without every column would need a NULL the file cannot hold: refused, nothing appended
    assertThatThrownBy(() -> trino.execute("INSERT INTO grid(c0) VALUES (REAL '7')")).hasMessageContaining("grid");
    same("SELECT COUNT(*) FROM grid");
  }

  @Test @Order(21) void otherWritesAreRefused() {
    assertThatThrownBy(() -> trino.execute("INSERT INTO series(idx, val) VALUES (5, 1.0)"))
        .hasMessageContaining("idx is the position the append gives");
    assertThatThrownBy(() -> trino.execute("DELETE FROM series WHERE idx > 5"))
        .hasMessageContaining("does not support");
    assertThatThrownBy(() -> trino.execute("UPDATE series SET val = 0 WHERE idx = 5"))
        .hasMessageContaining("does not support");
    assertThatThrownBy(() -> trino.execute("CREATE TABLE other(idx BIGINT, val DOUBLE)"))
        .hasMessageContaining("does not support");
  }

  // ------------------------------------------------ a server down

  @Test @Order(30) void aStoppedServerFailsTheQueryNamingTheShard() {
    cluster.servers.get(1).close();
    for (String sql : List.of("SELECT SUM(val) FROM series", "SELECT idx, val FROM series",
        "SELECT val FROM series WHERE idx = 5")) {
      assertThatThrownBy(() -> trino.execute(sql))
          .hasMessageContaining("shard 2 of series (table series on server s2)")
          .hasMessageContaining(cluster.servers.get(1).url());
    }
  }

  // ------------------------------------------------ helpers

  private static byte[] doubles(double[] v, int from, int n) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putDouble(v[from + i]);
    }
    return b.array();
  }

  private static byte[] longs(long... v) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(v.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (long x : v) {
      b.putLong(x);
    }
    return b.array();
  }

  private static byte[] floats(float[][] rows, int from, int n) {
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(n * 12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (int r = from; r < from + n; r++) {
      for (float f : rows[r]) {
        b.putFloat(f);
      }
    }
    return b.array();
  }

  private String explain(String sql) {
    return (String) trino.execute("EXPLAIN " + sql).getOnlyValue();
  }

  /** The same statement on Trino and on H2 gives the same rows (as a multiset; doubles to 1e-9). */
  private void same(String sql) throws SQLException {
    same(sql, sql);
  }

  /** The statement {@code h2Sql} on H2 gives the rows {@code trinoSql} gives on Trino. */
  private void same(String h2Sql, String trinoSql) throws SQLException {
    String sql = trinoSql;
    MaterializedResult r = trino.execute(trinoSql);
    List<List<Object>> actual = new ArrayList<>();
    for (MaterializedRow row : r.getMaterializedRows()) {
      actual.add(new ArrayList<>(row.getFields()));
    }
    List<List<Object>> expected = new ArrayList<>();
    try (Statement s = h2.createStatement(); ResultSet rs = s.executeQuery(h2Sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        expected.add(row);
      }
    }
    actual.sort(ROWS);
    expected.sort(ROWS);
    assertThat(actual).as(sql).hasSameSizeAs(expected);
    for (int i = 0; i < actual.size(); i++) {
      List<Object> a = actual.get(i);
      List<Object> e = expected.get(i);
      assertThat(a).as(sql + " row " + i).hasSameSizeAs(e);
      for (int c = 0; c < a.size(); c++) {
        Object x = a.get(c);
        Object y = e.get(c);
        if (x instanceof Number xn && y instanceof Number yn && (x instanceof Double || y instanceof Double
            || x instanceof Float || y instanceof Float)) {
          double tolerance = (x instanceof Float || y instanceof Float ? 1e-5 : 1e-9)
              * Math.max(1, Math.abs(yn.doubleValue()));
          assertThat(xn.doubleValue()).as(sql + " row " + i + " column " + (c + 1))
              .isCloseTo(yn.doubleValue(), org.assertj.core.data.Offset.offset(tolerance));
        } else if (x instanceof Number xn && y instanceof Number yn) {
          assertThat(xn.longValue()).as(sql + " row " + i + " column " + (c + 1)).isEqualTo(yn.longValue());
        } else {
          assertThat(x).as(sql + " row " + i + " column " + (c + 1)).isEqualTo(y);
        }
      }
    }
  }

  /** Rows in a fixed order, numbers by value, so that rounding in the last digits cannot reorder them. */
  private static final Comparator<List<Object>> ROWS = (a, b) -> {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      Object x = a.get(i);
      Object y = b.get(i);
      int c = x == null || y == null ? Boolean.compare(x == null, y == null)
          : x instanceof Number xn && y instanceof Number yn ? Double.compare(round(xn), round(yn))
          : x.toString().compareTo(y.toString());
      if (c != 0) {
        return c;
      }
    }
    return Integer.compare(a.size(), b.size());
  };

  private static double round(Number n) {
    return Math.round(n.doubleValue() * 1e6) / 1e6;
  }

  private long h2Long(String sql) throws SQLException {
    try (Statement s = h2.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private double h2Double(String sql) throws SQLException {
    try (Statement s = h2.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getDouble(1);
    }
  }
}
