package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Bindings live in the catalog file of the data directory, replaced
 * atomically, and come back when the directory is opened again; a binding
 * whose file has gone stays visible; the directory is locked against other
 * processes; connection properties are checked.
 */
class PersistenceTest {
  private static final String CATALOG = ".mmapsql-catalog";

  @TempDir Path dir;

  @Test void bindingsSurviveReopen() throws Exception {
    Files.createDirectory(dir.resolve("sub"));
    List<List<Object>> mappings;
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("MiXed", "mixed.mmap");
      db.mmap("b", "sub/b.mmap");
      db.mmap("gone", "gone.mmap");
      db.append("MiXed", TestDb.range(0, 10));
      db.append("b", 0.5);
      assertEquals(1L, db.longValue("SELECT UNMAP('gone')"));
      mappings = db.mappings();
    }
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(mappings, db.mappings());
      assertEquals(List.of(List.of("MiXed", "mixed.mmap", "<f8", 10L, 80L, "ok"),
          List.of("b", "sub/b.mmap", "<f8", 1L, 8L, "ok")), db.mappings());
      assertArrayEquals(TestDb.range(0, 10), db.values("mixed"));
      assertArrayEquals(new double[] {0.5}, db.values("B"));
      assertEquals(10, db.mmap("mixed", "mixed.mmap"), "MMAP of a restored binding returns its count");
      assertTrue(Files.exists(dir.resolve("gone.mmap")), "UNMAP keeps the file");
      db.fails("SELECT * FROM gone", "gone", "not found");
      // and writes after the reopen persist too
      db.append("b", 1.5);
    }
    try (TestDb db = TestDb.open(dir)) {
      assertArrayEquals(new double[] {0.5, 1.5}, db.values("b"));
    }
  }

  @Test void catalogIsReplacedAtomically() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      Object key = null;
      for (String name : List.of("a", "b", "c")) {
        db.mmap(name, name + ".mmap");
        Object next = catalogKey();
        assertNotEquals(key, next, "the catalog was rewritten in place, not replaced by a new file");
        key = next;
        assertNoTemporaryFile();
      }
      assertEquals(1L, db.longValue("SELECT UNMAP('b')"));
      assertNotEquals(key, catalogKey());
      assertNoTemporaryFile();
      String catalog = Files.readString(dir.resolve(CATALOG), StandardCharsets.UTF_8);
      assertTrue(catalog.contains("a\t<f8\t\ta.mmap"), catalog);
      assertTrue(catalog.contains("c\t<f8\t\tc.mmap"), catalog);
      assertFalse(catalog.contains("b.mmap"), catalog);
      // refused MMAPs leave the catalog alone
      Object before = catalogKey();
      db.fails("SELECT MMAP('a', 'other.mmap')", "already mapped");
      db.fails("SELECT MMAP('x', '../x.mmap')", "outside");
      assertEquals(before, catalogKey());
    }
  }

  @Test void bindingWithMissingFileIsShownAndDoesNotStopTheOthers() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("a", "a.mmap");
      db.mmap("b", "b.mmap");
      db.append("a", 1, 2, 3);
      db.append("b", 4, 5);
    }
    Files.delete(dir.resolve("a.mmap"));
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(List.of(List.of("a", "a.mmap", "<f8"), List.of("b", "b.mmap", "<f8")),
          db.mappings().stream().map(r -> r.subList(0, 3)).toList());
      List<Object> a = db.mappings().get(0);
      assertEquals("missing", a.get(5), "status of a");
      assertNull(a.get(3), "row_count of a missing file");
      assertNull(a.get(4), "file_bytes of a missing file");
      assertEquals("ok", db.mappings().get(1).get(5));
      assertArrayEquals(new double[] {4, 5}, db.values("b"));
      db.fails("SELECT * FROM a", "a.mmap", "missing");
      db.fails("SELECT COUNT(*) FROM a", "missing");
      db.fails("INSERT INTO a(val) VALUES (1)", "missing");
      db.fails("SELECT VPOP('a')", "missing");
      assertFalse(Files.exists(dir.resolve("a.mmap")), "a failed statement re-created the file");
      assertTrue(tableNames(db.conn).contains("a"), "metadata should still list the binding");
      // the file comes back: so does the table
      TestDb.writeDoubles(dir.resolve("a.mmap"), 7, 8);
      assertArrayEquals(new double[] {7, 8}, db.values("a"));
      assertEquals("ok", db.mappings().get(0).get(5));
    }
    Files.delete(dir.resolve("a.mmap"));
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(1L, db.longValue("SELECT UNMAP('a')"), "a binding with a missing file can be removed");
      assertEquals(List.of(List.of("b")), db.rows("SELECT name FROM sys.mappings"));
    }
  }

  @Test void damagedCatalogIsAClearErrorAndIsKept() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("a", "a.mmap");
    }
    Path catalog = dir.resolve(CATALOG);
    Files.writeString(catalog, "this line has no tabs\n", StandardOpenOption.APPEND);
    String damaged = Files.readString(catalog);
    SQLException e = assertThrows(SQLException.class, () -> TestDb.open(dir).close());
    TestDb.assertMessage(e, "catalog", "damaged", "this line has no tabs");
    assertEquals(damaged, Files.readString(catalog), "a failed open must not rewrite the catalog");
    // and the failed open did not leave the directory locked or half open
    Files.writeString(catalog, damaged.replace("this line has no tabs\n", ""));
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(List.of(List.of("a")), db.rows("SELECT name FROM sys.mappings"));
    }
  }

  // ------------------------------------------------------------ the directory lock

  @Test void secondProcessIsToldWhoHoldsTheDirectory() throws Exception {
    long me = ProcessHandle.current().pid();
    try (TestDb db = TestDb.open(dir); Connection second = db.connect()) {
      String line = DirectoryHolder.tryOpen(dir);
      assertTrue(line != null && line.startsWith("FAILED:"), "child opened a locked directory: " + line);
      TestDb.assertMessage(new Exception(line), "in use by another process", "pid " + me);
      second.close();
      // still held by the first connection of this JVM
      assertTrue(DirectoryHolder.tryOpen(dir).startsWith("FAILED:"), "lock dropped with one of two connections");
    }
    assertEquals("OPENED", DirectoryHolder.tryOpen(dir), "lock kept after the last connection closed");
  }

  @Test void thisProcessIsToldWhoHoldsTheDirectory() throws Exception {
    Process holder = DirectoryHolder.start("hold", dir);
    try (BufferedReader out = DirectoryHolder.reader(holder)) {
      assertEquals("READY", out.readLine());
      SQLException e = assertThrows(SQLException.class, () -> TestDb.open(dir).close());
      TestDb.assertMessage(e, "in use by another process", "pid " + holder.pid());
      holder.getOutputStream().close(); // let it close the directory and exit
      assertEquals("OPENED", out.readLine());
      assertTrue(holder.waitFor(60, TimeUnit.SECONDS));
    } finally {
      holder.destroyForcibly();
    }
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(List.of(), db.mappings());
    }
  }

  // ------------------------------------------------------------ connection properties

  @Test void maxMappingsIsEnforced() throws Exception {
    try (TestDb db = TestDb.open(dir, ";maxMappings=3")) {
      for (String n : List.of("a", "b", "c")) {
        db.mmap(n, n + ".mmap");
      }
      DirState before = DirState.of(dir);
      db.fails("SELECT MMAP('d', 'd.mmap')", "too many mappings", "3", "maxMappings");
      assertEquals(before, DirState.of(dir), "a refused MMAP created a file or touched the catalog");
      assertEquals(0, db.mmap("a", "a.mmap"), "binding an existing name again is not a new mapping");
      assertEquals(1L, db.longValue("SELECT UNMAP('b')"));
      assertEquals(0, db.mmap("d", "d.mmap"));
      db.fails("SELECT MMAP('e', 'e.mmap')", "too many mappings");
    }
  }

  @Test void badMaxMappingsIsRefused() {
    for (String bad : List.of("0", "-1", "abc")) {
      SQLException e = assertThrows(SQLException.class, () -> TestDb.open(dir, ";maxMappings=" + bad).close());
      TestDb.assertMessage(e, "maxMappings");
    }
  }

  @Test void durabilitySyncIsAcceptedAndWrites() throws Exception {
    try (TestDb db = TestDb.open(dir, ";durability=sync")) {
      db.mmap("a", "a.mmap");
      db.append("a", 1, 2);
      assertEquals(1, db.update("UPDATE a SET val = 5 WHERE idx = 0"));
      assertEquals(2.0, db.scalar("SELECT VPOP('a')"));
      assertArrayEquals(new double[] {5}, TestDb.readDoubles(dir.resolve("a.mmap")));
      Properties info = new Properties();
      info.setProperty("durability", "SYNC");
      try (Connection c = TestDb.connect(dir, info)) {
        assertEquals(1, TestDb.update(c, "INSERT INTO a(val) VALUES (6)"));
      }
      assertArrayEquals(new double[] {5, 6}, TestDb.readDoubles(dir.resolve("a.mmap")));
    }
    try (TestDb db = TestDb.open(dir, ";durability=async")) {
      assertArrayEquals(new double[] {5, 6}, db.values("a"));
    }
  }

  @Test void badDurabilityIsRefusedAndReleasesTheDirectory() throws Exception {
    SQLException e = assertThrows(SQLException.class, () -> TestDb.open(dir, ";durability=bogus").close());
    TestDb.assertMessage(e, "durability", "bogus");
    Properties info = new Properties();
    info.setProperty("durability", "fsync-please");
    e = assertThrows(SQLException.class, () -> TestDb.connect(dir, info).close());
    TestDb.assertMessage(e, "durability", "fsync-please");
    assertEquals("OPENED", DirectoryHolder.tryOpen(dir), "a refused connection left the directory locked");
  }

  // ------------------------------------------------------------ helpers

  private Object catalogKey() throws IOException {
    return Files.readAttributes(dir.resolve(CATALOG), BasicFileAttributes.class).fileKey();
  }

  private void assertNoTemporaryFile() {
    List<String> names = TestDb.listing(dir);
    assertTrue(names.contains(CATALOG), names::toString);
    assertTrue(names.stream().noneMatch(n -> n.startsWith(CATALOG) && !n.equals(CATALOG)),
        () -> "temporary catalog left behind: " + names);
  }

  private static List<String> tableNames(Connection c) throws SQLException {
    return TestDb.drain(c.getMetaData().getTables(null, "mmap", null, null)).stream()
        .map(r -> (String) r.get(2)).toList();
  }
}
