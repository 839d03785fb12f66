package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Files in numpy's formats whose bytes the test writes itself from numpy's
 * documentation (raw {@code tofile} bodies, .npy 1.0/2.0/3.0 headers, both byte
 * orders, every type of issue 6), read back through SQL value for value; and
 * the bytes mmapsql writes (new raw and .npy files, INSERT, UPDATE, DELETE of
 * a suffix) compared byte for byte with what numpy would have written.
 */
class NumpyBytesTest {
  @TempDir Path dir;
  private Connection c;

  @BeforeEach void open() throws SQLException {
    c = DriverManager.getConnection("jdbc:mmap:" + dir);
  }

  @AfterEach void close() throws SQLException {
    c.close();
  }

  static Stream<Dtype> everyType() {
    return Dtype.allBothOrders().stream();
  }

  static Stream<Dtype> someTypes() {
    return Stream.of(Dtype.f(4), Dtype.i(2), Dtype.u(8), Dtype.f(8).big(), Dtype.s(5), Dtype.m8("ms"), Dtype.bool(),
        Dtype.u(2).big(), Dtype.f(2));
  }

  // ------------------------------------------------------------ reading what numpy writes

  @ParameterizedTest(name = "{0}") @MethodSource("everyType")
  void rawAndNpyFilesReadValueForValue(Dtype t) throws SQLException {
    List<Object> values = t.sample(t.descr().hashCode(), 40);
    byte[] data = t.encode(values);
    long[] shape = {values.size()};
    String stem = t.fileStem();
    write(stem + ".bin", data);
    write(stem + "_v1.npy", Npy.file(1, t.descr(), shape, data));
    write(stem + "_v2.npy", Npy.file(2, t.descr(), shape, data));
    write(stem + "_v3.npy", Npy.file(3, t.descr(), shape, data));
    // an older numpy's header: aligned to 16, no spare room, keys in another order
    write(stem + "_older.npy", Npy.concat(Npy.wrap(1, "{'shape': (" + values.size() + ",), 'fortran_order': False, "
        + "'descr': '" + t.descr() + "'}", 16, false), data));

    assertEquals(values.size(), Sql.mmap(c, "r", stem + ".bin", t.mmapType(), null), "MMAP's count of the raw file");
    assertTable("r", t, values);
    for (String v : List.of("v1", "v2", "v3", "older")) {
      assertEquals(values.size(), Sql.mmap(c, v, stem + "_" + v + ".npy", null, null), "MMAP's count of " + v);
      assertTable(v, t, values);
    }
    // a point read through the idx pushdown
    assertEquals(values.get(7), Sql.typedRows(c, "SELECT val FROM v2 WHERE idx = 7", 0, t).get(0).get(0));
    // reading changes nothing
    assertArrayEquals(data, Sql.bytes(dir.resolve(stem + ".bin")));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("everyType")
  void typeGivenToMmapThatMatchesTheHeaderIsAccepted(Dtype t) throws SQLException {
    List<Object> values = t.sample(7, 5);
    write("m.npy", Npy.file(1, t.descr(), new long[] {5}, t.encode(values)));
    assertEquals(5, Sql.mmap(c, "m", "m.npy", t.mmapType(), null));
    assertTable("m", t, values);
  }

  @ParameterizedTest(name = "{0}") @MethodSource("someTypes")
  void twoDimensionalFilesBindOneColumnPerElementOfARow(Dtype t) throws SQLException {
    List<Object> values = t.sample(11, 12);
    byte[] data = t.encode(values);
    write("m.npy", Npy.file(1, t.descr(), new long[] {4, 3}, data));
    write("m.bin", data);
    assertEquals(4, Sql.mmap(c, "npy", "m.npy", null, null));
    assertEquals(4, Sql.mmap(c, "raw", "m.bin", t.mmapType(), "columns=3"));
    for (String table : List.of("npy", "raw")) {
      List<List<Object>> rows = Sql.typedRows(c, "SELECT idx, c0, c1, c2 FROM " + table + " ORDER BY idx", 1, t);
      assertEquals(rows2d(values, 3), rows, "rows of " + table);
      assertColumns(table, t, "IDX", "C0", "C1", "C2");
    }
    assertEquals(List.of(List.of(2L, values.get(7))),
        Sql.typedRows(c, "SELECT idx, c1 FROM npy WHERE idx = 2", 1, t));
  }

  @Test void longDoubleReadsItsExactValue() throws SQLException {
    Dtype t = Dtype.f(16);
    List<Object> values = List.of(Dtype.ONE_THIRD, new java.math.BigDecimal("9223372036854775809"));
    write("ld.npy", Npy.file(1, "<f16", new long[] {2}, t.encode(values)));
    Sql.mmap(c, "ld", "ld.npy", null, null);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT val FROM ld ORDER BY idx")) {
      for (Object v : values) {
        assertTrue(rs.next());
        assertEquals(0, ((java.math.BigDecimal) v).compareTo(rs.getBigDecimal(1)),
            () -> "exact value " + v + " expected, got " + getQuietly(rs));
      }
    }
  }

