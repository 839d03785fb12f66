package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.catalog.Database;
import org.mmapsql.storage.MappedArray;

/**
 * Statements as applications run them (point reads, point updates, IN reads,
 * scans read to the end or closed early, aggregates) leave no scan snapshot
 * open behind them: one left open would keep every later UPDATE's old rows
 * and make each UPDATE slower than the last.
 */
class SnapshotLeakTest {
  @TempDir Path dir;

  @Test void statementsLeaveNoSnapshotOpen() throws Exception {
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + dir); Statement s = c.createStatement()) {
      s.execute("SELECT MMAP('t', 't.f8')");
      s.executeUpdate("INSERT INTO t(val) SELECT 0.5 FROM (VALUES (1), (2), (3), (4), (5), (6), (7), (8)) AS v(x)");
      try (PreparedStatement read = c.prepareStatement("SELECT val FROM t WHERE idx = ?");
          PreparedStatement update = c.prepareStatement("UPDATE t SET val = ? WHERE idx = ?")) {
        for (int i = 0; i < 200; i++) {
          read.setLong(1, i % 8);
          try (ResultSet rs = read.executeQuery()) {
            rs.next();
          }
          update.setDouble(1, i);
          update.setLong(2, i % 8);
          assertEquals(1, update.executeUpdate());
        }
      }
      s.executeUpdate("UPDATE t SET val = val + 1 WHERE idx IN (1, 3, 5)");
      try (ResultSet rs = s.executeQuery("SELECT * FROM t")) {
        rs.next(); // closed before its end
      }
      try (ResultSet rs = s.executeQuery("SELECT idx, val FROM t WHERE val > 2 ORDER BY val")) {
        while (rs.next()) {
          rs.getDouble(2);
        }
      }
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(val) FROM t")) {
        rs.next();
      }
      Database db = Database.open(dir, Database.Settings.DEFAULT);
      try {
        MappedArray a = db.binding("t").array();
        assertEquals(0, a.openSnapshots(), "snapshots left open by closed statements");
        assertEquals(0, a.keptChanges(), "old rows kept for no open scan");
      } finally {
        db.release();
      }
    }
  }
}
