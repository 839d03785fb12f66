package org.mmapsql.reliability;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An mmapsql server in a child JVM ({@code Main serve}), launched the way
 * {@code bin/mmapsql} launches it (with {@code -XX:+ExitOnOutOfMemoryError}),
 * on a free loopback port: to be killed, starved or probed for real.
 */
final class ServerProcess implements AutoCloseable {
  private static final Pattern URL = Pattern.compile("connect with (\\S+)");

  private final Process process;
  private final Path stderr;
  private final String url;

  private ServerProcess(Process process, Path stderr, String url) {
    this.process = process;
    this.stderr = stderr;
    this.url = url;
  }

  /** Starts {@code serve} on {@code dataDir} with JVM options {@code heap} (e.g. "-Xmx256m"). */
  static ServerProcess start(Path dataDir, String heap, String... options) throws IOException {
    List<String> cmd = java(heap, "org.mmapsql.server.Main");
    cmd.addAll(List.of("serve", "--data-dir", dataDir.toString(), "--port", "0"));
    cmd.addAll(List.of(options));
    Path err = Files.createTempFile(dataDir.getParent(), "server", ".err");
    Process p = new ProcessBuilder(cmd).redirectError(err.toFile()).start();
    CompletableFuture<String> url = CompletableFuture.supplyAsync(() -> readUrl(p));
    try {
      return new ServerProcess(p, err, url.get(90, TimeUnit.SECONDS));
    } catch (Exception e) {
      p.destroyForcibly();
      throw new IOException("server did not start: " + Files.readString(err), e);
    }
  }

  /** The command line of a child JVM running {@code mainClass} with this test's class path. */
  static List<String> java(String heap, String mainClass) {
    List<String> cmd = new ArrayList<>();
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.add("--enable-native-access=ALL-UNNAMED");
    cmd.add("--sun-misc-unsafe-memory-access=allow");
    cmd.add("-XX:+ExitOnOutOfMemoryError");
    cmd.add("-XX:TieredStopAtLevel=1"); // short-lived children: start fast
    cmd.addAll(List.of(heap.split(" ")));
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(mainClass);
    return cmd;
  }

  private static String readUrl(Process p) {
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      for (String line; (line = out.readLine()) != null; ) {
        Matcher m = URL.matcher(line);
        if (m.find()) {
          Thread drain = new Thread(() -> drain(out), "server-stdout");
          drain.setDaemon(true);
          drain.start();
          return m.group(1);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    throw new IllegalStateException("the server printed no URL");
  }

  private static void drain(BufferedReader out) {
    try {
      while (out.readLine() != null) {
        // keep the pipe empty
      }
    } catch (IOException ignored) {
      // the process is gone
    }
  }

  /** The JDBC URL of the mmapsql driver for this server. */
  String url() {
    return url;
  }

  boolean isAlive() {
    return process.isAlive();
  }

  int exitCode() {
    return process.exitValue();
  }

  String stderr() throws IOException {
    return Files.readString(stderr);
  }

  /** Waits for the process to end by itself; false if it still runs after {@code seconds}. */
  boolean waitForExit(long seconds) throws InterruptedException {
    return process.waitFor(seconds, TimeUnit.SECONDS);
  }

  /** SIGKILL: the JVM gets no chance to flush, close or unlock anything. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      throw new IllegalStateException("a killed server did not exit");
    }
  }

  /** SIGTERM, and wait for the clean stop. */
  @Override public void close() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }
}
