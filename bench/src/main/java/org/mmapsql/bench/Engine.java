package org.mmapsql.bench;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * The engines of the suite, each run in its own JVM, and what differs between
 * them: how to connect, how the table {@code t} (rows 0..n-1 of
 * {@link Data#value}) and the append table {@code app} come to exist, and
 * the few SQL spellings that are not the same everywhere.
 */
enum Engine {
  MMAPSQL("mmapsql embedded"),
  /** The same, with t, c1k and c100m bound with the MMAP option {@code exclusive}: counts and point reads do not look at the file. */
  MMAPSQL_EXCLUSIVE("mmapsql embedded, exclusive"),
  MMAPSQL_REMOTE("mmapsql remote"),
  H2("H2 embedded"),
  DUCKDB("DuckDB embedded"),
  AVATICA_H2("Avatica over H2"),
  JAVA("plain Java loop"),
  JAVA_VECTOR("Java Vector API");

  final String title;

  Engine(String title) {
    this.title = title;
  }

  boolean sql() {
    return this != JAVA && this != JAVA_VECTOR;
  }

  boolean remote() {
    return this == MMAPSQL_REMOTE || this == AVATICA_H2;
  }

  boolean mmapsql() {
    return this == MMAPSQL || this == MMAPSQL_REMOTE || this == MMAPSQL_EXCLUSIVE;
  }

  /** The bucket of the downsampling query: integer division. */
  String bucket(String divisor) {
    return this == DUCKDB ? "idx // " + divisor : "idx / " + divisor;
  }

  Connection connect(String url) throws SQLException {
    return DriverManager.getConnection(url);
  }

  /** The JDBC URL of an embedded engine; a remote one's comes from its server. */
  String embeddedUrl() {
    return switch (this) {
      case MMAPSQL, MMAPSQL_EXCLUSIVE -> "jdbc:mmap:" + Data.mmapDir();
      case H2 -> "jdbc:h2:mem:bench;DB_CLOSE_DELAY=-1" + Data.H2_OPTIONS;
      case DUCKDB -> "jdbc:duckdb:";
      default -> throw new IllegalStateException(this + " has no embedded URL");
    };
  }

  /** Makes {@code t} hold n rows and {@code app} exist and be empty. */
  void prepare(Connection c, long n) throws SQLException {
    try (Statement s = c.createStatement()) {
      switch (this) {
        case MMAPSQL, MMAPSQL_REMOTE, MMAPSQL_EXCLUSIVE -> {
          // bound again each run: the engines share the directory, one binds them exclusive
          String options = this == MMAPSQL_EXCLUSIVE ? "exclusive" : "";
          for (String table : new String[] {"t", "c1k", "c100m"}) {
            query(s, "SELECT UNMAP('" + table + "')");
            query(s, "SELECT MMAP('" + table + "', '" + table + ".f8', '<f8', '" + options + "')");
          }
          query(s, "SELECT MMAP('app', 'app.f8')");
          s.executeUpdate("DELETE FROM app");
        }
        case H2 -> loadH2(c, n);
        case AVATICA_H2 -> s.execute("TRUNCATE TABLE app RESTART IDENTITY"); // the server loaded t
        case DUCKDB -> {
          s.execute("CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE)");
          s.execute("INSERT INTO t SELECT i, CAST((i * 2654435761) % 1000003 AS DOUBLE) FROM range(" + n + ") r(i)");
          s.execute("CREATE SEQUENCE app_idx START 0 MINVALUE 0");
          s.execute("CREATE TABLE app(idx BIGINT DEFAULT nextval('app_idx') PRIMARY KEY, val DOUBLE)");
        }
        default -> throw new IllegalStateException(this + " is not SQL");
      }
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
        rs.next();
        Data.check(rs.getLong(1) == n, this + ": t has " + rs.getLong(1) + " rows, want " + n);
      }
    }
  }

  /**
   * Makes the aggregate workloads' table of {@code type} hold n rows (t itself for f8): an embedded
   * engine only, the same values in the same SQL type.
   */
  void prepareAggregateTable(Connection c, long n, AggregateType type) throws SQLException {
    if (type == AggregateType.F8) {
      return;
    }
    String a = type.table();
    try (Statement s = c.createStatement()) {
      switch (this) {
        case MMAPSQL, MMAPSQL_EXCLUSIVE -> {
          Data.ensureFile(a, n, type);
          query(s, "SELECT UNMAP('" + a + "')"); // a binding of another run (the file stays)
          query(s, "SELECT MMAP('" + a + "', '" + Data.file(a, type).getFileName() + "', '" + type.suffix + "')");
        }
        case H2 -> {
          s.execute("CREATE TABLE " + a + "(idx BIGINT PRIMARY KEY, val " + type.sqlType + ")");
          for (long from = 1; from <= n; from += 1_000_000) {
            s.execute("INSERT INTO " + a + " SELECT X - 1, CAST(MOD((X - 1) * 2654435761, " + type.modulus + ") AS "
                + type.sqlType + ") FROM SYSTEM_RANGE(" + from + ", " + Math.min(n, from + 999_999) + ")");
          }
        }
        case DUCKDB -> {
          s.execute("CREATE TABLE " + a + "(idx BIGINT PRIMARY KEY, val " + type.sqlType + ")");
          s.execute("INSERT INTO " + a + " SELECT i, CAST((i * 2654435761) % " + type.modulus + " AS " + type.sqlType
              + ") FROM range(" + n + ") r(i)");
        }
        default -> throw new IllegalStateException(this + " has no aggregate table of its own");
      }
    }
  }

  /** H2 in memory (embedded, and behind the reference Avatica server): t with a primary key, app with an identity. */
  static void loadH2(Connection c, long n) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE t(idx BIGINT PRIMARY KEY, val DOUBLE)");
      long step = 1_000_000;
      for (long from = 1; from <= n; from += step) {
        long to = Math.min(n, from + step - 1);
        s.execute("INSERT INTO t SELECT X - 1, CAST(MOD((X - 1) * 2654435761, 1000003) AS DOUBLE PRECISION)"
            + " FROM SYSTEM_RANGE(" + from + ", " + to + ")");
      }
      s.execute("CREATE TABLE app(idx BIGINT GENERATED BY DEFAULT AS IDENTITY (START WITH 0 MINVALUE 0)"
          + " PRIMARY KEY, val DOUBLE)");
    }
  }

  private static void query(Statement s, String sql) throws SQLException {
    s.executeQuery(sql).close();
  }
}
