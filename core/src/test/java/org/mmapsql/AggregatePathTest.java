package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.mmapsql.storage.RunStats;

/**
 * The one-pass aggregates on the path this JVM takes: the Vector API where the
 * JVM has {@code jdk.incubator.vector} (surefire's default run), the scalar loops
 * with {@code -Dmmapsql.vector=false} (its run {@code scalar-aggregates}, which
 * runs this class and the other aggregate tests again). Values over each dtype's
 * whole range (the high halves of int64, uint64 above 2^63), tables shorter than
 * a vector and of odd lengths, idx ranges that start at 3 (no load aligned), a
 * second run of 65,536 rows left short: H2's answers, exactly.
 */
class AggregatePathTest {
  private static final String AGGS = "SELECT SUM(val), MIN(val), MAX(val), AVG(val), COUNT(val), COUNT(*) FROM ";

  @TempDir Path dir;
  private TestDb db;
  private Connection h2;

  @BeforeEach void open() throws SQLException {
    db = TestDb.open(dir);
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
  }

  @AfterEach void close() throws Exception {
    db.close();
    h2.close();
  }

  @Test void theVectorPathIsTakenWhereTheModuleIs() {
    boolean module = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent();
    boolean off = "false".equals(System.getProperty("mmapsql.vector"));
    assertEquals(module && !off, RunStats.vectorised(), "module " + module + ", mmapsql.vector=false " + off);
  }

  @ParameterizedTest
  @ValueSource(strings = {"f8", "f4", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"})
  void unalignedRangesOverTheWholeRangeOfEachDtypeAreH2s(String dtype) throws Exception {
    Random r = new Random(dtype.hashCode());
    for (int n : new int[] {3, 4099, 70_001}) {
      BigDecimal[] v = new BigDecimal[n];
      for (int i = 0; i < n; i++) {
        v[i] = value(dtype, r);
      }
      String t = "t" + n;
      table(t, dtype, v);
      BigDecimal a = v[r.nextInt(n)];
      BigDecimal b = v[r.nextInt(n)];
      String lo = a.min(b).toPlainString();
      String hi = a.max(b).toPlainString();
      for (String where : List.of("", " WHERE idx BETWEEN 3 AND " + (n - 2), " WHERE val > " + lo,
          " WHERE val BETWEEN " + lo + " AND " + hi, " WHERE idx >= 3 AND val <= " + hi,
          " WHERE idx BETWEEN 3 AND " + (n - 2) + " AND val >= " + lo + " AND val < " + hi)) {
        sameAsH2(AGGS + t + where);
      }
    }
  }

  /** Above two million rows the runs spread over the cores: the sums of int32 a plain loop of BigIntegers gives. */
  @Test void parallelIntegerRunsAreExact() throws Exception {
    int n = 2_300_003;
    ByteBuffer b = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    Random r = new Random(8);
    int[] v = new int[n];
    for (int i = 0; i < n; i++) {
      v[i] = r.nextInt();
      b.putInt(v[i]);
    }
    Files.write(dir.resolve("big.bin"), b.array());
    db.longValue("SELECT MMAP('big', 'big.bin', 'i4')");
    for (int above : new int[] {Integer.MIN_VALUE, 0, 1 << 30}) {
      BigInteger sum = BigInteger.ZERO;
      long count = 0;
      long min = Long.MAX_VALUE;
      for (int i = 3; i < n; i++) {
        if (v[i] > above) {
          sum = sum.add(BigInteger.valueOf(v[i]));
          count++;
          min = Math.min(min, v[i]);
        }
      }
      List<Object> row = db.rows("SELECT SUM(val), MIN(val), COUNT(val) FROM big WHERE idx >= 3 AND val > ?",
          above).get(0);
      assertEquals(List.of(sum.longValueExact(), (int) min, count), row, "val > " + above);
    }
  }

  private static BigDecimal value(String dtype, Random r) {
    return switch (dtype) {
      case "f8", "f4" -> BigDecimal.valueOf((r.nextInt(4001) - 2000) / 4.0); // summed exactly by every engine
      case "i1" -> BigDecimal.valueOf(r.nextInt(256) - 128);
      case "u1" -> BigDecimal.valueOf(r.nextInt(256));
      case "i2" -> BigDecimal.valueOf(r.nextInt(65536) - 32768);
      case "u2" -> BigDecimal.valueOf(r.nextInt(65536));
      case "i4" -> BigDecimal.valueOf(r.nextInt());
      case "u4" -> BigDecimal.valueOf(r.nextInt() & 0xFFFF_FFFFL);
      case "i8" -> BigDecimal.valueOf(r.nextLong() >> 20); // a BIGINT SUM of 70,001 of them stays a BIGINT
      default -> new BigDecimal(new BigInteger(64, r)); // u8: up to 2^64 - 1, summed as DECIMAL
    };
  }

  /** {@code name} as a raw file of {@code dtype} in mmapsql and a table in H2 (DOUBLE or exact NUMERIC). */
  private void table(String name, String dtype, BigDecimal[] v) throws Exception {
    int width = Integer.parseInt(dtype.substring(1));
    ByteBuffer b = ByteBuffer.allocate(v.length * width).order(ByteOrder.LITTLE_ENDIAN);
    for (BigDecimal x : v) {
      switch (dtype) {
        case "f8" -> b.putDouble(x.doubleValue());
        case "f4" -> b.putFloat(x.floatValue());
        case "i1", "u1" -> b.put((byte) x.intValue());
        case "i2", "u2" -> b.putShort((short) x.intValue());
        case "i4", "u4" -> b.putInt((int) x.longValue());
        default -> b.putLong(x.toBigInteger().longValue()); // u8 above 2^63: its low 64 bits
      }
    }
    Files.write(dir.resolve(name + ".bin"), b.array());
    db.longValue("SELECT MMAP(?, ?, ?)", name, name + ".bin", dtype);
    try (Statement s = h2.createStatement()) {
      s.execute("CREATE TABLE " + name + "(idx BIGINT PRIMARY KEY, val "
          + (dtype.startsWith("f") ? "DOUBLE" : "NUMERIC(20)") + ")");
    }
    try (PreparedStatement ps = h2.prepareStatement("INSERT INTO " + name + " VALUES (?, ?)")) {
      for (int i = 0; i < v.length; i++) {
        ps.setLong(1, i);
        ps.setBigDecimal(2, v[i]);
        ps.addBatch();
      }
      ps.executeBatch();
    }
  }

  /** SUM, MIN, MAX and the counts exactly as H2's; AVG (a DOUBLE in mmapsql; H2 rounds it to 10 decimals) near it. */
  private void sameAsH2(String sql) throws SQLException {
    List<Object> want = TestDb.rows(h2, sql).get(0);
    List<Object> got = db.rows(sql).get(0);
    for (int i = 0; i < want.size(); i++) {
      Object w = want.get(i);
      Object g = got.get(i);
      int c = i;
      if (w == null || g == null) {
        assertEquals(w, g, () -> sql + ": column " + c);
      } else if (i == 3) {
        double x = ((Number) w).doubleValue();
        double y = ((Number) g).doubleValue();
        assertTrue(Math.abs(x - y) <= 1e-12 * Math.abs(x) + 1e-10, () -> sql + ": AVG " + y + ", H2 " + x);
      } else {
        assertEquals(0, new BigDecimal(w.toString()).compareTo(new BigDecimal(g.toString())),
            () -> sql + ": column " + c + " " + g + ", H2 " + w);
      }
    }
  }
}
