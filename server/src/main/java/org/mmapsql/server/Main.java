package org.mmapsql.server;

import java.io.BufferedReader;
import java.io.Console;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code bin/mmapsql}: serve, sql and passwd. */
@Command(name = "mmapsql", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
    description = "Large numeric arrays in plain binary files, served as SQL tables.",
    subcommands = {Main.Serve.class, Main.Sql.class, Main.Passwd.class, CommandLine.HelpCommand.class})
public final class Main {
  public static void main(String[] args) {
    if (args.length > 0 && args[0].equals("sql")) {
      List<String> a = Arrays.asList(args);
      boolean script = a.contains("-e") || a.contains("-f") || a.contains("--execute") || a.contains("--file");
      ConsoleWarmup.start(!script && System.console() != null);
    }
    System.exit(run(args));
  }

  /** Runs a command line and returns its exit code. */
  public static int run(String... args) {
    quietLogging("warn");
    return new CommandLine(new Main())
        .setCaseInsensitiveEnumValuesAllowed(true)
        .registerConverter(Duration.class, Main::duration)
        .execute(args);
  }

  /** slf4j-simple's defaults, unless set with -D: warnings and errors, to stderr. */
  /**
   * {@code level} for mmapsql's loggers only: Jetty's debug output is of no use
   * to a user and grows by gigabytes. The statement log, when on, is at info.
   */
  static void logLevels(String level, boolean statements) {
    System.setProperty("org.slf4j.simpleLogger.log.org.mmapsql", level);
    if (level.equals("error")) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "error");
    }
    if (statements) {
      System.setProperty("org.slf4j.simpleLogger.log." + StatementLog.LOGGER, "info");
    }
  }

  static void quietLogging(String level) {
    setDefault("org.slf4j.simpleLogger.defaultLogLevel", level);
    setDefault("org.slf4j.simpleLogger.logFile", "System.err");
    setDefault("org.slf4j.simpleLogger.showDateTime", "true");
    setDefault("org.slf4j.simpleLogger.dateTimeFormat", "yyyy-MM-dd HH:mm:ss");
    setDefault("org.slf4j.simpleLogger.showThreadName", "false");
    setDefault("org.slf4j.simpleLogger.showShortLogName", "true");
  }

  private static void setDefault(String key, String value) {
    if (System.getProperty(key) == null) {
      System.setProperty(key, value);
    }
  }

  /** "30s", "5m", "8h", "1d", "250ms"; a bare number is seconds. */
  static Duration duration(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT);
    try {
      if (t.endsWith("ms")) {
        return Duration.ofMillis(Long.parseLong(t.substring(0, t.length() - 2)));
      }
      long n = Long.parseLong(t.replaceAll("[smhd]$", ""));
      return switch (t.charAt(t.length() - 1)) {
        case 'm' -> Duration.ofMinutes(n);
        case 'h' -> Duration.ofHours(n);
        case 'd' -> Duration.ofDays(n);
        default -> Duration.ofSeconds(n);
      };
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new CommandLine.TypeConversionException("not a duration: '" + s + "' (examples: 30s, 5m, 8h)");
    }
  }

  /** "16m", "1g", "512k"; a bare number is bytes. */
  static long bytes(String s) {
    String t = s.trim().toLowerCase(Locale.ROOT).replaceAll("i?b$", "");
    try {
      char unit = t.charAt(t.length() - 1);
      int shift = switch (unit) {
        case 'k' -> 10;
        case 'm' -> 20;
        case 'g' -> 30;
        default -> 0;
      };
      long n = Long.parseLong(shift == 0 ? t : t.substring(0, t.length() - 1));
      return n << shift;
    } catch (NumberFormatException | StringIndexOutOfBoundsException e) {
      throw new CommandLine.TypeConversionException("not a size: '" + s + "' (examples: 16m, 512k)");
    }
  }

  static final class Version implements CommandLine.IVersionProvider {
    @Override public String[] getVersion() {
      return new String[] {"mmapsql " + org.mmapsql.jdbc.Driver.version()};
    }
  }

  // ------------------------------------------------ serve

  @Command(name = "serve", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Serves a data directory over HTTP (Avatica protocol) until stopped with",
          "SIGTERM or Ctrl-C. Clients: jdbc:mmap:remote:url=http://HOST:PORT, or any Avatica client."})
  static final class Serve implements Callable<Integer> {
    @Option(names = "--data-dir", defaultValue = "./data", description = "data directory (default: ${DEFAULT-VALUE})")
    Path dataDir;
    @Option(names = "--host", defaultValue = ServerConfig.DEFAULT_HOST,
        description = "address to listen on (default: ${DEFAULT-VALUE}); any other than a loopback"
            + " address needs --users-file or --insecure")
    String host;
    @Option(names = "--port", defaultValue = "" + ServerConfig.DEFAULT_PORT,
        description = "port to listen on, 0 for any free port (default: ${DEFAULT-VALUE})")
    int port;
    @Option(names = "--serialization", defaultValue = "protobuf",
        description = "wire format: protobuf or json (default: ${DEFAULT-VALUE})")
    String serialization;
    @Option(names = "--users-file", description = "users and password hashes (see 'mmapsql passwd');"
        + " turns on HTTP BASIC authentication")
    Path usersFile;
    @Option(names = "--insecure", description = "allow a non-loopback --host without authentication")
    boolean insecure;
    @Option(names = "--read-only", description = "every connection is read-only, whatever the user's role")
    boolean readOnly;
    @Option(names = "--tls-keystore", description = "PKCS12 (or .jks) keystore with the server's key and"
        + " certificate: serve HTTPS")
    Path tlsKeystore;
    @Option(names = "--tls-keystore-password-file",
        description = "file holding the keystore password (default: environment variable"
            + " MMAPSQL_TLS_KEYSTORE_PASSWORD)")
    Path tlsKeystorePasswordFile;
    @Option(names = "--max-request-size", defaultValue = "16m",
        description = "largest request accepted (default: ${DEFAULT-VALUE})")
    String maxRequestSize;
    @Option(names = "--max-rows-per-frame", defaultValue = "" + ServerConfig.DEFAULT_MAX_ROWS_PER_FRAME,
        description = "most rows sent in one frame of a result (default: ${DEFAULT-VALUE})")
    int maxRowsPerFrame;
    @Option(names = "--statement-timeout", defaultValue = "5m",
        description = "longest one execute or fetch may run, 0 for no limit (default: ${DEFAULT-VALUE})")
    Duration statementTimeout;
    @Option(names = "--connection-expiry", defaultValue = "8h",
        description = "close client connections idle this long (default: ${DEFAULT-VALUE})")
    Duration connectionExpiry;
    @Option(names = "--statement-expiry", defaultValue = "1h",
        description = "close statements idle this long (default: ${DEFAULT-VALUE})")
    Duration statementExpiry;
    @Option(names = "--max-connections", defaultValue = "" + ServerConfig.DEFAULT_MAX_CONNECTIONS,
        description = "most client connections open at once (default: ${DEFAULT-VALUE})")
    int maxConnections;
    @Option(names = "--max-threads", defaultValue = "" + ServerConfig.DEFAULT_MAX_THREADS,
        description = "most requests served at once (default: ${DEFAULT-VALUE})")
    int maxThreads;
    @Option(names = "--max-mappings", defaultValue = "10000",
        description = "most bindings the data directory may hold (default: ${DEFAULT-VALUE})")
    int maxMappings;
    @Option(names = "--allowed-directory", description = "a directory outside the data directory whose"
        + " files MMAP may map (repeatable)")
    List<Path> allowedDirectories = new ArrayList<>();
    @Option(names = "--durability", defaultValue = "async",
        description = "async (forced to disk within about a second) or sync (before each write returns);"
            + " clients may choose their own (default: ${DEFAULT-VALUE})")
    String durability;
    @Option(names = "--max-sort-rows", defaultValue = "" + ServerConfig.DEFAULT_MAX_SORT_ROWS,
        description = "most rows one ORDER BY or window of a statement may hold in memory; 0 for no"
            + " limit (default: ${DEFAULT-VALUE})")
    long maxSortRows;
    @Option(names = "--shutdown-grace", defaultValue = "10s",
        description = "how long a stop waits for requests in flight (default: ${DEFAULT-VALUE})")
    Duration shutdownGrace;
    @Option(names = "--log-level", defaultValue = "warn",
        description = "level of mmapsql's own loggers: error, warn, info or debug (default: ${DEFAULT-VALUE});"
            + " other libraries' (Jetty's) stay at warn")
    String logLevel;
    @Option(names = "--log-statements", description = "log every statement: SQL, user, duration, rows")
    boolean logStatements;
    @Option(names = "--log-min-duration", description = "log the statements that run at least this long"
        + " (like PostgreSQL's log_min_duration_statement)")
    Duration logMinDuration;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws Exception {
      logLevels(logLevel.toLowerCase(Locale.ROOT), logStatements || logMinDuration != null);
      PrintWriter err = spec.commandLine().getErr();
      PrintWriter out = spec.commandLine().getOut();
      char[] password = null;
      if (tlsKeystore != null) {
        if (tlsKeystorePasswordFile != null) {
          try {
            MmapServer.refuseMappable(dataDir, allowedDirectories, "TLS keystore password file",
                tlsKeystorePasswordFile);
          } catch (MmapServer.StartException e) {
            err.println("mmapsql serve: " + e.getMessage());
            return 1;
          }
          password = Files.readString(tlsKeystorePasswordFile, StandardCharsets.UTF_8).strip().toCharArray();
        } else if (System.getenv("MMAPSQL_TLS_KEYSTORE_PASSWORD") != null) {
          password = System.getenv("MMAPSQL_TLS_KEYSTORE_PASSWORD").toCharArray();
        }
      }
      ServerConfig config;
      try {
        config = new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly,
            tlsKeystore, password, bytes(maxRequestSize), maxRowsPerFrame, statementTimeout,
            connectionExpiry, statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories,
            durability.toLowerCase(Locale.ROOT), shutdownGrace, maxSortRows,
            logStatements ? Duration.ZERO : logMinDuration);
      } catch (IllegalArgumentException e) {
        err.println("mmapsql serve: " + e.getMessage());
        return 2;
      }
      MmapServer server;
      try {
        server = MmapServer.start(config);
      } catch (MmapServer.StartException e) {
        err.println("mmapsql serve: " + e.getMessage());
        err.flush();
        return 1;
      }
      CountDownLatch stopped = new CountDownLatch(1);
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        server.close();
        System.err.println("mmapsql server stopped; " + config.dataDir() + " released");
        stopped.countDown();
      }, "mmapsql-shutdown"));
      out.println("mmapsql " + org.mmapsql.jdbc.Driver.version() + " serving "
          + config.dataDir().toAbsolutePath().normalize());
      out.println("  listening on " + server.url() + " (" + config.serialization() + ", "
          + (usersFile != null ? "users from " + usersFile : "no authentication")
          + (readOnly ? ", read-only" : "") + ")");
      out.println("  connect with " + server.jdbcUrl());
      out.println("  stop with Ctrl-C or SIGTERM");
      out.flush();
      server.join();
      stopped.await();
      return 0;
    }
  }

  // ------------------------------------------------ sql

  @Command(name = "sql", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Opens a sqlline console on a data directory (embedded) or on a server.",
          "Extra arguments after -- go to sqlline as they are."})
  static final class Sql implements Callable<Integer> {
    @Option(names = {"-u", "--url"}, defaultValue = "jdbc:mmap:./data",
        description = "JDBC URL (default: ${DEFAULT-VALUE}); a server: jdbc:mmap:remote:url=http://HOST:8765")
    String url;
    @Option(names = {"-n", "--user"}, description = "user name, for a server with authentication;"
        + " the password comes from MMAPSQL_PASSWORD or is asked for")
    String user;
    @Option(names = {"-f", "--file"}, description = "run this SQL script and exit (stops at the first error)")
    Path file;
    @Option(names = {"-e", "--execute"}, description = "run this SQL command and exit")
    String execute;
    @Parameters(description = "more sqlline arguments") List<String> more = new ArrayList<>();

    @Override public Integer call() throws Exception {
      List<String> args = new ArrayList<>(List.of("-u", url, "-d", org.mmapsql.jdbc.Driver.class.getName()));
      if (user != null) {
        String password = System.getenv("MMAPSQL_PASSWORD");
        if (password == null) {
          Console console = System.console();
          if (console == null || !console.isTerminal()) {
            System.err.println("mmapsql sql: give the password in MMAPSQL_PASSWORD");
            return 2;
          }
          char[] p = console.readPassword("password for %s: ", user);
          password = p == null ? "" : new String(p);
        }
        args.addAll(List.of("-n", user, "-p", password));
      } else {
        args.addAll(List.of("-n", "", "-p", ""));
      }
      args.add("--isolation=TRANSACTION_NONE");
      boolean batch = file != null || execute != null;
      if (batch) {
        args.addAll(List.of("--silent=true", "--showWarnings=false", "--force=false", "--maxWidth=10000"));
        batchMode();
      }
      if (file != null) {
        if (!Files.isReadable(file)) {
          System.err.println("mmapsql sql: cannot read " + file);
          return 2;
        }
        args.addAll(List.of("-f", file.toString()));
      }
      if (execute != null) {
        args.addAll(List.of("-e", execute));
      }
      args.addAll(more);
      // begin, not start: start ends the JVM with System.exit.
      sqlline.SqlLine sqlLine = new sqlline.SqlLine();
      if (!batch) {
        sqlLine.updatePromptHandler(new ConsoleWarmup.Prompt(sqlLine));
      }
      sqlline.SqlLine.Status status = sqlLine.begin(args.toArray(new String[0]), null, !batch);
      return status == sqlline.SqlLine.Status.OK ? 0 : 1;
    }
  }

  private static final java.util.logging.Logger JLINE = java.util.logging.Logger.getLogger("org.jline");

  /**
   * sqlline without a terminal: no warning from JLine about it, and errors as one
   * line (sqlline prints stack traces for errors in scripts given with -f, since
   * they run before its initialization counts as complete).
   */
  private static void batchMode() {
    JLINE.setLevel(java.util.logging.Level.OFF);
    System.setProperty("org.jline.terminal.dumb", "true");
    try {
      java.lang.reflect.Field f = sqlline.SqlLine.class.getDeclaredField("initComplete");
      f.setAccessible(true);
      f.setBoolean(null, true);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // another sqlline version: errors come with their stack trace
    }
  }

  // ------------------------------------------------ passwd

  @Command(name = "passwd", mixinStandardHelpOptions = true, sortOptions = false,
      description = {"Adds a user to a users file, changes a user's password or role, or removes a user.",
          "The password is asked for twice, or read from the first line of standard input",
          "when that is not a terminal. Only a salted PBKDF2 hash is stored."})
  static final class Passwd implements Callable<Integer> {
    @Option(names = "--users-file", required = true, description = "the users file (created if missing)")
    Path usersFile;
    @Option(names = "--role", defaultValue = "readwrite",
        description = "readwrite or readonly (default: ${DEFAULT-VALUE})")
    String role;
    @Option(names = "--delete", description = "remove the user")
    boolean delete;
    @Option(names = "--iterations", hidden = true, defaultValue = "" + UsersFile.DEFAULT_ITERATIONS)
    int iterations;
    @Parameters(index = "0", paramLabel = "USER", description = "user name") String name;

    @CommandLine.Spec CommandLine.Model.CommandSpec spec;

    @Override public Integer call() throws Exception {
      PrintWriter err = spec.commandLine().getErr();
      Map<String, UsersFile.Entry> users = UsersFile.read(usersFile);
      if (delete) {
        if (users.remove(name) == null) {
          err.println("mmapsql passwd: no user " + name + " in " + usersFile);
          return 1;
        }
        UsersFile.write(usersFile, users.values());
        spec.commandLine().getOut().println("removed user " + name);
        return 0;
      }
      User.Role r;
      try {
        UsersFile.checkName(name);
        r = User.Role.of(role);
      } catch (IllegalArgumentException e) {
        err.println("mmapsql passwd: " + e.getMessage());
        return 2;
      }
      char[] password = readPassword(err);
      if (password == null) {
        return 1;
      }
      if (password.length < 8) {
        err.println("mmapsql passwd: the password must have at least 8 characters");
        return 2;
      }
      boolean existed = users.containsKey(name);
      users.put(name, UsersFile.create(name, r, password, Math.max(1000, iterations)));
      Arrays.fill(password, '\0');
      UsersFile.write(usersFile, users.values());
      spec.commandLine().getOut().println((existed ? "updated" : "added") + " user " + name + " ("
          + r.word() + ") in " + usersFile);
      return 0;
    }

    private char[] readPassword(PrintWriter err) throws IOException {
      Console console = System.console();
      if (console == null || !console.isTerminal()) {
        String line = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        if (line == null) {
          err.println("mmapsql passwd: no password on standard input");
        }
        return line == null ? null : line.toCharArray();
      }
      char[] a = console.readPassword("new password for %s: ", name);
      char[] b = console.readPassword("again: ");
      if (a == null || b == null || !Arrays.equals(a, b)) {
        err.println("mmapsql passwd: the passwords differ; nothing changed");
        return null;
      }
      return a;
    }
  }
}
