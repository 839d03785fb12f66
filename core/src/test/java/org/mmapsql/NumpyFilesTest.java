package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written byte by byte as numpy writes them (per numpy's format
 * specification, numpy.lib.format), for every dtype and byte order, read back
 * value for value; and files mmapsql writes compared byte for byte with what
 * numpy writes for the same array.
 */
class NumpyFilesTest {
  @TempDir Path dir;

  /** One dtype: its code, how the test writes three values, and how they read back as strings. */
  private record Case(String type, int width, Consumer<ByteBuffer> values, List<String> expected) {
  }

  private static List<Case> cases(ByteOrder o) {
    boolean be = o == ByteOrder.BIG_ENDIAN;
    String p = be ? ">" : "<";
    return List.of(
        new Case("|i1", 1, b -> b.put((byte) -128).put((byte) 0).put((byte) 127), List.of("-128", "0", "127")),
        new Case(p + "i2", 2, b -> b.putShort((short) -32768).putShort((short) 1).putShort((short) 32767),
            List.of("-32768", "1", "32767")),
        new Case(p + "i4", 4, b -> b.putInt(Integer.MIN_VALUE).putInt(-1).putInt(Integer.MAX_VALUE),
            List.of("-2147483648", "-1", "2147483647")),
        new Case(p + "i8", 8, b -> b.putLong(Long.MIN_VALUE).putLong(42).putLong(Long.MAX_VALUE),
            List.of("-9223372036854775808", "42", "9223372036854775807")),
        new Case("|u1", 1, b -> b.put((byte) 0).put((byte) 128).put((byte) 255), List.of("0", "128", "255")),
        new Case(p + "u2", 2, b -> b.putShort((short) 0).putShort((short) 40000).putShort((short) 65535),
            List.of("0", "40000", "65535")),
        new Case(p + "u4", 4, b -> b.putInt(0).putInt(-2147483648).putInt(-1), List.of("0", "2147483648", "4294967295")),
        new Case(p + "u8", 8, b -> b.putLong(0).putLong(Long.MIN_VALUE).putLong(-1),
            List.of("0", "9223372036854775808", "18446744073709551615")),
        // float16 1.5 = 0x3E00, -2 = 0xC000, 65504 = 0x7BFF
        new Case(p + "f2", 2, b -> b.putShort((short) 0x3E00).putShort((short) 0xC000).putShort((short) 0x7BFF),
            List.of("1.5", "-2.0", "65504.0")),
        new Case(p + "f4", 4, b -> b.putFloat(0.5f).putFloat(Float.NaN).putFloat(Float.NEGATIVE_INFINITY),
            List.of("0.5", "NaN", "-Infinity")),
        new Case(p + "f8", 8, b -> b.putDouble(0.1).putDouble(-1e300).putDouble(Double.POSITIVE_INFINITY),
            List.of("0.1", "-1.0E300", "Infinity")),
        new Case("|b1", 1, b -> b.put((byte) 1).put((byte) 0).put((byte) 1), List.of("true", "false", "true")),
        new Case("|S3", 3, b -> b.put("ab\0".getBytes(StandardCharsets.US_ASCII)).put("xyz".getBytes(StandardCharsets.US_ASCII))
            .put(new byte[3]), List.of("ab ", "xyz", "   ")),
        // 2020-01-02T03:04:05.678 = 1577934245678 ms; NaT is the smallest int64
        new Case(p + "M8[ms]", 8, b -> b.putLong(1577934245678L).putLong(Long.MIN_VALUE).putLong(0),
            List.of("2020-01-02 03:04:05.678", "null", "1970-01-01 00:00:00.000")),
        new Case(p + "M8[s]", 8, b -> b.putLong(1577934245L).putLong(-1).putLong(86400),
            List.of("2020-01-02 03:04:05.000", "1969-12-31 23:59:59.000", "1970-01-02 00:00:00.000")),
        new Case(p + "M8[ns]", 8, b -> b.putLong(1577934245678_900_000L).putLong(Long.MIN_VALUE).putLong(1_000_000L),
            List.of("2020-01-02 03:04:05.678", "null", "1970-01-01 00:00:00.001")),
        // x86 extended: 1.5 = mantissa 0xC000000000000000, exponent 0x3FFF; -2 = 0x8000.., 0xC000
        new Case(p + "f16", 16, b -> {
          longDouble(b, 0xC000_0000_0000_0000L, 0x3FFF, be);
          longDouble(b, 0x8000_0000_0000_0000L, 0xC000, be);
          longDouble(b, 0, 0, be);
        }, List.of("1.5", "-2", "0")));
  }

