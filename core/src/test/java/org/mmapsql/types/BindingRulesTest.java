package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The rules around a binding: type names and their aliases, read-only
 * bindings, options, rebinding, what is refused (Fortran order, object dtype,
 * more than two dimensions, unknown types and options), structured dtypes,
 * headers without room for a longer shape, and the columns of sys.mappings.
 */
class BindingRulesTest {
  private static final String[] READ_ONLY = {"25006"};
  private static final String[] ANY = {};

  @TempDir Path dir;
  private Connection c;

  @BeforeEach void open() throws SQLException {
    c = DriverManager.getConnection("jdbc:mmap:" + dir);
  }

  @AfterEach void close() throws SQLException {
    c.close();
  }

  // ------------------------------------------------------------ type names

  @Test void everyTypeNameOfTheIssueIsAcceptedCaseInsensitively() throws SQLException {
    Object[][] names = {
        {Dtype.i(1), "TINYINT", "tinyint", "int8", "Int8", "i1", "<i1", "|i1", "=i1"},
        {Dtype.i(2), "SMALLINT", "int16", "i2", "<i2", "=i2"},
        {Dtype.i(4), "INTEGER", "int32", "i4", "<i4", "INT32"},
        {Dtype.i(8), "BIGINT", "int64", "i8", "<i8"},
        {Dtype.f(4), "REAL", "float", "float32", "f4", "<f4", "FLOAT32"},
        {Dtype.f(8), "DOUBLE", "double", "float64", "f8", "<f8", "=f8"},
        {Dtype.f(2), "float16", "f2", "<f2", "FLOAT16"},
        {Dtype.bool(), "bool", "?", "BOOL", "|b1"},
        {Dtype.u(1), "uint8", "u1", "|u1", "UINT8"},
        {Dtype.u(2), "uint16", "u2", "<u2"},
        {Dtype.u(4), "uint32", "u4"},
        {Dtype.u(8), "uint64", "u8", "UINT64"},
        {Dtype.f(16), "long_double", "f16", "float128", "LONG_DOUBLE", "<f16"},
        {Dtype.s(5), "string(5)", "S5", "STRING(5)", "|S5"},
        {Dtype.m8("s"), "datetime64[s]", "M8[s]", "<M8[s]", "DATETIME64[S]"},
        {Dtype.m8("ms"), "datetime64[ms]", "M8[ms]"},
        {Dtype.m8("us"), "datetime64[us]", "M8[us]"},
        {Dtype.m8("ns"), "datetime64[ns]", "M8[ns]", "<M8[ns]"},
        {Dtype.i(4).big(), ">i4"},
        {Dtype.f(8).big(), ">f8"},
        {Dtype.u(2).big(), ">u2"},
        {Dtype.m8("ms").big(), ">M8[ms]"},
    };
    int n = 0;
    for (Object[] row : names) {
      Dtype t = (Dtype) row[0];
      List<Object> values = t.sample(t.descr().hashCode(), 6);
      for (int i = 1; i < row.length; i++) {
        String name = (String) row[i];
        String table = "t" + n++;
        Path f = dir.resolve(table + ".bin");
        Sql.write(f, t.encode(values));
        assertEquals(6, Sql.mmap(c, table, table + ".bin", name, null), "MMAP with type " + name);
        List<List<Object>> rows = Sql.typedRows(c, "SELECT idx, val FROM " + table + " ORDER BY idx", 1, t);
        List<List<Object>> expected = new ArrayList<>();
        for (int k = 0; k < values.size(); k++) {
          expected.add(Arrays.asList((long) k, values.get(k)));
        }
        assertEquals(expected, rows, "values read with type " + name);
        String shown = (String) Sql.scalar(c, "SELECT type FROM sys.mappings WHERE name = '" + table + "'");
        assertTrue(sameDescr(t, shown), () -> "sys.mappings type of " + name + " should be " + t.descr() + ": " + shown);
      }
    }
  }

  @Test void anUnknownTypeIsRefusedNamingIt() throws SQLException {
    for (String bad : List.of("int7", "f3", "S0", "string(0)", "M8[fortnight]", "<c16", "object", "O")) {
      Sql.fails(c, "SELECT MMAP('z', 'z.bin', '" + bad + "')", ANY, bad.toLowerCase(Locale.ROOT));
      assertFalse(bound("z"), "no binding after MMAP with type " + bad);
    }
  }

