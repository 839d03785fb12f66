package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.PlanCache;

/**
 * The plan cache: statements that differ only in numbers share a plan and
 * still give their own answers (H2, holding the same rows, is the oracle);
 * a rebinding is never answered from a plan made before it; writes and
 * statements with side effects run every time.
 */
class PlanCacheTest {
  private static final double[] VALUES = {0.1, 1.5, 2.0, -3.25, 0.1, 7.0, 1e300, 0.5};

  @TempDir Path dir;
  private TestDb mm;
  private Connection h2;

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    mm.mmap("t", "t.f8");
    mm.append("t", VALUES);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    TestDb.update(h2, "CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE)");
    for (int i = 0; i < VALUES.length; i++) {
      TestDb.update(h2, "INSERT INTO t VALUES (?, ?)", (long) i, VALUES[i]);
    }
  }

  @AfterEach void tearDown() throws SQLException {
    mm.close();
    h2.close();
  }

  private PlanCache cache() throws SQLException {
    return PlanCache.of(mm.conn);
  }

  /** Runs {@code sql} through a Statement on both engines and compares the rows. */
  private List<List<Object>> same(String sql) throws SQLException {
    List<List<Object>> want = statementRows(h2, sql);
    List<List<Object>> got = statementRows(mm.conn, sql);
    assertEquals(want, got, sql);
    return got;
  }

  /**
   * Runs {@code sql} with the cache and on a connection without it, where
   * H2's answer is not Calcite's (a DOUBLE compared with a decimal literal).
   */
  private void sameAsUncached(String sql) throws SQLException {
    try (TestDb fresh = TestDb.open(dir, ";planCache=false")) {
      assertEquals(statementRows(fresh.conn, sql), statementRows(mm.conn, sql), sql);
    }
  }

  private static List<List<Object>> statementRows(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      return TestDb.drain(s.executeQuery(sql));
    }
  }

  @Test void aStatementAgainIsAnsweredFromTheCache() throws SQLException {
    same("SELECT COUNT(*) FROM t");
    long hits = cache().hits();
    long misses = cache().misses();
    for (int i = 0; i < 3; i++) {
      same("SELECT COUNT(*) FROM t");
    }
    assertEquals(hits + 3, cache().hits());
    assertEquals(misses, cache().misses());
  }

  @Test void statementsThatDifferInANumberShareAPlanAndGiveTheirOwnAnswers() throws SQLException {
    assertEquals(List.of(List.of(1.5)), same("SELECT val FROM t WHERE idx = 1"));
    long hits = cache().hits();
    assertEquals(List.of(List.of(-3.25)), same("SELECT val FROM t WHERE idx = 3"));
    assertEquals(List.of(), same("SELECT val FROM t WHERE idx = 30"));
    same("SELECT idx FROM t WHERE val > 1 AND idx BETWEEN 1 AND 6 ORDER BY idx");
    same("SELECT idx FROM t WHERE val > 2 AND idx BETWEEN 0 AND 7 ORDER BY idx");
    same("SELECT idx, val FROM t WHERE idx IN (0, 2, 4) ORDER BY idx");
    same("SELECT idx, val FROM t WHERE idx IN (1, 3, 5) ORDER BY idx");
    assertEquals(hits + 4, cache().hits());
    // Another connection on the directory shares the plans.
    try (Connection other = mm.connect(); Statement s = other.createStatement()) {
      assertEquals(List.of(List.of(7.0)), TestDb.drain(s.executeQuery("SELECT val FROM t WHERE idx = 5")));
    }
    assertEquals(hits + 5, cache().hits());
  }

  @Test void aNumberIsBoundOnlyWhereItsValueIsExact() throws SQLException {
    // Each group has one shape; every answer must be the literal statement's (H2's).
    String[][] groups = {
        {"idx = 2", "idx = 2.5", "idx = 2.0", "idx = 2e0", "idx = 25e-1",
            "idx = 9223372036854775807", "idx = -1"},
        {"idx < 3", "idx < 2.5", "idx < 2.000000000000000001", "idx <= 2.9", "idx > -1", "idx > -0.5"},
        {"val > 0", "val > 0.1", "val > 0.5", "val = 0.1", "val = 0.5", "val < 1e300", "val < 1e301",
            "val > 1E-1"},
        {"idx IN (1, 2)", "idx IN (1, 2.5)", "idx IN (1.5, 2.0)"},
        {"val * 2 > 3", "val * 2 > 3.0", "val * 2 > 0.2", "val + 1 > 1.1", "idx + 1 = 3", "idx / 2 = 1"},
    };
    for (String[] group : groups) {
      for (int pass = 0; pass < 2; pass++) {
        for (String where : group) {
          same("SELECT idx, val FROM t WHERE " + where + " ORDER BY idx");
        }
      }
    }
    // Literals whose value a double does not hold: Calcite compares in DOUBLE (H2 does not).
    String[] inexact = {"val >= 0.5", "val >= 0.10000000000000001", "val >= 0.1", "val < 0.10000000000000001",
        "val >= 1e-1", "val >= 0.5"};
    for (String where : inexact) {
      sameAsUncached("SELECT idx, val FROM t WHERE " + where + " ORDER BY idx");
    }
  }

  /** Review finding 5: {@code 9007199254740992e0} is a DOUBLE to Calcite, never an exact BIGINT or DECIMAL parameter. */
  @Test void anExponentLiteralStaysApproximate() throws SQLException {
    mm.scalar("SELECT MMAP('tl', 'tl.i8', 'i8')");
    mm.scalar("SELECT MMAP('tu', 'tu.u8', 'u8')");
    mm.update("INSERT INTO tl(val) VALUES (9007199254740993), (5)");
    mm.update("INSERT INTO tu(val) VALUES (18446744073709551615), (5)");
    for (int pass = 0; pass < 2; pass++) {
      for (String sql : List.of("SELECT COUNT(*) FROM tl WHERE val = 5e0",
          "SELECT COUNT(*) FROM tl WHERE val = 9007199254740992e0", "SELECT idx FROM tl WHERE val = 9007199254740992e0",
          "SELECT COUNT(*) FROM tl WHERE val >= 9007199254740994e0", "SELECT COUNT(*) FROM tl WHERE idx = 0e0",
          "SELECT COUNT(*) FROM tu WHERE val = 5e0", "SELECT COUNT(*) FROM tu WHERE val = 18446744073709551614e0")) {
        sameAsUncached(sql);
      }
    }
  }

  /** Review finding 11: a negative number is one parameter, sign included; a minus that subtracts stays as it is. */
  @Test void negativeNumbersShareAPlan() throws SQLException {
    same("SELECT idx FROM t WHERE val > -1 ORDER BY idx");
    long hits = cache().hits();
    same("SELECT idx FROM t WHERE val > -4 ORDER BY idx");
    same("SELECT idx FROM t WHERE val > 0 ORDER BY idx");
    assertEquals(hits + 2, cache().hits(), "-4 and 0 bound to the plan of -1");
    same("SELECT idx FROM t WHERE idx BETWEEN -1 AND 3 AND val <> -3.25 ORDER BY idx");
    hits = cache().hits();
    same("SELECT idx FROM t WHERE idx BETWEEN -5 AND 6 AND val <> -0.5 ORDER BY idx");
    assertEquals(hits + 1, cache().hits());
    for (int pass = 0; pass < 2; pass++) {
      for (String sql : List.of("SELECT idx FROM t WHERE idx-1 > 2 ORDER BY idx", "SELECT idx FROM t WHERE idx -1 > 3 ORDER BY idx",
          "SELECT idx FROM t WHERE 5-3 = idx ORDER BY idx", "SELECT idx FROM t WHERE 6 -3 = idx ORDER BY idx",
          "SELECT idx FROM t WHERE idx = 7 - -1 -2 ORDER BY idx", "SELECT idx FROM t WHERE val*-1 < -1 ORDER BY idx",
          "SELECT idx FROM t WHERE (-1) < val --1\n ORDER BY idx", "SELECT idx FROM t WHERE val - -2 > 3 ORDER BY idx",
          "SELECT idx, -1 FROM t WHERE idx < -1 + 3 ORDER BY idx", "SELECT idx, -2 FROM t WHERE idx < -2 + 5 ORDER BY idx",
          "SELECT idx FROM t WHERE idx IN (-1, 2, -3) ORDER BY idx")) {
        same(sql);
      }
    }
  }

  /**
   * Review finding 10: a number the parameterized plan cannot hold exactly (0.13 in a DOUBLE) is planned once,
   * as written, not first again with parameters; and such plans never push the parameterized one out.
   */
  @Test void inexactNumbersArePlannedOnceAndKeepTheParameterizedPlan() throws SQLException {
    sameAsUncached("SELECT idx FROM t WHERE val > 0.5 ORDER BY idx");
    int[] parses = {0};
    try (org.apache.calcite.runtime.Hook.Closeable ignored =
        org.apache.calcite.runtime.Hook.PARSE_TREE.addThread((java.util.function.Consumer<Object>) x -> parses[0]++)) {
      for (int i = 0; i < 20; i++) {
        int before = parses[0];
        String sql = "SELECT idx FROM t WHERE val > 0.13" + i + " ORDER BY idx"; // no 0.13... is a binary fraction
        sameAsUncached(sql);
        assertEquals(before + 2, parses[0], () -> sql + ": planned once here and once without the cache");
      }
    }
    long hits = cache().hits();
    sameAsUncached("SELECT idx FROM t WHERE val > 0.25 ORDER BY idx");
    assertEquals(hits + 1, cache().hits(), "the parameterized plan is still cached");
  }

  @Test void numbersOutsideWhereStayPartOfThePlan() throws SQLException {
    for (int pass = 0; pass < 2; pass++) {
      same("SELECT idx FROM t ORDER BY idx LIMIT 2");
      same("SELECT idx FROM t ORDER BY idx LIMIT 3");
      same("SELECT idx FROM t ORDER BY idx LIMIT 2 OFFSET 1");
      same("SELECT idx, val FROM t ORDER BY 2, 1");
      same("SELECT idx, val FROM t ORDER BY 1 DESC");
      same("SELECT idx / 2 AS b, COUNT(*) FROM t GROUP BY idx / 2 ORDER BY b");
      same("SELECT idx / 3 AS b, COUNT(*) FROM t GROUP BY idx / 3 ORDER BY b");
      same("SELECT idx * 2, val + 1 FROM t WHERE idx < 3 ORDER BY idx");
      same("SELECT idx * 3, val + 2 FROM t WHERE idx < 4 ORDER BY idx");
      same("SELECT COUNT(*) FROM t WHERE idx < 4 HAVING COUNT(*) > 3");
      same("SELECT COUNT(*) FROM t WHERE idx < 4 HAVING COUNT(*) > 4");
      same("SELECT idx FROM t WHERE val > (SELECT MAX(val) - 2 FROM t WHERE idx < 4) ORDER BY idx");
      same("SELECT idx FROM t WHERE val > (SELECT MAX(val) - 3 FROM t WHERE idx < 5) ORDER BY idx");
      same("SELECT idx, COUNT(val) OVER (ORDER BY idx ROWS 1 PRECEDING) FROM t ORDER BY idx");
      same("SELECT idx, COUNT(val) OVER (ORDER BY idx ROWS 2 PRECEDING) FROM t ORDER BY idx");
    }
  }

  @Test void aRebindingIsNeverAnsweredFromAStalePlan() throws SQLException {
    TestDb.writeDoubles(dir.resolve("other.f8"), 10, 20);
    assertEquals(1.5, mm.scalar("SELECT val FROM t WHERE idx = 1"));
    assertEquals(8L, mm.longValue("SELECT COUNT(*) FROM t"));
    assertEquals(1.5, mm.scalar("SELECT val FROM t WHERE idx = 1"));
    mm.longValue("SELECT UNMAP('t')");
    mm.mmap("t", "other.f8");
    assertEquals(20.0, mm.scalar("SELECT val FROM t WHERE idx = 1"));
    assertEquals(2L, mm.longValue("SELECT COUNT(*) FROM t"));
    // Unbound: the statement fails rather than reading the old file.
    mm.longValue("SELECT UNMAP('t')");
    mm.fails("SELECT COUNT(*) FROM t", "T");
    mm.mmap("t", "t.f8");
    assertEquals(8L, mm.longValue("SELECT COUNT(*) FROM t"));
  }

  /**
   * A statement repeated word for word is found by its text alone, but not
   * across what else its plan depends on: the default schema, the row limit.
   */
  @Test void aStatementRepeatedWordForWordKeepsItsSchemaAndRowLimit() throws SQLException {
    String sql = "SELECT idx FROM t ORDER BY idx";
    try (Statement s = mm.conn.createStatement()) {
      for (int i = 0; i < 3; i++) {
        assertEquals(8, TestDb.drain(s.executeQuery(sql)).size());
      }
      long hits = cache().hits();
      assertEquals(8, TestDb.drain(s.executeQuery(sql)).size());
      assertEquals(hits + 1, cache().hits());
      s.setMaxRows(2);
      assertEquals(List.of(List.of(0L), List.of(1L)), TestDb.drain(s.executeQuery(sql)));
      assertEquals(List.of(List.of(0L), List.of(1L)), TestDb.drain(s.executeQuery(sql)));
      s.setMaxRows(0);
      assertEquals(8, TestDb.drain(s.executeQuery(sql)).size());
    }
    mm.conn.setSchema("sys");
    mm.fails(sql); // sys has no table t
    mm.conn.setSchema("mmap");
    assertEquals(8L, mm.longValue("SELECT COUNT(*) FROM t"));
  }

  @Test void aTypeChangeIsNeverAnsweredFromAStalePlan() throws SQLException, java.io.IOException {
    java.nio.ByteBuffer ints = java.nio.ByteBuffer.allocate(8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    ints.putInt(7).putInt(-8);
    java.nio.file.Files.write(dir.resolve("ints.i4"), ints.array());
    String sql = "SELECT val FROM t WHERE idx = 1";
    assertEquals(1.5, mm.scalar(sql));
    assertEquals(1.5, mm.scalar(sql));
    mm.longValue("SELECT UNMAP('t')");
    mm.scalar("SELECT MMAP('t', 'ints.i4', 'int32')");
    try (Statement s = mm.conn.createStatement(); java.sql.ResultSet rs = s.executeQuery(sql)) {
      assertEquals(java.sql.Types.INTEGER, rs.getMetaData().getColumnType(1));
      rs.next();
      assertEquals(-8, rs.getObject(1));
    }
    assertEquals(2L, mm.longValue("SELECT COUNT(*) FROM t"));
    assertEquals(-1L, ((Number) mm.scalar("SELECT SUM(val) FROM t")).longValue());
  }

  @Test void statementsWithSideEffectsAndWritesRunEveryTime() throws SQLException {
    assertEquals(0.5, mm.scalar("SELECT VPOP('t')"));
    assertEquals(1e300, mm.scalar("SELECT VPOP('t')"));
    assertEquals(1, mm.update("UPDATE t SET val = val + 1 WHERE idx = 0"));
    assertEquals(1, mm.update("UPDATE t SET val = val + 1 WHERE idx = 0"));
    assertEquals(2.1, (double) mm.scalar("SELECT val FROM t WHERE idx = 0"), 1e-12);
    assertEquals(6L, mm.longValue("SELECT COUNT(*) FROM t"));
  }

  @Test void withoutTheCacheEveryStatementIsPlanned() throws SQLException {
    try (TestDb fresh = TestDb.open(dir, ";planCache=false")) {
      long hits = cache().hits();
      long misses = cache().misses();
      assertEquals(8L, fresh.longValue("SELECT COUNT(*) FROM t"));
      assertEquals(8L, fresh.longValue("SELECT COUNT(*) FROM t"));
      assertEquals(hits, cache().hits());
      assertEquals(misses, cache().misses());
    }
  }

  /** Review finding 9: a directory's plans go when its last connection closes. */
  @Test void aClosedDirectoryKeepsNoPlans() throws SQLException {
    int before = PlanCache.directories();
    for (int i = 0; i < 5; i++) {
      try (TestDb other = TestDb.open(dir.resolve("other" + i))) {
        assertEquals(1L, other.longValue("SELECT 1"));
        assertEquals(before + 1, PlanCache.directories());
      }
      assertEquals(before, PlanCache.directories(), "plans of a closed directory kept");
    }
  }

  @Test void aReadOnlyConnectionHasItsOwnPlans() throws SQLException {
    same("SELECT val FROM t WHERE idx = 2");
    try (TestDb ro = TestDb.open(dir, ";readonly=true")) {
      long misses = PlanCache.of(ro.conn).misses();
      assertEquals(2.0, ro.scalar("SELECT val FROM t WHERE idx = 2"));
      assertEquals(misses + 1, PlanCache.of(ro.conn).misses());
      ro.fails("SELECT VPOP('t')", "read-only");
    }
  }
}
