package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.List;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A shard: {@code MMAP(name, path, type, 'base=N')} shows the file's rows at idx
 * N, N+1, …; H2 holds the same rows at the same idx and answers the same statements.
 */
class ShardBaseTest {
  private static final long BASE = 1_000;
  private static final double[] VALUES = {0.5, 1.5, -2.25, 3.0, 4.75, 5.0};
  @TempDir Path dir;
  private TestDb db;
  private Connection h2;

  @BeforeEach void setUp() throws Exception {
    write(dir.resolve("s.f8"), VALUES);
    db = TestDb.open(dir);
    assertEquals(6L, db.longValue("SELECT MMAP('s', 's.f8', 'float64', 'base=" + BASE + "')"));
    h2 = DriverManager.getConnection("jdbc:h2:mem:");
    TestDb.update(h2, "CREATE TABLE s(idx BIGINT PRIMARY KEY, val DOUBLE)");
    for (int i = 0; i < VALUES.length; i++) {
      TestDb.update(h2, "INSERT INTO s VALUES (" + (BASE + i) + ", " + VALUES[i] + ")");
    }
  }

  @AfterEach void tearDown() throws SQLException {
    db.close();
    h2.close();
  }

  private static void write(Path file, double[] values) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (double v : values) {
      b.putDouble(v);
    }
    Files.write(file, b.array());
  }

  private static double[] read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[b.remaining() / 8];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getDouble();
    }
    return out;
  }

  private void same(String sql) throws SQLException {
    assertEquals(TestDb.rows(h2, sql).toString(), db.rows(sql).toString(), sql);
  }

  private String plan(String sql) throws SQLException {
    return db.rows("EXPLAIN PLAN FOR " + sql).stream().map(r -> String.valueOf(r.get(0)))
        .collect(Collectors.joining("\n"));
  }

  @Test void readsShowTheGlobalIdx() throws SQLException {
    for (String sql : List.of(
        "SELECT idx, val FROM s ORDER BY idx",
        "SELECT val FROM s WHERE idx = 1002",
        "SELECT idx, val FROM s WHERE idx = 2",
        "SELECT idx, val FROM s WHERE idx BETWEEN 998 AND 1001 ORDER BY idx",
        "SELECT idx, val FROM s WHERE idx IN (0, 999, 1000, 1005, 1006) ORDER BY idx",
        "SELECT idx FROM s WHERE idx > 1003 OR idx < 1001 ORDER BY idx",
        "SELECT COUNT(*), SUM(val), MIN(val), MAX(val) FROM s WHERE idx >= 1002",
        "SELECT COUNT(*) FROM s WHERE idx < 1000",
        "SELECT MIN(idx), MAX(idx), COUNT(*) FROM s",
        "SELECT a.idx, a.val + b.val FROM s a JOIN s b ON a.idx = b.idx + 1 ORDER BY a.idx")) {
      same(sql);
    }
  }

  @Test void idxPredicatesStayPositional() throws SQLException {
    String p = plan("SELECT val FROM s WHERE idx BETWEEN 1001 AND 1003");
    assertTrue(p.contains("MmapTableScan(table=[[mmap, s]], idx=[SEARCH($0, Sarg[[1001L:BIGINT..1003L:BIGINT]]"), p);
    assertTrue(p.contains("base=[1000]"), p);
    assertFalse(p.contains("Filter"), p);
    String agg = plan("SELECT SUM(val) FROM s WHERE idx >= 1004");
    assertTrue(agg.contains("MmapAggregate") && agg.contains("base=[1000]"), agg);
  }

  @Test void insertContinuesAtBasePlusLength() throws Exception {
    db.update("INSERT INTO s(val) VALUES (6.5)");
    TestDb.update(h2, "INSERT INTO s VALUES (1006, 6.5)");
    db.update("INSERT INTO s(idx, val) VALUES (1007, 7.5)");
    TestDb.update(h2, "INSERT INTO s VALUES (1007, 7.5)");
    db.fails("INSERT INTO s(idx, val) VALUES (8, 8.5)", "cannot insert idx 8", "the next idx is 1008",
        "nothing was inserted");
    same("SELECT idx, val FROM s ORDER BY idx");
    assertEquals(8, read(dir.resolve("s.f8")).length);
    assertEquals(7.5, read(dir.resolve("s.f8"))[7]);
  }

  @Test void updateAndDeleteTakeGlobalIdx() throws Exception {
    assertEquals(1, db.update("UPDATE s SET val = 42 WHERE idx = 1002"));
    assertEquals(0, db.update("UPDATE s SET val = 42 WHERE idx = 2"));
    assertEquals(42.0, read(dir.resolve("s.f8"))[2]);
    db.fails("DELETE FROM s WHERE idx = 1001", "idx 1001 is not part of a trailing run");
    assertEquals(2, db.update("DELETE FROM s WHERE idx >= 1004"));
    assertEquals(4, read(dir.resolve("s.f8")).length);
    TestDb.update(h2, "UPDATE s SET val = 42 WHERE idx = 1002");
    TestDb.update(h2, "DELETE FROM s WHERE idx >= 1004");
    same("SELECT idx, val FROM s ORDER BY idx");
  }

  @Test void sysMappingsShowsTheBaseAndTheCatalogKeepsIt() throws SQLException {
    assertEquals(List.of(List.of(BASE, 6L)), db.rows("SELECT base, row_count FROM sys.mappings WHERE name = 's'"));
    db.mmap("plain", "plain.f8");
    assertEquals(List.of(List.of(0L)), db.rows("SELECT base FROM sys.mappings WHERE name = 'plain'"));
    db.close();
    db = TestDb.open(dir);
    assertEquals(List.of(List.of(BASE)), db.rows("SELECT base FROM sys.mappings WHERE name = 's'"));
    same("SELECT idx, val FROM s WHERE idx = 1005");
    // the same binding again: its count; another base: refused
    assertEquals(6L, db.longValue("SELECT MMAP('s', 's.f8', 'float64', 'base=1000')"));
    db.fails("SELECT MMAP('s', 's.f8', 'float64', 'base=7')", "already mapped", "base=1000");
    db.fails("SELECT MMAP('t', 't.f8', 'float64', 'base=-1')", "base needs a whole number");
    db.fails("SELECT MMAP('t', 't.f8', 'float64', 'base=x')", "base needs a whole number");
  }
}
