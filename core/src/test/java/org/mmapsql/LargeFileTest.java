package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file larger than 2 GiB (sparse: 2.5 GiB of which only a few pages are
 * written) counts, reads, updates, appends and pops correctly, also at
 * positions whose byte offset is beyond 2^31.
 */
class LargeFileTest {
  private static final long BYTES = 5L << 29;           // 2.5 GiB
  private static final long N = BYTES / 8;               // 335,544,320 elements
  private static final long AT_2GIB = (1L << 31) / 8;    // the first element at byte 2^31

  @TempDir Path dir;
  private Path file;
  private TestDb db;
  /** The values written at known positions; everything else reads as 0. */
  private final Map<Long, Double> known = new TreeMap<>(Map.of(
      0L, 1.5, AT_2GIB - 1, 2.5, AT_2GIB, 3.5, AT_2GIB + 5, 4.5, N - 2, 6.5, N - 1, 5.5));

  @BeforeEach void setUp() throws IOException, SQLException {
    file = dir.resolve("large.mmap");
    long free = Files.getFileStore(dir).getUsableSpace();
    Assumptions.assumeTrue(free > (512L << 20), "not enough free space for a sparse 2.5 GiB file: " + free);
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
      raf.setLength(BYTES);
    }
    long used = free - Files.getFileStore(dir).getUsableSpace();
    if (used > (1L << 30)) {
      Files.delete(file);
      Assumptions.abort("the file system of " + dir + " does not make sparse files (2.5 GiB took "
          + used + " bytes)");
    }
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      for (Map.Entry<Long, Double> e : known.entrySet()) {
        TestDb.writeAt(ch, e.getKey(), e.getValue());
      }
    }
    db = TestDb.open(dir);
  }

  @AfterEach void tearDown() throws SQLException, IOException {
    if (db != null) {
      db.close();
    }
    Files.deleteIfExists(file);
  }

  private double at(long idx) throws SQLException {
    return ((Number) db.scalar("SELECT val FROM big WHERE idx = ?", idx)).doubleValue();
  }

  @Test void countsAndReadsBeyondTwoGiB() throws SQLException {
    assertEquals(N, db.mmap("big", "large.mmap"));
    assertEquals(N, db.count("big"));
    assertEquals(List.of(List.of("big", "large.mmap", "<f8", N, BYTES, "ok")), db.mappings());
    for (Map.Entry<Long, Double> e : known.entrySet()) {
      assertEquals(e.getValue(), at(e.getKey()), "idx " + e.getKey());
    }
    assertEquals(0.0, at(AT_2GIB + 1));
    assertEquals(0.0, at(N / 2));
    assertEquals(List.of(), db.rows("SELECT val FROM big WHERE idx = ?", N));
    // several at once, and ranges across the 2 GiB boundary and at the end
    List<List<Object>> rows = db.rows("SELECT idx, val FROM big WHERE idx IN (?, ?, ?, ?, ?, ?) ORDER BY idx",
        known.keySet().toArray());
    assertEquals(known.entrySet().stream().map(e -> List.<Object>of(e.getKey(), e.getValue())).toList(), rows);
    assertEquals(List.of(List.of(AT_2GIB - 1, 2.5), List.of(AT_2GIB, 3.5), List.of(AT_2GIB + 1, 0.0)),
        db.rows("SELECT idx, val FROM big WHERE idx BETWEEN ? AND ? ORDER BY idx", AT_2GIB - 1, AT_2GIB + 1));
    assertEquals(12.0, db.scalar("SELECT SUM(val) FROM big WHERE idx >= ?", N - 10));
    assertEquals(N - AT_2GIB, db.longValue("SELECT COUNT(*) FROM big WHERE idx >= ?", AT_2GIB));
    assertEquals(4.5, db.scalar("SELECT MAX(val) FROM big WHERE idx > ? AND idx < ?", AT_2GIB, AT_2GIB + 4096));
  }

  @Test void writesAppendsAndPopsBeyondTwoGiB() throws SQLException, IOException {
    db.mmap("big", "large.mmap");
    assertEquals(1, db.update("UPDATE big SET val = val + 10 WHERE idx = ?", AT_2GIB + 5));
    assertEquals(2, db.update("UPDATE big SET val = -1 WHERE idx IN (?, ?)", AT_2GIB + 7, N - 2));
    assertEquals(14.5, at(AT_2GIB + 5));
    assertEquals(-1.0, readRaw(AT_2GIB + 7), "written to the file at its byte offset");
    assertEquals(-1.0, readRaw(N - 2));

    db.append("big", 7.5, 8.5, 9.5);
    assertEquals(N + 3, db.count("big"));
    assertEquals(BYTES + 24, Files.size(file));
    assertEquals(List.of(List.of(N - 1, 5.5), List.of(N, 7.5), List.of(N + 1, 8.5), List.of(N + 2, 9.5)),
        db.rows("SELECT idx, val FROM big WHERE idx >= ? ORDER BY idx", N - 1));
    assertEquals(9.5, db.scalar("SELECT VPOP('big')"));
    assertEquals(N + 2, db.count("big"));
    assertEquals(2, db.update("DELETE FROM big WHERE idx >= ?", N));
    assertEquals(BYTES, Files.size(file));
    assertEquals(5.5, db.scalar("SELECT VPOP('big')"));
    assertEquals(N - 1, db.count("big"));
  }

  private double readRaw(long idx) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer b = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(b, idx * 8);
      return b.flip().getDouble();
    }
  }
}