  @Test void withoutTypeANpyTakesItsHeaderAndAnythingElseIsDouble() throws SQLException {
    Dtype i4 = Dtype.i(4).big();
    Sql.write(dir.resolve("a.npy"), Npy.file(1, i4.descr(), new long[] {3}, i4.encode(i4.sample(1, 3))));
    Sql.write(dir.resolve("b.npy"), Npy.file(1, i4.descr(), new long[] {3}, i4.encode(i4.sample(1, 3))));
    Sql.mmap(c, "a", "a.npy", null, null);
    Sql.scalar(c, "SELECT MMAP('b', 'b.npy', '')");
    Sql.scalar(c, "SELECT MMAP('c', 'c.bin', '')");
    Sql.mmap(c, "d", "d.bin", null, null);
    assertEquals(List.of(List.of("a", ">i4"), List.of("b", ">i4"), List.of("c", "<f8"), List.of("d", "<f8")),
        Sql.rows(c, "SELECT name, type FROM sys.mappings ORDER BY name"));
  }

  // ------------------------------------------------------------ read-only bindings and options

  @Test void aReadOnlyBindingRefusesEveryWriteWith25006AndChangesNothing() throws SQLException {
    Dtype f4 = Dtype.f(4);
    byte[] data = f4.encode(NumpyBytesTest.literalValues(f4, 5));
    byte[] npy = Npy.file(1, "<f4", new long[] {5}, data);
    Sql.write(dir.resolve("r.f4"), data);
    Sql.write(dir.resolve("r.npy"), npy);
    Sql.write(dir.resolve("r2.f4"), Arrays.copyOf(Npy.concat(data, data), 24));
    Sql.mmap(c, "r1", "r.f4", "f4", "readonly");
    Sql.mmap(c, "r2", "r.npy", null, "RO");
    Sql.write(dir.resolve("r3.npy"), npy);
    Sql.scalar(c, "SELECT MMAP('r3', 'r3.npy', '', 'ReadOnly')");
    Sql.mmap(c, "r4", "r2.f4", "f4", "ro,columns=3");
    Sql.write(dir.resolve("r5.f4"), Arrays.copyOf(Npy.concat(data, data), 24));
    Sql.mmap(c, "r5", "r5.f4", "float32", "COLUMNS=2, RO");
    for (String t : List.of("r1", "r2", "r3")) {
      assertEquals(5L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM " + t)).longValue(), "a read-only binding reads");
      for (String w : List.of("INSERT INTO " + t + "(val) VALUES (1.0E0)", "UPDATE " + t + " SET val = 2.0E0 WHERE idx = 1",
          "UPDATE " + t + " SET val = val * 2", "DELETE FROM " + t + " WHERE idx >= 3", "DELETE FROM " + t,
          "SELECT VPOP('" + t + "')")) {
        Sql.fails(c, w, READ_ONLY);
      }
    }
    for (String w : List.of("INSERT INTO r4(c0, c1, c2) VALUES (1.0E0, 2.0E0, 3.0E0)", "UPDATE r4 SET c1 = 0.0E0",
        "DELETE FROM r5 WHERE idx >= 1", "UPDATE r5 SET c0 = 1.0E0 WHERE idx = 0")) {
      Sql.fails(c, w, READ_ONLY);
    }
    assertArrayEquals(data, Sql.bytes(dir.resolve("r.f4")));
    assertArrayEquals(npy, Sql.bytes(dir.resolve("r.npy")));
    assertArrayEquals(npy, Sql.bytes(dir.resolve("r3.npy")));
    assertEquals(2L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM r4")).longValue(), "rows of 3 floats in 24 bytes");
    assertEquals(3L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM r5")).longValue(), "rows of 2 floats in 24 bytes");
    assertEquals(List.of(List.of("r1", true), List.of("r2", true), List.of("r3", true), List.of("r4", true), List.of("r5", true)),
        bools(Sql.rows(c, "SELECT name, read_only FROM sys.mappings ORDER BY name")));
  }

  @Test void aReadOnlyBindingNeverCreatesItsFile() throws SQLException {
    for (String f : List.of("missing.f4", "missing.npy")) {
      Sql.fails(c, "SELECT MMAP('m', '" + f + "', 'f4', 'readonly')", ANY, f);
      assertFalse(Files.exists(dir.resolve(f)), "MMAP read-only created " + f);
      assertFalse(bound("m"));
    }
  }

  @Test void unknownOrMalformedOptionsAreRefused() throws SQLException {
    for (String opt : List.of("fast", "readonly,fast", "columns=0", "columns=-2", "columns=x", "columns", "writable=1")) {
      Sql.fails(c, "SELECT MMAP('o', 'o.f4', 'f4', '" + opt + "')", ANY);
      assertFalse(bound("o"), "no binding after option " + opt);
      assertFalse(Files.exists(dir.resolve("o.f4")), "no file created after option " + opt);
    }
  }

  @Test void rebindingANameWithAnotherTypeOrModeIsRefused() throws SQLException {
    Sql.mmap(c, "t", "t.f4", "f4", null);
    Sql.update(c, "INSERT INTO t(val) VALUES (1.5E0), (2.5E0), (3.5E0), (4.5E0)");
    assertEquals(4, Sql.mmap(c, "t", "t.f4", "f4", null), "the same binding again returns the count");
    assertEquals(4, Sql.mmap(c, "t", "t.f4", "float32", null), "the same type under another name is the same binding");
    for (String[] other : new String[][] {{"i4", null}, {"f8", null}, {">f4", null}, {"f4", "readonly"},
        {"f4", "columns=2"}, {null, null}}) {
      Sql.fails(c, "SELECT MMAP('t', 't.f4'" + (other[0] == null ? "" : ", '" + other[0] + "'")
          + (other[1] == null ? "" : ", '" + other[1] + "'") + ")", ANY);
    }
    assertEquals(List.of(List.of("<f4", false, 4L)), bools(Sql.rows(c,
        "SELECT type, read_only, row_count FROM sys.mappings WHERE name = 't'")));
    Sql.update(c, "INSERT INTO t(val) VALUES (5.5E0)");
    assertEquals(5L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM t")).longValue(), "still writable");
    // a read-only binding cannot become writable either
    Sql.write(dir.resolve("r.f4"), new byte[8]);
    Sql.mmap(c, "r", "r.f4", "f4", "ro");
    Sql.fails(c, "SELECT MMAP('r', 'r.f4', 'f4')", ANY);
    Sql.fails(c, "INSERT INTO r(val) VALUES (1.0E0)", READ_ONLY);
  }

  @Test void aTypeThatContradictsTheNpyHeaderIsRefused() throws SQLException {
    Dtype f8 = Dtype.f(8);
    byte[] file = Npy.file(1, "<f8", new long[] {3}, f8.encode(List.of(1.0, 2.0, 3.0)));
    Sql.write(dir.resolve("h.npy"), file);
    for (String t : List.of("f4", "i8", ">f8", "u8")) {
      Sql.fails(c, "SELECT MMAP('h', 'h.npy', '" + t + "')", ANY, "f8|float64|double");
      assertFalse(bound("h"));
    }
    Sql.fails(c, "SELECT MMAP('h', 'h.npy', 'f8', 'columns=3')", ANY);
    assertFalse(bound("h"));
    assertArrayEquals(file, Sql.bytes(dir.resolve("h.npy")), "the file is untouched");
    assertEquals(3, Sql.mmap(c, "h", "h.npy", "DOUBLE", null));
  }

  // ------------------------------------------------------------ what is refused

  @Test void fortranOrderObjectDtypeAndMoreThanTwoDimensionsAreRefusedClearly() throws SQLException {
    Object[][] cases = {
        {"fortran.npy", Npy.concat(Npy.header(1, "<f8", true, 3, 4), new byte[96]), "fortran"},
        {"object.npy", Npy.concat(Npy.header(1, "|O", false, 3), new byte[24]), "object|'o'|\"o\"| o "},
        {"cube.npy", Npy.concat(Npy.header(1, "<f4", false, 2, 3, 4), new byte[96]), "dimension|3-d|(2, 3, 4)|3 axes"},
        {"complex.npy", Npy.concat(Npy.header(1, "<c16", false, 2), new byte[32]), "c16|complex"},
        {"garbage.npy", "\u0093NUMPY this is not a header".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), "header|npy"},
        // review finding 12: nesting deep enough to overflow a recursive reader's stack
        {"deep.npy", Npy.wrap(2, "{'descr': '<f8', 'fortran_order': False, 'shape': " + "[".repeat(30_000) + "}", 64, true),
            "header|nested"},
    };
    for (Object[] cs : cases) {
      String f = (String) cs[0];
      byte[] bytes = (byte[]) cs[1];
      Sql.write(dir.resolve(f), bytes);
      Sql.fails(c, "SELECT MMAP('x', '" + f + "')", ANY, (String) cs[2]);
      assertFalse(bound("x"), "no binding for " + f);
      assertArrayEquals(bytes, Sql.bytes(dir.resolve(f)), "the refused file is untouched");
    }
  }

  @Test void aStructuredDtypeBindsOneColumnPerFieldOrIsRefusedClearly() throws SQLException {
    // [('t', '<i8'), ('v', '<f4')]: packed rows of 12 bytes, as numpy stores them
    ByteBuffer b = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
    long[] ts = {1_700_000_000L, -5, Long.MAX_VALUE};
    float[] vs = {1.5f, -0.25f, 3e38f};
    for (int i = 0; i < 3; i++) {
      b.putLong(ts[i]).putFloat(vs[i]);
    }
    String dict = "{'descr': [('t', '<i8'), ('v', '<f4')], 'fortran_order': False, 'shape': (3,), }";
    byte[] file = Npy.concat(Npy.wrap(1, dict + " ".repeat(Npy.GROWTH_DIGITS - 1), 64, true), b.array());
    Sql.write(dir.resolve("s.npy"), file);
    long n;
    try {
      n = Sql.mmap(c, "s", "s.npy", null, null);
    } catch (SQLException e) {
      Sql.check(e, "MMAP of a structured dtype", ANY, "structured|field|record");
      assertFalse(bound("s"));
      return;
    }
    assertEquals(3, n);
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM s ORDER BY idx")) {
      ResultSetMetaData md = rs.getMetaData();
      assertEquals(3, md.getColumnCount());
      assertEquals("T", md.getColumnName(2).toUpperCase(Locale.ROOT));
      assertEquals("V", md.getColumnName(3).toUpperCase(Locale.ROOT));
      for (int i = 0; i < 3; i++) {
        assertTrue(rs.next());
        assertEquals(ts[i], rs.getLong(2));
        assertEquals(vs[i], rs.getFloat(3));
      }
    }
    assertEquals(1, Sql.update(c, "UPDATE s SET v = 2.5E0 WHERE idx = 1"));
    assertEquals(1, Sql.update(c, "INSERT INTO s(t, v) VALUES (7, 0.5E0)"));
    byte[] after = Sql.bytes(dir.resolve("s.npy"));
    Npy.Header h = Npy.parse(after);
    assertEquals(List.of(4L), h.shape());
    ByteBuffer d = ByteBuffer.wrap(after, h.dataOffset(), 48).slice().order(ByteOrder.LITTLE_ENDIAN);
    assertEquals(-5L, d.getLong(12));
    assertEquals(2.5f, d.getFloat(20));
    assertEquals(7L, d.getLong(36));
    assertEquals(0.5f, d.getFloat(44));
  }

  @Test void aHeaderWithNoRoomForALongerShapeIsRewrittenSafelyOrTheAppendRefused() throws SQLException {
    Dtype f8 = Dtype.f(8);
    List<Object> values = new ArrayList<>(List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0));
    // a valid header aligned to 16 with not one spare byte: shape (9,) cannot become (10,) in place
    String dict = "{'descr': '<f8', 'fortran_order': False, 'shape': (9,)}";
    while ((10 + dict.length() + 1) % 16 != 0) {
      dict = dict.replace("}", " }");
    }
    byte[] header = Npy.wrap(1, dict, 16, false);
    assertEquals(0, header.length % 16);
    assertEquals('}', header[header.length - 2], "no padding left");
    byte[] file = Npy.concat(header, f8.encode(values));
    Sql.write(dir.resolve("tight.npy"), file);
    assertEquals(9, Sql.mmap(c, "tight", "tight.npy", null, null));
    int n;
    try {
      n = Sql.update(c, "INSERT INTO tight(val) VALUES (10.0E0)");
    } catch (SQLException e) {
      assertArrayEquals(file, Sql.bytes(dir.resolve("tight.npy")), "a refused append changes nothing");
      assertFalse(String.valueOf(e.getMessage()).isBlank());
      return;
    }
    assertEquals(1, n);
    values.add(10.0);
    byte[] after = Sql.bytes(dir.resolve("tight.npy"));
    Npy.Header h = Npy.parse(after);
    assertEquals(List.of(10L), h.shape(), "the new length is in the header");
    assertEquals("<f8", h.descr());
    assertEquals(values, f8.decode(after, h.dataOffset(), 10), "and the data is intact after the header grew");
    assertEquals(h.dataOffset() + 80, after.length);
    assertEquals(10L, ((Number) Sql.scalar(c, "SELECT COUNT(*) FROM tight")).longValue());
    assertEquals(10.0, ((Number) Sql.scalar(c, "SELECT val FROM tight WHERE idx = 9")).doubleValue());
  }

  // ------------------------------------------------------------ sys.mappings

  @Test void sysMappingsShowsTheLayoutOfEveryBinding() throws SQLException {
    Sql.write(dir.resolve("raw.f4"), new byte[4000]);
    Sql.write(dir.resolve("emb.npy"), Npy.concat(Npy.header(1, "<f4", false, 1000, 768), new byte[1000 * 768 * 4]));
    Sql.write(dir.resolve("big.i2"), new byte[10]);
    Sql.mmap(c, "a_raw", "raw.f4", "f4", null);
    Sql.mmap(c, "b_emb", "emb.npy", null, "ro");
    Sql.mmap(c, "c_big", "big.i2", ">i2", "columns=5");
    Sql.mmap(c, "d_u8", "new.npy", "uint64", null);
    Sql.mmap(c, "e_s", "s.bin", "S7", null);
    Sql.update(c, "INSERT INTO e_s(val) VALUES ('abc'), ('defg')");
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM sys.mappings ORDER BY name")) {
      ResultSetMetaData md = rs.getMetaData();
      List<String> names = new ArrayList<>();
      for (int i = 1; i <= md.getColumnCount(); i++) {
        names.add(md.getColumnName(i).toLowerCase(Locale.ROOT));
      }
      assertEquals(List.of("name", "path", "type", "sql_type", "element_size", "shape", "data_offset", "read_only", "base",
          "exclusive", "row_count", "file_bytes", "status"), names);
    }
    List<List<Object>> rows = bools(Sql.rows(c, "SELECT name, type, sql_type, element_size, shape, data_offset, read_only,"
        + " row_count, file_bytes FROM sys.mappings ORDER BY name"));
    int npyHeader = Npy.header(1, "<f4", false, 1000, 768).length;
    List<List<Object>> expected = List.of(
        List.of("a_raw", "<f4", "REAL", 4L, "(1000,)", 0L, false, 1000L, 4000L),
        List.of("b_emb", "<f4", "REAL", 4L, "(1000, 768)", (long) npyHeader, true, 1000L, npyHeader + 1000L * 768 * 4),
        List.of("c_big", ">i2", "SMALLINT", 2L, "(1, 5)", 0L, false, 1L, 10L),
        List.of("d_u8", "<u8", "DECIMAL(20,0)", 8L, "(0,)", 128L, false, 0L, 128L),
        List.of("e_s", "|S7", "CHAR(7)", 7L, "(2,)", 0L, false, 2L, 14L));
    assertEquals(expected, rows);
    assertEquals("raw.f4", Sql.scalar(c, "SELECT path FROM sys.mappings WHERE name = 'a_raw'"));
    assertEquals("ok", Sql.scalar(c, "SELECT status FROM sys.mappings WHERE name = 'a_raw'"));
  }

  // ------------------------------------------------------------ helpers

  private boolean bound(String name) throws SQLException {
    return !Sql.rows(c, "SELECT name FROM sys.mappings WHERE name = '" + name + "'").isEmpty();
  }

  /** numpy writes one-byte and string types with '|'; '<' for them reads the same. */
  static boolean sameDescr(Dtype t, String shown) {
    return shown != null && (shown.equals(t.descr()) || !t.hasOrder() && shown.substring(1).equals(t.code()));
  }

  /** Rows with numbers as Long, booleans as Boolean and SQL type names without spaces, so that they compare. */
  private static List<List<Object>> bools(List<List<Object>> rows) {
    List<List<Object>> out = new ArrayList<>();
    for (List<Object> r : rows) {
      List<Object> row = new ArrayList<>();
      for (Object o : r) {
        if (o instanceof Number x && !(o instanceof java.math.BigDecimal d && d.scale() > 0)) {
          row.add(x.longValue());
        } else if (o instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
          row.add(Boolean.parseBoolean(s));
        } else if (o instanceof String s && s.startsWith("DECIMAL")) {
          row.add(s.replace(" ", ""));
        } else {
          row.add(o);
        }
      }
      out.add(row);
    }
    return out;
  }
}
