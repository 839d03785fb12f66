package org.mmapsql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeTest {
  @TempDir Path dir;

  @Test void smoke() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir);
         Statement s = c.createStatement()) {
      run(s, "SELECT MMAP('db', 'db.mmap')");
      System.out.println(s.executeUpdate("INSERT INTO db(val) VALUES (1.0), (1.1), (2.5)"));
      run(s, "SELECT * FROM db");
      run(s, "SELECT val FROM db WHERE idx = 1");
      run(s, "EXPLAIN PLAN FOR SELECT val FROM db WHERE idx = 1");
      run(s, "EXPLAIN PLAN FOR SELECT idx, val FROM db WHERE idx IN (0, 2, 5)");
      run(s, "EXPLAIN PLAN FOR SELECT COUNT(*) FROM db");
      run(s, "SELECT COUNT(*) FROM db");
      System.out.println(s.executeUpdate("UPDATE db SET val = val * 2 WHERE idx BETWEEN 0 AND 1"));
      run(s, "EXPLAIN PLAN FOR UPDATE db SET val = val * 2 WHERE idx BETWEEN 0 AND 1");
      run(s, "SELECT * FROM db");
      run(s, "SELECT VPOP('db')");
      System.out.println(s.executeUpdate("DELETE FROM db WHERE idx >= 1"));
      run(s, "SELECT * FROM sys.mappings");
      try (ResultSet rs = c.getMetaData().getTables(null, null, null, null)) {
        while (rs.next()) {
          System.out.println(rs.getString(2) + "." + rs.getString(3));
        }
      }
    }
  }

  static void run(Statement s, String sql) throws Exception {
    System.out.println("> " + sql);
    try (ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        StringBuilder b = new StringBuilder();
        for (int i = 1; i <= n; i++) {
          b.append(rs.getMetaData().getColumnLabel(i)).append('=').append(rs.getString(i)).append(' ');
        }
        System.out.println(b);
      }
    }
  }
}
