package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import picocli.CommandLine;

/** The README's Java example compiles, and its option tables match the commands. */
class ReadmeTest {
  static final Path README = Path.of("..", "README.md");

  @Test void javaExampleCompiles(@TempDir Path dir) throws Exception {
    String text = Files.readString(README);
    Matcher m = Pattern.compile("```java\n(.*?)\n```", Pattern.DOTALL).matcher(text);
    assertTrue(m.find(), "a java block in README.md");
    Path source = dir.resolve("Example.java");
    Files.writeString(source, m.group(1));
    assertTrue(m.group(1).lines().count() <= 20, "a short example");
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    int rc = javac.run(null, null, null, "-d", dir.toString(), "-cp", System.getProperty("java.class.path"),
        source.toString());
    assertEquals(0, rc);
  }

  @Test void optionTablesListEveryOption() throws Exception {
    String text = Files.readString(README);
    CommandLine cli = new CommandLine(new Main());
    for (String command : List.of("serve", "sql", "passwd")) {
      Matcher section = Pattern.compile("### `bin/mmapsql " + command + "` options\n(.*?)\n\n", Pattern.DOTALL)
          .matcher(text);
      assertTrue(section.find(), command);
      Set<String> documented = new TreeSet<>();
      Matcher option = Pattern.compile("`(--[a-z-]+)").matcher(section.group(1));
      while (option.find()) {
        documented.add(option.group(1));
      }
      Set<String> actual = new TreeSet<>();
      for (CommandLine.Model.OptionSpec o : cli.getSubcommands().get(command).getCommandSpec().options()) {
        if (!o.hidden() && !o.usageHelp() && !o.versionHelp()) {
          actual.add(o.longestName());
        }
      }
      assertEquals(actual, documented, command);
    }
  }
}