  private static void longDouble(ByteBuffer b, long mantissa, int signExp, boolean bigEndian) {
    ByteBuffer le = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    le.putLong(mantissa).putShort((short) signExp);
    byte[] bytes = le.array();
    if (bigEndian) {
      for (int i = 0; i < 8; i++) {
        byte t = bytes[i];
        bytes[i] = bytes[15 - i];
        bytes[15 - i] = t;
      }
    }
    b.put(bytes);
  }

  private static byte[] data(Case c, ByteOrder o) {
    ByteBuffer b = ByteBuffer.allocate(3 * c.width).order(o);
    c.values.accept(b);
    return b.array();
  }

  /** A .npy file as numpy writes it: magic, version, header length, the dict padded to 64 bytes. */
  static byte[] npy(int major, String descr, String shape, byte[] data) {
    String dict = "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape + ", }";
    int prefix = major == 1 ? 10 : 12;
    int total = (prefix + dict.length() + 1 + 63) / 64 * 64;
    String text = dict + " ".repeat(total - prefix - dict.length() - 1) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', (byte) major, 0});
    int len = total - prefix;
    if (major == 1) {
      out.writeBytes(new byte[] {(byte) len, (byte) (len >> 8)});
    } else {
      out.writeBytes(new byte[] {(byte) len, (byte) (len >> 8), 0, 0});
    }
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  private static List<String> column(TestDb db, String sql) throws SQLException {
    List<String> out = new ArrayList<>();
    try (Statement s = db.conn.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        out.add(String.valueOf(rs.getString(1)));
      }
    }
    return out;
  }

  @Test void rawFilesOfEveryTypeAndByteOrderReadAsWritten() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      int n = 0;
      for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
        for (Case c : cases(o)) {
          String t = "r" + n++;
          Files.write(dir.resolve(t + ".bin"), data(c, o));
          db.scalar("SELECT MMAP('" + t + "', '" + t + ".bin', '" + c.type + "')");
          assertEquals(c.expected, column(db, "SELECT val FROM " + t + " ORDER BY idx"), c.type);
        }
      }
    }
  }

  @Test void npyFilesOfEveryVersionTypeAndByteOrderReadFromTheirHeader() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      int n = 0;
      for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
        for (Case c : cases(o)) {
          int major = 1 + n % 3;
          String t = "n" + n++;
          Files.write(dir.resolve(t + ".npy"), npy(major, "'" + c.type + "'", "(3,)", data(c, o)));
          db.scalar("SELECT MMAP('" + t + "', '" + t + ".npy')");
          assertEquals(c.expected, column(db, "SELECT val FROM " + t + " ORDER BY idx"), c.type + " v" + major);
          assertEquals(c.type.replace(">b1", "|b1"), db.scalar("SELECT type FROM sys.mappings WHERE name = ?", t));
        }
      }
    }
  }

  @Test void longDoubleReadsAsItsExactValue() throws Exception {
    // 0.1 rounded to 64 significant bits, as numpy.longdouble('0.1') stores it: 0xCCCCCCCCCCCCCCCD * 2^-67
    ByteBuffer b = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(0xCCCC_CCCC_CCCC_CCCDL).putShort((short) 0x3FFB);
    Files.write(dir.resolve("ld.bin"), b.array());
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('ld', 'ld.bin', 'long_double')");
      try (Statement s = db.conn.createStatement(); ResultSet rs = s.executeQuery("SELECT val FROM ld")) {
        rs.next();
        BigDecimal exact = new BigDecimal(new java.math.BigInteger("CCCCCCCCCCCCCCCD", 16))
            .divide(new BigDecimal(java.math.BigInteger.TWO.pow(67)));
        assertEquals(0, exact.compareTo(rs.getBigDecimal(1)), rs.getBigDecimal(1).toPlainString());
        assertEquals("0.1000000000000000000013552527156068805425093160010874271392822265625",
            rs.getBigDecimal(1).toPlainString());
      }
      db.update("UPDATE ld SET val = 0.1");
      assertArrayEquals(b.array(), Files.readAllBytes(dir.resolve("ld.bin")));
    }
  }

  @Test void twoDimensionalAndStructuredNpyFilesBindAsColumns() throws Exception {
    ByteBuffer grid = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < 6; i++) {
      grid.putShort((short) (i * 10));
    }
    Files.write(dir.resolve("g.npy"), npy(1, "'<i2'", "(3, 2)", java.util.Arrays.copyOf(grid.array(), 12)));
    ByteBuffer rec = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    rec.putLong(100).putFloat(1.5f).putLong(200).putFloat(-2.5f);
    Files.write(dir.resolve("s.npy"), npy(1, "[('t', '<i8'), ('v', '<f4')]", "(2,)", java.util.Arrays.copyOf(rec.array(), 24)));
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('g', 'g.npy')");
      assertEquals(List.of(List.of(0L, 0, 10), List.of(1L, 20, 30), List.of(2L, 40, 50)),
          db.rows("SELECT idx, CAST(c0 AS INTEGER), CAST(c1 AS INTEGER) FROM g ORDER BY idx"));
      assertEquals(List.of(List.of("<i2", "SMALLINT", 2, "(3, 2)", 128L)),
          db.rows("SELECT type, sql_type, element_size, shape, data_offset FROM sys.mappings WHERE name = 'g'"));
      db.scalar("SELECT MMAP('s', 's.npy')");
      assertEquals(List.of(List.of(0L, 100L, 1.5f), List.of(1L, 200L, -2.5f)), db.rows("SELECT idx, t, v FROM s ORDER BY idx"));
      db.update("INSERT INTO s(t, v) VALUES (300, 3.5)");
      db.update("UPDATE s SET v = v * 2 WHERE idx = 0");
      ByteBuffer want = ByteBuffer.allocate(36).order(ByteOrder.LITTLE_ENDIAN);
      want.putLong(100).putFloat(3f).putLong(200).putFloat(-2.5f).putLong(300).putFloat(3.5f);
      assertArrayEquals(npy(1, "[('t', '<i8'), ('v', '<f4')]", "(3,)", want.array()), Files.readAllBytes(dir.resolve("s.npy")));
    }
  }

  @Test void npyFilesMmapsqlCreatesAreWhatNumpyWrites() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('a', 'a.npy', '>i4')");
      assertArrayEquals(growable("'>i4'", "(0,)", new byte[0]), Files.readAllBytes(dir.resolve("a.npy")));
      db.update("INSERT INTO a(val) VALUES (1), (2), (-3)");
      ByteBuffer d = ByteBuffer.allocate(12).order(ByteOrder.BIG_ENDIAN).putInt(1).putInt(2).putInt(-3);
      assertArrayEquals(growable("'>i4'", "(3,)", d.array()), Files.readAllBytes(dir.resolve("a.npy")));
      db.update("DELETE FROM a WHERE idx >= 1");
      assertArrayEquals(growable("'>i4'", "(1,)", java.util.Arrays.copyOf(d.array(), 4)),
          Files.readAllBytes(dir.resolve("a.npy")));
      db.scalar("SELECT MMAP('m', 'm.npy', 'f4', 'columns=3')");
      db.update("INSERT INTO m VALUES (0, 1, 2, 3)");
      ByteBuffer m = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN).putFloat(1).putFloat(2).putFloat(3);
      assertArrayEquals(growable("'<f4'", "(1, 3)", m.array()), Files.readAllBytes(dir.resolve("m.npy")));
    }
  }

  /** numpy >= 1.24's header: 21 - len(str(shape[0])) spaces of room for growth before the padding. */
  private static byte[] growable(String descr, String shape, byte[] data) {
    String dict = "{'descr': " + descr + ", 'fortran_order': False, 'shape': " + shape + ", }";
    String first = shape.substring(1, shape.indexOf(',') < 0 ? shape.length() - 1 : shape.indexOf(','));
    String body = dict + " ".repeat(21 - first.length());
    int total = (10 + body.length() + 1 + 63) / 64 * 64;
    String text = body + " ".repeat(total - 10 - body.length() - 1) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) (total - 10), 0});
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }

  @Test void unsupportedNpyFilesAreRefusedNamingWhat() throws Exception {
    Files.write(dir.resolve("f.npy"), npy(1, "'<f8'", "(2, 2)", new byte[32]).clone());
    byte[] fortran = new String(npy(1, "'<f8'", "(2, 2)", new byte[32]), StandardCharsets.ISO_8859_1)
        .replace("False", "True ").getBytes(StandardCharsets.ISO_8859_1);
    Files.write(dir.resolve("f.npy"), fortran);
    Files.write(dir.resolve("o.npy"), npy(1, "'|O'", "(2,)", new byte[16]));
    Files.write(dir.resolve("d3.npy"), npy(1, "'<f8'", "(1, 1, 2)", new byte[16]));
    Files.write(dir.resolve("v9.npy"), npy(9, "'<f8'", "(2,)", new byte[16]));
    try (TestDb db = TestDb.open(dir)) {
      db.fails("SELECT MMAP('f', 'f.npy')", "not supported", "Fortran");
      db.fails("SELECT MMAP('o', 'o.npy')", "not supported", "object");
      db.fails("SELECT MMAP('d3', 'd3.npy')", "not supported", "3-dimensional");
      db.fails("SELECT MMAP('v9', 'v9.npy')", "version 9.0");
      db.fails("SELECT MMAP('x', 'd3.npy', 'i4')", "not supported");
      Files.write(dir.resolve("ok.npy"), npy(1, "'<f8'", "(2,)", new byte[16]));
      db.fails("SELECT MMAP('ok', 'ok.npy', 'i4')", "contradicts the header", "<f8");
      assertEquals(List.of(), db.mappings());
    }
  }
}
