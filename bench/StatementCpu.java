import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The thread's CPU time per operation of the two ad-hoc Statement workloads, {@code SELECT COUNT(*) FROM t}
 * and {@code SELECT val FROM t WHERE idx = <literal>}, on 10 M doubles: a figure a busy machine changes far
 * less than the wall time. {@code java -cp "$(cat bench/target/classpath.txt)" bench/StatementCpu.java
 * mmap|mmap-exclusive|h2 DIR [ROUNDS]}; mmapsql maps {@code DIR/t.f8}, written first if missing (mmap-exclusive
 * with the MMAP option {@code exclusive}: counts and point reads do not look at the file); H2 holds the same rows.
 */
public class StatementCpu {
  static final int N = 10_000_000;

  static double value(long i) {
    return (double) ((i * 2654435761L) % 1000003);
  }

  public static void main(String[] a) throws Exception {
    boolean h2 = a[0].equals("h2");
    Path dir = Path.of(a[1]);
    int rounds = a.length > 2 ? Integer.parseInt(a[2]) : 3;
    Connection c;
    if (h2) {
      c = DriverManager.getConnection("jdbc:h2:mem:b;OPTIMIZE_REUSE_RESULTS=FALSE");
      try (Statement s = c.createStatement()) {
        s.execute("CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE) AS SELECT X - 1, CAST(MOD((X - 1) * 2654435761, "
            + "1000003) AS DOUBLE PRECISION) FROM SYSTEM_RANGE(1, " + N + ")");
      }
    } else {
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
      c = DriverManager.getConnection("jdbc:mmap:" + dir);
      try (Statement s = c.createStatement()) {
        s.executeQuery("SELECT UNMAP('t')").close(); // an earlier run may have bound it the other way
        s.executeQuery("SELECT MMAP('t', 't.f8', '<f8', '" + (a[0].equals("mmap-exclusive") ? "exclusive" : "")
            + "')").close();
      }
    }
    var bean = ManagementFactory.getThreadMXBean();
    Statement st = c.createStatement();
    String[] names = {"COUNT(*) Statement", "idx = <literal> Statement"};
    for (int round = 0; round <= rounds; round++) {
      for (int w = 0; w < 2; w++) {
        int ops = round == 0 ? 50_000 : 100_000; // round 0 warms up
        long t0 = bean.getCurrentThreadCpuTime();
        long w0 = System.nanoTime();
        for (int i = 0; i < ops; i++) {
          long k = ThreadLocalRandom.current().nextLong(N);
          if (w == 0) {
            try (ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM t")) {
              if (!rs.next() || rs.getLong(1) != N) {
                throw new AssertionError("COUNT(*)");
              }
            }
          } else {
            try (ResultSet rs = st.executeQuery("SELECT val FROM t WHERE idx = " + k)) {
              if (!rs.next() || rs.getDouble(1) != value(k)) {
                throw new AssertionError("idx = " + k);
              }
            }
          }
        }
        if (round > 0) {
          System.out.printf("%s\tround %d\t%s\t%.2f us cpu/op\t%.2f us wall/op%n", a[0], round, names[w],
              (bean.getCurrentThreadCpuTime() - t0) / 1e3 / ops, (System.nanoTime() - w0) / 1e3 / ops);
        }
      }
    }
    c.close();
  }
}
