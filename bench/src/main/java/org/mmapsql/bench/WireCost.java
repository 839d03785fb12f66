package org.mmapsql.bench;

import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.remote.Driver.Serialization;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.HttpServer;
import org.mmapsql.server.MmapServer;
import org.mmapsql.server.ServerConfig;

/**
 * The cost of one remote point access or ad-hoc statement, client and server in this one JVM, on
 * three paths taken in turn (many short rounds, so that a busy machine weighs
 * on each alike): mmapsql's driver on its compact execute, the same driver on
 * Avatica's execute ({@code mmapsql.execute=avatica}), and Avatica's client
 * against Avatica's {@code HttpServer} + {@code JdbcMeta} over H2. Prints the
 * median wall time and the median CPU time of the process (both sides of the
 * round trip: what a loaded machine changes least) per operation.
 *
 * <pre>WireCost [ROWS [ROUNDS [OPS_PER_ROUND [PATHS [WORKLOADS]]]]]</pre>
 *
 * PATHS (for a profile of one): the paths to run by number, {@code 0,1,2} by default. WORKLOADS: by
 * number, {@code 0,1,2} (point read, IN read, point update through PreparedStatements) by default; {@code 3}
 * is {@code SELECT COUNT(*)}, {@code 4} a point read by literal, through one Statement, {@code 5} a
 * Statement created, executed and closed each time. On path 1, mmapsql's driver sends everything
 * Avatica's way (HTTP), as it did before Avatica's requests went as frames.
 */
public final class WireCost {
  private WireCost() {
  }

  interface Op {
    void run(long i) throws SQLException;
  }

  public static void main(String[] args) throws Exception {
    long rows = args.length > 0 ? Long.parseLong(args[0]) : 1_000_000;
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 7;
    int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 2000;
    List<String> paths = Arrays.asList((args.length > 3 ? args[3] : "0,1,2").split(","));
    List<String> workloads = Arrays.asList((args.length > 4 ? args[4] : "0,1,2").split(","));
    Path dir = Files.createTempDirectory("wirecost");
    Files.copy(Data.ensureFile("t", rows), dir.resolve("t.f8"));
    String h2url = "jdbc:h2:mem:wirecost;DB_CLOSE_DELAY=-1" + Data.H2_OPTIONS;
    Connection keep = DriverManager.getConnection(h2url);
    Engine.loadH2(keep, rows);
    HttpServer avatica = new HttpServer.Builder<>()
        .withHandler(new LocalService(new JdbcMeta(h2url)), Serialization.PROTOBUF).withPort(0).build();
    avatica.start();
    try (MmapServer mmapsql = MmapServer.start(ServerConfig.defaults(dir).withPort(0))) {
      try (Connection c = DriverManager.getConnection(mmapsql.jdbcUrl())) {
        c.createStatement().executeQuery("SELECT MMAP('t', 't.f8')").close();
      }
      String[] names = {"mmapsql, compact execute", "mmapsql, Avatica's execute", "Avatica over H2"};
      Connection[] cs = {
          DriverManager.getConnection(mmapsql.jdbcUrl()),
          DriverManager.getConnection(mmapsql.jdbcUrl() + ";mmapsql.execute=avatica"),
          DriverManager.getConnection("jdbc:avatica:remote:url=http://localhost:" + avatica.getPort()
              + ";serialization=PROTOBUF")};
      System.out.printf(Locale.ROOT, "%,d rows, %d rounds of %,d operations a path; %s%n", rows, rounds, perRound,
          ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage() + " load");
      System.out.println("| workload | path | wall µs/op | CPU µs/op (both sides) |");
      System.out.println("|---|---|---:|---:|");
      for (String number : workloads) {
        String workload = WORKLOADS.get(Integer.parseInt(number));
        Op[] ops = new Op[cs.length];
        for (int k = 0; k < cs.length; k++) {
          ops[k] = op(workload, cs[k], rows);
        }
        double[][] wall = new double[cs.length][rounds];
        double[][] cpu = new double[cs.length][rounds];
        SplittableRandom random = new SplittableRandom(42);
        for (int k = 0; k < cs.length; k++) { // warm-up
          if (!paths.contains(Integer.toString(k))) {
            continue;
          }
          for (int i = 0; i < 5 * perRound; i++) {
            ops[k].run(random.nextLong(rows - 1000));
          }
        }
        for (int r = 0; r < rounds; r++) {
          for (int k = 0; k < cs.length; k++) {
            if (!paths.contains(Integer.toString(k))) {
              continue;
            }
            long cpu0 = processCpu();
            long t0 = System.nanoTime();
            for (int i = 0; i < perRound; i++) {
              ops[k].run(random.nextLong(rows - 1000));
            }
            wall[k][r] = (System.nanoTime() - t0) / 1e3 / perRound;
            cpu[k][r] = (processCpu() - cpu0) / 1e3 / perRound;
          }
        }
        for (int k = 0; k < cs.length; k++) {
          if (!paths.contains(Integer.toString(k))) {
            continue;
          }
          System.out.printf(Locale.ROOT, "| %s | %s | %.1f | %.1f |%n", workload, names[k], median(wall[k]),
              median(cpu[k]));
        }
      }
      for (Connection c : cs) {
        c.close();
      }
    } finally {
      avatica.stop();
      keep.close();
    }
  }

  private static final List<String> WORKLOADS = List.of("point read", "10-key IN read", "point update",
      "COUNT(*), Statement", "literal point read, Statement", "create, COUNT(*), close a Statement");

  private static Op op(String workload, Connection c, long rows) throws SQLException {
    switch (workload) {
      case "COUNT(*), Statement": {
        Statement s = c.createStatement();
        return i -> Data.check(count(s) == rows, "COUNT(*)");
      }
      case "literal point read, Statement": {
        Statement s = c.createStatement();
        return i -> {
          try (ResultSet rs = s.executeQuery("SELECT val FROM t WHERE idx = " + i)) {
            Data.check(rs.next() && rs.getDouble(1) == Data.value(i), "literal point read at " + i);
          }
        };
      }
      case "create, COUNT(*), close a Statement":
        return i -> {
          try (Statement s = c.createStatement()) {
            Data.check(count(s) == rows, "COUNT(*)");
          }
        };
      case "point read": {
        PreparedStatement ps = c.prepareStatement("SELECT val FROM t WHERE idx = ?");
        return i -> {
          ps.setLong(1, i);
          try (ResultSet rs = ps.executeQuery()) {
            Data.check(rs.next() && rs.getDouble(1) == Data.value(i), "point read at " + i);
          }
        };
      }
      case "10-key IN read": {
        PreparedStatement ps = c.prepareStatement(
            "SELECT idx, val FROM t WHERE idx IN (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
        return base -> {
          for (int k = 0; k < 10; k++) {
            ps.setLong(k + 1, base + 97L * k);
          }
          int n = 0;
          try (ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
              Data.check(rs.getDouble(2) == Data.value(rs.getLong(1)), "IN read");
              n++;
            }
          }
          Data.check(n == 10, "IN read: " + n + " rows");
        };
      }
      default: {
        PreparedStatement ps = c.prepareStatement("UPDATE t SET val = ? WHERE idx = ?");
        return i -> {
          ps.setDouble(1, Data.value(i));
          ps.setLong(2, i);
          Data.check(ps.executeUpdate() == 1, "point update at " + i);
        };
      }
    }
  }

  private static long count(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static long processCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  private static double median(double[] v) {
    double[] s = v.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
