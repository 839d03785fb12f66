package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files are plain arrays that other programs read and write: a file they
 * wrote binds as it is, their changes show at once (values) or at the next
 * statement (length), a file they cut or delete gives an SQLException and
 * never a crash, and a trailing partial element is hidden and protected.
 */
class ExternalChangesTest {
  @TempDir Path dir;
  private TestDb db;

  @BeforeEach void setUp() throws SQLException {
    db = TestDb.open(dir);
  }

  @AfterEach void tearDown() throws SQLException {
    db.close();
  }

  private Path file(String name) {
    return dir.resolve(name);
  }

  /** Opens a file for writing the way another program would: its own channel. */
  private static FileChannel other(Path file) throws IOException {
    return FileChannel.open(file, StandardOpenOption.WRITE);
  }

  @Test void fileWrittenByAnotherProgramBindsAsItIs() throws SQLException {
    TestDb.writeDoubles(file("ext.mmap"), TestDb.range(0, 100));
    assertEquals(100, db.mmap("ext", "ext.mmap"));
    assertArrayEquals(TestDb.range(0, 100), db.values("ext"));
    assertEquals(4950.0, db.scalar("SELECT SUM(val) FROM ext"));
    assertEquals(List.of(List.of("ext", "ext.mmap", "<f8", 100L, 800L, "ok")), db.mappings());
  }

  // ------------------------------------------------------------ numpy

  @Test void numpyAndSqlReadEachOthersWrites() throws Exception {
    assumeNumpy();
    Path f = file("np.mmap");
    python("import numpy; numpy.arange(100.0).tofile(r'" + f + "')");
    assertEquals(100, db.mmap("np", "np.mmap"));
    assertArrayEquals(TestDb.range(0, 100), db.values("np"));
    // SQL writes, numpy reads
    db.append("np", 100.5, -1e300, Double.MIN_VALUE);
    assertEquals(1, db.update("UPDATE np SET val = -7.25 WHERE idx = 3"));
    assertEquals(Double.MIN_VALUE, db.scalar("SELECT VPOP('np')"));
    double[] sql = db.values("np");
    assertArrayEquals(sql, parse(python("import numpy; print(numpy.fromfile(r'" + f + "', '<f8').tolist())")));
    // numpy writes in place through its own shared mapping: visible at once
    python("import numpy; m = numpy.memmap(r'" + f + "', dtype='<f8', mode='r+'); m[5] = 555.0; m.flush()");
    assertEquals(555.0, db.scalar("SELECT val FROM np WHERE idx = 5"));
  }

