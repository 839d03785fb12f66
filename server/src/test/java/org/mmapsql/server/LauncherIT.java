package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * bin/mmapsql itself, run as a user runs it: it makes its start-up cache on
 * first use, starts from it after (Janino, which every first query needs, and
 * picocli, which every command needs, too),
 * and answers just the same, without a word on the console, when the cache is
 * damaged (and then makes a new one).
 */
class LauncherIT {
  private static final Path SCRIPT = Path.of("/usr/bin/script");
  private static final Path ROOT = Path.of(System.getProperty("project.root", "..")).toAbsolutePath().normalize();

  @TempDir Path dir;

  private record Run(int exitCode, String out, String err) {
  }

  @Test void sqlStartsFromItsCacheAndAnswersWithADamagedOne() throws Exception {
    Path data = dir.resolve("data");
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      s.executeUpdate("INSERT INTO t(val) VALUES (1), (2), (3)");
    }
    Path cacheDir = dir.resolve("cache");

    Run first = sql(data, cacheDir, Map.of());
    assertAnswered(first);
    assertTrue(first.err().contains("preparing the start-up cache"), first.err());
    Path cache = cache(cacheDir);
    assertEquals("", Files.readString(log(cache)), "the JVM could not use the cache it was given");

    Path classes = dir.resolve("classes.log");
    Run second = sql(data, cacheDir, Map.of("MMAPSQL_JAVA_OPTS", "-Xlog:class+load:file=" + classes));
    assertAnswered(second);
    assertEquals("", second.err());
    assertEquals("", Files.readString(log(cache)));
    // The compiler of the second query's code came from the cache too, not from its jar, and so did
    // the command line's parser (picocli's Java 5 class files, rewritten by the build).
    List<String> loaded = Files.readAllLines(classes);
    for (String pkg : List.of(" org.codehaus.janino.", " picocli.")) {
      List<String> fromPkg = loaded.stream().filter(l -> l.contains(pkg)).toList();
      assertFalse(fromPkg.isEmpty(), "no class of" + pkg + " loaded");
      assertEquals(List.of(), fromPkg.stream().filter(l -> !l.contains("source: shared objects file")).toList());
    }

    try (RandomAccessFile f = new RandomAccessFile(cache.toFile(), "rw")) {
      f.write(new byte[4096]); // damaged: its header is gone
    }
    Run damaged = sql(data, cacheDir, Map.of());
    assertAnswered(damaged);
    assertEquals("", damaged.err(), "a damaged cache shows on the console");
    assertFalse(Files.readString(log(cache)).isEmpty(), "the JVM took a damaged cache");

    Run after = sql(data, cacheDir, Map.of());
    assertAnswered(after);
    assertTrue(after.err().contains("preparing the start-up cache"), "no new cache: " + after.err());
    assertEquals("", Files.readString(log(cache(cacheDir))));

