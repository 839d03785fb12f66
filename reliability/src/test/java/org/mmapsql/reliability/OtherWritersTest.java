package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other programs write the files mmapsql serves: they append with O_APPEND,
 * update in place, truncate, delete, replace and grow the file while queries
 * and writes run. Nothing is lost, nothing invented, no file grows back with
 * zeros, other tables are untouched, and the table works again once the file
 * is back.
 */
class OtherWritersTest {
  @TempDir Path dir;
  private Path data;
  private Connection c;
  private Statement s;

  @BeforeEach void open() throws SQLException, IOException {
    data = Files.createDirectories(dir.resolve("data"));
    c = DriverManager.getConnection("jdbc:mmap:" + data);
    s = c.createStatement();
  }

  @AfterEach void close() throws SQLException {
    c.close();
  }

  @Test void appendsOfAnotherProcessWithOAppendAndOfMmapsqlAllLandExactlyOnce() throws Exception {
    s.executeQuery("SELECT MMAP('x', 'x.f8')").close();
    int theirs = 20_000;
    Process other = OtherWriter.start("append", data.resolve("x.f8").toString(), "1000000000",
        Integer.toString(theirs), "7");
    Random random = new Random(11);
    long ours = 0;
    try {
      while (other.isAlive()) {
        int n = 1 + random.nextInt(10);
        StringBuilder sql = new StringBuilder("INSERT INTO x(val) VALUES ");
        for (int i = 0; i < n; i++) {
          sql.append(i == 0 ? "" : ", ").append('(').append(2_000_000_000L + ours + i).append(".0)");
        }
        assertEquals(n, s.executeUpdate(sql.toString()));
        ours += n;
      }
      assertTrue(other.waitFor(60, TimeUnit.SECONDS));
      assertEquals(0, other.exitValue());
    } finally {
      other.destroyForcibly();
    }
    double[] file = Raw.doubles(data.resolve("x.f8"));
    Set<Double> seen = new HashSet<>();
    for (double v : file) {
      assertTrue(seen.add(v), "value " + v + " twice");
    }
    long lost = 0;
    for (long i = 0; i < theirs; i++) {
      lost += seen.contains(1e9 + i) ? 0 : 1;
    }
    for (long i = 0; i < ours; i++) {
      lost += seen.contains(2e9 + i) ? 0 : 1;
    }
    Figures.record("OtherWritersTest", "values appended by another process with O_APPEND", theirs);
    Figures.record("OtherWritersTest", "values appended by INSERT meanwhile", ours);
    Figures.record("OtherWritersTest", "appended values lost or overwritten", lost);
    assertEquals(0, lost, "values lost of " + theirs + " appended with O_APPEND and " + ours + " by INSERT");
    assertEquals(theirs + ours, file.length);
    assertEquals(file.length, count("x"));
  }

  @Test void updatesInPlaceByAnotherProcessAreReadAtOnce() throws Exception {
    Raw.write(data.resolve("y.f8"), 1.5, 2.5, 3.5);
    s.executeQuery("SELECT MMAP('y', 'y.f8')").close();
    assertEquals(2.5, scalar("SELECT val FROM y WHERE idx = 1"));
    OtherWriter.run("set", data.resolve("y.f8").toString(), "1", "-42.25");
    assertEquals(-42.25, scalar("SELECT val FROM y WHERE idx = 1"));
    assertEquals(1.5 - 42.25 + 3.5, scalar("SELECT SUM(val) FROM y"));
  }

