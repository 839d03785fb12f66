package org.mmapsql.jdbc;

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * {@code java -jar mmapsql-jdbc-remote-VERSION.jar URL [SQL...]}: connects,
 * says to what, runs each statement and prints its rows (tab-separated) or
 * its update count. A check that a machine's Java reaches a server, with
 * nothing but the driver jar; exits 1 with the SQLSTATE on an error.
 */
public final class RemoteCheck {
  private RemoteCheck() {
  }

  public static void main(String[] args) {
    if (args.length == 0) {
      System.err.println("usage: java -jar mmapsql-jdbc-remote.jar jdbc:mmap:remote:url=http://HOST:8765 [SQL...]");
      System.exit(2);
    }
    try (Connection c = DriverManager.getConnection(args[0])) {
      DatabaseMetaData md = c.getMetaData();
      System.out.println("connected: " + md.getDatabaseProductName() + " " + md.getDatabaseProductVersion()
          + " (" + md.getDriverName() + " " + md.getDriverVersion() + ", Java "
          + System.getProperty("java.version") + ")");
      for (int i = 1; i < args.length; i++) {
        run(c, args[i]);
      }
    } catch (SQLException e) {
      System.err.println("error " + e.getSQLState() + ": " + e.getMessage());
      System.exit(1);
    }
  }

  private static void run(Connection c, String sql) throws SQLException {
    try (Statement s = c.createStatement()) {
      if (!s.execute(sql)) {
        System.out.println(s.getUpdateCount());
        return;
      }
      try (ResultSet rs = s.getResultSet()) {
        int n = rs.getMetaData().getColumnCount();
        while (rs.next()) {
          StringBuilder b = new StringBuilder();
          for (int i = 1; i <= n; i++) {
            b.append(i > 1 ? "\t" : "").append(rs.getString(i));
          }
          System.out.println(b);
        }
      }
    }
  }
}
