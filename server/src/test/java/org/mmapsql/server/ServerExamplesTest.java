package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.examples.ScriptRun;

/**
 * Every script of {@code sql-examples/} through a real sqlline process against
 * a real server on a loopback port: the output must be the expected output,
 * the same as embedded.
 */
class ServerExamplesTest {
  @TempDir Path tmp;

  @TestFactory Stream<DynamicTest> scriptsThroughSqllineAgainstAServer() throws IOException {
    return ScriptRun.scripts().stream().map(s -> DynamicTest.dynamicTest(
        s.getFileName().toString(), () -> check(s)));
  }

  private void check(Path script) throws Exception {
    Path data = tmp.resolve(script.getFileName() + ".data");
    ScriptRun.copyFixtures(data);
    try (MmapServer server = Servers.start(Servers.config(data))) {
      List<String> cmd = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
          "-cp", System.getProperty("java.class.path"), "sqlline.SqlLine",
          "-u", server.jdbcUrl(), "-n", "", "-p", ""));
      cmd.addAll(ScriptRun.sqllineOptions());
      cmd.addAll(List.of("-f", script.toString()));
      Path out = tmp.resolve(script.getFileName() + ".out");
      Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile())
          .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
      assertTrue(p.waitFor(120, TimeUnit.SECONDS), "sqlline finished");
      String actual = ScriptRun.normalize(Files.readString(out, StandardCharsets.UTF_8),
          data.toString(), "<data>");
      assertEquals(Files.readString(ScriptRun.expectedOutput(script)), actual,
          "output of " + script.getFileName() + " through a server");
    }
  }
}
