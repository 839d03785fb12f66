package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A server process killed with SIGKILL at random moments while clients append
 * and update at full speed: after each restart every write whose statement
 * returned is in the file, exactly once, the catalog opens, and each file is a
 * whole number of elements; the 2-D {@code .npy} file's header (read per
 * numpy's format, not by mmapsql) has the shape its length says. The model is
 * what the clients were told.
 */
class CrashTest {
  private static final int KILLS = 20;
  private static final int APPENDERS = 2;
  private static final int UPDATERS = 2;
  /** Positions of table u; updater k owns those with {@code p % UPDATERS == k}. */
  private static final int SLOTS = 64;
  /** The value a writer writes carries its id: {@code writer * STRIDE + seq}. */
  private static final double STRIDE = 1e12;

  @TempDir Path dir;

  /** Values an append returned for; and those appended by statements a kill interrupted. */
  private final Set<Double> acked = ConcurrentHashMap.newKeySet();
  private final Set<Double> inFlight = ConcurrentHashMap.newKeySet();
  /** The same for table n, a 2-D .npy of rows (v, v + 1, v + 2), by c0. */
  private final Set<Double> ackedRows = ConcurrentHashMap.newKeySet();
  private final Set<Double> inFlightRows = ConcurrentHashMap.newKeySet();
  /** Table u: the value of each position as last acknowledged, and as maybe written at the kill. */
  private final double[] slot = new double[SLOTS];
  private final Map<Integer, Double> slotInFlight = new ConcurrentHashMap<>();
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong seq = new AtomicLong();
  private long lost;
  private long killsBetweenDataAndHeader;

