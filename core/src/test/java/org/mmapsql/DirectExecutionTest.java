package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.plan.DirectExecution;

/**
 * The statements that run without generated code ({@code plan/DirectExecution}:
 * point and IN reads, point UPDATEs, COUNT(*)) answer as H2 does, through one
 * reused PreparedStatement and through a Statement: rows present and absent,
 * NULL keys and values, errors with their SQLSTATE, the value types that go to
 * the generated code instead; and a rebinding between two executions of one
 * PreparedStatement reads and writes the new file, or fails clearly when the
 * name is unbound.
 */
class DirectExecutionTest {
  private static final int N = 100;

  @TempDir Path dir;
  private TestDb mm;
  private Connection h2;

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    mm.mmap("t", "t.f8");
    double[] v = new double[N];
    for (int i = 0; i < N; i++) {
      v[i] = i * 1.5;
    }
    mm.append("t", v);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    TestDb.update(h2, "CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE NOT NULL)");
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO t VALUES (?, ?)")) {
      for (int i = 0; i < N; i++) {
        ps.setLong(1, i);
        ps.setDouble(2, i * 1.5);
        ps.executeUpdate();
      }
    }
  }

  @AfterEach void tearDown() throws SQLException {
    h2.close();
    mm.close();
  }

  @Test void pointReadsOfOnePreparedStatementMatchH2() throws SQLException {
    String sql = "SELECT val FROM t WHERE idx = ?";
    try (PreparedStatement m = mm.conn.prepareStatement(sql); PreparedStatement h = h2.prepareStatement(sql)) {
      long before = DirectExecution.directRuns();
      for (long i : new long[] {0, 42, 99, 100, -1, Long.MAX_VALUE, Long.MIN_VALUE, 7}) {
        m.setLong(1, i);
        h.setLong(1, i);
        assertEquals(rows(h), rows(m), "idx = " + i);
      }
      assertEquals(8, DirectExecution.directRuns() - before, "every execution above ran directly");
      m.setInt(1, 5);
      h.setInt(1, 5);
      assertEquals(rows(h), rows(m), "an INTEGER key");
      m.setString(1, "6");
      h.setString(1, "6");
      assertEquals(rows(h), rows(m), "a string key");
      m.setNull(1, Types.BIGINT);
      h.setNull(1, Types.BIGINT);
      assertEquals(rows(h), rows(m), "a NULL key");
      assertEquals(Types.DOUBLE, m.getMetaData().getColumnType(1));
    }
    for (long i : new long[] {3, 100, -2}) {
      String literal = "SELECT idx, val FROM t WHERE idx = " + i;
      assertEquals(statement(h2, literal), statement(mm.conn, literal), literal);
      assertEquals(statement(h2, literal), statement(mm.conn, literal), literal + ", again (a cached plan)");
    }
  }

  @Test void inReadsMatchH2() throws SQLException {
    String sql = "SELECT idx, val FROM t WHERE idx IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    long[][] keys = {{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, {99, 0, 50, 50, 100, -1, 1000, 3, 98, 97},
        {200, 201, 202, 203, 204, 205, 206, 207, 208, 209}};
    try (PreparedStatement m = mm.conn.prepareStatement(sql); PreparedStatement h = h2.prepareStatement(sql)) {
      for (long[] k : keys) {
        for (int i = 0; i < k.length; i++) {
          m.setLong(i + 1, k[i]);
          h.setLong(i + 1, k[i]);
        }
        assertEquals(sorted(rows(h)), rows(m), java.util.Arrays.toString(k));
      }
    }
    String wide = "SELECT idx FROM t WHERE idx BETWEEN ? AND ?"; // more rows than read at once
    assertEquals(TestDb.rows(h2, wide + " ORDER BY idx", 10L, 90L), TestDb.rows(mm.conn, wide, 10L, 90L));
  }

  @Test void pointUpdatesMatchH2() throws SQLException {
    String sql = "UPDATE t SET val = ? WHERE idx = ?";
    try (PreparedStatement m = mm.conn.prepareStatement(sql); PreparedStatement h = h2.prepareStatement(sql)) {
      Object[][] sets = {{2.25, 3L}, {-1e300, 99L}, {7.0, 100L}, {8.0, -1L}, {5, 4L}, {6L, 5L}, {"9.5", 6L},
          {1.0f, 7L}};
      long before = DirectExecution.directRuns();
      for (Object[] s : sets) {
        TestDb.bind(m, s);
        TestDb.bind(h, s);
        assertEquals(h.executeUpdate(), m.executeUpdate(), java.util.Arrays.toString(s));
      }
      assertEquals(sets.length, DirectExecution.directRuns() - before, "every value ran directly (SET val = ? is ANY)");
      // NULL into a column that cannot hold it: an error with its SQLSTATE where the row exists, nothing elsewhere
      m.setNull(1, Types.DOUBLE);
      h.setNull(1, Types.DOUBLE);
      m.setLong(2, 10);
      h.setLong(2, 10);
      assertEquals("23502", assertThrows(SQLException.class, m::executeUpdate).getSQLState());
      assertEquals("23502", assertThrows(SQLException.class, h::executeUpdate).getSQLState().substring(0, 5));
      m.setLong(2, 1000);
      h.setLong(2, 1000);
      assertEquals(h.executeUpdate(), m.executeUpdate(), "NULL into an absent row");
    }
    String all = "SELECT idx, val FROM t ORDER BY idx";
    assertEquals(TestDb.rows(h2, all), TestDb.rows(mm.conn, all));
    assertEquals(TestDb.update(h2, "UPDATE t SET val = ? WHERE idx IN (?, ?, ?)", 0.5, 1L, 2L, 500L),
        TestDb.update(mm.conn, "UPDATE t SET val = ? WHERE idx IN (?, ?, ?)", 0.5, 1L, 2L, 500L));
    assertEquals(TestDb.rows(h2, all), TestDb.rows(mm.conn, all));
  }

  @Test void countsMatchH2() throws SQLException {
    long before = DirectExecution.directRuns();
    assertEquals(TestDb.rows(h2, "SELECT COUNT(*) FROM t"), statement(mm.conn, "SELECT COUNT(*) FROM t"));
    assertEquals(1, DirectExecution.directRuns() - before);
    for (String sql : new String[] {"SELECT COUNT(*) FROM t", "SELECT COUNT(*) FROM t WHERE idx < 10",
        "SELECT COUNT(*), MAX(val) FROM t WHERE idx BETWEEN 5 AND 500"}) {
      assertEquals(TestDb.rows(h2, sql), TestDb.rows(mm.conn, sql), sql);
      assertEquals(statement(h2, sql), statement(mm.conn, sql), sql + " through a Statement");
      assertEquals(statement(h2, sql), statement(mm.conn, sql), sql + " through a Statement, again");
    }
    mm.append("t", 1.0, 2.0);
    assertEquals((long) N + 2, mm.longValue("SELECT COUNT(*) FROM t"));
  }

  @Test void aRebindingBetweenExecutionsIsSeenOrFailsClearly() throws SQLException {
    TestDb.writeDoubles(dir.resolve("other.f8"), 10, 20, 30);
    try (PreparedStatement read = mm.conn.prepareStatement("SELECT val FROM t WHERE idx = ?");
         PreparedStatement write = mm.conn.prepareStatement("UPDATE t SET val = ? WHERE idx = ?");
         PreparedStatement count = mm.conn.prepareStatement("SELECT COUNT(*) FROM t")) {
      read.setLong(1, 2);
      assertEquals(List.of(List.of(3.0)), rows(read));
      mm.longValue("SELECT UNMAP('t')");
      mm.mmap("t", "other.f8");
      assertEquals(List.of(List.of(30.0)), rows(read));
      assertEquals(List.of(List.of(3L)), rows(count));
      write.setDouble(1, 31.0);
      write.setLong(2, 2);
      assertEquals(1, write.executeUpdate());
      assertEquals(31.0, TestDb.readDoubles(dir.resolve("other.f8"))[2]);
      assertEquals(3.0, TestDb.readDoubles(dir.resolve("t.f8"))[2]);
      mm.longValue("SELECT UNMAP('t')");
      assertEquals("42S02", assertThrows(SQLException.class, read::executeQuery).getSQLState());
      assertEquals("42S02", assertThrows(SQLException.class, write::executeUpdate).getSQLState());
      assertEquals("42S02", assertThrows(SQLException.class, count::executeQuery).getSQLState());
    }
  }

  /** Re-bound to a file of another type, a prepared statement's plan no longer fits: it says so (0A000). */
  @Test void aRebindingToAnotherTypeFailsClearlyUntilPreparedAgain() throws Exception {
    try (java.io.OutputStream out = java.nio.file.Files.newOutputStream(dir.resolve("i.bin"))) {
      out.write(new byte[] {7, 0, 0, 0, 8, 0, 0, 0, 9, 0, 0, 0}); // int32 7, 8, 9, little-endian
    }
    mm.longValue("SELECT UNMAP('t')");
    for (String sql : List.of("SELECT val FROM t WHERE idx = ?", "SELECT val FROM t WHERE idx > ? ORDER BY val DESC",
        "UPDATE t SET val = 1 WHERE idx = ?")) {
      mm.mmap("t", "t.f8");
      try (PreparedStatement ps = mm.conn.prepareStatement(sql)) {
        ps.setLong(1, 1);
        ps.execute();
        mm.longValue("SELECT UNMAP('t')");
        mm.scalar("SELECT MMAP('t', 'i.bin', 'i4')");
        SQLException e = assertThrows(SQLException.class, ps::execute, sql);
        assertEquals("0A000", e.getSQLState(), e.getMessage());
      }
      try (PreparedStatement ps = mm.conn.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
        ps.setLong(1, 2);
        assertEquals(List.of(List.of(9)), rows(ps));
      }
      mm.longValue("SELECT UNMAP('t')");
    }
  }

  @Test void aReadOnlyBindingRefusesAPointUpdate() throws SQLException {
    TestDb.writeDoubles(dir.resolve("ro.f8"), 1, 2);
    mm.scalar("SELECT MMAP('ro', 'ro.f8', 'f8', 'readonly')");
    try (PreparedStatement write = mm.conn.prepareStatement("UPDATE ro SET val = ? WHERE idx = ?")) {
      write.setDouble(1, 5.0);
      write.setLong(2, 1);
      assertEquals("25006", assertThrows(SQLException.class, write::executeUpdate).getSQLState());
    }
    assertEquals(2.0, TestDb.readDoubles(dir.resolve("ro.f8"))[1]);
  }

  private static List<List<Object>> rows(PreparedStatement ps) throws SQLException {
    try (var rs = ps.executeQuery()) {
      return TestDb.drain(rs);
    }
  }

  private static List<List<Object>> statement(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement(); var rs = s.executeQuery(sql)) {
      return TestDb.drain(rs);
    }
  }

  private static List<List<Object>> sorted(List<List<Object>> rows) {
    List<List<Object>> s = new ArrayList<>(rows);
    s.sort(Comparator.comparingLong(r -> ((Number) r.get(0)).longValue()));
    return s;
  }
}
