package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another program cuts a file while aggregates run over it, after those
 * aggregates ran often enough to be compiled by C2: each answer is over rows
 * the file held (all, those left by the cut, or those read before it), or an
 * SQLException (58030), and the JVM lives. A
 * vector load from a page past the new end is a SIGBUS that the JVM cannot
 * turn into an exception in compiled Vector API code: before the vector
 * loops read a copy of each run, this killed the process in the first round.
 * It runs in a JVM of its own, so that a crash fails this test, not the suite.
 */
class CutDuringAggregateTest {
  private static final int ROWS = 4 << 20;
  private static final int CUT_ROWS = 512;

  @TempDir Path dir;

  @Test void aFileCutWhileCompiledAggregatesReadItIsAnErrorOrAnAnswerNeverACrash() throws Exception {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "--add-modules",
        "jdk.incubator.vector", "-XX:ErrorFile=" + dir.resolve("hs_err_%p.log"), "-cp",
        System.getProperty("java.class.path"), Child.class.getName(), dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(300, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    assertTrue(out.contains("ROUNDS DONE"), out);
    assertTrue(out.contains("VECTORS true"), "the vector loops ran: " + out);
  }

  /** The JVM that warms the aggregates, then runs them while a thread cuts the file and puts it back. */
  public static final class Child {
    private Child() {
    }

    public static void main(String[] args) throws Exception {
      Path dir = Path.of(args[0]);
      ByteBuffer f8 = ByteBuffer.allocate(ROWS * 8).order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer i4 = ByteBuffer.allocate(ROWS * 4).order(ByteOrder.LITTLE_ENDIAN);
      for (int i = 0; i < ROWS; i++) {
        f8.putDouble(i);
        i4.putInt(i);
      }
      write(dir.resolve("d.f8"), f8);
      write(dir.resolve("n.i4"), i4);
      System.out.println("VECTORS " + org.mmapsql.storage.RunStats.vectorised());
      // each query with its answer over every row and over the rows left by the cut (values are the idx)
      String[][] queries = {
          {"SELECT SUM(val) FROM d", sum(0, ROWS), sum(0, CUT_ROWS)},
          {"SELECT SUM(val) FROM d WHERE val > 100", sum(101, ROWS), sum(101, CUT_ROWS)},
          {"SELECT SUM(val) FROM n", sum(0, ROWS), sum(0, CUT_ROWS)}};
      try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
        s.executeQuery("SELECT MMAP('d', 'd.f8')").close();
        s.executeQuery("SELECT MMAP('n', 'n.i4', 'i4')").close();
        for (String[] q : queries) {
          for (int k = 0; k < 400; k++) {
            check(s, q);
          }
        }
        System.out.println("WARM");
        for (int round = 0; round < 10; round++) {
          for (String[] q : queries) {
            Path file = dir.resolve(q[0].endsWith(" n") ? "n.i4" : "d.f8");
            ByteBuffer whole = q[0].endsWith(" n") ? i4 : f8;
            Thread cutter = new Thread(() -> cut(file, (long) CUT_ROWS * whole.capacity() / ROWS));
            cutter.start();
            for (int k = 0; k < 5; k++) {
              check(s, q);
            }
            cutter.join();
            write(file, whole);
          }
        }
      }
      System.out.println("ROUNDS DONE");
    }

    /** The sum of the whole numbers from {@code from} to {@code to - 1}: exact in a double at these sizes. */
    private static String sum(long from, long to) {
      return Double.toString((to * (to - 1) - from * (from - 1)) / 2.0);
    }

    private static void check(Statement s, String[] q) {
      try (ResultSet rs = s.executeQuery(q[0])) {
        rs.next();
        // the rows read before the cut, which a pass over the cut file's runs may count or not: at least
        // the cut file's, at most the whole file's, each of them a value the file held (a whole number)
        double got = rs.getDouble(1);
        if (got < Double.parseDouble(q[2]) || got > Double.parseDouble(q[1]) || got != Math.rint(got)) {
          throw new AssertionError(q[0] + " gave " + got + ", not between " + q[2] + " and " + q[1]);
        }
      } catch (SQLException e) {
        if (!"58030".equals(e.getSQLState())) {
          throw new AssertionError(q[0] + " failed with " + e.getSQLState() + ": " + e.getMessage(), e);
        }
      }
    }

    private static void cut(Path file, long bytes) {
      try {
        Thread.sleep(2);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
          ch.truncate(bytes);
        }
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }

    private static void write(Path file, ByteBuffer b) throws Exception {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE)) {
        b.rewind();
        while (b.hasRemaining()) {
          ch.write(b, b.position());
        }
      }
    }
  }
}
