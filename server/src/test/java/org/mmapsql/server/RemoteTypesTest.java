package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.sql.Types;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmapsql.types.Dtype;
import org.mmapsql.types.Npy;
import org.mmapsql.types.Sql;

/**
 * Typed arrays through a real server on a loopback port (Avatica protobuf),
 * read and written by the mmapsql driver and by Avatica's own: BIGINT at its
 * limits, uint64 as DECIMAL(20,0) beyond 2^63, TIMESTAMP with NaT as NULL,
 * BOOLEAN and CHAR(n) arrive as the values the files hold, with their SQL
 * types; parameters of those types are written as numpy would store them;
 * refusals and exact sums cross the wire too. Files are written and checked
 * by the test from numpy's layout (core's org.mmapsql.types helpers).
 */
class RemoteTypesTest {
  @TempDir static Path dir;
  static MmapServer server;

  static final Dtype I8 = Dtype.i(8);
  static final Dtype U8 = Dtype.u(8);
  static final Dtype MS = Dtype.m8("ms");
  static final Dtype BOOL = Dtype.bool();
  static final Dtype S5 = Dtype.s(5);
  static final Dtype I1 = Dtype.i(1);

  @BeforeAll static void start() throws Exception {
    server = Servers.start(Servers.config(dir));
  }

  @AfterAll static void stop() {
    server.close();
  }

  static Connection client(String kind) throws SQLException {
    return kind.equals("mmapsql") ? Servers.connect(server) : Servers.avatica(server, "");
  }

  static List<Object> values(Dtype t) {
    return switch (t.kind()) {
      case INT -> List.of(t.min(), t.max(), BigInteger.ZERO, BigInteger.valueOf(-5), t.max().subtract(BigInteger.TEN));
      case UINT -> List.of(BigInteger.ZERO, t.max(), BigInteger.ONE.shiftLeft(63), BigInteger.ONE.shiftLeft(63).add(BigInteger.ONE),
          BigInteger.valueOf(42));
      case DATETIME -> Arrays.asList(LocalDateTime.of(1970, 1, 1, 0, 0), null, LocalDateTime.of(2021, 3, 4, 5, 6, 7, 123_000_000),
          LocalDateTime.of(1901, 12, 31, 23, 59, 59), LocalDateTime.of(2199, 1, 1, 0, 0, 0, 1_000_000));
      case BOOL -> List.of(true, false, false, true, true);
      case STRING -> List.of("abc  ", "hello", "x    ", "     ", "Q9 z ");
      default -> throw new AssertionError(t);
    };
  }

