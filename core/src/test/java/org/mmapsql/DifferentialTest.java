package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.math.BigDecimal;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Random;
import java.util.StringJoiner;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Random sequences of reads, updates, appends, truncations and aggregates run
 * on two arrays through mmapsql and on two H2 tables {@code (idx BIGINT
 * PRIMARY KEY, val DOUBLE)} that emulate them; every result, update count and,
 * after each write, the file itself must equal H2's.
 *
 * <p>Reproducible: the seed and the number of operations can be changed with
 * {@code -Dmmapsql.diff.seed=...} and {@code -Dmmapsql.diff.ops=...}.
 */
class DifferentialTest {
  private static final long SEED = Long.getLong("mmapsql.diff.seed", 20250611L);
  private static final int OPS = Integer.getInteger("mmapsql.diff.ops", 300);
  private static final String[] TABLES = {"a", "b"};

  @TempDir Path dir;
  private TestDb mm;
  private Connection h2;
  private Random rnd;
  private final Deque<String> history = new ArrayDeque<>();

  /** The mmapsql side: embedded here; a subclass runs the same statements through a server. */
  protected TestDb openMmapsql(Path dataDir) throws SQLException {
    return TestDb.open(dataDir);
  }

  @BeforeEach void setUp() throws SQLException {
    mm = openMmapsql(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    for (String t : TABLES) {
      mm.mmap(t, t + ".mmap");
      TestDb.update(h2, "CREATE TABLE " + t + "(idx BIGINT PRIMARY KEY, val DOUBLE)");
    }
  }

  @AfterEach void tearDown() throws Exception {
    mm.close();
    h2.close();
  }

  @Test void randomSequencesMatchH2() throws SQLException {
    rnd = new Random(SEED);
    // start from some rows so that the first reads have something to find
    for (String t : TABLES) {
      append(t, 20 + rnd.nextInt(30));
    }
    for (int op = 0; op < OPS; op++) {
      String t = rnd.nextInt(4) == 0 ? "b" : "a";
      switch (rnd.nextInt(24)) {
        case 0, 1 -> append(t, 1 + rnd.nextInt(8));
        case 2 -> appendBatch(t);
        case 3 -> insertSelect(t);
        case 4, 5 -> write("UPDATE " + t + " SET val = val * 2 + 1 WHERE " + idxPredicate(t));
        case 6 -> write("UPDATE " + t + " SET val = " + value() + " - val WHERE val > " + value());
        case 7 -> updateCase(t);
        case 8 -> updateBatch(t);
        case 9 -> writePrepared("UPDATE " + t + " SET val = val - ? WHERE idx >= ? AND idx < ?",
            rnd.nextInt(100), (long) idxIn(t), (long) idxIn(t) + rnd.nextInt(20));
        case 10 -> truncate(t);
        case 11 -> vpop(t);
        case 12 -> read("SELECT idx, val FROM " + t + " WHERE idx = " + idxIn(t));
        case 13, 14 -> read("SELECT idx, val FROM " + t + " WHERE " + idxPredicate(t) + " ORDER BY idx");
        case 15 -> readPrepared(t);
        case 16 -> read("SELECT COUNT(*), SUM(val), AVG(val), MIN(val), MAX(val) FROM " + t
            + (rnd.nextBoolean() ? "" : " WHERE " + idxPredicate(t)));
        case 17 -> read("SELECT COUNT(*) FROM " + t + " WHERE " + idxPredicate(t));
        case 18 -> groupBy(t);
        case 19 -> orderBy(t);
        case 20 -> join();
        case 21 -> window(t);
        case 22 -> read("SELECT idx, val FROM " + t + " WHERE val > " + value() + " AND "
            + idxPredicate(t) + " ORDER BY idx");
        case 23 -> {
          if (rnd.nextInt(8) == 0) {
            write("DELETE FROM " + t); // clear: rare, or the arrays stay empty
          } else {
            read("SELECT idx, val FROM " + t + " ORDER BY idx");
          }
        }
        default -> throw new AssertionError();
      }
    }
    for (String t : TABLES) {
      read("SELECT idx, val FROM " + t + " ORDER BY idx");
    }
  }

    @Test void windowOrderedByValKeepsOrderByIdx() throws SQLException {
    rnd = new Random(SEED);
    append("a", 20);
    read("SELECT idx, ROW_NUMBER() OVER (ORDER BY val DESC, idx) FROM a ORDER BY idx");
    read("SELECT idx, val, RANK() OVER (ORDER BY val) FROM a ORDER BY idx");
  }

  @Disabled("bug (Calcite 1.42): VALUES mixing exact and approximate numeric literals fails while"
      + " planning with 'class java.lang.Double cannot be cast to class java.math.BigDecimal', so"
      + " INSERT INTO a(val) VALUES (100.5), (1E300) is refused; SELECT * FROM (VALUES (1.5), (2E0)) too")
  @Test void valuesMixingExactAndApproximateLiterals() throws SQLException {
    assertEquals(2, mm.update("INSERT INTO a(val) VALUES (100.5), (-1.0E300)"));
    assertEquals(2, mm.update("INSERT INTO a(val) VALUES (1E0), (2.5)"));
    assertArrayEquals(new double[] {100.5, -1.0E300, 1, 2.5}, mm.values("a"));
  }

  // ------------------------------------------------------------ writes

  /** A multi-row INSERT ... VALUES; H2 gets the idx values the appends take. */
  private void append(String t, int k) throws SQLException {
    long n = h2Count(t);
    StringJoiner mmRows = new StringJoiner(", ");
    StringJoiner h2Rows = new StringJoiner(", ");
    for (int i = 0; i < k; i++) {
      String v = value();
      mmRows.add("(" + v + ")");
      h2Rows.add("(" + (n + i) + ", " + v + ")");
    }
    String sql = "INSERT INTO " + t + "(val) VALUES " + mmRows;
    log(sql);
    assertEquals(TestDb.update(h2, "INSERT INTO " + t + "(idx, val) VALUES " + h2Rows),
        mm.update(sql), context("update count of " + sql));
    checkState(t);
  }

  /** Appends through a batched PreparedStatement. */
  private void appendBatch(String t) throws SQLException {
    int k = 1 + rnd.nextInt(6);
    long n = h2Count(t);
    log("batch INSERT INTO " + t + "(val) VALUES (?) x " + k);
    try (PreparedStatement m = mm.conn.prepareStatement("INSERT INTO " + t + "(val) VALUES (?)");
         PreparedStatement h = h2.prepareStatement("INSERT INTO " + t + "(idx, val) VALUES (?, ?)")) {
      for (int i = 0; i < k; i++) {
        double v = Double.parseDouble(value());
        m.setDouble(1, v);
        m.addBatch();
        h.setLong(1, n + i);
        h.setDouble(2, v);
        h.addBatch();
      }
      assertArrayEquals(h.executeBatch(), m.executeBatch(), context("batch update counts"));
    }
    checkState(t);
  }

  /** INSERT ... SELECT from the other array or from itself: rows arrive in idx order. */
  private void insertSelect(String t) throws SQLException {
    String from = rnd.nextBoolean() ? t : other(t);
    String select = "SELECT val * 2 FROM " + from + " WHERE " + idxPredicate(from);
    String sql = "INSERT INTO " + t + "(val) " + select;
    log(sql);
    List<List<Object>> rows = TestDb.rows(h2, select + " ORDER BY idx");
    long n = h2Count(t);
    try (PreparedStatement h = h2.prepareStatement("INSERT INTO " + t + "(idx, val) VALUES (?, ?)")) {
      for (int i = 0; i < rows.size(); i++) {
        h.setLong(1, n + i);
        h.setObject(2, rows.get(i).get(0));
        h.addBatch();
      }
      h.executeBatch();
    }
    assertEquals(rows.size(), mm.update(sql), context("update count of " + sql));
    checkState(t);
  }

  /** Several positions at once with CASE idx WHEN ...; some may be out of range. */
  private void updateCase(String t) throws SQLException {
    StringJoiner when = new StringJoiner(" ");
    StringJoiner in = new StringJoiner(", ");
    for (int i = 0, k = 1 + rnd.nextInt(5); i < k; i++) {
      int idx = idxIn(t) + (rnd.nextInt(6) == 0 ? 1000 : 0);
      when.add("WHEN " + idx + " THEN " + value());
      in.add(String.valueOf(idx));
    }
    write("UPDATE " + t + " SET val = CASE idx " + when + " END WHERE idx IN (" + in + ")");
  }

  /** A batched UPDATE ... WHERE idx = ?: each row's count is 1, or 0 when out of range. */
  private void updateBatch(String t) throws SQLException {
    String sql = "UPDATE " + t + " SET val = ? WHERE idx = ?";
    log("batch " + sql);
    try (PreparedStatement m = mm.conn.prepareStatement(sql); PreparedStatement h = h2.prepareStatement(sql)) {
      for (int i = 0, k = 1 + rnd.nextInt(6); i < k; i++) {
        double v = Double.parseDouble(value());
        long idx = rnd.nextInt(8) == 0 ? -1 - rnd.nextInt(3) : idxIn(t) + (rnd.nextInt(6) == 0 ? 500 : 0);
        for (PreparedStatement ps : List.of(m, h)) {
          ps.setDouble(1, v);
          ps.setLong(2, idx);
          ps.addBatch();
        }
      }
      assertArrayEquals(h.executeBatch(), m.executeBatch(), context("batch update counts"));
    }
    checkState(t);
  }

  /** DELETE of a trailing run, which is how arrays shrink; sometimes past the end (0 rows). */
  private void truncate(String t) throws SQLException {
    long n = h2Count(t);
    long k = Math.max(0, n - rnd.nextInt(12)) + (rnd.nextInt(8) == 0 ? 3 : 0);
    write("DELETE FROM " + t + " WHERE " + (rnd.nextBoolean() ? "idx >= " + k : "idx > " + (k - 1)));
  }

  /** VPOP, emulated in H2 by reading and deleting the last row. */
  private void vpop(String t) throws SQLException {
    log("SELECT VPOP('" + t + "')");
    long n = h2Count(t);
    Object expected = null;
    if (n > 0) {
      expected = TestDb.scalar(h2, "SELECT val FROM " + t + " WHERE idx = ?", n - 1);
      TestDb.update(h2, "DELETE FROM " + t + " WHERE idx = ?", n - 1);
    }
    assertEquals(expected, mm.scalar("SELECT VPOP(?)", t), context("VPOP"));
    checkState(t);
  }

  private void write(String sql) throws SQLException {
    log(sql);
    assertEquals(TestDb.update(h2, sql), mm.update(sql), context("update count of " + sql));
    for (String t : TABLES) {
      checkState(t);
    }
  }

  private void writePrepared(String sql, Object... params) throws SQLException {
    log(sql + " " + List.of(params));
    assertEquals(TestDb.update(h2, sql, params), mm.update(sql, params), context("update count of " + sql));
    for (String t : TABLES) {
      checkState(t);
    }
  }

  /** The file holds exactly H2's values, in idx order. */
  private void checkState(String t) throws SQLException {
    List<List<Object>> rows = TestDb.rows(h2, "SELECT idx, val FROM " + t + " ORDER BY idx");
    double[] expected = new double[rows.size()];
    for (int i = 0; i < expected.length; i++) {
      assertEquals((long) i, ((Number) rows.get(i).get(0)).longValue(), "H2 emulation lost the sequence");
      expected[i] = ((Number) rows.get(i).get(1)).doubleValue();
    }
    assertArrayEquals(expected, TestDb.readDoubles(dir.resolve(t + ".mmap")), context("content of " + t + ".mmap"));
  }

  // ------------------------------------------------------------ reads

  private void read(String sql, Object... params) throws SQLException {
    log(sql + (params.length == 0 ? "" : " " + List.of(params)));
    assertRowsEqual(TestDb.rows(h2, sql, params), mm.rows(sql, params), sql);
  }

  private void readPrepared(String t) throws SQLException {
    int i = idxIn(t);
    int j = i + rnd.nextInt(15);
    switch (rnd.nextInt(4)) {
      case 0 -> read("SELECT idx, val FROM " + t + " WHERE idx = ?", (long) i);
      case 1 -> read("SELECT idx, val FROM " + t + " WHERE idx BETWEEN ? AND ? ORDER BY idx", (long) i, (long) j);
      case 2 -> read("SELECT idx, val FROM " + t + " WHERE idx >= ? AND idx < ? ORDER BY idx", (long) i, (long) j);
      default -> read("SELECT idx, val FROM " + t + " WHERE idx IN (?, ?, ?) OR idx < ? ORDER BY idx",
          (long) i, (long) j, -1L, (long) rnd.nextInt(4));
    }
  }

  private void groupBy(String t) throws SQLException {
    if (rnd.nextBoolean()) {
      int m = 2 + rnd.nextInt(5);
      read("SELECT MOD(idx, " + m + ") AS g, COUNT(*), SUM(val), MIN(val), MAX(val) FROM " + t
          + " GROUP BY MOD(idx, " + m + ") ORDER BY g");
    } else {
      read("SELECT FLOOR(val / 100) AS g, COUNT(*), AVG(val) FROM " + t
          + " GROUP BY FLOOR(val / 100) HAVING COUNT(*) > 1 ORDER BY g");
    }
  }

  private void orderBy(String t) throws SQLException {
    switch (rnd.nextInt(3)) {
      case 0 -> read("SELECT idx, val FROM " + t + " ORDER BY val DESC, idx FETCH FIRST 7 ROWS ONLY");
      case 1 -> read("SELECT idx, val FROM " + t + " ORDER BY val, idx OFFSET 2 ROWS FETCH NEXT 5 ROWS ONLY");
      default -> read("SELECT idx, val FROM " + t + " WHERE " + idxPredicate(t) + " ORDER BY idx DESC");
    }
  }

  private void join() throws SQLException {
    if (rnd.nextBoolean()) {
      read("SELECT a.idx, a.val, b.val, a.val - b.val FROM a JOIN b ON a.idx = b.idx ORDER BY a.idx");
    } else {
      read("SELECT a.idx, a.val, b.val FROM a LEFT JOIN b ON a.idx = b.idx WHERE a.idx < "
          + (5 + rnd.nextInt(40)) + " ORDER BY a.idx");
    }
  }

  private void window(String t) throws SQLException {
    switch (rnd.nextInt(3)) {
      case 0 -> read("SELECT idx, SUM(val) OVER (ORDER BY idx ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)"
          + " FROM " + t + " ORDER BY idx");
      // ordered by the window's own order: see windowOrderedByValKeepsOrderByIdx for ORDER BY idx
      case 1 -> read("SELECT idx, ROW_NUMBER() OVER (ORDER BY val DESC, idx) AS rn FROM " + t + " ORDER BY rn");
      default -> read("SELECT idx, val - LAG(val) OVER (ORDER BY idx) FROM " + t + " ORDER BY idx");
    }
  }

  // ------------------------------------------------------------ random parts

  /** A predicate on idx: a comparison, BETWEEN or IN (up to 40 values), or an AND/OR of two. */
  private String idxPredicate(String t) throws SQLException {
    return idxPredicate(t, 2);
  }

  private String idxPredicate(String t, int depth) throws SQLException {
    if (depth > 0 && rnd.nextInt(3) == 0) {
      return "(" + idxPredicate(t, depth - 1) + (rnd.nextBoolean() ? " AND " : " OR ")
          + idxPredicate(t, depth - 1) + ")";
    }
    int i = idxIn(t);
    return switch (rnd.nextInt(7)) {
      case 0 -> "idx = " + i;
      case 1 -> "idx < " + i;
      case 2 -> "idx >= " + i;
      case 3 -> "idx > " + i;
      case 4 -> "idx <= " + i;
      case 5 -> "idx BETWEEN " + i + " AND " + (i + rnd.nextInt(20));
      default -> {
        StringJoiner in = new StringJoiner(", ", "idx IN (", ")");
        for (int k = 0, n = 1 + rnd.nextInt(40); k < n; k++) {
          in.add(String.valueOf(rnd.nextInt(8) == 0 ? -1 - rnd.nextInt(5) : idxIn(t)));
        }
        yield in.toString();
      }
    };
  }

  /** A position near the current range of {@code t}, sometimes just past its end. */
  private int idxIn(String t) throws SQLException {
    return rnd.nextInt((int) h2Count(t) + 5);
  }

  /**
   * A multiple of 1/8 as an SQL literal. Exact in binary and in decimal, so the
   * sums, differences and doublings of the writes are exact on both sides (H2
   * computes {@code 1.5 - val} in decimal, Calcite in double) and the file
   * must equal H2 to the bit.
   */
  private String value() {
    return BigDecimal.valueOf(rnd.nextInt(-4000, 4000) * 125L, 3).toPlainString();
  }

  private static String other(String t) {
    return t.equals("a") ? "b" : "a";
  }

  private long h2Count(String t) throws SQLException {
    return ((Number) TestDb.scalar(h2, "SELECT COUNT(*) FROM " + t)).longValue();
  }

  // ------------------------------------------------------------ comparing

  private void log(String sql) {
    history.addLast(sql);
    if (history.size() > 15) {
      history.removeFirst();
    }
  }

  private String context(String what) {
    return what + " (seed " + SEED + "; last statements, newest last:\n  " + String.join("\n  ", history) + ")";
  }

  /** Same rows in the same order; numbers compared as doubles, allowing for rounding in sums. */
  private void assertRowsEqual(List<List<Object>> expected, List<List<Object>> actual, String sql) {
    if (expected.size() != actual.size()) {
      fail(context("row count of " + sql + ": expected " + expected.size() + " but was " + actual.size()
          + "\nexpected " + expected + "\nactual   " + actual));
    }
    for (int r = 0; r < expected.size(); r++) {
      List<Object> e = expected.get(r);
      List<Object> a = actual.get(r);
      assertEquals(e.size(), a.size(), context("columns of " + sql));
      for (int c = 0; c < e.size(); c++) {
        if (!sameValue(e.get(c), a.get(c))) {
          fail(context("row " + r + " column " + (c + 1) + " of " + sql + ": expected " + e + " but was " + a));
        }
      }
    }
  }

  private static boolean sameValue(Object e, Object a) {
    if (e == null || a == null) {
      return e == a;
    }
    if (e instanceof Number x && a instanceof Number y) {
      double dx = x.doubleValue();
      double dy = y.doubleValue();
      return dx == dy || Math.abs(dx - dy) <= 1e-9 * Math.max(1, Math.max(Math.abs(dx), Math.abs(dy)));
    }
    return e.equals(a);
  }
}
