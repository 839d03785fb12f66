package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.PlanCache;
import org.mmapsql.plan.DirectExecution;

/**
 * A Statement that repeats its text word for word on one connection
 * ({@code SELECT COUNT(*) FROM t} again, the same point read) is run straight
 * from the plan it had last time, without the prepare step: it must still see
 * every change another program made to the file since (grown, cut, replaced,
 * deleted), never answer from a plan older than an UNMAP, a rebinding or a
 * type change, and keep JDBC's rules for result sets, row limits and errors,
 * as a connection without the plan cache has them; H2 is the oracle of values.
 */
class RepeatedStatementTest {
  private static final String COUNT = "SELECT COUNT(*) FROM t";
  private static final String POINT = "SELECT val FROM t WHERE idx = 1";

  @TempDir Path dir;
  private TestDb mm;
  private Statement s;

  @BeforeEach void setUp() throws SQLException {
    mm = TestDb.open(dir);
    mm.mmap("t", "t.f8");
    mm.append("t", 0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5);
    s = mm.conn.createStatement();
  }

  @AfterEach void tearDown() throws SQLException {
    mm.close();
  }

  private long count() throws SQLException {
    try (ResultSet rs = s.executeQuery(COUNT)) {
      assertTrue(rs.next());
      long n = rs.getLong(1);
      assertFalse(rs.next());
      return n;
    }
  }

  private Object point() throws SQLException {
    try (ResultSet rs = s.executeQuery(POINT)) {
      return rs.next() ? rs.getObject(1) : null;
    }
  }

  /** Runs both statements until the connection answers them from its recent plans. */
  private void repeat() throws SQLException {
    for (int i = 0; i < 3; i++) {
      count();
      point();
    }
  }

  private Path file(String name) {
    return dir.resolve(name);
  }

  @Test void aRepeatedStatementRunsDirectlyFromTheCache() throws SQLException {
    repeat();
    PlanCache cache = PlanCache.of(mm.conn);
    long hits = cache.hits();
    long misses = cache.misses();
    long direct = DirectExecution.directRuns();
    assertEquals(8L, count());
    assertEquals(1.5, point());
    assertEquals(hits + 2, cache.hits());
    assertEquals(misses, cache.misses());
    assertTrue(DirectExecution.directRuns() >= direct + 2, "both ran without generated code");
  }

