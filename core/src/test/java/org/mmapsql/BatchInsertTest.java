package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A batch of {@code INSERT ... VALUES (?, ...)} is appended without running
 * the statement once per parameter set: it must write the same bytes and fail
 * on the same set with the same SQLSTATE and message as the statement run set
 * by set (the general path, kept for a plain execute), and leave nothing when
 * it fails; against H2, the same rows and the same failures.
 */
class BatchInsertTest {
  @TempDir Path dir;

  /** A NULL parameter of SQL type {@code type}. */
  private record Null(int type) {
  }

  private static Object[] set(Object... values) {
    return values;
  }

  static Stream<Arguments> cases() {
    List<Object[]> doubles = new ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      doubles.add(set(i * 0.5));
    }
    return Stream.of(
        Arguments.of("f8", "", "(val)", "(?)", doubles),
        Arguments.of("f8", "", "(val)", "(?)", with(doubles, 0, set(new Null(Types.DOUBLE)))),
        Arguments.of("f8", "", "(val)", "(?)", with(doubles, 499, set("x1"))),
        Arguments.of("f8", "", "(val)", "(?)", with(doubles, 999, set(new Null(Types.DOUBLE)))),
        Arguments.of(">f4", "", "(val)", "(?)", List.of(set(1.5f), set(2), set("3.25"), set(new BigDecimal("1e-3")),
            set(1e300))),
        Arguments.of("f2", "", "(val)", "(?)", List.of(set(1.5), set(65504.0), set("0.1"), set(1e6))),
        Arguments.of("i1", "", "(val)", "(?)", List.of(set((byte) 1), set(127), set(-128L), set("12"), set(128))),
        Arguments.of("i1", "", "(val)", "(?)", List.of(set(1), set(2.5))),
        Arguments.of(">i2", "", "(val)", "(?)", List.of(set((short) 7), set(new BigDecimal("32767")), set(-32769))),
        Arguments.of("i4", "", "(val)", "(?)", List.of(set(1), set(Integer.MAX_VALUE), set(2.0), set("abc"))),
        Arguments.of("i8", "", "(val)", "(?)", List.of(set(Long.MAX_VALUE), set(Long.MIN_VALUE),
            set(new BigDecimal("9223372036854775808")))),
        Arguments.of("u1", "", "(val)", "(?)", List.of(set(0), set(255), set(-1))),
        Arguments.of("u8", "", "(val)", "(?)", List.of(set(new BigDecimal("18446744073709551615")), set(0L),
            set("18446744073709551616"))),
        Arguments.of("bool", "", "(val)", "(?)", List.of(set(true), set(false), set("true"), set(1), set("yes"))),
        Arguments.of("S4", "", "(val)", "(?)", List.of(set("ab"), set(""), set("abcd"), set(12), set("abcde"))),
        Arguments.of("M8[ms]", "", "(val)", "(?)", List.of(set(Timestamp.valueOf("2024-01-02 03:04:05.678")),
            set("2020-02-29 00:00:00"), set(new Null(Types.TIMESTAMP)), set("not a time"))),
        Arguments.of("f8", "columns=3", "(c0, c1, c2)", "(?, ?, ?)", List.of(set(1.0, 2.0, 3.0), set(4, "5", 6L),
            set(7.0, new Null(Types.DOUBLE), 9.0))),
        Arguments.of("i2", "columns=3", "(c2, c0, c1)", "(?, ?, ?)", List.of(set(1, 2, 3), set(4, 5, 70000))),
        // literals mixed in, and a column left out (NULL)
        Arguments.of("f8", "columns=3", "(c0, c1, c2)", "(?, 2.5, ?)", List.of(set(1.0, 3.0), set(4.0, 6.0))),
        Arguments.of("i4", "columns=3", "(c0, c1, c2)", "(?, 'x', ?)", List.<Object[]>of(set(1, 3))),
        Arguments.of("f8", "columns=3", "(c0, c2)", "(?, ?)", List.<Object[]>of(set(1.0, 3.0))),
        Arguments.of("f8", "", "(val)", "(1e0)", List.of(set(), set())),
        // idx given: it must continue the sequence
        Arguments.of("f8", "", "(idx, val)", "(?, ?)", List.of(set(0L, 1.0), set(1, 2.0), set(2L, 3.0))),
        Arguments.of("f8", "", "(idx, val)", "(?, ?)", List.of(set(0L, 1.0), set(5L, 2.0))),
        Arguments.of("i8", "", "(val, idx)", "(?, ?)", List.of(set(1, 0), set(2, "1"))));
  }

  private static List<Object[]> with(List<Object[]> sets, int at, Object[] set) {
    List<Object[]> out = new ArrayList<>(sets);
    out.set(at, set);
    return out;
  }

  @ParameterizedTest @MethodSource("cases")
  void aBatchDoesWhatItsSetsDoOneByOne(String dtype, String options, String columns, String values,
      List<Object[]> sets) throws Exception {
    String sql = "INSERT INTO t" + columns + " VALUES " + values;
    Path one = Files.createDirectories(dir.resolve("one"));
    Path batch = Files.createDirectories(dir.resolve("batch"));
    try (TestDb byOne = TestDb.open(one); TestDb byBatch = TestDb.open(batch)) {
      byOne.scalar("SELECT MMAP('t', 't.bin', ?, ?)", dtype, options);
      byBatch.scalar("SELECT MMAP('t', 't.bin', ?, ?)", dtype, options);
      SQLException oneError = null;
      int failed = -1;
      try (PreparedStatement ps = byOne.conn.prepareStatement(sql)) {
        for (int i = 0; i < sets.size() && oneError == null; i++) {
          bind(ps, sets.get(i));
          try {
            assertEquals(1, ps.executeUpdate());
          } catch (SQLException e) {
            oneError = e;
            failed = i;
          }
        }
      }
      try (PreparedStatement ps = byBatch.conn.prepareStatement(sql, java.sql.Statement.RETURN_GENERATED_KEYS)) {
        for (Object[] s : sets) {
          bind(ps, s);
          ps.addBatch();
        }
        if (oneError == null) {
          long[] counts = ps.executeLargeBatch();
          long[] ones = new long[sets.size()];
          Arrays.fill(ones, 1);
          assertArrayEquals(ones, counts);
          assertEquals(keys(0, sets.size()), TestDb.drain(ps.getGeneratedKeys()));
          assertArrayEquals(TestDb.bytes(one.resolve("t.bin")), TestDb.bytes(batch.resolve("t.bin")),
              "the batch wrote what its sets wrote one by one");
        } else {
          SQLException e = assertThrows(SQLException.class, ps::executeBatch);
          assertEquals(oneError.getSQLState(), e.getSQLState(), e.getMessage() + " / " + oneError.getMessage());
          assertTrue(e instanceof BatchUpdateException b && b.getLargeUpdateCounts().length == 0, e.toString());
          // the statement's own error, without the prefix Avatica or the connection gives it
          String reason = oneError.getMessage().replaceFirst("^Error while executing SQL \"[^\"]*\": ", "")
              .replaceFirst("^Error -?\\d+ \\(\\w+\\) : ", "");
          String where = e.getMessage().contains("parameter set ")
              ? "parameter set " + (failed + 1) + " of " + sets.size() + ": " : "";
          assertTrue(e.getMessage().contains(where + reason), e.getMessage() + " / " + oneError.getMessage());
          assertTrue(e.getMessage().contains("nothing of the batch"), e.getMessage());
          assertEquals(0L, byBatch.count("t"), "nothing of the batch was appended");
        }
      }
    }
  }

  private static List<List<Object>> keys(long from, int n) {
    List<List<Object>> keys = new ArrayList<>();
    for (long k = from; k < from + n; k++) {
      keys.add(List.of(k));
    }
    return keys;
  }

  private static void bind(PreparedStatement ps, Object[] set) throws SQLException {
    ps.clearParameters();
    for (int i = 0; i < set.length; i++) {
      if (set[i] instanceof Null n) {
        ps.setNull(i + 1, n.type());
      } else {
        ps.setObject(i + 1, set[i]);
      }
    }
  }

  /** 1,000 rows a batch, a bad value at row 1, 500 or 1000 or none: the rows H2 has, and its failures. */
  @Test void batchesOfAThousandAgreeWithH2() throws Exception {
    try (TestDb mm = TestDb.open(dir); Connection h2 = DriverManager.getConnection("jdbc:h2:mem:")) {
      mm.scalar("SELECT MMAP('d', 'd.f8', 'f8')");
      mm.scalar("SELECT MMAP('b', 'b.i1', 'i1')");
      TestDb.update(h2, "CREATE TABLE d(idx BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, val DOUBLE NOT NULL)");
      TestDb.update(h2, "CREATE TABLE b(idx BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, val TINYINT NOT NULL)");
      h2.setAutoCommit(false);
      mm.conn.setAutoCommit(false);
      int round = 0;
      for (int bad : new int[] {-1, 0, 499, 999, -1}) {
        for (String t : List.of("d", "b")) {
          round++;
          String sql = "INSERT INTO " + t + "(val) VALUES (?)";
          try (PreparedStatement m = mm.conn.prepareStatement(sql); PreparedStatement h = h2.prepareStatement(sql)) {
            for (int i = 0; i < 1000; i++) {
              for (PreparedStatement ps : List.of(m, h)) {
                if (i != bad) {
                  ps.setInt(1, (i * 7 + round) % 250 - 125);
                } else if (t.equals("d")) {
                  ps.setNull(1, Types.DOUBLE);
                } else {
                  ps.setInt(1, 300);
                }
                ps.addBatch();
              }
            }
            SQLException hError = null;
            try {
              h.executeBatch();
              h2.commit();
            } catch (SQLException e) {
              hError = e;
              h2.rollback();
            }
            if (hError == null) {
              assertEquals(1000, m.executeBatch().length);
            } else {
              SQLException e = assertThrows(SQLException.class, m::executeBatch);
              assertEquals(t.equals("d") ? "23502" : "22003", e.getSQLState(), e.getMessage());
              assertTrue(e.getMessage().contains("parameter set " + (bad + 1) + " of 1000"), e.getMessage());
            }
            mm.conn.commit();
          }
          // H2's identity does not roll back: the values in order, not the idx
          assertEquals(TestDb.rows(h2, "SELECT CAST(val AS DOUBLE) FROM " + t + " ORDER BY idx"),
              mm.rows("SELECT CAST(val AS DOUBLE) FROM " + t + " ORDER BY idx"), "rows of " + t);
        }
      }
      assertEquals(2000L, mm.count("d"));
    }
  }

  @Test void generatedKeysFollowEachBatch() throws Exception {
    try (TestDb mm = TestDb.open(dir)) {
      mm.scalar("SELECT MMAP('t', 't.f8', 'f8')");
      mm.append("t", 1, 2, 3);
      try (PreparedStatement ps = mm.conn.prepareStatement("INSERT INTO t(val) VALUES (?)",
          java.sql.Statement.RETURN_GENERATED_KEYS)) {
        for (int round = 0; round < 2; round++) {
          for (int i = 0; i < 4; i++) {
            ps.setDouble(1, i);
            ps.addBatch();
          }
          ps.executeBatch();
          assertEquals(keys(3 + round * 4, 4), TestDb.drain(ps.getGeneratedKeys()));
        }
      }
    }
  }

  /** mmapsql commits each statement: a batch cannot be rolled back, and rollback() says so. */
  @Test void aBatchThenRollbackFailsAndTheRowsStay() throws Exception {
    try (TestDb mm = TestDb.open(dir, ";durability=sync")) {
      mm.scalar("SELECT MMAP('t', 't.f8', 'f8')");
      mm.conn.setAutoCommit(false);
      try (PreparedStatement ps = mm.conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
        for (int i = 0; i < 10; i++) {
          ps.setDouble(1, i);
          ps.addBatch();
        }
        ps.executeBatch();
      }
      SQLException e = assertThrows(SQLException.class, mm.conn::rollback);
      assertEquals("0A000", e.getSQLState());
      assertTrue(e.getMessage().contains("10 changes"), e.getMessage());
      assertEquals(10L, mm.count("t"));
      assertArrayEquals(TestDb.range(0, 10), TestDb.readDoubles(dir.resolve("t.f8")));
    }
  }

  /** A table re-bound with other columns after the statement was prepared: the batch is not written blindly. */
  @Test void aTableReboundToAnotherTypeIsNotWrittenWithTheOldLayout() throws Exception {
    try (TestDb mm = TestDb.open(dir)) {
      mm.scalar("SELECT MMAP('t', 't.f8', 'f8')");
      try (PreparedStatement ps = mm.conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
        mm.scalar("SELECT UNMAP('t')");
        mm.scalar("SELECT MMAP('t', 't.i1', 'i1')");
        ps.setInt(1, 5);
        ps.addBatch();
        ps.setInt(1, 6);
        ps.addBatch();
        try {
          ps.executeBatch();
        } catch (SQLException e) {
          assertNotNull(e.getSQLState()); // refused as the statement run set by set refuses it
        }
      }
      assertEquals(Files.size(dir.resolve("t.i1")), mm.count("t"), "one byte a row: never 8-byte images");
    }
  }

  /** A comment before INSERT does not change what the batch is: a bad set leaves nothing (review finding 6a). */
  @Test void aCommentBeforeTheInsertKeepsTheBatchWhole() throws Exception {
    try (TestDb mm = TestDb.open(dir)) {
      mm.scalar("SELECT MMAP('ti', 'ti.i4', 'i4')");
      for (String sql : List.of("/* load */ INSERT INTO ti(val) VALUES (?)",
          "-- load\nINSERT INTO ti(val) VALUES (? * 2)")) {
        try (PreparedStatement ps = mm.conn.prepareStatement(sql)) {
          ps.setInt(1, 1);
          ps.addBatch();
          ps.setString(1, "x");
          ps.addBatch();
          ps.setInt(1, 3);
          ps.addBatch();
          java.sql.BatchUpdateException e = assertThrows(java.sql.BatchUpdateException.class, ps::executeBatch);
          assertEquals(0, e.getLargeUpdateCounts().length, sql);
        }
        assertEquals(0L, mm.count("ti"), sql);
      }
    }
  }

  /**
   * The sets of a batch of an INSERT that reads the table it writes see the rows
   * of the sets before them, as run one by one and as in H2 (review finding 6b).
   */
  @Test void aBatchOfInsertSelectSeesTheRowsOfTheSetsBeforeIt() throws Exception {
    String sql = "INSERT INTO ti(val) SELECT MAX(val) + ? FROM ti";
    try (TestDb mm = TestDb.open(dir); Connection h2 = DriverManager.getConnection("jdbc:h2:mem:")) {
      mm.scalar("SELECT MMAP('ti', 'ti.i4', 'i4')");
      mm.update("INSERT INTO ti(val) VALUES (10)");
      TestDb.update(h2, "CREATE TABLE ti(idx BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, val INTEGER)");
      TestDb.update(h2, "INSERT INTO ti(val) VALUES (10)");
      for (Connection c : List.of(mm.conn, h2)) {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
          for (int i = 0; i < 3; i++) {
            ps.setInt(1, 1);
            ps.addBatch();
          }
          ps.executeBatch();
        }
      }
      String q = "SELECT val FROM ti ORDER BY idx";
      assertEquals(TestDb.rows(h2, q), TestDb.rows(mm.conn, q));
    }
  }
}
