package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.function.LongPredicate;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Predicates on idx become positional access (EXPLAIN shows {@code MmapTableScan}
 * with {@code idx=[...]}, and no filter or join above it); COUNT(*) reads the
 * length; MMAP, UNMAP and VPOP run at execution, once per execution, never
 * while planning.
 */
class PlanTest {
  private static final int N = 100;
  private static final String IN_30 = LongStream.range(0, 30).map(i -> i * 3 + 1)
      .mapToObj(Long::toString).collect(Collectors.joining(", "));

  @TempDir Path dir;
  private TestDb db;

  @BeforeEach void setUp() throws SQLException {
    db = TestDb.open(dir);
    db.mmap("t", "t.mmap");
    double[] v = new double[N];
    for (int i = 0; i < N; i++) {
      v[i] = i * 10;
    }
    db.append("t", v);
  }

  @AfterEach void tearDown() throws SQLException {
    db.close();
  }

  private String plan(String sql, Object... params) throws SQLException {
    return db.rows("EXPLAIN PLAN FOR " + sql, params).stream()
        .map(r -> String.valueOf(r.get(0))).collect(Collectors.joining("\n"));
  }

  /** The plan reads t positionally: an idx= scan, nothing filtering or joining rows above it. */
  private static void assertPositional(String plan) {
    assertTrue(plan.contains("MmapTableScan(table=[[mmap, t]], idx=["), () -> "no positional scan in\n" + plan);
    for (String bad : List.of("Filter", "$condition", "Join", "Values", "Correlate")) {
      assertFalse(plan.contains(bad), () -> "'" + bad + "' in a positional plan:\n" + plan);
    }
  }

  static Stream<Arguments> idxPredicates() {
    return Stream.of(
        predicate("idx = 5", i -> i == 5),
        predicate("5 = idx", i -> i == 5),
        predicate("idx = 500", i -> false),
        predicate("idx IN (1, 3, 5, 200)", i -> i == 1 || i == 3 || i == 5),
        predicate("idx IN (" + IN_30 + ")", i -> i % 3 == 1 && i < 90),
        predicate("idx BETWEEN 10 AND 19", i -> i >= 10 && i <= 19),
        predicate("idx < 3", i -> i < 3),
        predicate("idx <= 3", i -> i <= 3),
        predicate("idx >= 95", i -> i >= 95),
        predicate("idx > 95", i -> i > 95),
        predicate("idx >= 10 AND idx < 15", i -> i >= 10 && i < 15),
        predicate("idx < 2 OR idx >= 98", i -> i < 2 || i >= 98),
        predicate("(idx = 1 OR idx = 50) AND idx < 10", i -> i == 1),
        predicate("idx IN (" + IN_30 + ") OR idx BETWEEN 90 AND 92", i -> i % 3 == 1 && i < 90 || i >= 90 && i <= 92),
        predicate("(idx < 5 OR idx > 90) AND (idx >= 3 OR idx = 0)", i -> (i < 5 || i > 90) && (i >= 3 || i == 0)));
  }