  @ParameterizedTest @ValueSource(strings = {"mmapsql", "avatica"})
  void typedValuesArriveAsTheFileHoldsThem(String kind) throws Exception {
    String p = kind + "_";
    Object[][] cases = {{I8, Types.BIGINT, ".npy"}, {U8, Types.DECIMAL, ".bin"}, {MS.big(), Types.TIMESTAMP, ".npy"},
        {BOOL, Types.BOOLEAN, ".bin"}, {S5, Types.CHAR, ".npy"}};
    try (Connection c = client(kind)) {
      for (Object[] cs : cases) {
        Dtype t = (Dtype) cs[0];
        String table = p + t.fileStem();
        String file = table + cs[2];
        List<Object> v = values(t);
        byte[] data = t.encode(v);
        Sql.write(dir.resolve(file), file.endsWith(".npy") ? Npy.file(1, t.descr(), new long[] {v.size()}, data) : data);
        assertEquals(v.size(), Sql.mmap(c, table, file, file.endsWith(".npy") ? null : t.mmapType(), null));
        List<List<Object>> expected = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          expected.add(Arrays.asList((long) i, v.get(i)));
        }
        assertEquals(expected, Sql.typedRows(c, "SELECT idx, val FROM " + table + " ORDER BY idx", 1, t),
            kind + " reads " + t);
        try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT val FROM " + table + " WHERE idx = 1")) {
          ResultSetMetaData md = rs.getMetaData();
          assertEquals((int) cs[1], md.getColumnType(1), () -> kind + ": SQL type of " + t);
          if (t == U8) {
            assertEquals(20, md.getPrecision(1), "uint64 is DECIMAL(20,0)");
          }
          assertTrue(rs.next());
          Object o = rs.getObject(1);
          switch (t.kind()) {
            case INT -> assertEquals(Long.MAX_VALUE, (Long) o, "a BIGINT arrives as a Long");
            case UINT -> assertEquals(0, new BigDecimal(U8.max()).compareTo((BigDecimal) o), "a DECIMAL arrives as a BigDecimal");
            case DATETIME -> assertEquals(null, o, "NaT arrives as NULL");
            case BOOL -> assertEquals(Boolean.FALSE, o);
            default -> assertEquals("hello", o);
          }
        }
      }
      // exact aggregates cross the wire
      Object sum = Sql.scalar(c, "SELECT SUM(val) FROM " + p + U8.fileStem());
      BigInteger exact = BigInteger.ZERO;
      for (Object x : values(U8)) {
        exact = exact.add((BigInteger) x);
      }
      assertEquals(0, new BigDecimal(exact).compareTo(new BigDecimal(sum.toString())), "SUM of uint64: " + sum);
      // a BIGINT sum beyond BIGINT is refused (22003), not wrapped (TypedDifferentialTest has the other plans)
      Sql.fails(c, "SELECT SUM(val) FROM " + p + I8.fileStem() + " WHERE idx >= 1", Sql.states("22003"));
      Object isum = Sql.scalar(c, "SELECT SUM(val) FROM " + p + I8.fileStem() + " WHERE idx >= 2");
      assertEquals(0, new BigDecimal(I8.max().subtract(BigInteger.valueOf(15))).compareTo(new BigDecimal(isum.toString())),
          "SUM of int64: " + isum);
    }
  }

  @ParameterizedTest @ValueSource(strings = {"mmapsql", "avatica"})
  void typedParametersAreWrittenAsNumpyStoresThem(String kind) throws Exception {
    String p = "w" + kind + "_";
    try (Connection c = client(kind)) {
      for (Dtype t : List.of(I8, U8, MS, BOOL, S5)) {
        String table = p + t.fileStem();
        Sql.mmap(c, table, table + ".npy", t.mmapType(), null);
        List<Object> v = values(t);
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO " + table + "(val) VALUES (?)")) {
          for (Object x : v) {
            switch (t.kind()) {
              case INT -> ps.setLong(1, ((BigInteger) x).longValue());
              case UINT -> ps.setBigDecimal(1, new BigDecimal((BigInteger) x));
              case DATETIME -> ps.setTimestamp(1, x == null ? null : Timestamp.valueOf((LocalDateTime) x));
              case BOOL -> ps.setBoolean(1, (Boolean) x);
              default -> ps.setString(1, ((String) x).stripTrailing());
            }
            assertEquals(1, ps.executeUpdate());
          }
        }
        byte[] file = Sql.bytes(dir.resolve(table + ".npy"));
        Npy.Header h = Npy.parse(file);
        assertEquals(List.of((long) v.size()), h.shape(), kind + ": shape of " + t);
        assertArrayEquals(t.encode(v), Arrays.copyOfRange(file, h.dataOffset(), file.length), kind + ": bytes of " + t);
      }
      // a refused write is refused remotely too, and changes nothing
      String t = p + "i1";
      Sql.mmap(c, t, t + ".bin", "i1", null);
      Sql.update(c, "INSERT INTO " + t + "(val) VALUES (-128), (127)");
      Sql.fails(c, "INSERT INTO " + t + "(val) VALUES (1), (300)", Sql.states("22003"), "300");
      Sql.fails(c, "UPDATE " + t + " SET val = -129 WHERE idx = 0", Sql.states("22003"), "-129");
      assertArrayEquals(I1.encode(List.of(I1.min(), I1.max())), Sql.bytes(dir.resolve(t + ".bin")));
      Sql.write(dir.resolve(p + "ro.bin"), new byte[8]);
      Sql.mmap(c, p + "ro", p + "ro.bin", "i8", "readonly");
      Sql.fails(c, "INSERT INTO " + p + "ro(val) VALUES (1)", Sql.states("25006"));
      assertArrayEquals(new byte[8], Sql.bytes(dir.resolve(p + "ro.bin")));
    }
  }
}
