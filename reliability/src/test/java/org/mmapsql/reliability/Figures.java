package org.mmapsql.reliability;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/** The figures issue 7 asks for, printed and collected in target/reliability-figures.txt. */
final class Figures {
  private static final Path FILE = Path.of("target", "reliability-figures.txt");

  private Figures() {
  }

  static synchronized void record(String test, String figure, long value) {
    String line = "FIGURE " + test + ": " + figure + " = " + value;
    System.out.println(line);
    try {
      Files.createDirectories(FILE.getParent());
      Files.writeString(FILE, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      System.out.println("(cannot write " + FILE + ": " + e + ")");
    }
  }
}
