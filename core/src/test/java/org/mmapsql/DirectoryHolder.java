package org.mmapsql;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A second process for {@link PersistenceTest}: {@code hold <dir>} opens the
 * data directory, prints {@code READY}, and keeps it open until its standard
 * input closes; {@code try <dir>} opens and closes it, printing {@code OPENED}
 * or {@code FAILED: <message>}.
 */
public final class DirectoryHolder {
  private DirectoryHolder() {
  }

  public static void main(String[] args) throws IOException {
    String url = "jdbc:mmap:" + args[1];
    try (Connection c = DriverManager.getConnection(url)) {
      if (args[0].equals("hold")) {
        System.out.println("READY");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
      }
      System.out.println("OPENED");
    } catch (SQLException e) {
      System.out.println("FAILED: " + e.getMessage());
    }
    System.out.flush();
  }

  // ------------------------------------------------------------ the parent's side

  /** Starts {@code DirectoryHolder mode dir} in a new JVM with the test classpath. */
  static Process start(String mode, Path dir) throws IOException {
    String java = ProcessHandle.current().info().command()
        .orElse(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    List<String> cmd = new ArrayList<>(List.of(java, "--enable-native-access=ALL-UNNAMED", "-Xmx256m",
        "-cp", System.getProperty("java.class.path"), DirectoryHolder.class.getName(), mode, dir.toString()));
    return new ProcessBuilder(cmd).redirectErrorStream(false)
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
  }

  /** Runs {@code try dir} to its end; returns its output line. */
  static String tryOpen(Path dir) throws IOException, InterruptedException {
    Process p = start("try", dir);
    try (BufferedReader out = reader(p)) {
      String line = out.readLine();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("child JVM did not finish");
      }
      return line;
    }
  }

  static BufferedReader reader(Process p) {
    return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
  }
}
