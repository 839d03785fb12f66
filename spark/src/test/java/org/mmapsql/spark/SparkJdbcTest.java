package org.mmapsql.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.IntToDoubleFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * Apache Spark 4.0 (local mode, in a Java 17 JVM of its own, as Spark users run it) reads and
 * writes through its JDBC source against three real mmapsql servers: {@code series} on the
 * first, read with our thin driver and with Avatica's own client (Spark's default fetch size 0,
 * a read partitioned by idx, a filter, the {@code query} option); {@code part}, one array in
 * three shards ({@code base=…}), read as one partitioned read per shard unioned; and writes into
 * {@code target}. The expected answers are computed here from the values written.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SparkJdbcTest {
  private static final int N = 200_000;
  private static final int[] SHARDS = {50_000, 70_000, 30_000};
  private static final IntToDoubleFunction SERIES = i -> Math.sin(i * 0.001) + (i % 5) * 0.25;
  private static final IntToDoubleFunction PART = i -> Math.cos(i * 0.002);

  private final List<Process> servers = new ArrayList<>();
  private final Map<String, String> results = new HashMap<>();
  private String sparkOutput;

  @BeforeAll void runSpark(@TempDir Path dir) throws Exception {
    Path java17 = java17();
    List<String> urls = new ArrayList<>();
    int base = 0;
    for (int s = 0; s < SHARDS.length; s++) {
      Path data = Files.createDirectories(dir.resolve("server" + s));
      Files.write(data.resolve("part.f8"), doubles(base, SHARDS[s], PART));
      String url = "jdbc:mmap:remote:url=" + startServer(data);
      urls.add(url);
      try (Connection c = DriverManager.getConnection(url); Statement st = c.createStatement()) {
        st.execute("SELECT MMAP('part', 'part.f8', 'f8', 'base=" + base + "')");
        if (s == 0) {
          Files.write(data.resolve("series.f8"), doubles(0, N, SERIES));
          st.execute("SELECT MMAP('series', 'series.f8')");
          st.execute("SELECT MMAP('target', 'target.f8')");
        }
      }
      base += SHARDS[s];
    }
    String avatica = urls.get(0).replace("jdbc:mmap:remote:", "jdbc:avatica:remote:") + ";serialization=protobuf";
    List<String> cmd = new ArrayList<>(List.of(java17.toString(), "-Xmx1g"));
    cmd.addAll(SPARK_JVM_OPTIONS);
    cmd.addAll(List.of("-cp", Files.readString(Path.of(System.getProperty("spark.classpath"))).trim(),
        System.getProperty("spark.job"), urls.get(0), avatica, String.join(",", urls), Integer.toString(N)));
    Path out = dir.resolve("spark.out");
    Process spark = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
    if (!spark.waitFor(300, TimeUnit.SECONDS)) {
      spark.destroyForcibly();
      throw new AssertionError("Spark did not finish in 300 s:\n" + Files.readString(out));
    }
    sparkOutput = Files.readString(out, StandardCharsets.UTF_8);
    for (String line : sparkOutput.split("\n")) {
      if (line.startsWith("RESULT ")) {
        String[] kv = line.split(" ", 3);
        results.put(kv[1], kv[2]);
      }
    }
    assertThat(spark.exitValue()).as("Spark's exit; its output:\n%s", sparkOutput).isZero();
  }

  @AfterAll void stopServers() {
    servers.forEach(Process::destroy);
  }

  @Test void defaultFetchSizeReadsEveryRow() {
    for (String client : List.of("thin", "avatica")) {
      assertThat(num(client + ".count")).as(client).isEqualTo(N);
      assertThat(num(client + ".sum")).as(client).isCloseTo(sum(SERIES, 0, N, i -> true), within(1e-6));
      assertThat(num(client + ".maxIdx")).as(client).isEqualTo(N - 1);
    }
  }

  @Test void partitionedFilteredAndQueryReads() {
    for (String client : List.of("thin", "avatica")) {
      assertThat(num(client + ".partitions")).as(client).isEqualTo(4);
      assertThat(num(client + ".partitioned.count")).as(client).isEqualTo(N);
      assertThat(num(client + ".partitioned.distinctIdx")).as(client).isEqualTo(N);
      assertThat(num(client + ".partitioned.sum")).as(client).isCloseTo(sum(SERIES, 0, N, i -> true), within(1e-6));
      IntPredicate filtered = i -> SERIES.applyAsDouble(i) > 0.5 && i >= 1000;
      assertThat(num(client + ".filtered.count")).as(client).isEqualTo(count(0, N, filtered));
      assertThat(num(client + ".filtered.sum")).as(client).isCloseTo(sum(SERIES, 0, N, filtered), within(1e-6));
      assertThat(num(client + ".query.count")).as(client).isEqualTo(100);
      assertThat(num(client + ".query.sum")).as(client).isCloseTo(sum(SERIES, 0, 100, i -> true), within(1e-9));
    }
  }

  @Test void aShardedArrayIsOnePartitionedReadPerShard() {
    int total = SHARDS[0] + SHARDS[1] + SHARDS[2];
    assertThat(num("sharded.partitions")).isEqualTo(2 * SHARDS.length);
    assertThat(num("sharded.count")).isEqualTo(total);
    assertThat(num("sharded.distinctIdx")).isEqualTo(total);
    assertThat(num("sharded.minIdx")).isEqualTo(0);
    assertThat(num("sharded.maxIdx")).isEqualTo(total - 1);
    assertThat(num("sharded.sum")).isCloseTo(sum(PART, 0, total, i -> true), within(1e-6));
  }

  @Test void aBatchWithANullIsRefusedWholeAndAGoodOneLandsWhole() {
    assertThat(results.get("write.null")).isEqualTo("refused");
    assertThat(num("write.afterNull")).isEqualTo(0);
    assertThat(num("write.afterGood")).isEqualTo(2000);
    assertThat(num("write.sum")).isCloseTo(sum(i -> i * 0.25, 0, 2000, i -> true), within(1e-9));
  }

  @Test void readsFinishWithoutCommitWarnings() {
    assertThat(sparkOutput).doesNotContain("Exception committing transaction").doesNotContain("SLF4J(W)");
  }

  // ------------------------------------------------ helpers

  @FunctionalInterface
  interface IntPredicate {
    boolean test(int i);
  }

  private double num(String key) {
    String v = results.get(key);
    assertThat(v).as("Spark printed no %s; its output:\n%s", key, sparkOutput).isNotNull();
    return Double.parseDouble(v);
  }

  private static double sum(IntToDoubleFunction f, int from, int to, IntPredicate which) {
    double s = 0;
    for (int i = from; i < to; i++) {
      if (which.test(i)) {
        s += f.applyAsDouble(i);
      }
    }
    return s;
  }

  private static long count(int from, int to, IntPredicate which) {
    long n = 0;
    for (int i = from; i < to; i++) {
      if (which.test(i)) {
        n++;
      }
    }
    return n;
  }

  private static byte[] doubles(int from, int n, IntToDoubleFunction f) {
    ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putDouble(f.applyAsDouble(from + i));
    }
    return b.array();
  }

  /** A server as {@code bin/mmapsql serve} starts one, on a free loopback port; its URL. */
  private String startServer(Path data) throws IOException {
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m", "-jar",
        System.getProperty("mmapsql.server.jar"), "serve", "--data-dir", data.toString(), "--port", "0")
        .redirectErrorStream(true).start();
    servers.add(p);
    BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    for (String line; (line = r.readLine()) != null; ) {
      if (line.trim().startsWith("listening on ")) {
        Thread.ofPlatform().daemon().start(() -> r.lines().forEach(l -> { }));
        return line.trim().substring("listening on ".length()).split(" ")[0];
      }
    }
    throw new IllegalStateException("the server in " + data + " ended before listening");
  }

  /** A Java 17 (Spark 4.0's), found among the JDKs installed under /usr/lib/jvm. */
  private static Path java17() throws IOException {
    Optional<Path> java;
    try (Stream<Path> homes = Files.list(Path.of("/usr/lib/jvm"))) {
      java = homes.filter(h -> isJava17(h.resolve("release"))).map(h -> h.resolve("bin/java"))
          .filter(Files::isExecutable).findFirst();
    } catch (IOException e) {
      java = Optional.empty();
    }
    Assumptions.assumeTrue(java.isPresent(), "no Java 17 under /usr/lib/jvm: the Spark test is skipped");
    return java.get();
  }

  private static boolean isJava17(Path release) {
    try {
      return Files.readAllLines(release).stream().anyMatch(l -> l.startsWith("JAVA_VERSION=\"17"));
    } catch (IOException e) {
      return false;
    }
  }

  /** What Spark's launcher adds on Java 17 (its JavaModuleOptions). */
  private static final List<String> SPARK_JVM_OPTIONS = List.of(
      "-XX:+IgnoreUnrecognizedVMOptions",
      "--add-opens=java.base/java.lang=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.invoke=ALL-UNNAMED",
      "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
      "--add-opens=java.base/java.io=ALL-UNNAMED",
      "--add-opens=java.base/java.net=ALL-UNNAMED",
      "--add-opens=java.base/java.nio=ALL-UNNAMED",
      "--add-opens=java.base/java.util=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
      "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
      "--add-opens=java.base/jdk.internal.ref=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
      "--add-opens=java.base/sun.nio.cs=ALL-UNNAMED",
      "--add-opens=java.base/sun.security.action=ALL-UNNAMED",
      "--add-opens=java.base/sun.util.calendar=ALL-UNNAMED",
      "-Djdk.reflect.useDirectMethodHandle=false",
      "-Dio.netty.tryReflectionSetAccessible=true");
}