  private static Arguments predicate(String sql, LongPredicate expected) {
    return Arguments.of(sql, expected);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("idxPredicates")
  void idxPredicateIsPositionalAndRight(String where, LongPredicate expected) throws SQLException {
    String sql = "SELECT idx, val FROM t WHERE " + where;
    assertPositional(plan(sql));
    List<Long> want = LongStream.range(0, N).filter(expected).boxed().toList();
    List<List<Object>> rows = db.rows(sql + " ORDER BY idx");
    assertEquals(want, rows.stream().map(r -> ((Number) r.get(0)).longValue()).toList(), sql);
    for (List<Object> r : rows) {
      assertEquals(((Number) r.get(0)).longValue() * 10.0, ((Number) r.get(1)).doubleValue());
    }
    // the same predicate counts without reading, and writes positionally
    String count = plan("SELECT COUNT(*) FROM t WHERE " + where);
    assertTrue(count.contains("MmapAggregate(table=[[mmap, t]], idx=["), () -> "no MmapAggregate with idx in\n" + count);
    assertEquals((long) want.size(), db.longValue("SELECT COUNT(*) FROM t WHERE " + where));
    assertPositional(plan("UPDATE t SET val = val + 1 WHERE " + where));
    assertPositional(plan("DELETE FROM t WHERE " + where));
  }

  @Test void parametersArePositionalToo() throws SQLException {
    assertPositional(plan("SELECT idx, val FROM t WHERE idx = ?", 7L));
    assertPositional(plan("SELECT idx, val FROM t WHERE idx BETWEEN ? AND ?", 3L, 6L));
    assertPositional(plan("SELECT idx, val FROM t WHERE idx >= ? AND idx < ?", 3L, 6L));
    assertPositional(plan("SELECT idx, val FROM t WHERE idx IN (?, ?, ?)", 1L, 2L, 3L));
    assertPositional(plan("UPDATE t SET val = ? WHERE idx = ?", 1.0, 7L));
    assertEquals(List.of(List.of(7L, 70.0)), db.rows("SELECT idx, val FROM t WHERE idx = ?", 7L));
    assertEquals(3, db.rows("SELECT idx FROM t WHERE idx BETWEEN ? AND ?", 3L, 5L).size());
    assertEquals(List.of(), db.rows("SELECT idx FROM t WHERE idx = ?", (Object) null));
    // one prepared statement, executed with different parameters, reads different positions
    try (PreparedStatement ps = db.conn.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
      for (long i : new long[] {0, 42, 99, 100, -1}) {
        ps.setLong(1, i);
        try (ResultSet rs = ps.executeQuery()) {
          List<List<Object>> rows = TestDb.drain(rs);
          assertEquals(i >= 0 && i < N ? List.of(List.of(i * 10.0)) : List.of(), rows, "idx = " + i);
        }
      }
    }
  }

  @Test void otherConditionsStayAboveThePositionalScan() throws SQLException {
    String p = plan("SELECT idx, val FROM t WHERE idx BETWEEN 10 AND 20 AND val > 150");
    assertTrue(p.contains("MmapTableScan(table=[[mmap, t]], idx=["), p);
    assertFalse(p.contains("$t0"), () -> "the idx condition should not be re-checked above the scan:\n" + p);
    assertEquals(5, db.rows("SELECT idx FROM t WHERE idx BETWEEN 10 AND 20 AND val > 150").size());
  }

  /** A DELETE of an idx range cuts the file without reading rows; with another filter it reads them. */
  @Test void deleteOfAnIdxRangeTruncatesWithoutReading() throws SQLException {
    for (String sql : List.of("DELETE FROM t WHERE idx >= 90", "DELETE FROM t WHERE idx > 89 AND idx < 1000",
        "DELETE FROM t")) {
      String p = plan(sql);
      assertTrue(p.contains("truncate=[true]"), () -> sql + ":\n" + p);
    }
    String filtered = plan("DELETE FROM t WHERE idx >= 90 AND val > 0");
    assertFalse(filtered.contains("truncate=[true]"), filtered);
    assertEquals(10, db.update("DELETE FROM t WHERE idx >= 90"));
    assertEquals(N - 10L, db.count("t"));
    assertEquals(N - 10, db.update("DELETE FROM t"));
    assertEquals(0L, db.count("t"));
  }

  @Test void countStarReadsTheLength() throws SQLException {
    for (String sql : List.of("SELECT COUNT(*) FROM t", "SELECT COUNT(*) AS n FROM t", "SELECT COUNT(1) FROM t")) {
      String p = plan(sql);
      assertTrue(p.contains("MmapAggregate(table=[[mmap, t]]"), () -> sql + ":\n" + p);
      assertFalse(p.contains("MmapTableScan"), () -> sql + ":\n" + p);
      assertEquals((long) N, db.longValue(sql));
    }
    String p = plan("SELECT COUNT(*), COUNT(*) FROM t");
    assertTrue(p.contains("MmapAggregate"), p);
    assertEquals(List.of(List.of((long) N, (long) N)), db.rows("SELECT COUNT(*), COUNT(*) FROM t"));
    db.append("t", 1.0);
    assertEquals(N + 1L, db.count("t"));
  }

  // ------------------------------------------------------------ functions with side effects

  @Test void preparingVpopPopsNothingAndEachExecutionPopsOnce() throws SQLException {
    try (PreparedStatement ps = db.conn.prepareStatement("SELECT VPOP('t')")) {
      assertEquals((long) N, db.count("t"), "prepared, not executed");
      assertEquals(List.of(List.of(990.0)), TestDb.drain(ps.executeQuery()));
      assertEquals(N - 1L, db.count("t"));
      assertEquals(List.of(List.of(980.0)), TestDb.drain(ps.executeQuery()));
      assertEquals(N - 2L, db.count("t"));
    }
    // the same text again through plain statements: planned again or not, it runs again
    assertEquals(970.0, db.scalar("SELECT VPOP('t')"));
    assertEquals(960.0, db.scalar("SELECT VPOP('t')"));
    assertEquals(N - 4L, db.count("t"));
  }

  @Test void explainRunsNothing() throws SQLException {
    for (String sql : List.of("SELECT VPOP('t')", "SELECT MMAP('x', 'x.mmap')", "SELECT UNMAP('t')",
        "VALUES MMAP('y', 'y.mmap')")) {
      String p = plan(sql);
      assertTrue(p.contains("MAP(") || p.contains("VPOP("), () -> sql + ":\n" + p);
    }
    assertEquals((long) N, db.count("t"));
    assertEquals(List.of("t"), names());
    assertFalse(Files.exists(dir.resolve("x.mmap")));
    assertFalse(Files.exists(dir.resolve("y.mmap")));
  }

  @Test void preparingMmapAndUnmapChangesNothingUntilExecuted() throws SQLException {
    try (PreparedStatement map = db.conn.prepareStatement("SELECT MMAP('x', 'x.mmap')");
         PreparedStatement unmap = db.conn.prepareStatement("SELECT UNMAP('x')")) {
      assertEquals(List.of("t"), names());
      assertFalse(Files.exists(dir.resolve("x.mmap")), "preparing MMAP created the file");
      assertEquals(0L, ((Number) TestDb.drain(map.executeQuery()).get(0).get(0)).longValue());
      assertEquals(List.of("t", "x"), names());
      assertEquals(1, ((Number) TestDb.drain(unmap.executeQuery()).get(0).get(0)).intValue());
      assertEquals(0, ((Number) TestDb.drain(unmap.executeQuery()).get(0).get(0)).intValue(), "second UNMAP");
      assertEquals(List.of("t"), names());
      assertTrue(Files.exists(dir.resolve("x.mmap")), "UNMAP keeps the file");
      // re-executing MMAP binds again
      TestDb.drain(map.executeQuery());
      assertEquals(List.of("t", "x"), names());
    }
    assertEquals(0L, db.longValue("VALUES MMAP('v', 'v.mmap')"));
    assertEquals(List.of("t", "v", "x"), names());
  }

  @Test void vpopOfEmptyTableIsNull() throws SQLException {
    db.mmap("e", "e.mmap");
    assertNull(db.scalar("SELECT VPOP('e')"));
    assertNull(db.scalar("SELECT VPOP('E')"));
    assertEquals(0L, db.count("e"));
  }

    @Test void executingWithoutReadingStillRunsOnce() throws SQLException {
    try (Statement s = db.conn.createStatement()) {
      s.execute("SELECT VPOP('t')");
    }
    assertEquals(N - 1L, db.count("t"));
    try (Statement s = db.conn.createStatement()) {
      s.execute("SELECT MMAP('x', 'x.mmap')");
    }
    assertEquals(List.of("t", "x"), names());
  }

  /** Calcite computes equal expressions once, so the same call twice is refused, not run once. */
  @Test void theSameCallTwiceInOneStatementIsRefused() throws SQLException {
    TestDb.fails(db.conn, "SELECT VPOP('t') AS a, VPOP('t') AS b", "appears twice");
    assertEquals(N, db.count("t"), "nothing popped");
  }

  private List<String> names() throws SQLException {
    return db.rows("SELECT name FROM sys.mappings ORDER BY name").stream()
        .map(r -> (String) r.get(0)).toList();
  }
}
