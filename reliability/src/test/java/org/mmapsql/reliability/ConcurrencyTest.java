package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.server.MmapServer;
import org.mmapsql.server.ServerConfig;

/**
 * 16 embedded connections and 8 clients of a real server on the same tables,
 * for a bounded time: appends, whole-table updates, pops, truncations,
 * aggregates and scans at once. Every answer is checked against what must hold
 * whatever the interleaving, the files against the model at the end, and a
 * watchdog fails the test with every thread's stack if anything hangs.
 *
 * <ul>
 *   <li>{@code app}: append only; each writer's values carry its id and a
 *       sequence number, so the file must hold every acknowledged value once,
 *       in each writer's order, and nothing else.
 *   <li>{@code upd}: 140,000 rows (more than one 1 MB write buffer), each UPDATE sets
 *       all of them to one new value: a reader must never see two values.
 *   <li>{@code trn}: {@code val = idx} always: rows are appended with
 *       {@code INSERT INTO trn(val) SELECT COUNT(*) FROM trn}, removed by VPOP
 *       and by {@code DELETE ... WHERE idx >= k}; a scan or an aggregate that
 *       mixed two lengths, or read a torn write, breaks the equality.
 * </ul>
 */
class ConcurrencyTest {
  private static final long RUN_MILLIS = 20_000;
  private static final long WATCHDOG_MILLIS = RUN_MILLIS + 90_000;
  private static final int UPD_ROWS = 140_000;
  private static final double STRIDE = 1e9;

  @TempDir Path dir;

  private final Set<Double> acked = ConcurrentHashMap.newKeySet();
  private final Set<Double> inFlight = ConcurrentHashMap.newKeySet();
  private final Set<Double> updValues = ConcurrentHashMap.newKeySet();
  private final AtomicLong statements = new AtomicLong();
  private final ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
  private volatile long deadline;

  /** One client's loop: a statement at a time until the deadline or the first failure. */
  private interface Step {
    void run(Connection c, Random random) throws Exception;
  }

  @Test void mixedLoadKeepsEveryInvariantAndTheModel() throws Exception {
    long seed = Long.getLong("reliability.seed", System.nanoTime());
    System.out.println("ConcurrencyTest seed " + seed + " (-Dreliability.seed=" + seed + " repeats it)");
    Random seeds = new Random(seed);
    Path data = Files.createDirectories(dir.resolve("data"));
    String embedded = "jdbc:mmap:" + data;
    try (MmapServer server = MmapServer.start(ServerConfig.defaults(data).withPort(0));
        Connection setup = DriverManager.getConnection(embedded); Statement s = setup.createStatement()) {
      s.executeQuery("SELECT MMAP('app', 'app.f8')").close();
      s.executeQuery("SELECT MMAP('trn', 'trn.f8')").close();
      double[] minusOne = new double[UPD_ROWS];
      java.util.Arrays.fill(minusOne, -1.0);
      Raw.write(data.resolve("upd.f8"), minusOne);
      s.executeQuery("SELECT MMAP('upd', 'upd.f8')").close();
      updValues.add(-1.0);
      assertEquals(UPD_ROWS, count(s, "upd"));
      String remote = server.jdbcUrl();

      List<Thread> clients = new ArrayList<>();
      int[] writer = {0};
      // 16 embedded
      for (int i = 0; i < 4; i++) {
        clients.add(client(embedded, seeds.nextLong(), appender(writer[0]++)));
      }
      for (int i = 0; i < 2; i++) {
        clients.add(client(embedded, seeds.nextLong(), updater(writer[0]++)));
      }
      for (int i = 0; i < 3; i++) {
        clients.add(client(embedded, seeds.nextLong(), this::readUpd));
      }
      for (int i = 0; i < 4; i++) {
        clients.add(client(embedded, seeds.nextLong(), this::mixTrn));
      }
      for (int i = 0; i < 3; i++) {
        clients.add(client(embedded, seeds.nextLong(), this::readApp));
      }
      // 8 remote
      for (int i = 0; i < 2; i++) {
        clients.add(client(remote, seeds.nextLong(), appender(writer[0]++)));
      }
      clients.add(client(remote, seeds.nextLong(), updater(writer[0]++)));
      clients.add(client(remote, seeds.nextLong(), this::readUpd));
      for (int i = 0; i < 3; i++) {
        clients.add(client(remote, seeds.nextLong(), this::mixTrn));
      }
      clients.add(client(remote, seeds.nextLong(), this::readApp));
      assertEquals(24, clients.size());

      long start = System.currentTimeMillis();
      deadline = start + RUN_MILLIS;
      clients.forEach(Thread::start);
      for (Thread t : clients) {
        t.join(Math.max(1, start + WATCHDOG_MILLIS - System.currentTimeMillis()));
        if (t.isAlive()) {
          System.out.println(threadDump());
          fail("watchdog: " + t.getName() + " still runs " + WATCHDOG_MILLIS + " ms after the start"
              + " (deadlock or hang; thread dump above; seed " + seed + ")");
        }
      }
      Figures.record("ConcurrencyTest", "statements run under load (16 embedded + 8 remote clients, "
          + RUN_MILLIS / 1000 + " s)", statements.get());
      if (!failures.isEmpty()) {
        Throwable first = failures.peek();
        failures.stream().skip(1).limit(5).forEach(first::addSuppressed);
        throw new AssertionError(failures.size() + " client(s) failed (seed " + seed + ")", first);
      }
      checkFiles(data, s);
    }
  }

