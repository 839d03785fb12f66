package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Thousands of generated statements and JDBC calls, seeded and reproducible,
 * at the embedded driver and at a server process with a small heap: huge and
 * odd numbers as idx (also as strings), huge IN lists, NaN, overlong strings,
 * wrong types, garbage, and MMAP of paths that lead out of the data directory
 * or to things that are not files. Each gets a result or an SQLException
 * within a bounded time; nothing outside the data directory changes; the
 * server stays up.
 */
class HostileInputTest {
  private static final int EMBEDDED_INPUTS = 1200;
  private static final int REMOTE_INPUTS = 400;
  private static final long SECONDS_PER_INPUT = 60;

  @TempDir Path dir;

  @Test void everyInputGetsAnAnswerAndNothingOutsideIsTouched() throws Exception {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("HostileInputTest seed " + seed + " (-Dreliability.seed=" + seed + " repeats it)");
    Path sentinel = Files.createDirectories(dir.resolve("sentinel"));
    Raw.write(sentinel.resolve("s.f8"), 1, 2, 3);
    Files.writeString(sentinel.resolve("secret.txt"), "not for mmapsql");
    Path data = Files.createDirectories(dir.resolve("data"));
    Raw.write(data.resolve("t.f8"), 0.5, 1.5, 2.5, 3.5);
    Files.createSymbolicLink(data.resolve("out"), sentinel);
    Files.createSymbolicLink(data.resolve("out.f8"), sentinel.resolve("s.f8"));
    Files.createSymbolicLink(data.resolve("zero.f8"), Path.of("/dev/zero"));
    new ProcessBuilder("mkfifo", data.resolve("fifo.f8").toString()).start().waitFor(10, TimeUnit.SECONDS);
    Map<String, String> before = Raw.snapshot(sentinel);

    long inputs = 0;
    ExecutorService runner = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "fuzz");
      t.setDaemon(true);
      return t;
    });
    try {
      try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data)) {
        c.createStatement().executeQuery("SELECT MMAP('t', 't.f8')").close();
        inputs += fuzz(c, new Random(seed), EMBEDDED_INPUTS, runner, seed, "embedded");
      }
      assertEquals(before, Raw.snapshot(sentinel), "something outside the data directory changed (seed " + seed + ")");
      try (ServerProcess server = ServerProcess.start(data, "-Xmx256m")) {
        try (Connection c = DriverManager.getConnection(server.url())) {
          inputs += fuzz(c, new Random(seed + 1), REMOTE_INPUTS, runner, seed, "remote");
        }
        assertTrue(server.isAlive(), "the server died: " + server.stderr());
        try (Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement();
            ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM sys.mappings")) {
          assertTrue(rs.next(), "the server still answers");
        }
      }
    } finally {
      runner.shutdownNow();
      Figures.record("HostileInputTest", "fuzz inputs tried (embedded and remote)", inputs);
    }
    assertEquals(before, Raw.snapshot(sentinel), "something outside the data directory changed (seed " + seed + ")");
  }

  private long fuzz(Connection c, Random random, int n, ExecutorService runner, long seed, String where)
      throws Exception {
    for (int i = 0; i < n; i++) {
      Input input = input(random);
      Future<?> f = runner.submit(() -> {
        input.run(c);
        return null;
      });
      try {
        f.get(SECONDS_PER_INPUT, TimeUnit.SECONDS);
      } catch (TimeoutException e) {
        f.cancel(true);
        fail(where + " input " + i + " got no answer in " + SECONDS_PER_INPUT + " s (seed " + seed + "): " + input);
      } catch (java.util.concurrent.ExecutionException e) {
        if (!(e.getCause() instanceof SQLException)) {
          throw new AssertionError(where + " input " + i + " failed with something else than an SQLException"
              + " (seed " + seed + "): " + input, e.getCause());
        }
      }
    }
    return n;
  }

  /** One generated input: SQL text, or a prepared statement with hostile parameters. */
  private record Input(String sql, List<Object> params) {
    void run(Connection c) throws SQLException {
      if (params.isEmpty()) {
        try (Statement s = c.createStatement()) {
          s.setQueryTimeout(30);
          if (s.execute(sql)) {
            drain(s.getResultSet());
          }
        }
        return;
      }
      try (PreparedStatement ps = c.prepareStatement(sql)) {
        ps.setQueryTimeout(30);
        for (int i = 0; i < params.size(); i++) {
          Object p = params.get(i);
          if (p instanceof String str) {
            ps.setString(i + 1, str);
          } else if (p instanceof Double d) {
            ps.setDouble(i + 1, d);
          } else if (p instanceof Long l) {
            ps.setLong(i + 1, l);
          } else if (p == null) {
            ps.setNull(i + 1, java.sql.Types.DOUBLE);
          } else {
            ps.setObject(i + 1, p);
          }
        }
        if (ps.execute()) {
          drain(ps.getResultSet());
        }
      }
    }

    private static void drain(ResultSet rs) throws SQLException {
      try (rs) {
        for (int rows = 0; rows < 10_000 && rs.next(); rows++) {
          rs.getObject(1);
        }
      }
    }

    @Override public String toString() {
      String s = sql.length() > 300 ? sql.substring(0, 300) + "... (" + sql.length() + " chars)" : sql;
      return s + (params.isEmpty() ? "" : " with " + params.stream()
          .map(p -> String.valueOf(p).length() > 80 ? String.valueOf(p).substring(0, 80) + "..." : String.valueOf(p))
          .toList());
    }
  }

  private static final String[] NUMBERS = {
    "0", "1", "-1", "3", "9223372036854775807", "-9223372036854775808", "9223372036854775808",
    "99999999999999999999999999", "1e500000000", "-1e500000000", "1e-500000000", "1E19", "2.5", "-0.0",
    "1.7976931348623157E308", "4.9E-324", "0.999999999999999999999999", "CAST('NaN' AS DOUBLE)",
    "CAST('Infinity' AS DOUBLE)", "NULL", "'1e500000000'", "'abc'", "''", "TRUE", "DATE '2020-01-01'",
  };
  private static final String[] STRINGS = {
    "1e500000000", "-1e500000000", "1e-500000000", "NaN", "Infinity", "-Infinity", "9".repeat(5000),
    "1" + "0".repeat(999), "0x10", "1,5", " 2 ", "", "abc", "\u0000", "1e2147483648", "١٢٣",
  };
  private static final String[] NAMES = {
    "t", "T", "\"t\"", "x".repeat(200), "табл", "名前", "a b", "a'b", "a\"b", "_", "1abc", "sys", "mappings",
    "🙂", "a\u0000b", "",
  };
  private static final String[] PATHS = {
    "t.f8", "../sentinel/s.f8", "../sentinel/new.f8", "out/s.f8", "out/new.f8", "out.f8", "zero.f8", "fifo.f8",
    "/proc/self/mem", "/proc/self/environ", "/dev/zero", "/dev/null", "/etc/passwd", "sub/../../sentinel/s.f8",
    ".", "..", "", "/", ".mmapsql-catalog", ".mmapsql.lock", "x".repeat(5000), "d/".repeat(100) + "f.f8",
    "名前.f8", "a\nb.f8", "%2e%2e/sentinel/s.f8", "./../sentinel/secret.txt", "new.f8",
  };

  private static String pick(Random r, String[] a) {
    return a[r.nextInt(a.length)];
  }

  private static String number(Random r) {
    return r.nextInt(3) == 0 ? Long.toString(r.nextLong() >> r.nextInt(64)) : pick(r, NUMBERS);
  }

  private static String quoted(String s) {
    return "'" + s.replace("'", "''") + "'";
  }

  private static Input input(Random r) {
    switch (r.nextInt(16)) {
      case 0: return sql("SELECT val FROM t WHERE idx = " + number(r));
      case 1: {
        int n = r.nextInt(40) == 0 ? 1000 + r.nextInt(1000) : 1 + r.nextInt(20);
        StringBuilder b = new StringBuilder("SELECT idx, val FROM t WHERE idx IN (");
        for (int i = 0; i < n; i++) {
          b.append(i == 0 ? "" : ", ").append(r.nextBoolean() ? Long.toString(r.nextLong()) : number(r));
        }
        return sql(b.append(')').toString());
      }
      case 2: return sql("SELECT COUNT(*), SUM(val) FROM t WHERE idx BETWEEN " + number(r) + " AND " + number(r));
      case 3: return sql("UPDATE t SET val = " + number(r) + " WHERE idx = " + number(r));
      case 4: return sql("INSERT INTO t(val) VALUES (" + number(r) + ")");
      case 5: return sql("INSERT INTO t(idx, val) VALUES (" + number(r) + ", " + number(r) + ")");
      case 6: return sql("DELETE FROM t WHERE idx >= " + number(r));
      case 7: return sql("SELECT MMAP(" + quoted(pick(r, NAMES)) + ", " + quoted(pick(r, PATHS)) + ")");
      case 8: return sql("SELECT UNMAP(" + quoted(pick(r, NAMES)) + ")");
      case 9: return sql("SELECT VPOP(" + quoted(pick(r, NAMES)) + ")");
      case 10: return prepared("SELECT val FROM t WHERE idx = ?", r.nextBoolean() ? pick(r, STRINGS) : hostileObject(r));
      case 11: return prepared("UPDATE t SET val = ? WHERE idx = ?", hostileObject(r), hostileObject(r));
      case 12: return prepared("INSERT INTO t(val) VALUES (?)", hostileObject(r));
      case 13: return sql("SELECT val FROM t WHERE idx < " + number(r) + " OR val = " + quoted("x".repeat(r.nextInt(100_000))));
      case 14: {
        StringBuilder b = new StringBuilder();
        String alphabet = "SELECT FROM WHERE () ,'\";*-+/% idx val t sys mappings VPOP MMAP 0123456789\u00e9\u4e2d\n";
        for (int i = 0, n = r.nextInt(200); i < n; i++) {
          b.append(alphabet.charAt(r.nextInt(alphabet.length())));
        }
        return sql(b.toString());
      }
      default: return sql("SELECT * FROM " + pick(r, NAMES) + " WHERE idx = " + number(r));
    }
  }

  private static Object hostileObject(Random r) {
    return switch (r.nextInt(7)) {
      case 0 -> pick(r, STRINGS);
      case 1 -> Double.NaN;
      case 2 -> r.nextBoolean() ? Double.POSITIVE_INFINITY : -Double.MAX_VALUE;
      case 3 -> r.nextLong();
      case 4 -> new BigDecimal(r.nextBoolean() ? "1e500000000" : "-1e-500000000");
      case 5 -> null;
      default -> "x".repeat(r.nextInt(1_000_000));
    };
  }

  private static Input sql(String sql) {
    return new Input(sql, List.of());
  }

  private static Input prepared(String sql, Object... params) {
    return new Input(sql, java.util.Arrays.asList(params));
  }
}