  @Test void anotherProgramsChangesShowAtTheNextRepetition() throws Exception {
    repeat();
    try (FileChannel other = FileChannel.open(file("t.f8"), StandardOpenOption.WRITE)) {
      TestDb.writeAt(other, 8, 8.5, 9.5);
      assertEquals(10L, count());
      TestDb.writeAt(other, 1, 42);
      assertEquals(42.0, point());
      other.truncate(3 * 8);
      assertEquals(3L, count());
      other.truncate(8);
      assertEquals(1L, count());
      assertNull(point());
    }
    // replaced: written elsewhere and renamed over the name, as editors and numpy.save do
    TestDb.writeDoubles(file("t.tmp"), 10, 20, 30, 40);
    Files.move(file("t.tmp"), file("t.f8"), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    assertEquals(4L, count());
    assertEquals(20.0, point());
    // moved away and a copy put in its place: another file, read anew
    Files.move(file("t.f8"), file("t.bak"));
    TestDb.writeDoubles(file("t.f8"), 1, 2);
    assertEquals(2L, count());
    assertEquals(2.0, point());
    // deleted: the same error as the prepare step gives, until the file is back
    Files.delete(file("t.f8"));
    SQLException gone = assertThrows(SQLException.class, this::count);
    SQLException planned;
    try (TestDb uncached = TestDb.open(dir, ";planCache=false")) {
      planned = uncached.fails(COUNT);
    }
    assertEquals(planned.getSQLState(), gone.getSQLState());
    assertEquals(planned.getMessage(), gone.getMessage());
    Files.move(file("t.bak"), file("t.f8"));
    assertEquals(4L, count());
  }

  @Test void anUnmapRebindingOrTypeChangeIsNeverAnsweredFromTheOldPlan() throws Exception {
    repeat();
    TestDb.writeDoubles(file("other.f8"), 10, 20);
    mm.longValue("SELECT UNMAP('t')");
    SQLException unbound = assertThrows(SQLException.class, this::count);
    TestDb.assertMessage(unbound, "t");
    mm.mmap("t", "other.f8");
    assertEquals(2L, count());
    assertEquals(20.0, point());
    repeat();
    java.nio.ByteBuffer ints = java.nio.ByteBuffer.allocate(12).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    ints.putInt(7).putInt(-8).putInt(9);
    Files.write(file("ints.i4"), ints.array());
    mm.longValue("SELECT UNMAP('t')");
    mm.scalar("SELECT MMAP('t', 'ints.i4', 'int32')");
    assertEquals(3L, count());
    try (ResultSet rs = s.executeQuery(POINT)) {
      assertEquals(Types.INTEGER, rs.getMetaData().getColumnType(1));
      assertTrue(rs.next());
      assertEquals(-8, rs.getObject(1));
    }
  }

  @Test void theValuesAreH2s() throws SQLException {
    try (Connection h2 = DriverManager.getConnection("jdbc:h2:mem:")) {
      TestDb.update(h2, "CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE)");
      for (int i = 0; i < 8; i++) {
        TestDb.update(h2, "INSERT INTO t VALUES (?, ?)", (long) i, i + 0.5);
      }
      for (String sql : List.of(COUNT, POINT, "SELECT val FROM t WHERE idx = 99",
          "SELECT idx, val FROM t WHERE idx IN (2, 5, 7)", "SELECT COUNT(*), MIN(val), MAX(val) FROM t")) {
        for (int i = 0; i < 4; i++) {
          assertEquals(TestDb.rows(h2, sql), TestDb.drain(s.executeQuery(sql)), sql);
        }
      }
    }
  }

  @Test void jdbcRulesHoldOnTheDirectPath() throws SQLException {
    repeat();
    ResultSet first = s.executeQuery(COUNT);
    ResultSet second = s.executeQuery(COUNT);
    assertTrue(first.isClosed(), "the previous result set is closed by the next execution");
    assertSame(second, s.getResultSet());
    assertSame(s, second.getStatement());
    assertTrue(s.execute(COUNT));
    assertEquals(-1, s.getUpdateCount());
    assertTrue(second.isClosed());
    assertEquals(List.of(List.of(8L)), TestDb.drain(s.getResultSet()));
    assertFalse(s.getMoreResults());
    assertNull(s.getResultSet());
    assertNull(s.getWarnings());
    assertFalse(s.getGeneratedKeys().next());

    String in = "SELECT val FROM t WHERE idx IN (1, 2, 3)";
    for (int i = 0; i < 3; i++) {
      assertEquals(3, TestDb.drain(s.executeQuery(in)).size());
    }
    s.setMaxRows(2);
    assertEquals(List.of(List.of(1.5), List.of(2.5)), TestDb.drain(s.executeQuery(in)));
    assertEquals(List.of(List.of(1.5), List.of(2.5)), TestDb.drain(s.executeQuery(in)));
    s.setMaxRows(0);
    assertEquals(3, TestDb.drain(s.executeQuery(in)).size());

    s.setQueryTimeout(5);
    assertEquals(8L, count());
    s.setQueryTimeout(0);

    try (Statement once = mm.conn.createStatement()) {
      once.closeOnCompletion();
      ResultSet rs = once.executeQuery(COUNT);
      assertFalse(once.isClosed());
      rs.close();
      assertTrue(once.isClosed(), "closeOnCompletion closes the statement with its result set");
    }
    s.close();
    assertThrows(SQLException.class, () -> s.executeQuery(COUNT));
  }

  /** executeUpdate of a query, and the rest of what differs by method, as without the cache. */
  @Test void eachExecuteMethodAnswersAsWithoutTheCache() throws SQLException {
    repeat();
    try (TestDb uncached = TestDb.open(dir, ";planCache=false"); Statement u = uncached.conn.createStatement()) {
      assertEquals(outcome(() -> u.executeUpdate(COUNT)), outcome(() -> s.executeUpdate(COUNT)));
      assertEquals(outcome(() -> u.executeLargeUpdate(COUNT)), outcome(() -> s.executeLargeUpdate(COUNT)));
      assertEquals(outcome(() -> u.execute(COUNT)), outcome(() -> s.execute(COUNT)));
      assertEquals(outcome(() -> u.getUpdateCount()), outcome(() -> s.getUpdateCount()));
    }
  }

  private interface Call {
    Object call() throws SQLException;
  }

  /** What a call returned, or the SQLSTATE it failed with. */
  private static Object outcome(Call c) {
    try {
      return c.call();
    } catch (SQLException e) {
      return "SQLSTATE " + e.getSQLState();
    }
  }
}