  @Test void killedAtRandomMomentsLosesNoAcknowledgedWrite() throws Exception {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("CrashTest seed " + seed + " (-Dreliability.seed=" + seed + " repeats it)");
    Random random = new Random(seed);
    Path data = Files.createDirectories(dir.resolve("data"));
    try (ServerProcess s = ServerProcess.start(data, "-Xmx256m");
        Connection c = DriverManager.getConnection(s.url()); Statement st = c.createStatement()) {
      st.executeQuery("SELECT MMAP('a', 'a.f8')").close();
      st.executeQuery("SELECT MMAP('u', 'u.f8')").close();
      st.executeQuery("SELECT MMAP('n', 'n.npy', 'float64', 'columns=3')").close();
      StringBuilder values = new StringBuilder();
      for (int p = 0; p < SLOTS; p++) {
        values.append(p == 0 ? "" : ", ").append("(-1)");
        slot[p] = -1;
      }
      st.executeUpdate("INSERT INTO u(val) VALUES " + values);
    }
    int kills = 0;
    try {
      for (; kills < KILLS; kills++) {
        long t0 = System.nanoTime();
        ServerProcess server = ServerProcess.start(data, "-Xmx256m");
        try {
          long t1 = System.nanoTime();
          verify(server, data, "after restart " + kills + " (seed " + seed + ")");
          long t2 = System.nanoTime();
          List<Thread> writers = new ArrayList<>();
          for (int k = 0; k < APPENDERS; k++) {
            writers.add(start(appender(server.url(), k, new Random(random.nextLong()))));
          }
          for (int k = 0; k < UPDATERS; k++) {
            writers.add(start(updater(server.url(), k, k % 2 == 0 ? "" : ";durability=sync")));
          }
          writers.add(start(npyAppender(server.url(), APPENDERS, new Random(random.nextLong()))));
          // kill once the writers are under way, at a random moment
          long before = statements.get();
          for (int i = 0; i < 600 && statements.get() < before + 3; i++) {
            Thread.sleep(50);
          }
          long t3 = System.nanoTime();
          Thread.sleep(random.nextInt(400));
          server.kill();
          System.out.printf("cycle %d: start %d ms, verify %d ms, writers under way %d ms%n", kills,
              (t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000);
          for (Thread t : writers) {
            t.join(60_000);
            assertTrue(!t.isAlive(), "a writer hangs after the kill");
          }
        } finally {
          server.kill();
        }
        for (String f : List.of("a.f8", "u.f8")) {
          assertEquals(0, Files.size(data.resolve(f)) % 8, f + " is not a whole number of elements after kill "
              + kills + " (seed " + seed + ")");
        }
        // the data is written before the header: a kill between them leaves rows the header does not count
        NpyFile h = NpyFile.read(data.resolve("n.npy"));
        assertTrue(h.fileBytes() >= h.dataOffset() + 8 * h.elements(), "after kill " + kills + " (seed " + seed
            + "): the header of n.npy counts rows the file does not have");
        if (h.fileBytes() > h.dataOffset() + 8 * h.elements()) {
          killsBetweenDataAndHeader++;
        }
      }
      try (ServerProcess last = ServerProcess.start(data, "-Xmx256m")) {
        verify(last, data, "after the last kill (seed " + seed + ")");
      }
    } finally {
      Figures.record("CrashTest", "SIGKILLs survived", kills);
      Figures.record("CrashTest", "acknowledged write statements", statements.get());
      Figures.record("CrashTest", "acknowledged writes lost", lost);
      Figures.record("CrashTest", "kills that left .npy data past its header's shape", killsBetweenDataAndHeader);
    }
    assertEquals(KILLS, kills);
  }

  /**
   * The state a kill between an append's data and its header leaves (rows and
   * half a row past the header's shape) is repaired when mmapsql opens the
   * file: the header agrees with the length, the acknowledged rows are there,
   * appends work.
   */
  @Test void npyDataPastItsHeaderFromAnInterruptedAppendIsCutBackOnOpen() throws Exception {
    Path data = Files.createDirectories(dir.resolve("npy"));
    String url = "jdbc:mmap:" + data;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.executeQuery("SELECT MMAP('n', 'n.npy', 'float64', 'columns=3')").close();
      assertEquals(2, st.executeUpdate("INSERT INTO n(c0, c1, c2) VALUES (1, 2, 3), (11, 12, 13)"));
    }
    Path file = data.resolve("n.npy");
    NpyFile before = NpyFile.read(file);
    // an append interrupted after 1 2/3 of its rows were written, before its header
    java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (double v : new double[] {21, 22, 23, 31, 32}) {
      tail.putDouble(v);
    }
    Files.write(file, tail.array(), java.nio.file.StandardOpenOption.APPEND);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT status, row_count FROM sys.mappings WHERE name = 'n'")) {
        assertTrue(rs.next());
        assertEquals("ok", rs.getString(1));
        assertEquals(2, rs.getLong(2));
      }
      NpyFile after = npyLengthAgrees(file, "reopened");
      assertEquals(before.fileBytes(), after.fileBytes());
      assertEquals(before.dataOffset(), after.dataOffset());
      assertEquals(1, st.executeUpdate("INSERT INTO n(c0, c1, c2) VALUES (41, 42, 43)"));
    }
    NpyFile h = npyLengthAgrees(file, "after an append");
    assertEquals(3, h.shape()[0]);
    assertEquals(List.of(1.0, 2.0, 3.0, 11.0, 12.0, 13.0, 41.0, 42.0, 43.0),
        java.util.Arrays.stream(NpyFile.doubles(file, h)).boxed().toList());
  }

  /**
   * A read-only binding never cuts: data past the header's shape may be rows
   * another program appends with its header deferred (npy-append-array with
   * rewrite_header_on_append=False); it reads the rows the header counts.
   */
  @Test void npyDataPastItsHeaderIsLeftAloneByAReadOnlyBinding() throws Exception {
    Path data = Files.createDirectories(dir.resolve("npy-ro"));
    String url = "jdbc:mmap:" + data;
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.executeQuery("SELECT MMAP('n', 'n.npy', 'float64', 'columns=3')").close();
      assertEquals(2, st.executeUpdate("INSERT INTO n(c0, c1, c2) VALUES (1, 2, 3), (11, 12, 13)"));
      st.executeQuery("SELECT UNMAP('n')").close();
    }
    Path file = data.resolve("n.npy");
    java.nio.ByteBuffer tail = java.nio.ByteBuffer.allocate(40).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (double v : new double[] {21, 22, 23, 31, 32}) {
      tail.putDouble(v);
    }
    Files.write(file, tail.array(), java.nio.file.StandardOpenOption.APPEND);
    byte[] before = Files.readAllBytes(file);
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT MMAP('r', 'n.npy', '', 'readonly')")) {
        assertTrue(rs.next());
        assertEquals(2, rs.getLong(1));
      }
      try (ResultSet rs = st.executeQuery("SELECT SUM(c0 + c1 + c2), COUNT(*) FROM r")) {
        assertTrue(rs.next());
        assertEquals(42.0, rs.getDouble(1));
        assertEquals(2, rs.getLong(2));
      }
    }
    try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
      st.executeQuery("SELECT COUNT(*) FROM r").close(); // the catalog opens it again, read-only
    }
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(file)), "a read-only binding changed the file");
  }

  private static Thread start(Runnable r) {
    Thread t = new Thread(r, "crash-writer");
    t.setDaemon(true);
    t.start();
    return t;
  }

  /** Appends 1 or 20 rows a statement until the server dies. */
  private Runnable appender(String url, int writer, Random random) {
    return () -> {
      int[] sizes = {1, 20};
      try (Connection c = DriverManager.getConnection(url)) {
        PreparedStatement[] inserts = new PreparedStatement[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
          inserts[k] = c.prepareStatement("INSERT INTO a(val) VALUES (?)" + ", (?)".repeat(sizes[k] - 1));
        }
        while (true) {
          int k = random.nextInt(sizes.length);
          int n = sizes[k];
          List<Double> rows = new ArrayList<>();
          for (int i = 0; i < n; i++) {
            double v = writer * STRIDE + seq.incrementAndGet();
            rows.add(v);
            inserts[k].setDouble(i + 1, v);
          }
          inFlight.addAll(rows);
          assertEquals(n, inserts[k].executeUpdate());
          acked.addAll(rows);
          inFlight.removeAll(rows);
          statements.incrementAndGet();
        }
      } catch (SQLException e) {
        // the server was killed
      }
    };
  }

  /** Appends 1 or 5 rows {@code (v, v + 1, v + 2)} a statement to the 2-D .npy table n until the server dies. */
  private Runnable npyAppender(String url, int writer, Random random) {
    return () -> {
      int[] sizes = {1, 5};
      try (Connection c = DriverManager.getConnection(url)) {
        PreparedStatement[] inserts = new PreparedStatement[sizes.length];
        for (int k = 0; k < sizes.length; k++) {
          inserts[k] = c.prepareStatement("INSERT INTO n(c0, c1, c2) VALUES (?, ?, ?)"
              + ", (?, ?, ?)".repeat(sizes[k] - 1));
        }
        while (true) {
          int k = random.nextInt(sizes.length);
          List<Double> rows = new ArrayList<>();
          for (int i = 0; i < sizes[k]; i++) {
            double v = writer * STRIDE + seq.incrementAndGet();
            rows.add(v);
            for (int col = 0; col < 3; col++) {
              inserts[k].setDouble(3 * i + col + 1, v + col);
            }
          }
          inFlightRows.addAll(rows);
          assertEquals(sizes[k], inserts[k].executeUpdate());
          ackedRows.addAll(rows);
          inFlightRows.removeAll(rows);
          statements.incrementAndGet();
        }
      } catch (SQLException e) {
        // the server was killed
      }
    };
  }

  /** The .npy header, read per numpy's format, describes exactly the data the file holds. */
  private static NpyFile npyLengthAgrees(Path file, String when) throws Exception {
    NpyFile h = NpyFile.read(file);
    assertEquals("<f8", h.descr(), when);
    assertTrue(!h.fortranOrder(), when);
    assertEquals(2, h.shape().length, when);
    assertEquals(3, h.shape()[1], when);
    assertEquals(h.dataOffset() + 8 * h.elements(), h.fileBytes(), when + ": the header of n.npy says shape ("
        + h.shape()[0] + ", 3) but the file has " + (h.fileBytes() - h.dataOffset()) + " bytes of data");
    return h;
  }

  /** Sets all of its positions to one new value a statement until the server dies. */
  private Runnable updater(String url, int writer, String options) {
    return () -> {
      try (Connection c = DriverManager.getConnection(url + options);
          PreparedStatement ps = c.prepareStatement("UPDATE u SET val = ? WHERE MOD(idx, "
              + UPDATERS + ") = " + writer)) {
        while (true) {
          double v = 1_000_000 * STRIDE + seq.incrementAndGet();
          for (int p = writer; p < SLOTS; p += UPDATERS) {
            slotInFlight.put(p, v);
          }
          ps.setDouble(1, v);
          assertEquals(SLOTS / UPDATERS, ps.executeUpdate());
          synchronized (slot) {
            for (int p = writer; p < SLOTS; p += UPDATERS) {
              slot[p] = v;
            }
          }
          statements.incrementAndGet();
        }
      } catch (SQLException e) {
        // the server was killed
      }
    };
  }

  /**
   * The restarted server has every acknowledged write, nothing twice, nothing
   * invented; what a killed statement wrote becomes part of the model.
   */
  private void verify(ServerProcess server, Path data, String when) throws Exception {
    long[] rows = new long[3];
    try (Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, status, row_count FROM sys.mappings ORDER BY name")) {
      for (int i = 0; i < 3; i++) {
        assertTrue(rs.next(), when + ": a binding is gone");
        assertEquals(List.of("a", "n", "u").get(i), rs.getString(1), when);
        assertEquals("ok", rs.getString(2), when);
        rows[i] = rs.getLong(3);
      }
    }
    // the server's view is the file's (one query: a restarted JVM plans each new one slowly)
    double[] raw = Raw.doubles(data.resolve("a.f8"));
    double[] u = Raw.doubles(data.resolve("u.f8"));
    assertEquals(rows[0], raw.length, when);
    assertEquals(rows[2], u.length, when);
    assertEquals(SLOTS, u.length, when + ": table u keeps its length");
    Set<Double> present = new HashSet<>();
    Map<Integer, Double> lastOfWriter = new HashMap<>();
    for (int i = 0; i < raw.length; i++) {
      double v = raw[i];
      if (!present.add(v)) {
        fail(when + ": value " + v + " is in the file twice (idx " + i + ")");
      }
      if (!acked.contains(v) && !inFlight.contains(v)) {
        fail(when + ": value " + v + " at idx " + i + " was never written");
      }
      int writer = (int) (v / STRIDE);
      Double before = lastOfWriter.put(writer, v);
      assertTrue(before == null || before < v, when + ": appends of one writer out of order at idx " + i);
    }
    long missing = acked.stream().filter(v -> !present.contains(v)).count();
    lost += missing;
    assertEquals(0, missing, when + ": acknowledged appends lost");
    acked.addAll(present);
    inFlight.clear();
    for (int p = 0; p < SLOTS; p++) {
      Double maybe = slotInFlight.get(p);
      if (u[p] != slot[p] && (maybe == null || u[p] != maybe)) {
        lost++;
        fail(when + ": u[" + p + "] is " + u[p] + ", acknowledged " + slot[p] + ", in flight " + maybe);
      }
      slot[p] = u[p];
    }
    slotInFlight.clear();
    verifyNpy(data.resolve("n.npy"), rows[1], when);
  }

  /** Table n: the rows the header counts are whole, each acknowledged row there once, in order. */
  private void verifyNpy(Path file, long serverRows, String when) throws Exception {
    NpyFile h = npyLengthAgrees(file, when);
    assertEquals(serverRows, h.shape()[0], when + ": the server's row count of n");
    double[] cells = NpyFile.doubles(file, h);
    Set<Double> present = new HashSet<>();
    double last = -1;
    for (int r = 0; r < h.shape()[0]; r++) {
      double v = cells[3 * r];
      assertEquals(v + 1, cells[3 * r + 1], when + ": n row " + r + " is torn");
      assertEquals(v + 2, cells[3 * r + 2], when + ": n row " + r + " is torn");
      assertTrue(present.add(v), when + ": n row " + v + " twice");
      assertTrue(ackedRows.contains(v) || inFlightRows.contains(v), when + ": n row " + v + " never written");
      assertTrue(v > last, when + ": n rows out of order at " + r);
      last = v;
    }
    long missing = ackedRows.stream().filter(v -> !present.contains(v)).count();
    lost += missing;
    assertEquals(0, missing, when + ": acknowledged rows of n lost");
    ackedRows.addAll(present);
    inFlightRows.clear();
  }
}
