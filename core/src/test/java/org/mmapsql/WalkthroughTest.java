package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The original Redis module's walkthrough, step by step in SQL, with the same
 * results: bind, 10 appends, count, batch append, get, multi-get, set two,
 * count, pop, reopen, unbind and rebind, clear, and a file written by another
 * program.
 */
class WalkthroughTest {
  @TempDir Path dir;

  @Test void walkthrough() throws Exception {
    Path file = dir.resolve("db.mmap");
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertEquals(0L, scalar(s, "SELECT MMAP('db', 'db.mmap')"));
      assertTrue(Files.isRegularFile(file), "MMAP creates the file");

      try (PreparedStatement add = c.prepareStatement("INSERT INTO db(val) VALUES (?)")) {
        for (int i = 0; i < 10; i++) {
          add.setDouble(1, i / 10.0);
          assertEquals(1, add.executeUpdate());
        }
      }
      assertEquals(10L, scalar(s, "SELECT COUNT(*) FROM db"));
      assertEquals(80, Files.size(file));

      assertEquals(6, s.executeUpdate("INSERT INTO db(val) VALUES (1.0), (1.1), (1.2), (1.3), (1.4), (1.5)"));
      assertEquals(0.5, scalar(s, "SELECT val FROM db WHERE idx = 5"));
      assertEquals(List.of(List.of(1L, 0.1), List.of(3L, 0.3), List.of(5L, 0.5)),
          rows(s, "SELECT idx, val FROM db WHERE idx IN (1, 3, 5) ORDER BY idx"));

      assertEquals(2, s.executeUpdate(
          "UPDATE db SET val = CASE idx WHEN 2 THEN 20 WHEN 3 THEN 30 END WHERE idx IN (2, 3)"));
      assertEquals(List.of(List.of(2L, 20.0), List.of(3L, 30.0)),
          rows(s, "SELECT idx, val FROM db WHERE idx BETWEEN 2 AND 3"));
      assertEquals(16L, scalar(s, "SELECT COUNT(*) FROM db"));

      assertEquals(1.5, scalar(s, "SELECT VPOP('db')"));
      assertEquals(15L, scalar(s, "SELECT COUNT(*) FROM db"));
    }

    // Every connection closed: the directory is closed. Reopen it.
    try (Connection c = connect(); Statement s = c.createStatement()) {
      assertEquals(List.of(List.of("db", "db.mmap", 15L, "ok")),
          rows(s, "SELECT name, path, row_count, status FROM sys.mappings"));
      assertEquals(15L, scalar(s, "SELECT COUNT(*) FROM db"));
      assertEquals(20.0, scalar(s, "SELECT val FROM db WHERE idx = 2"));

      assertEquals(1, scalar(s, "SELECT UNMAP('db')"));
      assertTrue(Files.exists(file), "UNMAP keeps the file");
      SQLException gone = org.junit.jupiter.api.Assertions.assertThrows(SQLException.class,
          () -> scalar(s, "SELECT COUNT(*) FROM db"));
      assertTrue(gone.getMessage().contains("not found"), gone.getMessage());
      assertEquals(15L, scalar(s, "SELECT MMAP('arr', 'db.mmap')"));
      assertEquals(1.4, scalar(s, "SELECT val FROM arr WHERE idx = 14"));

      assertEquals(15, s.executeUpdate("DELETE FROM arr"));
      assertEquals(0L, scalar(s, "SELECT COUNT(*) FROM arr"));
      assertEquals(0, Files.size(file));
      assertNull(scalar(s, "SELECT VPOP('arr')"), "VPOP of an empty table is NULL");

      // A file of 100 doubles written by another program, as numpy's tofile writes it.
      writeDoubles(dir.resolve("hundred.f8"), 100);
      assertEquals(100L, scalar(s, "SELECT MMAP('hundred', 'hundred.f8')"));
      assertEquals(4950.0, scalar(s, "SELECT SUM(val) FROM hundred"));
      assertEquals(List.of(List.of(0L, 0.0), List.of(99L, 99.0)),
          rows(s, "SELECT idx, val FROM hundred WHERE idx = 0 OR idx = 99"));
      assertFalse(rows(s, "SELECT name FROM sys.mappings").contains(List.of("db")));
    }
  }

  private Connection connect() throws SQLException {
    return DriverManager.getConnection("jdbc:mmap:" + dir);
  }

  static void writeDoubles(Path file, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putDouble(i);
    }
    Files.write(file, b.array());
  }

  static Object scalar(Statement s, String sql) throws SQLException {
    try (ResultSet rs = s.executeQuery(sql)) {
      assertTrue(rs.next(), "one row from " + sql);
      Object o = rs.getObject(1);
      assertFalse(rs.next(), "only one row from " + sql);
      return o;
    }
  }

  static List<List<Object>> rows(Statement s, String sql) throws SQLException {
    List<List<Object>> rows = new ArrayList<>();
    try (ResultSet rs = s.executeQuery(sql)) {
      int n = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        List<Object> row = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
          row.add(rs.getObject(i));
        }
        rows.add(row);
      }
    }
    return rows;
  }
}
