package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The MMAP option {@code exclusive} (README, "Files, safety and durability"):
 * counts and point reads do not look at the file, so they see another process's
 * in-place writes at once but its appends, cuts and replacements only once a
 * statement that looks (a scan, an aggregate of values, a write), a new binding
 * or a restart has seen them; a point read past its cut gives the last page's
 * zeros or no row, and nothing crashes. The other process is python3, with its
 * own file descriptors and mapping; a default binding beside shows the difference.
 */
class ExclusiveBindingTest {
  @TempDir Path dir;
  private TestDb db;

  @BeforeEach void setUp() throws Exception {
    Assumptions.assumeTrue(hasPython(), "python3 not available");
    db = TestDb.open(dir);
  }

  @AfterEach void tearDown() throws SQLException {
    if (db != null) {
      db.close();
    }
  }

  private String path(String name) {
    return dir.resolve(name).toString();
  }

  @Test void countsAndPointReadsSeeInPlaceWritesOfAnotherProcessButNotItsAppendsUntilAStatementLooks()
      throws Exception {
    TestDb.writeDoubles(dir.resolve("t.f8"), TestDb.range(0, 100));
    TestDb.writeDoubles(dir.resolve("u.f8"), TestDb.range(0, 100));
    assertEquals(100L, db.scalar("SELECT MMAP('t', 't.f8', '<f8', 'exclusive')"));
    assertEquals(100L, db.mmap("u", "u.f8"));
    assertEquals(List.of(List.of("t", true), List.of("u", false)),
        db.rows("SELECT name, exclusive FROM sys.mappings ORDER BY name"));
    // the same binding again is accepted; another mode is not
    assertEquals(100L, db.scalar("SELECT MMAP('t', 't.f8', '<f8', 'exclusive')"));
    db.fails("SELECT MMAP('t', 't.f8', '<f8')", "already mapped", "exclusive");

    try (Statement st = db.conn.createStatement();
        PreparedStatement point = db.conn.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
      assertEquals(100L, count(st, "t"));
      assertEquals(100L, count(st, "t")); // the second from the statement's cached plan
      // in place, through python's own shared mapping: seen at once
      python("import mmap, struct\nfor p in (r'" + path("t.f8") + "', r'" + path("u.f8") + "'):\n"
          + "  f = open(p, 'r+b'); m = mmap.mmap(f.fileno(), 0); m[40:48] = struct.pack('<d', 555.0); m.flush()");
      assertEquals(555.0, read(point, 5));
      // appended by python: the default binding sees the rows, the exclusive one's counts and point reads not
      python("import struct\nfor p in (r'" + path("t.f8") + "', r'" + path("u.f8") + "'):\n"
          + "  open(p, 'ab').write(struct.pack('<50d', *range(100, 150)))");
      assertEquals(150L, count(st, "u"));
      assertEquals(100L, count(st, "t"));
      assertEquals(100L, count(st, "t"));
      assertEquals(null, read(point, 120));
      assertEquals(100L, db.scalar("SELECT COUNT(val) FROM t WHERE idx >= 0"));
      // a statement that reads values in bulk looks, as on any binding: from then on, the rows are there
      assertEquals(Arrays.stream(TestDb.range(0, 150)).sum() - 5 + 555, db.scalar("SELECT SUM(val) FROM t"));
      assertEquals(150L, count(st, "t"));
      assertEquals(120.0, read(point, 120));
    }
    // so does a write: an INSERT goes after python's rows
    python("import struct; open(r'" + path("t.f8") + "', 'ab').write(struct.pack('<d', 150.0))");
    assertEquals(150L, db.count("t"));
    assertEquals(1, db.update("INSERT INTO t(val) VALUES (151)"));
    assertEquals(152L, db.count("t"));
    assertEquals(150.0, db.scalar("SELECT val FROM t WHERE idx = 150"));
    // and UNMAP, then MMAP: the file as it is
    python("import struct; open(r'" + path("t.f8") + "', 'ab').write(struct.pack('<d', 152.0))");
    assertEquals(152L, db.count("t"));
    db.scalar("SELECT UNMAP('t')");
    assertEquals(153L, db.scalar("SELECT MMAP('t', 't.f8', '<f8', 'exclusive')"));
  }

