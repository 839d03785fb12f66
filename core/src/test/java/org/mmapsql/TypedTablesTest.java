package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The typed surface of MMAP: range errors, read-only bindings, rebinding, the catalog, VPOP, sys.mappings. */
class TypedTablesTest {
  @TempDir Path dir;

  @Test void valuesThatDoNotFitAreRefusedNamingValueAndTypeAndNothingIsWritten() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('b', 'b.i1', 'i1')");
      db.scalar("SELECT MMAP('u', 'u.u2', 'uint16')");
      db.scalar("SELECT MMAP('i', 'i.i4', 'int32')");
      db.scalar("SELECT MMAP('r', 'r.f4', 'REAL')");
      db.scalar("SELECT MMAP('s', 's.s4', 'string(4)')");
      db.update("INSERT INTO b(val) VALUES (1)");
      db.update("INSERT INTO u(val) VALUES (1)");
      db.update("INSERT INTO i(val) VALUES (1)");
      db.update("INSERT INTO r(val) VALUES (1)");
      db.update("INSERT INTO s(val) VALUES ('ab')");
      byte[][] before = {bytes("b.i1"), bytes("u.u2"), bytes("i.i4"), bytes("r.f4"), bytes("s.s4")};
      db.fails("INSERT INTO b(val) VALUES (2), (300)", "300", "i1", "TINYINT", "nothing was inserted");
      db.fails("INSERT INTO u(val) VALUES (-1)", "-1", "u2", "nothing was inserted");
      db.fails("INSERT INTO i(val) VALUES (1.5)", "1.5", "whole number", "i4");
      db.fails("UPDATE i SET val = 2.5", "2.5", "whole number");
      db.fails("UPDATE b SET val = -129 WHERE idx = 0", "-129", "TINYINT");
      db.fails("INSERT INTO r(val) VALUES (1e39)", "1.0E39", "f4", "REAL");
      db.fails("INSERT INTO s(val) VALUES ('abcde')", "abcde", "too long", "CHAR(4)");
      db.fails("INSERT INTO b(val) VALUES (NULL)", "cannot be NULL");
      // computed values go through the same check when they are written
      db.fails("UPDATE b SET val = val + 200", "out of range");
      assertArrayEquals(before, new byte[][] {bytes("b.i1"), bytes("u.u2"), bytes("i.i4"), bytes("r.f4"), bytes("s.s4")});
      db.update("INSERT INTO r(val) VALUES (CAST('NaN' AS REAL)), (CAST('-Infinity' AS DOUBLE))");
      assertEquals(List.of(List.of(1.0f), List.of(Float.NaN), List.of(Float.NEGATIVE_INFINITY)),
          db.rows("SELECT val FROM r ORDER BY idx"));
    }
  }

  private byte[] bytes(String f) throws Exception {
    return Files.readAllBytes(dir.resolve(f));
  }

  @Test void aReadOnlyBindingIsNeverCreatedAndRefusesEveryWrite() throws Exception {
    Files.write(dir.resolve("ro.i2"), new byte[] {1, 0, 2, 0});
    try (TestDb db = TestDb.open(dir)) {
      db.fails("SELECT MMAP('x', 'missing.i2', 'i2', 'readonly')", "missing");
      assertFalse(Files.exists(dir.resolve("missing.i2")));
      assertEquals(2L, db.scalar("SELECT MMAP('ro', 'ro.i2', 'i2', ' RO ')"));
      for (String sql : List.of("INSERT INTO ro(val) VALUES (3)", "UPDATE ro SET val = 0", "DELETE FROM ro",
          "SELECT VPOP('ro')")) {
        db.fails(sql, "read-only", "nothing was changed");
      }
      assertArrayEquals(new byte[] {1, 0, 2, 0}, bytes("ro.i2"));
      assertEquals(List.of(List.of(true)), db.rows("SELECT read_only FROM sys.mappings WHERE name = 'ro'"));
      db.fails("SELECT MMAP('ro', 'ro.i2', 'i2')", "already mapped", "readonly");
      db.fails("SELECT MMAP('ro', 'ro.i2', 'u2', 'readonly')", "already mapped", "<i2");
      db.fails("SELECT MMAP('z', 'z.i2', 'i2', 'readonly,frobnicate')", "unknown MMAP option 'frobnicate'");
      assertEquals(2L, db.scalar("SELECT MMAP('ro', 'ro.i2', 'INT16', 'readonly')"));
    }
  }

  @Test void theCatalogKeepsTypeOptionsAndShape() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('g', 'g.bin', '>u4', 'columns=2')");
      db.update("INSERT INTO g(c0, c1) VALUES (1, 4000000000)");
      db.scalar("SELECT MMAP('n', 'n.npy', 'f2', 'columns=3')");
      db.update("INSERT INTO n(c0, c1, c2) VALUES (0.5, 1, 2)");
    }
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(List.of(List.of("g", ">u4", "BIGINT", 4, "(1, 2)", false), List.of("n", "<f2", "REAL", 2, "(1, 3)", false)),
          db.rows("SELECT name, type, sql_type, element_size, shape, read_only FROM sys.mappings ORDER BY name"));
      assertEquals(List.of(List.of(0L, 1L, 4000000000L)), db.rows("SELECT * FROM g"));
      assertEquals(List.of(List.of(0.5f, 1f, 2f)), db.rows("SELECT c0, c1, c2 FROM n"));
    }
  }

  @Test void vpopReturnsTheColumnsTypeAndRefuses2D() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('s', 's.i2', 'i2')");
      db.scalar("SELECT MMAP('t', 't.s3', 'S3')");
      db.scalar("SELECT MMAP('m', 'm.f8', 'f8', 'columns=2')");
      db.update("INSERT INTO s(val) VALUES (7), (-8)");
      db.update("INSERT INTO t(val) VALUES ('ab')");
      db.update("INSERT INTO m VALUES (0, 1, 2)");
      try (Statement st = db.conn.createStatement(); ResultSet rs = st.executeQuery("SELECT VPOP('s')")) {
        rs.next();
        assertEquals(java.sql.Types.SMALLINT, rs.getMetaData().getColumnType(1));
        assertEquals(-8, rs.getInt(1));
      }
      assertEquals("ab ", db.scalar("SELECT VPOP('t')"));
      assertEquals(null, db.scalar("SELECT VPOP('t')"));
      db.fails("SELECT VPOP('m')", "VPOP works on 1-D tables");
      assertEquals(1L, db.count("m"));
    }
  }

  @Test void aggregatesOfEveryNumericColumnOfA2DTableRunInOnePass() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.scalar("SELECT MMAP('m', 'm.i8', 'i8', 'columns=2')");
      db.update("INSERT INTO m VALUES (0, 1, 10), (1, 2, 20), (2, 3, 30)");
      assertEquals(List.of(List.of(6L, 60L, 2.0, 30L)), db.rows("SELECT SUM(c0), SUM(c1), AVG(c0), MAX(c1) FROM m"));
      String plan = db.rows("EXPLAIN PLAN FOR SELECT SUM(c0), MAX(c1) FROM m").toString();
      assertTrue(plan.contains("MmapAggregate"), plan);
    }
  }
}