  private Thread client(String url, long seed, Step step) {
    Thread t = new Thread(() -> {
      Random random = new Random(seed);
      try (Connection c = DriverManager.getConnection(url)) {
        while (System.currentTimeMillis() < deadline && failures.isEmpty()) {
          step.run(c, random);
          statements.incrementAndGet();
        }
      } catch (Throwable e) {
        failures.add(new AssertionError(Thread.currentThread().getName() + " on " + url + ": " + e, e));
      }
    }, "client-" + (url.contains("remote") ? "remote-" : "embedded-") + Integer.toHexString((int) seed));
    t.setDaemon(true);
    return t;
  }

  private Step appender(int writer) {
    AtomicLong seq = new AtomicLong();
    return (c, random) -> {
      int n = 1 + random.nextInt(20);
      List<Double> rows = new ArrayList<>();
      StringBuilder sql = new StringBuilder("INSERT INTO app(val) VALUES ");
      for (int i = 0; i < n; i++) {
        double v = writer * STRIDE + seq.incrementAndGet();
        rows.add(v);
        sql.append(i == 0 ? "" : ", ").append('(').append((long) v).append(".0)");
      }
      inFlight.addAll(rows);
      try (Statement s = c.createStatement()) {
        assertEquals(n, s.executeUpdate(sql.toString()));
      }
      acked.addAll(rows);
      inFlight.removeAll(rows);
    };
  }

  private Step updater(int writer) {
    AtomicLong seq = new AtomicLong();
    return (c, random) -> {
      double v = writer * STRIDE + seq.incrementAndGet();
      updValues.add(v);
      try (PreparedStatement ps = c.prepareStatement("UPDATE upd SET val = ?")) {
        ps.setDouble(1, v);
        assertEquals(UPD_ROWS, ps.executeUpdate());
      }
    };
  }

