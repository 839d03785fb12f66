package org.mmapsql.server;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.jdbc.CompactExecute;

/**
 * Not a test (surefire does not pick it up by name): what each path does with
 * a batch whose third element fails, printed as a table. Run it with
 * {@code -Dtest=BatchFailureSurvey}.
 */
class BatchFailureSurvey {
  @TempDir Path dir;

  /** A Statement batch: the SQL of the third element, on table t (int8, rows 0..1 = 1, 2). */
  static final List<String[]> STATEMENT_CASES = List.of(
      new String[] {"syntax", "INSERT INTO t(val) VALUS (3)"},
      new String[] {"out of range", "INSERT INTO t(val) VALUES (300)"},
      new String[] {"read-only", "UPDATE r SET val = 9 WHERE idx = 0"},
      new String[] {"at execution", "INSERT INTO t(val) SELECT CAST(10 / (val - val) AS TINYINT) FROM t WHERE idx = 0"});

  @Test void survey() throws Exception {
    List<String> out = new ArrayList<>();
    Files.write(dir.resolve("r.i1"), new byte[] {7, 8, 9});
    try (MmapServer server = Servers.start(Servers.config(dir.resolve("srv")))) {
      Files.write(dir.resolve("srv").resolve("r.i1"), new byte[] {7, 8, 9});
      for (boolean auto : new boolean[] {true, false}) {
        int n = 0;
        for (String path : List.of("h2", "embedded", "frames", "http")) {
          String table = "t" + (n++) + (auto ? "a" : "m");
          try (Connection c = connect(server, path, dir)) {
            run(c, path, table, auto, out);
          }
        }
      }
    }
    out.forEach(System.out::println);
  }

  private static Connection connect(MmapServer server, String path, Path dir) throws SQLException {
    switch (path) {
      case "h2": return DriverManager.getConnection("jdbc:h2:mem:survey" + System.nanoTime());
      case "embedded": return DriverManager.getConnection("jdbc:mmap:" + dir);
      case "frames": return DriverManager.getConnection(server.jdbcUrl() + ";" + CompactExecute.PROPERTY + "="
          + CompactExecute.COMPACT);
      default: return DriverManager.getConnection(server.jdbcUrl() + ";" + CompactExecute.PROPERTY + "="
          + CompactExecute.AVATICA);
    }
  }

  private static void run(Connection c, String path, String prefix, boolean auto, List<String> out) throws Exception {
    boolean h2 = path.equals("h2");
    int k = 0;
    for (String[] cs : STATEMENT_CASES) {
      if (h2 && cs[0].equals("read-only")) {
        continue;
      }
      String t = prefix + "s" + (k++);
      setUp(c, t, h2);
      c.setAutoCommit(auto);
      String outcome;
      try (Statement s = c.createStatement()) {
        s.addBatch("INSERT INTO t(val) VALUES (3)".replace(" t(", " " + t + "("));
        s.addBatch("INSERT INTO t(val) VALUES (4)".replace(" t(", " " + t + "("));
        s.addBatch(cs[1].replace(" t(", " " + t + "(").replace("FROM t ", "FROM " + t + " "));
        s.addBatch("INSERT INTO t(val) VALUES (6)".replace(" t(", " " + t + "("));
        outcome = outcome(() -> s.executeLargeBatch());
      }
      out.add(row(c, path, auto, "Statement " + cs[0], outcome, t));
    }
    // PreparedStatement batches
    String[][] prepared = {
        {"insert out of range", "INSERT INTO t(val) VALUES (?)", "3,4,300,6"},
        {"update out of range", "UPDATE t SET val = ? WHERE idx = ?", "3:0,4:1,300:0,6:1"},
        {"update at execution", "UPDATE t SET val = CAST(10 / CAST(? AS INTEGER) AS TINYINT) WHERE idx = ?", "5:0,2:1,0:0,1:1"},
        {"update read-only", "UPDATE r SET val = ? WHERE idx = ?", "3:0,4:1,5:2,6:0"}};
    for (String[] cs : prepared) {
      if (h2 && cs[0].contains("read-only")) {
        continue;
      }
      String t = prefix + "p" + (k++);
      setUp(c, t, h2);
      c.setAutoCommit(auto);
      String outcome;
      try (PreparedStatement p = c.prepareStatement(cs[1].replace(" t(", " " + t + "(").replace(" t ", " " + t + " "))) {
        for (String set : cs[2].split(",")) {
          String[] v = set.split(":");
          p.setInt(1, Integer.parseInt(v[0]));
          if (v.length > 1) {
            p.setLong(2, Long.parseLong(v[1]));
          }
          p.addBatch();
        }
        outcome = outcome(() -> p.executeLargeBatch());
      } catch (SQLException e) {
        outcome = "prepare: " + e;
      }
      out.add(row(c, path, auto, "Prepared " + cs[0], outcome, t));
    }
  }

  interface Batch {
    long[] run() throws Exception;
  }

  private static String outcome(Batch b) {
    String o = outcomeOf(b).replace('\n', ' ');
    return o.length() > 260 ? o.substring(0, 260) + "..." : o;
  }

  private static String outcomeOf(Batch b) {
    try {
      return "OK " + Arrays.toString(b.run());
    } catch (BatchUpdateException e) {
      return "BatchUpdateException " + e.getSQLState() + " counts=" + Arrays.toString(e.getLargeUpdateCounts())
          + " int=" + Arrays.toString(e.getUpdateCounts()) + " msg=" + e.getMessage();
    } catch (SQLException e) {
      return e.getClass().getSimpleName() + " " + e.getSQLState() + " msg=" + e.getMessage();
    } catch (Exception e) {
      return "UNCHECKED " + e.getClass().getName() + " msg=" + e.getMessage();
    }
  }

  private static void setUp(Connection c, String t, boolean h2) throws SQLException {
    c.setAutoCommit(true);
    try (Statement s = c.createStatement()) {
      if (h2) {
        s.execute("CREATE TABLE " + t + "(idx BIGINT AUTO_INCREMENT(0) PRIMARY KEY, val TINYINT)");
      } else {
        s.executeQuery("SELECT MMAP('" + t + "', '" + t + ".i1', 'i1')").close();
        s.executeQuery("SELECT MMAP('r', 'r.i1', 'i1', 'readonly')").close();
      }
      s.executeUpdate("INSERT INTO " + t + "(val) VALUES (1)");
      s.executeUpdate("INSERT INTO " + t + "(val) VALUES (2)");
    }
  }

  private static String row(Connection c, String path, boolean auto, String what, String outcome, String t) {
    String rows = rows(c, t);
    String after = "";
    if (!auto) {
      try {
        c.rollback();
        after = " | rollback OK";
      } catch (SQLException e) {
        after = " | rollback " + e.getSQLState();
      } catch (RuntimeException e) {
        after = " | rollback UNCHECKED " + e.getClass().getSimpleName();
      }
      after += ", then " + rows(c, t);
    }
    return path + " | auto=" + auto + " | " + what + " | " + outcome + " | rows " + rows + after;
  }

  private static String rows(Connection c, String t) {
    try (Statement s = c.createStatement()) {
      String rows = Servers.rows(s, "SELECT val FROM " + t + " ORDER BY idx").toString();
      return c.getMetaData().getURL().startsWith("jdbc:h2") ? rows
          : rows + " r=" + Servers.rows(s, "SELECT val FROM r ORDER BY idx");
    } catch (SQLException e) {
      return "? " + e.getMessage();
    }
  }
}