  /**
   * The file is cut (to a partial element, to a length that is not a whole
   * page, to nothing), grown, deleted, put back and replaced while two
   * connections query and write it. Every value this test or the writers put
   * in the file ends in .5; a 0.0 or any other value is invented.
   */
  @Test void truncatedDeletedReplacedOrGrownWhileInUse() throws Exception {
    Path x = data.resolve("x.f8");
    Raw.write(x, halves(0, 4000));
    Raw.write(data.resolve("other.f8"), halves(0, 100));
    s.executeQuery("SELECT MMAP('x', 'x.f8')").close();
    s.executeQuery("SELECT MMAP('other', 'other.f8')").close();
    Map<String, String> otherBefore = Map.of("other", Raw.sha256(Files.readAllBytes(data.resolve("other.f8"))));

    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    List<Thread> users = new ArrayList<>();
    boolean[] stop = {false};
    for (int t = 0; t < 2; t++) {
      long seed = 100 + t;
      Thread th = new Thread(() -> {
        Random random = new Random(seed);
        try (Connection own = DriverManager.getConnection("jdbc:mmap:" + data); Statement st = own.createStatement()) {
          while (!stop[0]) {
            String sql = switch (random.nextInt(5)) {
              case 0 -> "SELECT idx, val FROM x WHERE idx BETWEEN " + random.nextInt(4000) + " AND "
                  + (random.nextInt(4000) + 500);
              case 1 -> "SELECT COUNT(*), SUM(val), MIN(val), MAX(val) FROM x";
              case 2 -> "UPDATE x SET val = val + 1 WHERE idx = " + random.nextInt(4000);
              case 3 -> "INSERT INTO x(val) VALUES (" + random.nextInt(1000) + ".5)";
              default -> "SELECT val FROM x WHERE idx IN (" + random.nextInt(4000) + ", " + random.nextInt(4000) + ")";
            };
            try {
              if (st.execute(sql)) {
                try (ResultSet rs = st.getResultSet()) {
                  int cols = rs.getMetaData().getColumnCount();
                  while (rs.next()) {
                    double v = rs.getDouble(cols);
                    boolean aggregate = sql.startsWith("SELECT COUNT");
                    if (!aggregate && !rs.wasNull() && Math.abs(v % 1) != 0.5) {
                      problems.add(sql + " returned " + v + ", a value nobody wrote");
                    }
                  }
                }
              }
              ok.incrementAndGet();
            } catch (SQLException e) {
              errors.incrementAndGet();
              String m = String.valueOf(e.getMessage());
              if (!m.contains("x.f8") && !m.contains("table x") && !m.contains(" x ")) {
                problems.add(sql + ": an error that does not say what: " + m);
              }
            }
          }
        } catch (Throwable e) {
          problems.add("connection failed: " + e);
        }
      }, "user-" + t);
      th.setDaemon(true);
      users.add(th);
      th.start();
    }
    int cases = 0;
    try {
      pause();
      cut(x, 8 * 3000 + 4); cases++;           // a partial element at the end
      pause();
      cut(x, 8 * 2001); cases++;               // not a whole page
      pause();
      cut(x, 0); cases++;                      // emptied
      pause();
      append(x, halves(0, 3000)); cases++;     // grown by another writer
      pause();
      Files.delete(x); cases++;                // deleted
      pause();
      Raw.write(x, halves(0, 2500)); cases++;  // put back
      pause();
      Path next = data.resolve("x.next");
      Raw.write(next, halves(0, 1500));
      Files.move(next, x, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING); cases++; // replaced
      pause();
      cut(x, 8 * 1200 + 4); cases++;           // cut again, to a partial element
      pause();
    } finally {
      stop[0] = true;
      for (Thread th : users) {
        th.join(60_000);
        if (th.isAlive()) {
          System.out.println(ConcurrencyTest.threadDump());
          fail(th.getName() + " hangs");
        }
      }
      Figures.record("OtherWritersTest", "interference cases (cut, grow, delete, restore, replace)", cases);
      Figures.record("OtherWritersTest", "statements run during interference", ok.get() + errors.get());
      Figures.record("OtherWritersTest", "of which clear SQLExceptions", errors.get());
    }
    assertTrue(problems.isEmpty(), problems.size() + " problems, first: " + problems.peek());
    // repaired the way the README says, the table works again
    s.executeUpdate("DELETE FROM x WHERE idx >= 1000");
    double[] file = Raw.doubles(x);
    assertEquals(0, Files.size(x) % 8);
    for (double v : file) {
      assertEquals(0.5, Math.abs(v % 1), "the file holds " + v + ", which nobody wrote (grown with zeros?)");
    }
    assertEquals(file.length, count("x"));
    assertEquals(1, s.executeUpdate("INSERT INTO x(val) VALUES (7.5)"));
    assertEquals(7.5, scalar("SELECT val FROM x WHERE idx = " + file.length));
    assertEquals(otherBefore, Map.of("other", Raw.sha256(Files.readAllBytes(data.resolve("other.f8")))));
    assertEquals(100, count("other"));
  }

