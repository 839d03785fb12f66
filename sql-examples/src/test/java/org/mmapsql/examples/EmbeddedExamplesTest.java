package org.mmapsql.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

import sqlline.SqlLine;

/**
 * Runs every script of {@code sql-examples/} through sqlline on the embedded
 * driver and compares the output with the expected {@code .out} file.
 * {@code -Dexamples.update=true} rewrites the expected files instead.
 */
class EmbeddedExamplesTest {
  @TempDir Path tmp;

  @TestFactory Stream<DynamicTest> scripts() throws IOException {
    return ScriptRun.scripts().stream().map(s -> DynamicTest.dynamicTest(
        s.getFileName().toString(), () -> check(s)));
  }

  private void check(Path script) throws IOException {
    Path data = tmp.resolve(script.getFileName() + ".data");
    ScriptRun.copyFixtures(data);
    String actual = ScriptRun.normalize(runSqlline("jdbc:mmap:" + data, script), data.toString(), "<data>");
    Path expected = ScriptRun.expectedOutput(script);
    if (Boolean.getBoolean("examples.update") || !Files.exists(expected)) {
      Files.writeString(expected, actual);
    }
    assertEquals(Files.readString(expected), actual, "output of " + script.getFileName());
  }

  private static String runSqlline(String url, Path script) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    PrintStream out = new PrintStream(buf, true, StandardCharsets.UTF_8);
    SqlLine sqlline = new SqlLine();
    sqlline.setOutputStream(out);
    sqlline.setErrorStream(out);
    List<String> args = new ArrayList<>(List.of("-u", url, "-n", "", "-p", ""));
    args.addAll(ScriptRun.sqllineOptions());
    args.addAll(List.of("-f", script.toString()));
    sqlline.begin(args.toArray(String[]::new), null, false);
    return buf.toString(StandardCharsets.UTF_8);
  }
}