  @Test void uint64IsDecimal20WithScale0() throws SQLException {
    Dtype u8 = Dtype.u(8);
    write("u.bin", u8.encode(u8.specials()));
    Sql.mmap(c, "u", "u.bin", "u8", null);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT val FROM u")) {
      ResultSetMetaData md = rs.getMetaData();
      assertEquals(Types.DECIMAL, md.getColumnType(1));
      assertEquals(0, md.getScale(1));
      assertEquals(20, md.getPrecision(1), "uint64 is DECIMAL(20,0): 2^64-1 has 20 digits");
    }
  }

  @Test void longDoubleTakesWritesBeyond1e19() throws SQLException {
    Dtype t = Dtype.f(16);
    Sql.mmap(c, "ld", "ld.bin", "f16", null);
    List<Object> values = List.of(new java.math.BigDecimal("1E+20"), new java.math.BigDecimal("1180591620717411303424"),
        new java.math.BigDecimal("-1208925819614629174706176"));
    assertEquals(3, Sql.update(c, "INSERT INTO ld(val) VALUES (100000000000000000000), (1180591620717411303424),"
        + " (-1208925819614629174706176)"));
    List<Object> exact = values.stream().map(v -> (Object) Dtype.canonical((java.math.BigDecimal) v)).toList();
    assertFile("ld.bin", t.encode(exact), values);
    assertTable("ld", t, exact); // read back whole, beyond what DECIMAL(38, 19) declares
    java.math.BigDecimal twoTo1000 = new java.math.BigDecimal(java.math.BigInteger.ONE.shiftLeft(1000));
    assertEquals(1, Sql.update(c, "UPDATE ld SET val = ? WHERE idx = 0", twoTo1000));
    assertEquals(0, twoTo1000.compareTo((java.math.BigDecimal) Sql.scalar(c, "SELECT val FROM ld WHERE idx = 0")),
        "2^1000, a ? parameter, is written and read back exactly");
    // arithmetic in SQL is DECIMAL(38, 19) arithmetic: a result beyond it is an error, not a rounded value
    byte[] before = Sql.bytes(dir.resolve("ld.bin"));
    Sql.fails(c, "UPDATE ld SET val = val + 1 WHERE idx = 1", Sql.states("22003"));
    assertArrayEquals(before, Sql.bytes(dir.resolve("ld.bin")));
  }

  // ------------------------------------------------------------ what mmapsql writes

  @ParameterizedTest(name = "{0}") @MethodSource("everyType")
  void writesToARawFileAreTheBytesNumpyWouldWrite(Dtype t) throws SQLException {
    List<Object> values = literalValues(t, 9);
    assertEquals(0, Sql.mmap(c, "w", "w.bin", t.mmapType(), null));
    assertEquals(0, Sql.bytes(dir.resolve("w.bin")).length, "a new raw file is empty");
    assertEquals(values.size(), Sql.update(c, "INSERT INTO w(val) VALUES " + tuples(t, values)));
    assertFile("w.bin", t.encode(values), values);

    List<Object> updated = new ArrayList<>(values);
    updated.set(1, values.get(8));
    updated.set(3, values.get(0));
    assertEquals(2, Sql.update(c, "UPDATE w SET val = CASE idx WHEN 1 THEN " + t.literal(values.get(8))
        + " ELSE " + t.literal(values.get(0)) + " END WHERE idx IN (1, 3)"));
    assertFile("w.bin", t.encode(updated), updated);

    assertEquals(5, Sql.update(c, "DELETE FROM w WHERE idx >= 4"));
    assertFile("w.bin", t.encode(updated.subList(0, 4)), updated.subList(0, 4));
    assertTable("w", t, updated.subList(0, 4));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("everyType")
  void newNpyFilesAreWhatNumpySaves(Dtype t) throws SQLException {
    List<Object> values = literalValues(t, 9);
    assertEquals(0, Sql.mmap(c, "n", "n.npy", t.mmapType(), null));
    Path f = dir.resolve("n.npy");
    assertTrue(Files.exists(f), "MMAP creates the .npy file");
    assertNpy(f, t, new long[] {0}, new byte[0]);

    assertEquals(values.size(), Sql.update(c, "INSERT INTO n(val) VALUES " + tuples(t, values)));
    assertNpy(f, t, new long[] {values.size()}, t.encode(values));
    assertEquals(1, Sql.update(c, "UPDATE n SET val = " + t.literal(values.get(0)) + " WHERE idx = 2"));
    List<Object> updated = new ArrayList<>(values);
    updated.set(2, values.get(0));
    assertNpy(f, t, new long[] {values.size()}, t.encode(updated));

    assertEquals(6, Sql.update(c, "DELETE FROM n WHERE idx >= 3"));
    assertNpy(f, t, new long[] {3}, t.encode(updated.subList(0, 3)));
    assertTable("n", t, updated.subList(0, 3));
    assertEquals(3, Sql.update(c, "DELETE FROM n"));
    assertNpy(f, t, new long[] {0}, new byte[0]);
  }

  @Test void aNewNpyWithoutTypeHoldsDoubles() throws SQLException {
    Sql.mmap(c, "d", "d.npy", null, null);
    Sql.update(c, "INSERT INTO d(val) VALUES (1.5E0), (-2E0)");
    assertNpy(dir.resolve("d.npy"), Dtype.f(8), new long[] {2}, Dtype.f(8).encode(List.of(1.5, -2.0)));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("someTypes")
  void twoDimensionalWritesAreWhatNumpyWouldWrite(Dtype t) throws SQLException {
    List<Object> v = literalValues(t, 12);
    assertEquals(0, Sql.mmap(c, "m", "m.npy", t.mmapType(), "columns=3"));
    assertEquals(0, Sql.mmap(c, "r", "m.bin", t.mmapType(), "columns=3"));
    Path npy = dir.resolve("m.npy");
    assertNpy(npy, t, new long[] {0, 3}, new byte[0]);
    StringJoiner rows = new StringJoiner(", ");
    for (int i = 0; i < 4; i++) {
      rows.add("(" + t.literal(v.get(3 * i)) + ", " + t.literal(v.get(3 * i + 1)) + ", " + t.literal(v.get(3 * i + 2)) + ")");
    }
    for (String table : List.of("m", "r")) {
      assertEquals(4, Sql.update(c, "INSERT INTO " + table + "(c0, c1, c2) VALUES " + rows));
    }
    assertNpy(npy, t, new long[] {4, 3}, t.encode(v));
    assertArrayEquals(t.encode(v), Sql.bytes(dir.resolve("m.bin")));

    // update one column of one row, then another column of several
    List<Object> u = new ArrayList<>(v);
    u.set(3 * 1 + 2, v.get(0));
    u.set(3 * 0 + 1, v.get(11));
    u.set(3 * 3 + 1, v.get(11));
    for (String table : List.of("m", "r")) {
      assertEquals(1, Sql.update(c, "UPDATE " + table + " SET c2 = " + t.literal(v.get(0)) + " WHERE idx = 1"));
      assertEquals(2, Sql.update(c, "UPDATE " + table + " SET c1 = " + t.literal(v.get(11)) + " WHERE idx IN (0, 3)"));
    }
    assertNpy(npy, t, new long[] {4, 3}, t.encode(u));
    assertArrayEquals(t.encode(u), Sql.bytes(dir.resolve("m.bin")));
    assertEquals(rows2d(u, 3), Sql.typedRows(c, "SELECT idx, c0, c1, c2 FROM m ORDER BY idx", 1, t));

    for (String table : List.of("m", "r")) {
      assertEquals(2, Sql.update(c, "DELETE FROM " + table + " WHERE idx >= 2"));
    }
    assertNpy(npy, t, new long[] {2, 3}, t.encode(u.subList(0, 6)));
    assertArrayEquals(t.encode(u.subList(0, 6)), Sql.bytes(dir.resolve("m.bin")));
  }

  @Test void twoDimensionalIdxPredicatesArePositionalAccess() throws SQLException {
    Dtype t = Dtype.f(4);
    write("e.npy", Npy.file(1, "<f4", new long[] {50, 4}, t.encode(t.sample(3, 200))));
    Sql.mmap(c, "e", "e.npy", null, null);
    String plan = Sql.rows(c, "EXPLAIN PLAN FOR SELECT c3 FROM e WHERE idx = 7 OR idx BETWEEN 20 AND 22").toString();
    assertTrue(plan.contains("MmapTableScan") && plan.contains("idx=["), () -> "idx pushdown expected: " + plan);
    assertEquals(4L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM e WHERE idx = 7 OR idx BETWEEN 20 AND 22")).longValue());
  }

  @ParameterizedTest(name = "{0}") @MethodSource("floats")
  void nanAndInfinitiesAreStoredAsTheyAre(Dtype t) throws SQLException {
    Sql.mmap(c, "f", "f.bin", t.mmapType(), null);
    List<Object> specials = t.size() == 8 ? List.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY)
        : List.of(Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY);
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO f(val) VALUES (?)")) {
      for (Object v : specials) {
        if (t.size() == 8) {
          ps.setDouble(1, (Double) v);
        } else {
          ps.setFloat(1, (Float) v);
        }
        assertEquals(1, ps.executeUpdate());
      }
    }
    assertEquals(specials, t.decode(Sql.bytes(dir.resolve("f.bin")), 0, 3), "the file holds NaN and the infinities");
    assertEquals(specials.stream().map(List::of).toList(), Sql.typedRows(c, "SELECT val FROM f ORDER BY idx", 0, t));
  }

  static Stream<Dtype> floats() {
    return Stream.of(Dtype.f(4), Dtype.f(8), Dtype.f(4).big(), Dtype.f(8).big());
  }

  // ------------------------------------------------------------ helpers

  /** Values that can be written as SQL literals (no NaN or infinities, no -0: a literal has no sign of zero). */
  static List<Object> literalValues(Dtype t, int n) {
    List<Object> out = new ArrayList<>();
    for (Object v : t.sample(n * 31L, 4 * n)) {
      if (Dtype.literalAble(v) && out.size() < n) {
        out.add(v);
      }
    }
    return out;
  }

  static String tuples(Dtype t, List<Object> values) {
    StringJoiner j = new StringJoiner(", ");
    for (Object v : values) {
      j.add("(" + t.literal(v) + ")");
    }
    return j.toString();
  }

  static List<List<Object>> rows2d(List<Object> values, int k) {
    List<List<Object>> out = new ArrayList<>();
    for (int i = 0; i * k < values.size(); i++) {
      List<Object> row = new ArrayList<>();
      row.add((long) i);
      row.addAll(values.subList(i * k, i * k + k));
      out.add(row);
    }
    return out;
  }

  private void assertTable(String table, Dtype t, List<Object> values) throws SQLException {
    assertColumns(table, t, "IDX", "VAL");
    assertEquals((long) values.size(), ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM " + table)).longValue());
    List<List<Object>> expected = new ArrayList<>();
    for (int i = 0; i < values.size(); i++) {
      expected.add(java.util.Arrays.asList((long) i, values.get(i)));
    }
    assertEquals(expected, Sql.typedRows(c, "SELECT idx, val FROM " + table + " ORDER BY idx", 1, t),
        "rows of " + table + " (" + t + ")");
  }

  private void assertColumns(String table, Dtype t, String... names) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE idx < 0")) {
      ResultSetMetaData md = rs.getMetaData();
      assertEquals(names.length, md.getColumnCount(), "columns of " + table);
      for (int i = 1; i <= names.length; i++) {
        assertEquals(names[i - 1], md.getColumnName(i).toUpperCase(java.util.Locale.ROOT), "column name");
        int type = md.getColumnType(i);
        if (i == 1) {
          assertEquals(Types.BIGINT, type, "idx is BIGINT");
        } else if (t.kind() != Dtype.Kind.LONGDOUBLE) {
          assertEquals(t.sqlType(), type, () -> "SQL type of " + t + " column, as JDBC reports it: "
              + getQuietly(md));
        }
        if (t.kind() == Dtype.Kind.STRING && i > 1) {
          assertEquals(t.size(), md.getPrecision(i), "CHAR(n)");
        }
      }
    }
  }

  private static String getQuietly(ResultSetMetaData md) {
    try {
      return md.getColumnTypeName(2);
    } catch (SQLException e) {
      return e.toString();
    }
  }

  private static String getQuietly(ResultSet rs) {
    try {
      return String.valueOf(rs.getBigDecimal(1));
    } catch (SQLException e) {
      return e.toString();
    }
  }

  /** A .npy file holding exactly what np.save would write for this array: header checked by meaning, then byte for byte. */
  private static void assertNpy(Path f, Dtype t, long[] shape, byte[] data) {
    byte[] file = Sql.bytes(f);
    Npy.Header h = Npy.parse(file);
    String descr = t.descr();
    assertTrue(h.descr().equals(descr) || t.size() == 1 && h.descr().equals("<" + t.code())
        || t.kind() == Dtype.Kind.STRING && h.descr().equals("|" + t.code()),
        () -> "descr " + descr + " expected in " + h.text());
    assertFalse(h.fortran(), "C order");
    List<Long> expectedShape = java.util.Arrays.stream(shape).boxed().toList();
    assertEquals(expectedShape, h.shape(), () -> "shape in the header: " + h.text());
    assertEquals(0, h.dataOffset() % 64, () -> "the data starts at a multiple of 64, as the format asks: " + h.dataOffset());
    assertEquals(h.dataOffset() + data.length, file.length, "file length is header + data");
    assertArrayEquals(data, java.util.Arrays.copyOfRange(file, h.dataOffset(), file.length), "the data");
    byte[] numpys = Npy.file(1, descr, shape, data);
    assertArrayEquals(numpys, file, () -> "byte for byte what np.save writes:\nexpected "
        + HexFormat.of().formatHex(numpys, 0, Math.min(128, numpys.length)) + "\nactual   "
        + HexFormat.of().formatHex(file, 0, Math.min(128, file.length)));
  }

  private void assertFile(String name, byte[] expected, List<Object> values) {
    byte[] actual = Sql.bytes(dir.resolve(name));
    assertArrayEquals(expected, actual, () -> "bytes of " + name + " for " + values + ": "
        + HexFormat.of().formatHex(actual));
  }

  private void write(String name, byte[] b) {
    Sql.write(dir.resolve(name), b);
  }
}
