import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.SplittableRandom;

/**
 * The thread's CPU time per operation of the embedded point access workloads on 10 M doubles: point read and
 * 10-key IN read through a reused PreparedStatement, point update (the value the row has, so the data stays),
 * and {@code SELECT COUNT(*) FROM t} through a Statement; best of the rounds, a figure a busy machine changes far
 * less than the wall time. {@code java --enable-native-access=ALL-UNNAMED -cp "$(cat bench/target/classpath.txt)"
 * bench/PointCpu.java mmap|h2 DIR [ROUNDS [WORKLOADS]]}, WORKLOADS a subset of {@code read,in10,update,count}
 * (to trace or profile one); mmapsql maps {@code DIR/t.f8}, written first if missing; H2 holds the same rows.
 * Each round also prints the thread's minor page faults per operation (a store into a page the background
 * force cleaned takes one) and its kernel share of the CPU, from {@code /proc/thread-self/stat} (100 Hz ticks),
 * and the whole process's CPU per operation (the flusher's forces, JIT and GC included). {@code -Drows=N}: a table
 * of N rows (in another DIR); {@code -Dkeys=K}: the point read and update pick rows below K only.
 */
public class PointCpu {
  static final int N = Integer.getInteger("rows", 10_000_000); // -Drows=: another size (another DIR)
  /** -Dkeys=: the point read and update pick rows below this only (a few hot rows of a large table). */
  static final int KEYS = Integer.getInteger("keys", N);

  static double value(long i) {
    return (double) ((i * 2654435761L) % 1000003);
  }

  public static void main(String[] a) throws Exception {
    boolean h2 = a[0].equals("h2");
    Path dir = Path.of(a[1]);
    int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 5;
    String only = a.length > 3 ? a[3] : "read,in10,update,count";
    Connection c = h2 ? h2() : mmap(dir);
    var bean = ManagementFactory.getThreadMXBean();
    var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    PreparedStatement read = c.prepareStatement("SELECT val FROM t WHERE idx = ?");
    StringBuilder in = new StringBuilder("SELECT idx, val FROM t WHERE idx IN (?");
    in.append(", ?".repeat(9)).append(')');
    PreparedStatement in10 = c.prepareStatement(in.toString());
    PreparedStatement update = c.prepareStatement("UPDATE t SET val = ? WHERE idx = ?");
    Statement st = c.createStatement();
    String[] names = {"read", "in10", "update", "count"};
    double[] best = new double[4];
    java.util.Arrays.fill(best, Double.MAX_VALUE);
    SplittableRandom random = new SplittableRandom(42);
    for (int round = 0; round <= rounds; round++) {
      for (int w = 0; w < 4; w++) {
        if (!only.contains(names[w])) {
          continue;
        }
        int ops = round == 0 ? 100_000 : 50_000; // round 0 warms up
        long[] s0 = threadStat();
        long p0 = os.getProcessCpuTime();
        long t0 = bean.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
          switch (w) {
            case 0 -> {
              long k = random.nextLong(KEYS);
              read.setLong(1, k);
              try (ResultSet rs = read.executeQuery()) {
                if (!rs.next() || rs.getDouble(1) != value(k)) {
                  throw new AssertionError("read " + k);
                }
              }
            }
            case 1 -> {
              for (int p = 1; p <= 10; p++) {
                in10.setLong(p, random.nextLong(N));
              }
              int rows = 0;
              try (ResultSet rs = in10.executeQuery()) {
                while (rs.next()) {
                  long k = rs.getLong(1);
                  if (rs.getDouble(2) != value(k)) {
                    throw new AssertionError("in10 " + k);
                  }
                  rows++;
                }
              }
              if (rows == 0) { // ten random keys below N: at least one row (fewer than ten only if keys repeat)
                throw new AssertionError("in10: no rows");
              }
            }
            case 2 -> {
              long k = random.nextLong(KEYS);
              update.setDouble(1, value(k));
              update.setLong(2, k);
              if (update.executeUpdate() != 1) {
                throw new AssertionError("update " + k);
              }
            }
            default -> {
              try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
                if (!rs.next() || rs.getLong(1) != N) {
                  throw new AssertionError("COUNT(*)");
                }
              }
            }
          }
        }
        double cpu = (bean.getCurrentThreadCpuTime() - t0) / 1e3 / ops;
        double wall = (System.nanoTime() - w0) / 1e3 / ops;
        long[] s1 = threadStat();
        double process = (os.getProcessCpuTime() - p0) / 1e3 / ops;
        if (round > 0) {
          best[w] = Math.min(best[w], cpu);
        }
        System.out.printf("round %d %-7s cpu %.2f us/op, wall %.2f us/op, sys %.2f us/op, minflt %.3f/op,"
            + " process cpu %.2f us/op%n", round, names[w], cpu, wall, (s1[1] - s0[1]) * 1e4 / ops,
            (double) (s1[0] - s0[0]) / ops, process);
      }
    }
    for (int w = 0; w < 4; w++) {
      if (only.contains(names[w])) {
        System.out.printf("BEST %-7s %.2f us of thread CPU per op%n", names[w], best[w]);
      }
    }
    c.close();
  }

  /** The thread's minor faults and system time in clock ticks (fields 10 and 15 of /proc/thread-self/stat). */
  static long[] threadStat() throws java.io.IOException {
    String stat = Files.readString(Path.of("/proc/thread-self/stat"));
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" "); // f[0] is field 3, the state
    return new long[] {Long.parseLong(f[10 - 3]), Long.parseLong(f[15 - 3])};
  }

  static Connection h2() throws SQLException {
    Connection c = DriverManager.getConnection("jdbc:h2:mem:b;OPTIMIZE_REUSE_RESULTS=FALSE");
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE) AS SELECT X - 1, CAST(MOD((X - 1) * 2654435761, "
          + "1000003) AS DOUBLE PRECISION) FROM SYSTEM_RANGE(1, " + N + ")");
    }
    return c;
  }

  static Connection mmap(Path dir) throws Exception {
    Files.createDirectories(dir);
    Path f = dir.resolve("t.f8");
    if (!Files.exists(f) || Files.size(f) != 8L * N) {
      try (FileChannel ch = FileChannel.open(f, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
          StandardOpenOption.TRUNCATE_EXISTING)) {
        ByteBuffer b = ByteBuffer.allocate(8 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (long i = 0; i < N; i++) {
          b.putDouble(value(i));
          if (!b.hasRemaining() || i == N - 1) {
            b.flip();
            while (b.hasRemaining()) {
              ch.write(b);
            }
            b.clear();
          }
        }
      }
    }
    Connection c = DriverManager.getConnection("jdbc:mmap:" + dir);
    try (Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
    } catch (SQLException alreadyBound) {
      // bound by an earlier run
    }
    return c;
  }
}
