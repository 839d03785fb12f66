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
 * whole number of elements. The model is what the clients were told.
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
  /** Table u: the value of each position as last acknowledged, and as maybe written at the kill. */
  private final double[] slot = new double[SLOTS];
  private final Map<Integer, Double> slotInFlight = new ConcurrentHashMap<>();
  private final AtomicLong statements = new AtomicLong();
  private final AtomicLong seq = new AtomicLong();
  private long lost;

  @Test void killedAtRandomMomentsLosesNoAcknowledgedWrite() throws Exception {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("CrashTest seed " + seed + " (-Dreliability.seed=" + seed + " repeats it)");
    Random random = new Random(seed);
    Path data = Files.createDirectories(dir.resolve("data"));
    try (ServerProcess s = ServerProcess.start(data, "-Xmx256m");
        Connection c = DriverManager.getConnection(s.url()); Statement st = c.createStatement()) {
      st.executeQuery("SELECT MMAP('a', 'a.f8')").close();
      st.executeQuery("SELECT MMAP('u', 'u.f8')").close();
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
      }
      try (ServerProcess last = ServerProcess.start(data, "-Xmx256m")) {
        verify(last, data, "after the last kill (seed " + seed + ")");
      }
    } finally {
      Figures.record("CrashTest", "SIGKILLs survived", kills);
      Figures.record("CrashTest", "acknowledged write statements", statements.get());
      Figures.record("CrashTest", "acknowledged writes lost", lost);
    }
    assertEquals(KILLS, kills);
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
    long[] rows = new long[2];
    try (Connection c = DriverManager.getConnection(server.url()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT name, status, row_count FROM sys.mappings ORDER BY name")) {
      for (int i = 0; i < 2; i++) {
        assertTrue(rs.next(), when + ": a binding is gone");
        assertEquals(i == 0 ? "a" : "u", rs.getString(1), when);
        assertEquals("ok", rs.getString(2), when);
        rows[i] = rs.getLong(3);
      }
    }
    // the server's view is the file's (one query: a restarted JVM plans each new one slowly)
    double[] raw = Raw.doubles(data.resolve("a.f8"));
    double[] u = Raw.doubles(data.resolve("u.f8"));
    assertEquals(rows[0], raw.length, when);
    assertEquals(rows[1], u.length, when);
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
  }
}
