package org.mmapsql.trino;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** An mmapsql server in its own JVM, started as {@code bin/mmapsql serve} starts it, on a free port. */
final class ServerProcess implements AutoCloseable {
  private final Process process;
  private final String url;

  private ServerProcess(Process process, String url) {
    this.process = process;
    this.url = url;
  }

  static ServerProcess start(Path dataDir) throws Exception {
    Path jar = Path.of(System.getProperty("mmapsql.server.jar", "../server/target/mmapsql-server.jar"));
    if (!Files.exists(jar)) {
      throw new IllegalStateException(jar + " is missing: build the server first (./mvnw -pl server -am package)");
    }
    String java = ProcessHandle.current().info().command().orElse("java");
    Process p = new ProcessBuilder(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
        "-jar", jar.toString(), "serve", "--data-dir", dataDir.toString(), "--port", "0"))
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.PIPE).start();
    CompletableFuture<String> listening = CompletableFuture.supplyAsync(() -> {
      try {
        BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        StringBuilder all = new StringBuilder();
        for (String line; (line = r.readLine()) != null; ) {
          all.append(line).append('\n');
          if (line.trim().startsWith("listening on ")) {
            String u = line.trim().substring("listening on ".length()).split(" ")[0];
            // a platform thread: a blocking pipe read would hold one of the few virtual-thread carriers
            Thread.ofPlatform().daemon().start(() -> drain(r));
            return u;
          }
        }
        throw new IllegalStateException("the server ended before listening:\n" + all);
      } catch (IOException e) {
        throw new IllegalStateException(e);
      }
    });
    Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly));
    try {
      return new ServerProcess(p, listening.get(60, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw e;
    }
  }

  private static void drain(BufferedReader r) {
    try {
      while (r.readLine() != null) {
        // keep the pipe from filling up
      }
    } catch (IOException e) {
      // the server is gone
    }
  }

  String url() {
    return url;
  }

  String jdbcUrl() {
    return "jdbc:mmap:remote:url=" + url;
  }

  /** CPU time the server's JVM has used so far (all its threads). */
  Duration cpu() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** Stops it as SIGTERM does: a clean stop. */
  @Override public void close() {
    process.destroy();
    try {
      if (!process.waitFor(30, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
