package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Opening a data directory opens none of its bindings' files: each is opened
 * on first use, with the same checks and the same errors as before, whatever
 * happened to it between the connection and that use.
 */
class LazyOpeningTest {
  @TempDir Path dir;

  @Test void connectingOpensNoFileAndAStatementOpensOnlyItsOwn() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("a", "a.f8");
      db.mmap("b", "b.f8");
      db.append("a", 1, 2, 3);
      db.append("b", 4);
    }
    assertEquals(List.of(), openFiles(), "the directory is closed");
    try (TestDb db = TestDb.open(dir)) {
      assertEquals(List.of(), openFiles(), "a connection opened data files");
      assertEquals(3L, db.longValue("SELECT COUNT(*) FROM a"));
      assertEquals(List.of("a.f8"), openFiles());
      assertArrayEquals(new double[] {4}, db.values("b"));
      assertEquals(List.of("a.f8", "b.f8"), openFiles());
    }
  }

  @Test void aFileDeletedBetweenConnectingAndFirstUseGivesTheMissingFileErrors() throws Exception {
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("a", "a.f8");
      db.append("a", 1, 2, 3);
    }
    try (TestDb db = TestDb.open(dir)) {
      Files.delete(dir.resolve("a.f8"));
      db.fails("SELECT * FROM a", "a.f8", "missing");
      db.fails("SELECT COUNT(*) FROM a", "missing");
      db.fails("INSERT INTO a(val) VALUES (1)", "missing");
      assertFalse(Files.exists(dir.resolve("a.f8")), "a failed statement re-created the file");
      assertEquals("missing", db.mappings().get(0).get(5));
      TestDb.writeDoubles(dir.resolve("a.f8"), 7, 8);
      assertArrayEquals(new double[] {7, 8}, db.values("a"));
    }
  }

  @Test void aNpyHeaderChangedBetweenConnectingAndFirstUseIsRefused() throws Exception {
    Path npy = dir.resolve("n.npy");
    writeNpy(npy, "<f8", 2);
    try (TestDb db = TestDb.open(dir)) {
      db.mmap("n", "n.npy");
      assertEquals(2L, db.longValue("SELECT COUNT(*) FROM n"));
    }
    try (TestDb db = TestDb.open(dir)) {
      writeNpy(npy, "<i4", 4); // another program rewrote it: same size, another dtype
      db.fails("SELECT COUNT(*) FROM n", "now says <i4", "bound as <f8", "UNMAP and MMAP it again");
      assertTrue(String.valueOf(db.mappings().get(0).get(5)).contains("now says <i4"));
    }
  }

  /** The files of {@link #dir} this process has open, by name (Linux: {@code /proc/self/fd}). */
  private List<String> openFiles() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.map(fd -> {
        try {
          return Files.readSymbolicLink(fd);
        } catch (IOException e) {
          return null; // closed while listed
        }
      }).filter(p -> p != null && dir.toAbsolutePath().equals(p.getParent())
          && !p.getFileName().toString().startsWith(".mmapsql"))
          .map(p -> p.getFileName().toString()).distinct().sorted().toList();
    }
  }

  /** A version 1.0 .npy of {@code n} zeros of {@code descr}, 16 bytes of data for both types used here. */
  private static void writeNpy(Path file, String descr, int n) throws IOException {
    String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': (" + n + ",), }";
    int len = 128 - 10;
    String header = dict + " ".repeat(len - dict.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(128 + 16).order(ByteOrder.LITTLE_ENDIAN);
    b.put((byte) 0x93).put("NUMPY".getBytes(StandardCharsets.US_ASCII)).put((byte) 1).put((byte) 0);
    b.putShort((short) len).put(header.getBytes(StandardCharsets.US_ASCII));
    Files.write(file, b.array());
  }
}
