package org.mmapsql.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The data sets and how each engine gets them. Every engine holds the same
 * values, {@code val = (idx * 2654435761) mod 1000003} (whole numbers, so
 * SUM is exact whatever the order of addition and every engine can be checked
 * against the same expected result).
 *
 * <p>Files and the H2 file database live under {@code -Dmmapsql.bench.dir}
 * (default {@code <tmpdir>/mmapsql-bench}) and are reused by later forks and
 * runs; the in-memory H2 database is built in each fork.
 */
final class Data {
  static final Path DIR = Path.of(System.getProperty("mmapsql.bench.dir",
      Path.of(System.getProperty("java.io.tmpdir"), "mmapsql-bench").toString())).toAbsolutePath();
  static final ValueLayout.OfDouble LE_DOUBLE = ValueLayout.JAVA_DOUBLE_UNALIGNED
      .withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

  /** The engines compared; {@code java} is plain Java on the same file, no SQL. */
  static final String MMAPSQL = "mmapsql";
  static final String H2_MEM = "h2mem";
  static final String H2_FILE = "h2file";
  static final String JAVA = "java";

  private Data() {
  }

  static double value(long i) {
    return (double) ((i * 2654435761L) % 1000003L);
  }

  /** The same formula in H2's SQL, over {@code SYSTEM_RANGE} (X counts from 1). */
  private static final String H2_VALUE = "CAST(MOD((X - 1) * 2654435761, 1000003) AS DOUBLE PRECISION)";

  static Path mmapDir() {
    return DIR.resolve("mmapsql");
  }

  static Path file(String table) {
    return file(table, AggregateType.F8);
  }

  static Path file(String table, AggregateType type) {
    return mmapDir().resolve(table + "." + type.suffix);
  }

  /** Writes {@code n} values to {@code table}'s file (unless it already holds them), the way numpy would. */
  static Path ensureFile(String table, long n) {
    return ensureFile(table, n, AggregateType.F8);
  }

  /** The same in {@code type}: {@code type.value(i)} at row i. */
  static Path ensureFile(String table, long n, AggregateType type) {
    Path f = file(table, type);
    try {
      Files.createDirectories(f.getParent());
      if (Files.exists(f) && Files.size(f) == n * type.bytes) {
        return f;
      }
      Path tmp = f.resolveSibling(f.getFileName() + ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer buf = ByteBuffer.allocateDirect(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < n; i++) {
          if (!buf.hasRemaining()) {
            buf.flip();
            while (buf.hasRemaining()) {
              ch.write(buf);
            }
            buf.clear();
          }
          type.put(buf, type.value(i));
        }
        buf.flip();
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
      }
      Files.move(tmp, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      return f;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * H2 would otherwise answer a repeated query on an unchanged table from its
   * cached last result (SUM over 10M rows in a microsecond); mmapsql has no
   * such cache, so both compute every execution.
   */
  static final String H2_OPTIONS = ";OPTIMIZE_REUSE_RESULTS=FALSE";

  /** A connection to {@code engine}; for mmapsql also binds {@code table} to its file. */
  static Connection connect(String engine) throws SQLException {
    return switch (engine) {
      case MMAPSQL -> DriverManager.getConnection("jdbc:mmap:" + mmapDir());
      case H2_MEM -> DriverManager.getConnection("jdbc:h2:mem:bench" + H2_OPTIONS);
      case H2_FILE -> DriverManager.getConnection("jdbc:h2:" + DIR.resolve("h2").resolve("b") + H2_OPTIONS);
      default -> throw new IllegalArgumentException("no JDBC for engine " + engine);
    };
  }

  /**
   * Makes {@code table} hold rows 0..n-1 in {@code engine}: for mmapsql writes
   * the file and binds it; for H2 creates {@code (idx BIGINT PRIMARY KEY, val DOUBLE)}
   * and fills it (the file database keeps it for the next fork).
   */
  static void ensureTable(Connection c, String engine, String table, long n) throws SQLException {
    if (engine.equals(MMAPSQL)) {
      ensureFile(table, n);
      try (Statement s = c.createStatement();
           ResultSet rs = s.executeQuery("SELECT MMAP('" + table + "', '" + table + ".f8')")) {
        rs.next();
        check(rs.getLong(1) == n, table + ": MMAP says " + rs.getLong(1) + " rows, want " + n);
      }
      return;
    }
    try (Statement s = c.createStatement()) {
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
        rs.next();
        if (rs.getLong(1) == n) {
          return;
        }
      } catch (SQLException missing) {
        // build it below
      }
      s.execute("DROP TABLE IF EXISTS " + table);
      s.execute("CREATE TABLE " + table + "(idx BIGINT PRIMARY KEY, val DOUBLE)");
      long step = 1_000_000;
      for (long from = 1; from <= n; from += step) {
        long to = Math.min(n, from + step - 1);
        s.execute("INSERT INTO " + table + " SELECT X - 1, " + H2_VALUE
            + " FROM SYSTEM_RANGE(" + from + ", " + to + ")");
      }
    }
  }

  /** Maps {@code table}'s file read-only for the plain-Java baseline. */
  static MemorySegment mapFile(String table, long n, Arena arena) {
    return mapFile(table, n, AggregateType.F8, arena);
  }

  static MemorySegment mapFile(String table, long n, AggregateType type, Arena arena) {
    Path f = ensureFile(table, n, type);
    try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
      return ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** SUM, MIN, MAX of values 0..n-1, computed directly. */
  static double[] expectedAggregates(long n) {
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (long i = 0; i < n; i++) {
      double v = value(i);
      sum += v;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return new double[] {sum, min, max};
  }

  /** SUM of values from..to-1 (exact: whole numbers far below 2^53). */
  static double expectedSum(long from, long to) {
    double sum = 0;
    for (long i = from; i < to; i++) {
      sum += value(i);
    }
    return sum;
  }

  static void check(boolean ok, String what) {
    if (!ok) {
      throw new IllegalStateException("benchmark setup is wrong: " + what);
    }
  }

  static void closeQuietly(AutoCloseable c) {
    if (c != null) {
      try {
        c.close();
      } catch (Exception ignored) {
        // tearing down
      }
    }
  }
}
