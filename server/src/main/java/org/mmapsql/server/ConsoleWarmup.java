package org.mmapsql.server;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;

import org.jline.utils.AttributedString;

/**
 * Warms up, on a daemon thread, what {@code mmapsql sql} needs before its prompt,
 * while the main thread parses the command line and opens the terminal: the
 * driver, Calcite's parser and operator table (sqlline asks for the keyword and
 * function lists when it connects), Avatica's connection properties, the
 * storage's native calls, JLine's native terminal. At a terminal, once the
 * prompt shows ({@link Prompt}), it then plans, compiles and runs one throw-away
 * query on Calcite's own empty schema while the person types, so that the first
 * statement finds the planner, its rules and Janino ready (mmapsql's statements
 * read metadata through {@code MetadataHandlers}, not the handlers Calcite's own
 * driver compiles here: that part is spent for nothing, and left as small); not
 * before, where it would only compete with the prompt for a busy machine's CPU.
 *
 * <p>It opens nothing of the user's: static initialisers, which the JVM runs
 * once, whichever thread comes first (the other waits), and an in-memory query.
 * The console behaves exactly as without it, errors included; a failure here
 * is left for the main thread to meet and report.
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
  /** Filter, aggregate, generated code: what a first query on a table goes through. */
  private static final String QUERY =
      "SELECT COUNT(*), SUM(val), MIN(val) FROM (VALUES (1, 1.5E0), (2, 2.5E0)) AS t(idx, val) WHERE idx > 1";
  private static final CountDownLatch PROMPT_SHOWN = new CountDownLatch(1);

  private ConsoleWarmup() {
  }

  /** Starts the warm-up; {@code terminal}: the console reads from a terminal (a person types). */
  static void start(boolean terminal) {
    Thread t = new Thread(() -> {
      if (terminal) {
        initialise(TERMINAL);
      }
      initialise(CLASSES);
      run(() -> org.apache.calcite.sql.parser.SqlParser.create("").getMetadata().getJdbcKeywords());
      if (terminal) {
        run(PROMPT_SHOWN::await);
        run(ConsoleWarmup::query);
      }
    }, "mmapsql-warmup");
    t.setDaemon(true);
    t.setPriority(Thread.MIN_PRIORITY);
    t.start();
  }

  /** sqlline's prompt, which tells the warm-up that the console now waits for a person. */
  static final class Prompt extends sqlline.PromptHandler {
    Prompt(sqlline.SqlLine sqlLine) {
      super(sqlLine);
    }

    @Override public AttributedString getPrompt() {
      PROMPT_SHOWN.countDown();
      return super.getPrompt();
    }
  }

  private static void query() throws Exception {
    try (Connection c = new org.apache.calcite.jdbc.Driver().connect("jdbc:calcite:", new Properties());
         Statement s = c.createStatement();
         ResultSet r = s.executeQuery(QUERY)) {
      while (r.next()) {
        r.getLong(1);
      }
    }
  }

  private static void initialise(List<String> classes) {
    ClassLoader loader = ConsoleWarmup.class.getClassLoader();
    for (String name : classes) {
      run(() -> Class.forName(name, true, loader));
    }
  }

  private interface Step {
    void run() throws Exception;
  }

  private static void run(Step step) {
    try {
      step.run();
    } catch (Throwable e) {
      // the main thread meets the same failure where it matters, and reports it
    }
  }
}