  @Test void pointReadsPastAnotherProcessCutGiveTheLastPagesZerosOrNoRowAndNeverCrash() throws Exception {
    int n = 10_000; // 20 pages
    TestDb.writeDoubles(dir.resolve("t.f8"), TestDb.range(0, n));
    assertEquals((long) n, db.scalar("SELECT MMAP('t', 't.f8', '<f8', 'exclusive')"));
    // C2-compiled Vector API loops over the mapping (a SIGBUS in one of them past a cut end kills the JVM)
    for (int i = 0; i < 3000; i++) {
      assertEquals((double) n * (n - 1) / 2, db.scalar("SELECT SUM(val) FROM t"));
    }
    python("import os; os.truncate(r'" + path("t.f8") + "', 80)"); // 10 rows
    assertEquals((long) n, db.count("t")); // the cut is not seen
    try (PreparedStatement point = db.conn.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
      assertEquals(5.0, read(point, 5));
      assertEquals(0.0, read(point, 100)); // in the file's last page: its zeros, as README says
      // further on, the read faults and is made again the usual way, which looks: no row
      assertEquals(null, read(point, 9000));
    }
    assertEquals(10L, db.count("t"));
    assertEquals(45.0, db.scalar("SELECT SUM(val) FROM t"));
  }

  @Test void aggregatesScansAndWritesLookAtTheFileAsOnAnyBinding() throws Exception {
    TestDb.writeDoubles(dir.resolve("t.f8"), TestDb.range(1, 101)); // 1..100, all in the first page
    TestDb.writeDoubles(dir.resolve("v.f8"), TestDb.range(1, 101));
    assertEquals(100L, db.scalar("SELECT MMAP('t', 't.f8', '<f8', 'exclusive')"));
    assertEquals(100L, db.scalar("SELECT MMAP('v', 'v.f8', '<f8', 'exclusive')"));
    python("import os\nfor p in (r'" + path("t.f8") + "', r'" + path("v.f8") + "'):\n  os.truncate(p, 80)");
    assertEquals(100L, db.count("t"));
    assertEquals(List.of(List.of(1.0, 55.0, 10L)), db.rows("SELECT MIN(val), SUM(val), COUNT(val) FROM t"));
    assertEquals(10L, db.count("t"));
    assertEquals(100L, db.count("v"));
    assertEquals(10, db.rows("SELECT idx, val FROM v").size());
    assertEquals(10L, db.count("v"));
    // a write: UPDATE of a row past a cut changes nothing and does not grow the file back
    python("import os; os.truncate(r'" + path("t.f8") + "', 40)"); // 5 rows
    assertEquals(10L, db.count("t"));
    assertEquals(0, db.update("UPDATE t SET val = 0.5 WHERE idx = 7"));
    assertEquals(40L, java.nio.file.Files.size(dir.resolve("t.f8")));
    assertEquals(5L, db.count("t"));
    python("import os; os.truncate(r'" + path("t.f8") + "', 24)"); // 3 rows
    assertEquals(3.0, db.scalar("SELECT VPOP('t')")); // the file's real last row
    assertEquals(2L, db.count("t"));
  }

  @Test void aReplacedFileIsSeenWhenAStatementLooksAndTheOptionIsKeptAcrossARestart() throws Exception {
    TestDb.writeDoubles(dir.resolve("t.f8"), 1, 2, 3);
    assertEquals(3L, db.scalar("SELECT MMAP('t', 't.f8', '<f8', 'exclusive')"));
    // python writes a new file and renames it over the bound one
    python("import os, struct\np = r'" + path("t.f8") + "'\n"
        + "open(p + '.new', 'wb').write(struct.pack('<4d', 10, 20, 30, 40)); os.replace(p + '.new', p)");
    assertEquals(3L, db.count("t")); // still the file opened
    assertEquals(2.0, db.scalar("SELECT val FROM t WHERE idx = 1"));
    assertEquals(100.0, db.scalar("SELECT SUM(val) FROM t")); // looks: the new file
    assertEquals(4L, db.count("t"));
    db.close();
    db = TestDb.open(dir);
    assertEquals(List.of(List.of("t", "<f8", true, 4L)),
        db.rows("SELECT name, type, exclusive, row_count FROM sys.mappings"));
    // still exclusive after the restart: python's append is not counted
    python("import struct; open(r'" + path("t.f8") + "', 'ab').write(struct.pack('<d', 50))");
    assertEquals(4L, db.count("t"));
    assertEquals(150.0, db.scalar("SELECT SUM(val) FROM t"));
    assertEquals(5L, db.count("t"));
  }

  private static long count(Statement st, String table) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM " + table)) {
      assertTrue(rs.next());
      return rs.getLong(1);
    }
  }

  private static Double read(PreparedStatement point, long idx) throws SQLException {
    point.setLong(1, idx);
    try (ResultSet rs = point.executeQuery()) {
      return rs.next() ? rs.getDouble(1) : null;
    }
  }

  private static boolean hasPython() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "pass").redirectErrorStream(true).start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static void python(String code) throws Exception {
    Process p = new ProcessBuilder("python3", "-c", code).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
    assertEquals(0, p.exitValue(), () -> "python failed: " + out);
  }
}