  /**
   * Another program cuts the file at the moment an UPDATE of many rows starts
   * writing (it watches the first row through its own mapping): the file
   * must keep the length it was cut to (an UPDATE that checked the length
   * before the cut and wrote after it would grow the file back), and never
   * hold a value nobody wrote.
   */
  @Test void anUpdateRacingACutNeverGrowsTheFileBack() throws Exception {
    int rows = 400_000; // 3.2 MB: the UPDATE's stores take milliseconds, so the cut lands while it writes
    int cutTo = 10_000;
    int cycles = 4;
    double written = -0.25; // no row holds it before (they hold i + 0.5)
    Path u = data.resolve("u.f8");
    byte[] whole = Files.readAllBytes(writeHalves(u, rows));
    s.executeQuery("SELECT MMAP('u', 'u.f8')").close();
    Semaphore go = new Semaphore(0);
    Semaphore done = new Semaphore(0);
    AtomicLong refused = new AtomicLong();
    AtomicBoolean lastRefused = new AtomicBoolean();
    ConcurrentLinkedQueue<String> problems = new ConcurrentLinkedQueue<>();
    Thread updater = new Thread(() -> {
      try (Connection own = DriverManager.getConnection("jdbc:mmap:" + data); Statement st = own.createStatement()) {
        for (int i = 0; i < cycles; i++) {
          go.acquire();
          try {
            // every other row: many runs, so the cut lands between two of them
            st.executeUpdate("UPDATE u SET val = " + written + " WHERE MOD(idx, 2) = 0");
            lastRefused.set(false);
          } catch (SQLException e) {
            refused.incrementAndGet();
            lastRefused.set(true);
            if (!String.valueOf(e.getMessage()).contains("u.f8")) {
              problems.add("an error that does not name the file: " + e.getMessage());
            }
          }
          done.release();
        }
      } catch (Throwable e) {
        problems.add("updater failed: " + e);
        done.release(cycles);
      }
    }, "updater");
    updater.setDaemon(true);
    updater.start();
    long grownBack = 0;
    long cuts = 0;
    VarHandle bits = ValueLayout.JAVA_LONG.varHandle();
    long before = Double.doubleToRawLongBits(0.5);
    try (FileChannel ch = FileChannel.open(u, StandardOpenOption.READ, StandardOpenOption.WRITE);
        Arena arena = Arena.ofConfined()) {
      MemorySegment first = ch.map(FileChannel.MapMode.READ_ONLY, 0, 8, arena); // row 0, never cut
      for (int i = 0; i < cycles; i++) {
        ch.write(ByteBuffer.wrap(whole), 0); // the whole file again, row 0 = 0.5
        go.release();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((long) bits.getAcquire(first, 0L) == before && System.nanoTime() < deadline) {
          java.util.concurrent.locks.LockSupport.parkNanos(20_000); // its writes take far longer
        }
        ch.truncate(8L * cutTo); // the UPDATE is writing its first piece
        cuts++;
        assertTrue(done.tryAcquire(60, TimeUnit.SECONDS), "the UPDATE hangs");
        if (ch.size() != 8L * cutTo) {
          grownBack++;
          problems.add("cut to " + 8L * cutTo + " bytes, the UPDATE grew the file back to " + ch.size());
        }
        String wrong = firstWrongRow(Raw.doubles(u), cutTo, lastRefused.get() ? Double.NaN : written);
        if (wrong != null) {
          problems.add("cycle " + i + (lastRefused.get() ? " (refused)" : " (done)") + ": " + wrong);
        }
      }
    } finally {
      go.release(cycles);
      updater.join(60_000);
      Figures.record("OtherWritersTest", "cuts while an UPDATE of 200,000 separate rows wrote", cuts);
      Figures.record("OtherWritersTest", "of which the UPDATE refused with an error", refused.get());
      Figures.record("OtherWritersTest", "files grown back by an UPDATE", grownBack);
    }
    assertTrue(problems.isEmpty(), problems.size() + " problems in " + cuts + " cuts (" + refused.get()
        + " UPDATEs refused), first: " + problems.peek());
    assertTrue(refused.get() >= 1, "no UPDATE was cut while it wrote: the race was never run");
    assertEquals(8L * cutTo, Files.size(u));
    assertEquals(cutTo, s.executeUpdate("UPDATE u SET val = 2.5"));
    assertEquals(2.5 * cutTo, scalar("SELECT SUM(val) FROM u"));
  }

  /**
   * Null if the file holds exactly {@code cutTo} rows, each its old value
   * {@code i + 0.5}, or (unless {@code written} is NaN, for a refused UPDATE,
   * which puts back the rows it still has) {@code written} at every even row.
   */
  private static String firstWrongRow(double[] v, int cutTo, double written) {
    if (v.length != cutTo) {
      return v.length + " rows, not " + cutTo;
    }
    for (int i = 0; i < v.length; i++) {
      double expected = i % 2 == 0 && !Double.isNaN(written) ? written : i + 0.5;
      if (Double.doubleToRawLongBits(v[i]) != Double.doubleToRawLongBits(expected)) {
        return "row " + i + " holds " + v[i] + ", not " + expected;
      }
    }
    return null;
  }

  private static Path writeHalves(Path file, int n) throws IOException {
    Raw.write(file, halves(0, n));
    return file;
  }

  private static double[] halves(int from, int to) {
    double[] v = new double[to - from];
    for (int i = 0; i < v.length; i++) {
      v[i] = from + i + 0.5;
    }
    return v;
  }

  private static void cut(Path file, long bytes) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      ch.truncate(bytes);
    }
  }

  private static void append(Path file, double[] values) throws IOException {
    Path tmp = file.resolveSibling("append.tmp");
    Raw.write(tmp, values);
    Files.write(file, Files.readAllBytes(tmp), StandardOpenOption.APPEND);
    Files.delete(tmp);
  }

  private final AtomicLong ok = new AtomicLong();
  private final AtomicLong errors = new AtomicLong();

  /** Lets the two connections run at least 10 statements on the file as it now is (at most 20 s). */
  private void pause() throws InterruptedException {
    long until = ok.get() + errors.get() + 10;
    for (int i = 0; i < 400 && ok.get() + errors.get() < until; i++) {
      Thread.sleep(50);
    }
  }

  private long count(String table) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private double scalar(String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      rs.next();
      return rs.getDouble(1);
    }
  }
}
