package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * README's "Embedded in a Java application", as a user follows it: a new
 * Maven project with README's dependency snippet and README's Java example
 * (its embedded URL), built by a real Maven (the wrapper, offline) against a
 * local repository that holds this build's mmapsql-core, then run. The
 * staging repository gets the just-built jars and poms (nothing is installed
 * into the shared one, which only serves the third-party libraries), so that
 * it works on a fresh clone where {@code ./mvnw verify} is the only command.
 */
class EmbeddedProjectIT {
  static final Path ROOT = Path.of(System.getProperty("project.root")).toAbsolutePath().normalize();
  static final String VERSION = System.getProperty("project.version");

  @TempDir Path dir;

  static String readme() throws Exception {
    return Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8);
  }

  /** The first {@code ```lang} block after {@code heading} in README. */
  static String block(String text, String heading, String lang) {
    int at = text.indexOf("\n" + heading + "\n");
    assertTrue(at >= 0, "README has " + heading);
    Matcher m = Pattern.compile("```" + lang + "\n(.*?)\n```", Pattern.DOTALL).matcher(text);
    assertTrue(m.find(at), "a " + lang + " block under " + heading);
    return m.group(1);
  }

  /** The version of a plugin in the parent POM, so that the project uses what this build has. */
  static String pluginVersion(String artifactId) throws Exception {
    Matcher m = Pattern.compile("<artifactId>" + artifactId + "</artifactId>\\s*<version>([^<]+)</version>")
        .matcher(Files.readString(ROOT.resolve("pom.xml")));
    assertTrue(m.find(), artifactId + " in the parent POM");
    return m.group(1);
  }

  /** Puts a module's just-built POM (and jar) into {@code repo} in Maven's layout. */
  static void stage(Path repo, String artifactId, Path pom, Path jar) throws Exception {
    Path at = Files.createDirectories(repo.resolve("org/mmapsql/" + artifactId + "/" + VERSION));
    Files.copy(pom, at.resolve(artifactId + "-" + VERSION + ".pom"));
    if (jar != null) {
      assertTrue(Files.isRegularFile(jar), jar + " is built before the integration tests run");
      Files.copy(jar, at.resolve(artifactId + "-" + VERSION + ".jar"));
    }
  }

  static String run(Path in, List<String> command) throws Exception {
    Path log = Files.createTempFile("embedded", ".log");
    Process p = new ProcessBuilder(command).directory(in.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
    if (!p.waitFor(300, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("did not finish in 300 s: " + command);
    }
    String out = Files.readString(log, StandardCharsets.UTF_8);
    Files.delete(log);
    assertEquals(0, p.exitValue(), () -> command + "\n" + out);
    return out;
  }

  @Test void readmesSnippetBuildsAndRunsEmbedded() throws Exception {
    String text = readme();
    String dependency = block(text, "## Embedded in a Java application", "xml");
    assertTrue(dependency.contains("<artifactId>mmapsql-core</artifactId>")
        && dependency.contains("<version>" + VERSION + "</version>"), dependency);
    String example = block(text, "### From Java", "java");
    String embedded = example.replace("\"jdbc:mmap:remote:url=http://127.0.0.1:8765\"", "\"jdbc:mmap:./data\"");
    assertNotEquals(example, embedded, "the example's URL, replaced by the embedded one its comment names");

    Path repo = dir.resolve("repository");
    stage(repo, "mmapsql-parent", ROOT.resolve("pom.xml"), null);
    stage(repo, "mmapsql-jdbc-remote", ROOT.resolve("jdbc-remote/pom.xml"),
        ROOT.resolve("jdbc-remote/target/mmapsql-jdbc-remote-" + VERSION + ".jar"));
    stage(repo, "mmapsql-core", ROOT.resolve("core/pom.xml"),
        ROOT.resolve("core/target/mmapsql-core-" + VERSION + ".jar"));

    Path app = dir.resolve("app");
    Files.createDirectories(app.resolve("src/main/java"));
    Files.writeString(app.resolve("src/main/java/Example.java"), embedded);
    StringBuilder plugins = new StringBuilder();
    for (String plugin : List.of("maven-resources-plugin", "maven-compiler-plugin", "maven-dependency-plugin")) {
      plugins.append("      <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>").append(plugin)
          .append("</artifactId><version>").append(pluginVersion(plugin)).append("</version></plugin>\n");
    }
    Files.writeString(app.resolve("pom.xml"), "<project xmlns=\"http://maven.apache.org/POM/4.0.0\">\n"
        + "  <modelVersion>4.0.0</modelVersion>\n"
        + "  <groupId>example</groupId><artifactId>app</artifactId><version>1</version>\n"
        + "  <properties>\n"
        + "    <maven.compiler.release>25</maven.compiler.release>\n"
        + "    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>\n"
        + "  </properties>\n"
        + "  <dependencies>\n" + dependency + "\n  </dependencies>\n"
        + "  <build>\n    <plugins>\n" + plugins + "    </plugins>\n  </build>\n"
        + "</project>\n");

    List<String> mvn = new ArrayList<>(List.of(ROOT.resolve("mvnw").toString(), "-B", "-ntp", "-o", "-q",
        "-Dmaven.repo.local=" + repo, "-Dmaven.repo.local.tail=" + System.getProperty("local.repository"),
        "compile", "dependency:build-classpath", "-Dmdep.outputFile=classpath.txt"));
    run(app, mvn);
    String classPath = Files.readString(app.resolve("classpath.txt")).trim();
    assertTrue(classPath.contains(repo.resolve("org/mmapsql/mmapsql-core").toString()),
        "mmapsql-core from the staging repository: " + classPath);
    assertTrue(!classPath.contains("shaded") && classPath.contains("calcite-core"),
        "ordinary, unshaded dependencies: " + classPath);

    Path javaBin = Path.of(ProcessHandle.current().info().command().orElseThrow());
    String out = run(app, List.of(javaBin.toString(), "--enable-native-access=ALL-UNNAMED",
        "-cp", app.resolve("target/classes") + File.pathSeparator + classPath, "Example"));
    List<String> lines = out.lines().filter(l -> l.matches("\\d+ .*")).collect(Collectors.toList());
    assertEquals(List.of("0 1.0", "1 2.0"), lines, out);
    assertTrue(Files.size(app.resolve("data/db.mmap")) == 16, "two doubles in the bound file");
  }
}
