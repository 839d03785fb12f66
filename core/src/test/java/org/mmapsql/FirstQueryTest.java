package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh JVM's first statements: a {@code SELECT COUNT(*)} and point reads,
 * which run directly, load no class of Janino (their generated code is never
 * compiled, and metadata needs no generated handlers) and make no downcall handle
 * for writes; a statement that runs
 * generated code, and a direct plan that falls back to its generated code
 * (more rows than it reads itself), then compile it and answer right.
 * Each JVM's class loading is read from {@code -Xlog:class+load}.
 */
class FirstQueryTest {
  private static final int N = 1000;

  @TempDir Path dir;

  @Test void directStatementsLoadNoCompiler() throws Exception {
    List<String> out = child("direct");
    assertTrue(out.contains("COUNT " + N), String.join("\n", out));
    assertTrue(out.contains("POINT 70.0"), String.join("\n", out));
    assertTrue(out.contains("PREPARED 12.5"), String.join("\n", out));
    assertTrue(out.contains("IN 2"), String.join("\n", out));
    List<String> janino = out.stream().filter(l -> l.contains("org.codehaus.janino.")).toList();
    assertTrue(janino.isEmpty(), () -> "Janino loaded for direct statements:\n" + String.join("\n", janino));
    // Each downcall handle made spins a stub class of its own: the reads make those of open, mmap, lseek
    // and statx at most, none of pwrite, munmap or close (NativeMap makes each on first use; the
    // connection's close, after the last answer, unmaps and closes).
    List<String> stubs = out.subList(0, out.indexOf("IN 2")).stream().filter(l -> l.contains("jdk.internal.foreign.abi.DowncallStub")
        || l.contains("NativeMap$Pwrite") || l.contains("NativeMap$Munmap") || l.contains("NativeMap$Close")).toList();
    assertTrue(stubs.stream().noneMatch(l -> l.contains("NativeMap$")) && stubs.size() <= 4,
        () -> "downcall handles made for reads:\n" + String.join("\n", stubs));
  }

  @Test void generatedCodeIsCompiledWhenItRuns() throws Exception {
    List<String> out = child("generated");
    assertTrue(out.contains("COUNT " + N), String.join("\n", out));
    // idx < 100 is more rows than a direct read takes: the plan's generated code, compiled now, streams them
    assertTrue(out.contains("RANGE 100 " + sum(0, 100)), String.join("\n", out));
    assertTrue(out.contains("FILTER 500 " + sum(500, N)), String.join("\n", out));
    int count = out.indexOf("COUNT " + N);
    int compiler = -1;
    for (int i = 0; i < out.size() && compiler < 0; i++) {
      compiler = out.get(i).contains("org.codehaus.janino.SimpleCompiler ") ? i : -1;
    }
    assertTrue(count < compiler && compiler < out.indexOf("RANGE 100 " + sum(0, 100)),
        () -> "the compiler was not loaded between the COUNT(*) and the read that runs generated code:\n"
            + String.join("\n", out));
  }

  /** Sum of val = idx * 1.25 ... as written below, for idx in [from, to). */
  private static String sum(int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += value(i);
    }
    return Double.toString(s);
  }

  private static double value(int i) {
    return i * 1.25;
  }

  private List<String> child(String mode) throws Exception {
    ByteBuffer b = ByteBuffer.allocate(N * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < N; i++) {
      b.putDouble(value(i));
    }
    Files.write(dir.resolve("t.f8"), b.array());
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close(); // bound in the catalog: the child only reads
    }
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xlog:class+load=info",
        "-cp", System.getProperty("java.class.path"), Child.class.getName(), mode, dir.toString())
        .redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(120, TimeUnit.SECONDS), out);
    assertEquals(0, p.exitValue(), out);
    return out.lines().toList();
  }

  /** The fresh JVM: its first statements, answers printed one a line. */
  public static final class Child {
    private Child() {
    }

    public static void main(String[] args) throws SQLException {
      try (Connection c = DriverManager.getConnection("jdbc:mmap:" + args[1]); Statement s = c.createStatement()) {
        print("COUNT " + one(s, "SELECT COUNT(*) FROM t"));
        if (args[0].equals("direct")) {
          print("POINT " + one(s, "SELECT val FROM t WHERE idx = 56"));
          try (PreparedStatement ps = c.prepareStatement("SELECT val FROM t WHERE idx = ?")) {
            ps.setLong(1, 10);
            try (ResultSet rs = ps.executeQuery()) {
              rs.next();
              print("PREPARED " + rs.getObject(1));
            }
          }
          try (ResultSet rs = s.executeQuery("SELECT idx, val FROM t WHERE idx IN (3, 900)")) {
            int n = 0;
            while (rs.next()) {
              n += rs.getDouble(2) == rs.getLong(1) * 1.25 ? 1 : 0;
            }
            print("IN " + n);
          }
        } else {
          try (ResultSet rs = s.executeQuery("SELECT idx, val FROM t WHERE idx < 100")) {
            int n = 0;
            double sum = 0;
            while (rs.next()) {
              n++;
              sum += rs.getDouble(2);
            }
            print("RANGE " + n + " " + sum);
          }
          try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(val) FROM t WHERE val >= 625")) {
            rs.next();
            print("FILTER " + rs.getLong(1) + " " + rs.getDouble(2));
          }
        }
      }
    }

    /** A line of its own among the JVM's log lines, which go to the same standard output. */
    private static void print(String line) {
      System.out.println(line);
      System.out.flush();
    }

    private static Object one(Statement s, String sql) throws SQLException {
      try (ResultSet rs = s.executeQuery(sql)) {
        rs.next();
        return rs.getObject(1);
      }
    }
  }
}
