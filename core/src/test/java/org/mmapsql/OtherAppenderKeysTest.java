package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * INSERT while another program (python3) appends to the same headerless file
 * with O_APPEND, one row at a time, as README allows: generated keys name the
 * rows each INSERT wrote, an INSERT with an explicit idx that is accepted has
 * its row at that idx, and none of the other program's rows is lost. The other
 * program writes -1, -2, ...; our values are positive.
 */
class OtherAppenderKeysTest {
  @TempDir Path dir;
  private Path t;
  private Path stop;
  private Process other;
  private Connection c;

  @BeforeEach void start() throws Exception {
    assumeTrue(python3(), "python3 is needed as the other appending program (CI has it)");
    t = Files.createFile(dir.resolve("t.f8"));
    stop = dir.resolve("stop");
    c = DriverManager.getConnection("jdbc:mmap:" + dir);
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
    }
    other = new ProcessBuilder("python3", "-c", String.join("\n",
        "import os, struct, sys",
        "fd = os.open(sys.argv[1], os.O_WRONLY | os.O_APPEND)",
        "k = 0",
        "while not os.path.exists(sys.argv[2]):",
        "    for _ in range(20):",
        "        k += 1",
        "        os.write(fd, struct.pack('<d', -k))",
        "print(k, flush=True)"), t.toString(), stop.toString()).redirectErrorStream(true).start();
    while (Files.size(t) < 800 && other.isAlive()) {
      Thread.sleep(1);
    }
  }

  @AfterEach void end() throws Exception {
    System.clearProperty("mmapsql.copyChunkBytes");
    if (other != null) {
      other.destroy();
      other.waitFor(60, TimeUnit.SECONDS);
    }
    if (c != null) {
      c.close();
    }
  }

  @Test void everyGeneratedKeyReadsBackTheValueItsInsertWrote() throws Exception {
    int n = 2000;
    long[] keys = new long[n];
    try (PreparedStatement p = c.prepareStatement("INSERT INTO t(val) VALUES (?)", Statement.RETURN_GENERATED_KEYS)) {
      for (int i = 0; i < n; i++) {
        p.setDouble(1, 1000 + i);
        assertEquals(1, p.executeUpdate());
        try (ResultSet k = p.getGeneratedKeys()) {
          assertTrue(k.next());
          keys[i] = k.getLong(1);
        }
      }
    }
    stopOther();
    double[] file = values();
    for (int i = 0; i < n; i++) {
      assertEquals(1000 + i, file[(int) keys[i]], "the row at generated key " + keys[i]);
    }
  }

  /** Chunks of 4 KB, so that the other program's rows fall between the chunks of one INSERT ... SELECT. */
  @Test void theKeysOfACopySplitByAnotherProgramsRowsNameTheCopiedRows() throws Exception {
    System.setProperty("mmapsql.copyChunkBytes", "4096");
    int n = 100_000;
    ByteBuffer u = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      u.putDouble(i + 1);
    }
    Files.write(dir.resolve("u.f8"), u.array());
    List<Long> keys = new ArrayList<>();
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('u', 'u.f8')").close();
      for (int copy = 0; copy < 3; copy++) {
        assertEquals(n, s.executeUpdate("INSERT INTO t(val) SELECT val FROM u", Statement.RETURN_GENERATED_KEYS));
        try (ResultSet k = s.getGeneratedKeys()) {
          while (k.next()) {
            keys.add(k.getLong(1));
          }
        }
      }
    }
    stopOther();
    double[] file = values();
    assertEquals(3 * n, keys.size());
    boolean split = false;
    for (int i = 0; i < keys.size(); i++) {
      assertEquals(i % n + 1, file[(int) (long) keys.get(i)], "the row at generated key " + keys.get(i));
      split |= i % n != 0 && keys.get(i) != keys.get(i - 1) + 1;
    }
    assertTrue(split, "the other program's rows never fell inside a copy: the test proved nothing");
  }

  @Test void anAcceptedExplicitIdxHoldsItsValue() throws Exception {
    List<long[]> accepted = new ArrayList<>();
    List<long[]> stayed = new ArrayList<>();
    int refused = 0;
    try (PreparedStatement count = c.prepareStatement("SELECT COUNT(*) FROM t");
         PreparedStatement ins = c.prepareStatement("INSERT INTO t(idx, val) VALUES (?, ?)")) {
      for (int i = 0; i < 3000; i++) {
        long idx;
        try (ResultSet r = count.executeQuery()) {
          r.next();
          idx = r.getLong(1);
        }
        ins.setLong(1, idx);
        ins.setDouble(2, 5000 + i);
        try {
          assertEquals(1, ins.executeUpdate());
          accepted.add(new long[] {idx, 5000 + i});
        } catch (SQLException e) {
          assertEquals("23000", e.getSQLState(), e.toString());
          Matcher m = LANDED.matcher(e.getMessage());
          if (m.find()) {
            stayed.add(new long[] {Long.parseLong(m.group(1)), 5000 + i});
          }
          refused++;
        }
      }
    }
    stopOther();
    double[] file = values();
    for (long[] a : accepted) {
      assertEquals(a[1], file[(int) a[0]], "INSERT at idx " + a[0] + " was accepted");
    }
    for (long[] a : stayed) {
      assertEquals(a[1], file[(int) a[0]], "a refused INSERT said its row stayed at idx " + a[0]);
    }
    assertTrue(accepted.size() > 100, "accepted " + accepted.size() + ", refused " + refused);
  }

  private static final Pattern LANDED = Pattern.compile("appended at idx (\\d+)");

  /** Stops the other program and checks that every row it wrote is in the file, in its order. */
  private void stopOther() throws Exception {
    Files.createFile(stop);
    String out = new String(other.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(other.waitFor(60, TimeUnit.SECONDS) && other.exitValue() == 0, out);
    long theirs = Long.parseLong(out);
    long next = 1;
    for (double v : values()) {
      if (v < 0) {
        assertEquals(-next++, v, "the other program's rows, in order");
      }
    }
    assertEquals(theirs, next - 1, "the other program's rows in the file");
  }

  private double[] values() throws Exception {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(t)).order(ByteOrder.LITTLE_ENDIAN);
    double[] v = new double[b.capacity() / 8];
    b.asDoubleBuffer().get(v);
    return v;
  }

  private static boolean python3() {
    try {
      return new ProcessBuilder("python3", "-c", "pass").start().waitFor() == 0;
    } catch (Exception e) {
      return false;
    }
  }
}