  /** An UPDATE of every row to one value is seen whole or not at all, by aggregates and by scans. */
  private void readUpd(Connection c, Random random) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (random.nextInt(3) == 0) {
        // a scan of several blocks of rows
        String sql = "SELECT val FROM upd WHERE idx >= " + (UPD_ROWS - 8192 - random.nextInt(20_000));
        try (ResultSet rs = s.executeQuery(sql)) {
          Double first = null;
          while (rs.next()) {
            double v = rs.getDouble(1);
            if (first == null) {
              first = v;
              if (!updValues.contains(v)) {
                throw new AssertionError(sql + ": value " + v + " was never written");
              }
            } else if (v != first) {
              throw new AssertionError(sql + ": a scan saw part of an UPDATE of all rows: " + first
                  + " and " + v);
            }
          }
        }
        return;
      }
      String sql = random.nextBoolean() ? "SELECT COUNT(*), MIN(val), MAX(val) FROM upd"
          : "SELECT COUNT(*), MIN(val), MAX(val) FROM upd WHERE idx >= " + random.nextInt(UPD_ROWS);
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        if (rs.getDouble(2) != rs.getDouble(3)) {
          throw new AssertionError(sql + ": an UPDATE of all rows is half visible: min " + rs.getDouble(2)
              + ", max " + rs.getDouble(3));
        }
        if (!updValues.contains(rs.getDouble(2))) {
          throw new AssertionError(sql + ": value " + rs.getDouble(2) + " was never written");
        }
      }
    }
  }

  /** Appends, pops, truncations, aggregates and scans on trn, where val = idx always. */
  private void mixTrn(Connection c, Random random) throws SQLException {
    try (Statement s = c.createStatement()) {
      int op = random.nextInt(10);
      if (op < 4) {
        assertEquals(1, s.executeUpdate("INSERT INTO trn(val) SELECT COUNT(*) FROM trn"));
      } else if (op == 4) {
        try (ResultSet rs = s.executeQuery("SELECT VPOP('trn')")) {
          rs.next();
          double v = rs.getDouble(1);
          if (!rs.wasNull() && (v < 0 || v != Math.rint(v))) {
            throw new AssertionError("VPOP('trn') returned " + v + ", which no row of trn holds");
          }
        }
      } else if (op == 5) {
        s.executeUpdate("DELETE FROM trn WHERE idx >= " + (50 + random.nextInt(200)));
      } else if (op < 8) {
        try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(val), MIN(val), MAX(val), COUNT(val) FROM trn")) {
          rs.next();
          long n = rs.getLong(1);
          double sum = rs.getDouble(2);
          if (n != rs.getLong(5) || n > 0 && (sum != n * (n - 1) / 2.0 || rs.getDouble(3) != 0
              || rs.getDouble(4) != n - 1)) {
            throw new AssertionError("trn aggregates mix lengths: COUNT(*) " + n + ", SUM " + sum + ", MIN "
                + rs.getDouble(3) + ", MAX " + rs.getDouble(4) + ", COUNT(val) " + rs.getLong(5));
          }
        }
      } else {
        long lo = random.nextInt(300);
        try (ResultSet rs = s.executeQuery("SELECT idx, val FROM trn WHERE idx >= " + lo)) {
          long expect = lo;
          while (rs.next()) {
            if (rs.getLong(1) != expect || rs.getDouble(2) != expect) {
              throw new AssertionError("trn scan from " + lo + ": row " + rs.getLong(1) + " = " + rs.getDouble(2)
                  + " where idx " + expect + " = " + expect + " was due");
            }
            expect++;
          }
        }
      }
    }
  }

  /** A scan of app sees consecutive idx, each value written once, each writer's values in order. */
  private void readApp(Connection c, Random random) throws SQLException {
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT idx, val FROM app")) {
      long expect = 0;
      Set<Double> seen = new HashSet<>();
      Map<Integer, Double> last = new HashMap<>();
      while (rs.next()) {
        double v = rs.getDouble(2);
        // inFlight before acked: a writer adds to acked before it removes from inFlight,
        // so a value visible in the file is always found by one of the two looks.
        if (rs.getLong(1) != expect++ || !seen.add(v) || !(inFlight.contains(v) || acked.contains(v))) {
          throw new AssertionError("app scan: row " + rs.getLong(1) + " = " + v + " is out of place,"
              + " twice, or never written");
        }
        Double before = last.put((int) (v / STRIDE), v);
        if (before != null && before > v) {
          throw new AssertionError("app scan: writer " + (int) (v / STRIDE) + "'s values out of order at idx "
              + rs.getLong(1));
        }
      }
    }
  }

  private void checkFiles(Path data, Statement s) throws Exception {
    double[] app = Raw.doubles(data.resolve("app.f8"));
    Set<Double> present = new HashSet<>();
    for (double v : app) {
      if (!present.add(v) || !acked.contains(v)) {
        fail("app.f8 holds " + v + " twice or unacknowledged");
      }
    }
    long lost = acked.stream().filter(v -> !present.contains(v)).count();
    Figures.record("ConcurrencyTest", "acknowledged appends lost", lost);
    assertEquals(0, lost);
    assertEquals(app.length, count(s, "app"));
    double[] trn = Raw.doubles(data.resolve("trn.f8"));
    for (int i = 0; i < trn.length; i++) {
      assertEquals(i, trn[i], "trn.f8 at " + i);
    }
    double[] upd = Raw.doubles(data.resolve("upd.f8"));
    assertEquals(UPD_ROWS, upd.length);
    for (double v : upd) {
      assertEquals(upd[0], v, "upd.f8 holds two values");
    }
    assertEquals(true, updValues.contains(upd[0]));
  }

  private static long count(Statement s, String table) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  static String threadDump() {
    StringBuilder b = new StringBuilder("---- thread dump ----\n");
    for (ThreadInfo t : ManagementFactory.getThreadMXBean().dumpAllThreads(true, true)) {
      b.append('"').append(t.getThreadName()).append("\" ").append(t.getThreadState());
      if (t.getLockName() != null) {
        b.append(" on ").append(t.getLockName());
      }
      if (t.getLockOwnerName() != null) {
        b.append(" owned by \"").append(t.getLockOwnerName()).append('"');
      }
      b.append('\n');
      for (StackTraceElement e : t.getStackTrace()) {
        b.append("\tat ").append(e).append('\n');
      }
    }
    long[] deadlocked = ManagementFactory.getThreadMXBean().findDeadlockedThreads();
    b.append("deadlocked threads: ").append(deadlocked == null ? 0 : deadlocked.length).append('\n');
    return b.toString();
  }
}