  private static void assumeNumpy() throws Exception {
    String out;
    int rc;
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
      rc = p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      out = e.getMessage();
      rc = -1;
    }
    Assumptions.assumeTrue(rc == 0, "numpy not available: " + out);
  }

  private static String python(String code) throws Exception {
    Process p = new ProcessBuilder("python3", "-c", code).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
    assertEquals(0, p.exitValue(), () -> "python failed: " + out);
    return out;
  }

  private static double[] parse(String list) {
    String body = list.substring(list.indexOf('[') + 1, list.lastIndexOf(']'));
    return Arrays.stream(body.split(",")).map(String::trim).mapToDouble(Double::parseDouble).toArray();
  }

  // ------------------------------------------------------------ changes between statements

  @Test void valuesChangedByAnotherProgramAreVisibleAtOnce() throws Exception {
    db.mmap("t", "t.mmap");
    db.append("t", 1, 2, 3, 4);
    try (FileChannel ch = other(file("t.mmap"))) {
      TestDb.writeAt(ch, 2, 30.5);
      assertEquals(30.5, db.scalar("SELECT val FROM t WHERE idx = 2"));
      TestDb.writeAt(ch, 0, -1, -2);
      assertArrayEquals(new double[] {-1, -2, 30.5, 4}, db.values("t"));
    }
  }

  @Test void fileGrownByAnotherProgramShowsAtTheNextStatement() throws Exception {
    db.mmap("t", "t.mmap");
    db.append("t", 1, 2);
    try (FileChannel ch = other(file("t.mmap"))) {
      TestDb.writeAt(ch, 2, 3, 4, 5);
      assertEquals(5, db.count("t"));
      assertArrayEquals(new double[] {1, 2, 3, 4, 5}, db.values("t"));
      // far beyond what is mapped now (the mapping must grow)
      long n = (200L << 20) / 8;
      TestDb.writeAt(ch, n - 1, 42);
      assertEquals(n, db.count("t"));
      assertEquals(42.0, db.scalar("SELECT val FROM t WHERE idx = ?", n - 1));
      assertEquals(0.0, db.scalar("SELECT val FROM t WHERE idx = ?", n / 2));
      // and an append goes after what the other program wrote
      db.append("t", 43);
      assertEquals(43.0, db.scalar("SELECT val FROM t WHERE idx = ?", n));
      ch.truncate(5 * 8);
    }
    assertArrayEquals(new double[] {1, 2, 3, 4, 5}, db.values("t"));
  }

  @Test void fileShrunkByAnotherProgramBetweenStatements() throws Exception {
    db.mmap("t", "t.mmap");
    db.append("t", TestDb.range(0, 1000));
    try (FileChannel ch = other(file("t.mmap"))) {
      ch.truncate(3 * 8);
    }
    // Observed behaviour: the next statement takes the new length, without an error.
    assertEquals(3, db.count("t"));
    assertArrayEquals(new double[] {0, 1, 2}, db.values("t"));
    assertEquals(0, db.update("UPDATE t SET val = 1 WHERE idx = 500"));
    db.append("t", 3);
    assertArrayEquals(new double[] {0, 1, 2, 3}, TestDb.readDoubles(file("t.mmap")));
  }

  @Test void fileDeletedByAnotherProgramIsAnErrorUntilItComesBack() throws Exception {
    db.mmap("t", "t.mmap");
    db.mmap("u", "u.mmap");
    db.append("t", 1, 2, 3);
    db.append("u", 9);
    Files.delete(file("t.mmap"));
    db.fails("SELECT * FROM t", "t.mmap", "gone");
    db.fails("SELECT COUNT(*) FROM t", "gone");
    db.fails("SELECT val FROM t WHERE idx = 1", "gone");
    db.fails("INSERT INTO t(val) VALUES (4)", "gone");
    db.fails("UPDATE t SET val = 0 WHERE idx = 0", "gone");
    db.fails("DELETE FROM t", "gone");
    db.fails("SELECT VPOP('t')", "gone");
    assertTrue(Files.notExists(file("t.mmap")), "a failed statement re-created the file");
    String status = (String) db.scalar("SELECT status FROM sys.mappings WHERE name = 't'");
    assertTrue(status.contains("gone") || status.contains("missing"), status);
    // the other table is not affected
    assertArrayEquals(new double[] {9}, db.values("u"));
    // another program puts a (new) file there: the table reads it
    TestDb.writeDoubles(file("t.mmap"), 7, 8);
    assertArrayEquals(new double[] {7, 8}, db.values("t"));
    db.append("t", 9);
    assertArrayEquals(new double[] {7, 8, 9}, TestDb.readDoubles(file("t.mmap")));
    assertEquals("ok", db.scalar("SELECT status FROM sys.mappings WHERE name = 't'"));
  }

  @Test void fileReplacedByAnotherProgramIsReadAnew() throws Exception {
    db.mmap("t", "t.mmap");
    db.append("t", 1, 2, 3);
    Path tmp = file("t.tmp");
    TestDb.writeDoubles(tmp, 10, 20);
    Files.move(tmp, file("t.mmap"), java.nio.file.StandardCopyOption.REPLACE_EXISTING,
        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    assertArrayEquals(new double[] {10, 20}, db.values("t"));
    db.append("t", 30);
    assertArrayEquals(new double[] {10, 20, 30}, TestDb.readDoubles(file("t.mmap")));
  }

  /**
   * A point read and an IN read through reused PreparedStatements, which look
   * at the file once, after reading it, see what another process did between
   * two executions: the file grown, cut inside the page of the row read (where
   * the mapping still shows that page, as zeros), cut to a partial element,
   * replaced by another file, deleted and put back; and a point update, which
   * looks once before its write, neither misses a row the file grew by nor
   * grows a file that was cut. Every value the file holds is idx + 0.5, so a
   * zero would be invented.
   */
  @Test void pointAccessSeesWhatAnotherProcessDidBetweenTwoExecutions() throws Exception {
    Path f = file("p.mmap");
    String path = "r'" + f + "'";
    python("import struct; open(" + path + ", 'wb').write(struct.pack('<1000d', *[i + 0.5 for i in range(1000)]))");
    db.mmap("p", "p.mmap");
    long direct = org.mmapsql.plan.DirectExecution.directRuns();
    try (PreparedStatement point = db.conn.prepareStatement("SELECT val FROM p WHERE idx = ?");
        PreparedStatement in = db.conn.prepareStatement("SELECT idx, val FROM p WHERE idx IN (?, ?, ?)");
        PreparedStatement update = db.conn.prepareStatement("UPDATE p SET val = ? WHERE idx = ?")) {
      assertEquals(List.of(500.5), read(point, 500));
      // grown
      python("import struct; open(" + path + ", 'ab').write(struct.pack('<2d', 1000.5, 1001.5))");
      assertEquals(List.of(1001.5), read(point, 1001));
      assertEquals(List.of(0.5, 500.5, 1001.5), read(in, 0, 500, 1001));
      python("import struct; open(" + path + ", 'ab').write(struct.pack('<d', 1002.5))");
      assertEquals(1, update(update, 1002, -1002.5), "a row the file grew by is updated");
      // cut to the first byte of row 500, inside its page
      python("import os; os.truncate(" + path + ", 500 * 8)");
      assertEquals(List.of(), read(point, 500));
      assertEquals(List.of(499.5), read(point, 499));
      assertEquals(List.of(0.5, 499.5), read(in, 0, 499, 500));
      python("import os; os.truncate(" + path + ", 400 * 8)");
      assertEquals(0, update(update, 450, -450.5), "a row cut off is not updated");
      assertEquals(400L * 8, Files.size(f), "an UPDATE never grows a file another program cut");
      assertEquals(1, update(update, 399, -399.5));
      assertEquals(List.of(-399.5), read(point, 399));
      // cut to a partial element, far below the pages mapped
      python("import os; os.truncate(" + path + ", 3 * 8 + 5)");
      assertEquals(List.of(), read(point, 3));
      assertEquals(List.of(), read(point, 499));
      assertEquals(List.of(0.5, 2.5), read(in, 0, 2, 3));
      // grown again past the partial element: its bytes and the new ones are zeros, as the file has them
      python("import os; os.truncate(" + path + ", 6 * 8)");
      assertEquals(List.of(0.0), read(point, 4));
      // replaced by another file (renamed over it), with other values
      python("import os, struct; open(" + path + " + '.tmp', 'wb').write(struct.pack('<20d', *[-i - 0.5 for i in "
          + "range(20)])); os.replace(" + path + " + '.tmp', " + path + ")");
      assertEquals(List.of(-4.5), read(point, 4));
      assertEquals(List.of(-0.5, -19.5), read(in, 0, 19, 20));
      // deleted: an error naming the file, until it is back
      python("import os; os.remove(" + path + ")");
      SQLException gone = assertThrows(SQLException.class, () -> read(point, 4));
      TestDb.assertMessage(gone, "p.mmap", "gone");
      python("import struct; open(" + path + ", 'wb').write(struct.pack('<5d', 10.5, 11.5, 12.5, 13.5, 14.5))");
      assertEquals(List.of(14.5), read(point, 4));
      assertEquals(List.of(), read(point, 5));
    }
    assertTrue(org.mmapsql.plan.DirectExecution.directRuns() - direct >= 14, "the reads ran directly");
  }

  private static int update(PreparedStatement ps, long idx, double val) throws SQLException {
    ps.setDouble(1, val);
    ps.setLong(2, idx);
    return ps.executeUpdate();
  }

  /** The values of a reused statement's rows at {@code idx}: its last column. */
  private static List<Object> read(PreparedStatement ps, long... idx) throws SQLException {
    for (int i = 0; i < idx.length; i++) {
      ps.setLong(i + 1, idx[i]);
    }
    List<Object> out = new ArrayList<>();
    try (ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.add(rs.getObject(rs.getMetaData().getColumnCount()));
      }
    }
    return out;
  }

  // ------------------------------------------------------------ changes during a query

  /** A table of {@code n} elements whose value is their idx, written directly. */
  private void bigTable(String name, int n) throws SQLException {
    TestDb.writeDoubles(file(name + ".mmap"), TestDb.range(0, n));
    assertEquals(n, db.mmap(name, name + ".mmap"));
  }

  /**
   * Another program truncates the file while a result set is being read. The
   * read must end in an exception with a clear message, never a crash; the
   * rows before it are right. Observed: an SQLException from ResultSet.next()
   * ("... was truncated by another program while being read ...").
   */
  @Test void fileTruncatedWhileAResultSetIsReadGivesAnError() throws Exception {
    for (long cutTo : new long[] {0, 1 << 20}) {   // to nothing, and to the middle (page-aligned)
      bigTable("big", 1 << 19);                   // 4 MiB: many blocks of rows
      List<Long> seen = new ArrayList<>();
      Exception e;
      try (Statement s = db.conn.createStatement();
           ResultSet rs = s.executeQuery("SELECT idx, val FROM big")) {
        for (int i = 0; i < 10 && rs.next(); i++) {
          seen.add(rs.getLong(1));
        }
        try (FileChannel ch = other(file("big.mmap"))) {
          ch.truncate(cutTo);
        }
        e = assertThrows(Exception.class, () -> {
          while (rs.next()) {
            assertEquals((double) rs.getLong(1), rs.getDouble(2), "a row read after the cut is wrong");
            seen.add(rs.getLong(1));
          }
        }, "reading past a truncation must fail");
      }
      assertTrue(e instanceof SQLException, () -> "expected an SQLException, got " + e);
      TestDb.assertMessage(e, "big.mmap", "truncated");
      assertTrue(seen.size() < (1 << 19), "all rows came back despite the cut");
      for (int i = 0; i < seen.size(); i++) {
        assertEquals(i, seen.get(i));
      }
      // the JVM is fine and the table shows its new length
      assertEquals(cutTo / 8, db.count("big"));
      assertEquals(1L, db.longValue("SELECT UNMAP('big')"));
    }
  }

  @Test void fileDeletedWhileAResultSetIsReadDoesNotCrash() throws Exception {
    bigTable("big", 1 << 18);
    long rows = 0;
    try (Statement s = db.conn.createStatement(); ResultSet rs = s.executeQuery("SELECT idx, val FROM big")) {
      assertTrue(rs.next());
      Files.delete(file("big.mmap"));
      // the mapping keeps the deleted file's pages alive: the query ends normally
      do {
        assertEquals((double) rs.getLong(1), rs.getDouble(2));
        rows++;
      } while (rs.next());
    }
    assertEquals(1 << 18, rows);
    db.fails("SELECT COUNT(*) FROM big", "gone");
  }

  // ------------------------------------------------------------ partial trailing element

  @Test void trailingPartialElementIsHiddenAndProtected() throws Exception {
    Path f = file("p.mmap");
    TestDb.writeDoubles(f, TestDb.range(0, 100));
    try (FileChannel ch = other(f)) {
      ch.write(ByteBuffer.wrap(new byte[] {1, 2, 3}), 800);
    }
    byte[] before = TestDb.bytes(f);
    assertEquals(100, db.mmap("p", "p.mmap"));
    assertEquals(100, db.count("p"));
    assertArrayEquals(TestDb.range(0, 100), db.values("p"));
    assertEquals(List.of(List.of("p", "p.mmap", "<f8", 100L, 803L, "partial: 3 trailing bytes")),
        db.mappings());
    db.fails("INSERT INTO p(val) VALUES (1)", "partial element", "3 trailing bytes");
    db.fails("INSERT INTO p(val) SELECT val FROM p WHERE idx < 2", "partial element");
    db.fails("SELECT VPOP('p')", "partial element");
    assertArrayEquals(before, TestDb.bytes(f), "a refused append or pop changed the file");
    // writes inside the whole elements are fine
    assertEquals(1, db.update("UPDATE p SET val = -1 WHERE idx = 99"));
    // cutting the end repairs it
    assertEquals(1, db.update("DELETE FROM p WHERE idx >= 99"));
    assertEquals(99 * 8, Files.size(f));
    assertEquals("ok", db.scalar("SELECT status FROM sys.mappings"));
    db.append("p", 99);
    assertEquals(99.0, db.scalar("SELECT VPOP('p')"));
  }

  @Test void partialElementAppendedByAnotherProgramStopsAppends() throws Exception {
    db.mmap("p", "p.mmap");
    db.append("p", 1, 2);
    try (FileChannel ch = other(file("p.mmap"))) {
      ch.write(ByteBuffer.wrap(new byte[] {0, 0, 0, 0, 0}), 16);
    }
    db.fails("INSERT INTO p(val) VALUES (3)", "partial element", "5 trailing bytes");
    assertEquals(21, Files.size(file("p.mmap")));
    assertArrayEquals(new double[] {1, 2}, db.values("p"));
  }

  @Test void fileOfOnlyAPartialElementIsEmptyAndClearRepairsIt() throws Exception {
    Files.write(file("q.mmap"), new byte[] {1, 2, 3, 4, 5});
    assertEquals(0, db.mmap("q", "q.mmap"));
    assertEquals(0, db.count("q"));
    db.fails("SELECT VPOP('q')", "partial element");
    assertEquals(0, db.update("DELETE FROM q"));
    assertEquals(0, Files.size(file("q.mmap")), "DELETE FROM should repair a file of only a partial element");
    db.append("q", 1);
    assertArrayEquals(new double[] {1}, TestDb.readDoubles(file("q.mmap")));
  }
}
