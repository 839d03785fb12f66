package org.mmapsql.examples;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The scripts of {@code sql-examples/} and how their sqlline output is compared
 * with the expected output kept beside each script ({@code name.sql} and
 * {@code name.out}). Shared by the embedded test here and by the server's test,
 * which runs the same scripts through a real sqlline process.
 */
public final class ScriptRun {
  /** Noise that varies from run to run or machine to machine: dropped. */
  private static final List<Pattern> DROP = List.of(
      Pattern.compile("^WARNING.*"), Pattern.compile(".*SLF4J.*"), Pattern.compile(".*jline.*"),
      Pattern.compile("^Transaction isolation level.*"), Pattern.compile("^\\s+at .*"),
      Pattern.compile("^Caused by: .*"), Pattern.compile("^\\s*\\.\\.\\. \\d+ more"),
      Pattern.compile("^java\\.sql\\.SQLException: .*"), Pattern.compile("^\\s*$"),
      // names the URL, which differs between embedded and remote runs
      Pattern.compile("^Reconnecting to .*"),
      // an error through a server: sqlline also prints the server's exception
      Pattern.compile("^org\\.apache\\.calcite\\.avatica\\.AvaticaSqlException: .*"),
      Pattern.compile("^AvaticaRuntimeException: .*"));
  /** The remote driver's repetition of the server's message, in front of the message itself. */
  private static final Pattern REMOTE = Pattern.compile("Remote driver error: Error \\d+ \\(\\w*\\) : "
      + "Error while executing SQL \"[^\"]*\": ");
  /** The same through Avatica's client: its code and state in front, the driver's prefix behind the SQL. */
  private static final Pattern REMOTE_STATE = Pattern.compile(
      "^Error: Error \\d+ \\(\\w*\\) : (Error while executing SQL \"[^\"]*\": )Remote driver error: ");
  // sqlline writes "(0.012 seconds)", and on a slow run "(2 seconds)".
  private static final Pattern ELAPSED = Pattern.compile(" \\(\\d+(?:[.,]\\d+)? seconds?\\)");

  private ScriptRun() {
  }

  /** The directory of the scripts: this module's folder. */
  public static Path examplesDir() {
    Path here = Path.of("").toAbsolutePath();
    for (Path p = here; p != null; p = p.getParent()) {
      if (Files.exists(p.resolve("sql-examples").resolve("walkthrough.sql"))) {
        return p.resolve("sql-examples");
      }
      if (Files.exists(p.resolve("walkthrough.sql"))) {
        return p;
      }
    }
    throw new IllegalStateException("sql-examples not found from " + here);
  }

  /** Every {@code *.sql} script, sorted by name. */
  public static List<Path> scripts() throws IOException {
    try (Stream<Path> s = Files.list(examplesDir())) {
      return s.filter(p -> p.toString().endsWith(".sql")).sorted().toList();
    }
  }

  /** The expected output of a script. */
  public static Path expectedOutput(Path script) {
    String name = script.getFileName().toString();
    return script.resolveSibling(name.substring(0, name.length() - 4) + ".out");
  }

  /** Files a script expects in its data directory (written by other programs). */
  public static void copyFixtures(Path dataDir) throws IOException {
    Files.createDirectories(dataDir);
    try (Stream<Path> s = Files.list(examplesDir().resolve("fixtures"))) {
      for (Path f : s.toList()) {
        Files.copy(f, dataDir.resolve(f.getFileName()));
      }
    }
  }

  /**
   * sqlline's combined output with the noise taken out: warnings, stack traces,
   * elapsed times, blank lines, and {@code replace} (e.g. a temporary path)
   * replaced by {@code with}.
   */
  public static String normalize(String output, String replace, String with) {
    List<String> lines = new ArrayList<>();
    for (String line : output.split("\\R")) {
      String l = REMOTE.matcher(ELAPSED.matcher(line).replaceAll("")).replaceAll("").stripTrailing();
      l = REMOTE_STATE.matcher(l).replaceAll("Error: $1");
      if (replace != null) {
        l = l.replace(replace, with);
      }
      String fl = l;
      if (DROP.stream().noneMatch(p -> p.matcher(fl).matches())) {
        lines.add(l);
      }
    }
    return String.join("\n", lines) + "\n";
  }

  /** sqlline options that make its output stable enough to compare. */
  public static List<String> sqllineOptions() {
    return List.of("--maxWidth=160", "--autoResize=false", "--force=true", "--showWarnings=false",
        "--showNestedErrs=false", "--color=false", "--incremental=false");
  }
}
