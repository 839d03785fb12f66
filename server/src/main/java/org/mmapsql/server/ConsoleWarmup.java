package org.mmapsql.server;

import java.util.List;

/**
 * Initialises, on a daemon thread, the classes that {@code mmapsql sql} needs
 * before its prompt, while the main thread parses the command line and opens
 * the terminal: the driver, Calcite's parser and operator table (sqlline asks
 * for the keyword and function lists when it connects), Avatica's connection
 * properties, the storage's native calls, JLine's native terminal.
 *
 * <p>It only runs static initialisers, which the JVM runs once, whichever
 * thread comes first (the other waits): it opens nothing and changes nothing,
 * so the console behaves exactly as without it, errors included. A failure
 * here is left for the main thread to meet and report.
 */
final class ConsoleWarmup {
  /** Classes whose static initialisation the connection and sqlline's metadata calls wait for. */
  private static final List<String> CLASSES = List.of(
      "org.mmapsql.jdbc.Driver",
      "org.apache.calcite.avatica.proto.Common$ConnectionProperties",
      "org.apache.calcite.sql.parser.impl.SqlParserImpl",
      "org.apache.calcite.sql.fun.SqlStdOperatorTable",
      "org.apache.calcite.sql.SqlJdbcFunctionCall",
      "org.mmapsql.storage.NativeMap");
  /** JLine's native terminal (through JNA), which only a console on a terminal opens. */
  private static final List<String> TERMINAL = List.of("com.sun.jna.Native");

  private ConsoleWarmup() {
  }

  /** Starts the warm-up; {@code terminal}: the console will read from a terminal. */
  static void start(boolean terminal) {
    Thread t = new Thread(() -> {
      if (terminal) {
        initialise(TERMINAL);
      }
      initialise(CLASSES);
      try {
        org.apache.calcite.sql.parser.SqlParser.create("").getMetadata().getJdbcKeywords();
      } catch (Throwable e) {
        // as above
      }
    }, "mmapsql-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  private static void initialise(List<String> classes) {
    ClassLoader loader = ConsoleWarmup.class.getClassLoader();
    for (String name : classes) {
      try {
        Class.forName(name, true, loader);
      } catch (Throwable e) {
        // the main thread meets the same failure where it matters, and reports it
      }
    }
  }
}
