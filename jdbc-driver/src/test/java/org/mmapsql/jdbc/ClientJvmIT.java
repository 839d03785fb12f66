package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.server.MmapServer;
import org.mmapsql.server.ServerConfig;

/**
 * The driver jars as applications meet them, each in a JVM of its own against
 * a real server: the thin jar on an older Java (17: Spark's; DBeaver's is 21),
 * Avatica's own client on that Java (DBeaver's built-in entry, Spark), and both
 * jars silent on stderr (no SLF4J warnings).
 */
class ClientJvmIT {
  @TempDir static Path dir;
  static MmapServer server;

  @BeforeAll static void start() throws Exception {
    server = MmapServer.start(ServerConfig.defaults(dir.resolve("served")).withPort(0));
  }

  @AfterAll static void stop() {
    server.close();
  }

  /** A Java of major version 11 to 24 on this machine, found under /usr/lib/jvm. */
  static Optional<Path> olderJava() throws IOException {
    Path jvms = Path.of("/usr/lib/jvm");
    if (!Files.isDirectory(jvms)) {
      return Optional.empty();
    }
    try (Stream<Path> homes = Files.list(jvms)) {
      return homes.sorted().filter(h -> Files.isExecutable(h.resolve("bin/java")))
          .filter(h -> {
            int v = majorVersion(h);
            return v >= 11 && v < 25;
          }).map(h -> h.resolve("bin/java")).findFirst();
    }
  }

  /** The major version a JDK's {@code release} file names, or 0. */
  private static int majorVersion(Path home) {
    try {
      for (String line : Files.readAllLines(home.resolve("release"))) {
        if (line.startsWith("JAVA_VERSION=")) {
          String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
          return Integer.parseInt(v.split("[.+-]")[0]);
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  private static Path java17() throws IOException {
    Optional<Path> java = olderJava();
    Assumptions.assumeTrue(java.isPresent(), "no Java 11-24 under /usr/lib/jvm: the thin jar's older-Java test is skipped");
    return java.get();
  }

  record Result(int exit, String out, String err) {
  }

  static Result run(List<String> command) throws Exception {
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    Process p = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("client JVM did not finish in 120 s: " + command);
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        Files.readString(err, StandardCharsets.UTF_8));
  }

  /** Statements on a new table {@code name}, whose output is "0", "2", "1\t2.5", "2\t4.0". */
  private static String[] sql(String name) {
    return new String[] {
        "SELECT MMAP('" + name + "', '" + name + ".f8')",
        "INSERT INTO " + name + "(val) VALUES (1.5), (2.5)",
        "SELECT idx, val FROM " + name + " WHERE idx = 1",
        "SELECT COUNT(*), SUM(val) FROM " + name};
  }

  static List<String> command(Path java, String classPathOrJar, boolean jar, String url, String... sql) {
    List<String> cmd = new ArrayList<>(List.of(java.toString(), "-Xmx128m"));
    if (jar) {
      cmd.addAll(List.of("-jar", classPathOrJar));
    } else {
      cmd.addAll(List.of("-cp", classPathOrJar, RemoteCheck.class.getName()));
    }
    cmd.add(url);
    cmd.addAll(Arrays.asList(sql));
    return cmd;
  }

  @Test void thinJarRunsOnAnOlderJava() throws Exception {
    Path thin = Path.of(System.getProperty("thin.jar"));
    assertTrue(Files.isRegularFile(thin), thin.toString());
    Result r = run(command(java17(), thin.toString(), true, "jdbc:mmap:remote:url=" + server.url(), sql("thin")));
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().collect(Collectors.toList());
    assertTrue(lines.get(0).startsWith("connected: mmapsql " + Driver.version() + " (mmapsql JDBC Driver (remote) "),
        lines.get(0));
    assertFalse(lines.get(0).contains("Java 25"), lines.get(0));
    assertEquals(List.of("0", "2", "1\t2.5", "2\t4.0"), lines.subList(1, lines.size()));
    assertEquals("", r.err(), "nothing on stderr: no SLF4J warnings");
    // and an error arrives with its SQLSTATE
    Result bad = run(command(java17(), thin.toString(), true, "jdbc:mmap:remote:url=" + server.url(),
        "SELECT * FROM nosuch"));
    assertEquals(1, bad.exit());
    assertTrue(bad.err().startsWith("error 42S02: "), bad.err());
  }

  /**
   * Generated keys and a failed batch through the thin jar on the older Java:
   * a small program (test resource {@code KeysCheck.java}) run in source-file mode.
   */
  @Test void thinJarReturnsGeneratedKeysOnAnOlderJava() throws Exception {
    Path java = java17();
    Assumptions.assumeTrue(Files.isExecutable(java.resolveSibling("javac")),
        java + " is a JRE (no compiler for source-file mode): the thin jar's keys test is skipped");
    Path source = dir.resolve("KeysCheck.java");
    try (java.io.InputStream in = ClientJvmIT.class.getResourceAsStream("KeysCheck.java")) {
      Files.copy(in, source);
    }
    Result r = run(List.of(java.toString(), "-Xmx128m", "-cp", System.getProperty("thin.jar"), source.toString(),
        "jdbc:mmap:remote:url=" + server.url()));
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("0,1", "2", "3,4,5", "BatchUpdateException 23502 0"),
        r.out().lines().collect(Collectors.toList()));
  }

  /** Avatica's own client jars, as DBeaver's built-in entry and Spark load them, with RemoteCheck to drive them. */
  @Test void avaticasOwnClientOnAnOlderJava() throws Exception {
    String cp = Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .filter(e -> Stream.of("avatica-core", "avatica-metrics", "jackson-", "protobuf-java", "httpclient5",
            "httpcore5", "slf4j-api", "joou", "mmapsql-jdbc-remote", "jdbc-remote/target/classes")
            .anyMatch(e::contains))
        .collect(Collectors.joining(File.pathSeparator));
    assertTrue(cp.contains("avatica-core"), cp);
    Result r = run(command(java17(), cp, false,
        "jdbc:avatica:remote:url=" + server.url() + ";serialization=protobuf", sql("avatica")));
    assertEquals(0, r.exit(), r.err());
    List<String> lines = r.out().lines().collect(Collectors.toList());
    assertEquals(List.of("0", "2", "1\t2.5", "2\t4.0"), lines.subList(1, lines.size()), r.out());
  }

  /** The all-in-one jar, embedded and remote, on this build's Java: nothing on stderr. */
  @Test void allInOneJarIsQuiet() throws Exception {
    Path jar = Path.of(System.getProperty("driver.jar"));
    Path java = Path.of(ProcessHandle.current().info().command().orElse("java"));
    Path data = Files.createDirectories(dir.resolve("embedded"));
    List<String> cmd = command(java, jar.toString(), false, "jdbc:mmap:" + data, sql("embedded"));
    cmd.add(1, "--enable-native-access=ALL-UNNAMED");
    Result r = run(cmd);
    assertEquals(0, r.exit(), r.err());
    assertEquals(List.of("0", "2", "1\t2.5", "2\t4.0"), r.out().lines().skip(1).collect(Collectors.toList()));
    assertFalse(r.err().contains("SLF4J"), r.err());
    Result remote = run(command(java, jar.toString(), false, "jdbc:mmap:remote:url=" + server.url(),
        sql("allinone")));
    assertEquals(0, remote.exit(), remote.err());
    assertFalse(remote.err().contains("SLF4J"), remote.err());
  }
}