    Run without = sql(data, dir.resolve("unused"), Map.of("MMAPSQL_NO_AOT", "1"));
    assertAnswered(without);
    assertEquals("", without.err());
    assertFalse(Files.exists(dir.resolve("unused")), "MMAPSQL_NO_AOT made a cache");
  }

  /** The JVM leaves every class of a signed jar out of an AOT cache: lib/ holds unsigned copies. */
  @Test void noJarOfTheLauncherIsSigned() throws IOException {
    try (Stream<Path> jars = Files.list(ROOT.resolve("server/target/lib"))) {
      List<String> signed = jars.filter(j -> j.toString().endsWith(".jar")).filter(LauncherIT::signed)
          .map(j -> j.getFileName().toString()).toList();
      assertEquals(List.of(), signed);
    }
  }

  private static boolean signed(Path jar) {
    try (JarFile f = new JarFile(jar.toFile())) {
      return f.stream().map(JarEntry::getName).anyMatch(n -> n.matches("META-INF/[^/]+\\.(SF|RSA|DSA|EC)"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void assertAnswered(Run r) {
    assertEquals(0, r.exitCode(), r.err());
    assertTrue(r.out().replace(" ", "").contains("|3|"), r.out());
    assertTrue(r.out().replace(" ", "").contains("|2|"), r.out());
  }

  /**
   * The console as a user meets it, on a terminal (a pseudo-terminal from util-linux's
   * {@code script}): JLine's native terminal, the warm-up beside it, a statement typed at the
   * prompt answered, and {@code !quit}.
   */
  @Test void sqlOnATerminalAnswersWhatIsTyped() throws Exception {
    assumeTrue(Files.isExecutable(SCRIPT), "no " + SCRIPT);
    Path data = dir.resolve("data");
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('t', 't.f8')").close();
      s.executeUpdate("INSERT INTO t(val) VALUES (1), (2), (3)");
    }
    String console = "stty cols 160 rows 40; exec " + ROOT.resolve("bin/mmapsql") + " sql -u jdbc:mmap:" + data;
    Files.writeString(dir.resolve("typed.txt"), "SELECT COUNT(*) AS n FROM t;\n!quit\n");
    Run r = launch(dir.resolve("typed.txt"), Map.of("MMAPSQL_NO_AOT", "1"), SCRIPT.toString(), "-qec", console,
        "/dev/null");
    assertEquals(0, r.exitCode(), r.out() + r.err());
    assertTrue(r.out().contains("0: jdbc:mmap:/"), "no prompt: " + r.out()); // a long URL is cut short
    assertTrue(r.out().replace(" ", "").contains("|3|"), r.out());
  }

  /**
   * The console starts its warm-up (ConsoleWarmup) beside the connection: a directory that
   * cannot be opened still says so, and the command fails.
   */
  @Test void sqlReportsADataDirectoryItCannotOpen() throws Exception {
    Path notADirectory = Files.writeString(dir.resolve("file"), "not a directory");
    Run r = launch(null, Map.of("MMAPSQL_NO_AOT", "1"), ROOT.resolve("bin/mmapsql").toString(), "sql",
        "-u", "jdbc:mmap:" + notADirectory, "-e", "SELECT 1");
    assertEquals(1, r.exitCode(), r.err());
    assertTrue(r.err().contains("cannot open data directory " + notADirectory), r.err());
  }

  /**
   * serve runs with the Vector API's module (the JVM says so in its one warning line) and a start-up
   * cache of its own that the JVM takes; sql, and serve with MMAPSQL_NO_VECTOR, run without it.
   */
  @Test void serveRunsWithTheVectorModuleAndACacheOfItsOwn() throws Exception {
    String bin = ROOT.resolve("bin/mmapsql").toString();
    Path cacheDir = dir.resolve("serve-cache");
    Map<String, String> env = Map.of("MMAPSQL_AOT_DIR", cacheDir.toString());
    assertEquals(0, launch(null, env, bin, "serve", "--help").exitCode()); // makes the cache
    Run second = launch(null, env, bin, "serve", "--help");
    assertEquals(0, second.exitCode(), second.err());
    assertEquals("WARNING: Using incubator modules: jdk.incubator.vector", second.err());
    assertEquals("", Files.readString(log(cache(cacheDir))), "the JVM refused serve's cache");
    assertEquals("", launch(null, Map.of("MMAPSQL_NO_AOT", "1"), bin, "sql", "--help").err());
    assertEquals("", launch(null, Map.of("MMAPSQL_NO_AOT", "1", "MMAPSQL_NO_VECTOR", "1"), bin, "serve", "--help")
        .err());
  }

  /**
   * {@code bin/mmapsql sql} on {@code data} with two queries from a script, its cache in {@code cacheDir}:
   * a COUNT(*), which runs directly, and one with a value filter, whose plan's code Janino compiles.
   */
  private Run sql(Path data, Path cacheDir, Map<String, String> env) throws IOException, InterruptedException {
    Path script = dir.resolve("q.sql");
    Files.writeString(script, "SELECT COUNT(*) FROM t;\nSELECT COUNT(*) FROM t WHERE val > 1.5;\n");
    Map<String, String> withCache = new HashMap<>(env);
    withCache.put("MMAPSQL_AOT_DIR", cacheDir.toString());
    return launch(null, withCache, ROOT.resolve("bin/mmapsql").toString(), "sql", "-u", "jdbc:mmap:" + data,
        "-f", script.toString());
  }

  /** {@code command} (bin/mmapsql, or a command that runs it), its input from {@code input} or nothing. */
  private Run launch(Path input, Map<String, String> env, String... command) throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder(command)
        .redirectInput(ProcessBuilder.Redirect.from(input == null ? new java.io.File("/dev/null") : input.toFile()))
        .redirectOutput(dir.resolve("out.txt").toFile())
        .redirectError(dir.resolve("err.txt").toFile());
    pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
    pb.environment().put("MMAPSQL_NO_BUILD", "1"); // package made the jar this test runs
    pb.environment().remove("MMAPSQL_AOT_DIR");
    pb.environment().remove("MMAPSQL_NO_AOT");
    pb.environment().remove("MMAPSQL_JAVA_OPTS");
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(10, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new AssertionError(String.join(" ", command) + " did not finish");
    }
    return new Run(p.exitValue(), Files.readString(dir.resolve("out.txt"), StandardCharsets.UTF_8),
        Files.readString(dir.resolve("err.txt"), StandardCharsets.UTF_8).strip());
  }

  private static Path cache(Path cacheDir) throws IOException {
    try (Stream<Path> files = Files.list(cacheDir)) {
      List<Path> caches = files.filter(f -> f.getFileName().toString().endsWith(".aot")).toList();
      assertEquals(1, caches.size(), "caches: " + caches);
      return caches.get(0);
    }
  }

  private static Path log(Path cache) {
    return cache.resolveSibling(cache.getFileName() + ".log");
  }
}
