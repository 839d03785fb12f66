package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A data directory on a 2 MB tmpfs that fills up: an append that does not fit
 * fails with a clear error and appends nothing, what was written stays as it
 * was, and once space is freed appends work again. Needs permission to mount
 * (root, as CI runs); skipped with a message where the machine refuses.
 */
class DiskFullTest {
  @TempDir Path dir;
  private Path disk;
  private boolean mounted;

  @BeforeEach void mount() throws Exception {
    disk = Files.createDirectories(dir.resolve("disk"));
    mounted = sh("mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", disk.toString()) == 0;
    Assumptions.assumeTrue(mounted, "cannot mount a tmpfs here (not root?): the full-disk test is skipped");
  }

  @AfterEach void unmount() throws Exception {
    if (mounted) {
      sh("umount", "-l", disk.toString());
    }
  }

  @Test void aFullDiskFailsAppendsCleanlyAndFreeingSpaceRecovers() throws Exception {
    Path data = Files.createDirectories(disk.resolve("data"));
    Path filler = disk.resolve("filler");
    Files.write(filler, new byte[1 << 20]); // half the disk
    int batch = 1000;
    long rows = 0;
    SQLException full = null;
    try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('f', 'f.f8')").close();
      Raw.write(data.resolve("src.f8"), expected(batch, batch));
      s.executeQuery("SELECT MMAP('src', 'src.f8')").close();
      String insert = "INSERT INTO f(val) SELECT val FROM src";
      for (int i = 0; i < 1000 && full == null; i++) {
        try {
          assertEquals(batch, s.executeUpdate(insert));
          rows += batch;
        } catch (SQLException e) {
          full = e;
        }
      }
      assertTrue(full != null, "the disk never filled");
      assertTrue(full.getMessage().contains("No space left on device") && full.getMessage().contains("f.f8")
          && full.getMessage().contains("nothing appended"), full.getMessage());
      // nothing written is damaged; updates in place still work
      assertEquals(rows, count(s));
      assertEquals(0, Files.size(data.resolve("f.f8")) % 8);
      assertArrayEquals(expected(rows, batch), Raw.doubles(data.resolve("f.f8")));
      assertEquals(batch, s.executeUpdate("UPDATE f SET val = val WHERE idx < " + batch));
      // space freed: appends work again
      Files.delete(filler);
      assertEquals(batch, s.executeUpdate(insert));
      rows += batch;
      assertEquals(rows, count(s));
      assertArrayEquals(expected(rows, batch), Raw.doubles(data.resolve("f.f8")));
    }
    Figures.record("DiskFullTest", "rows appended before the disk was full", rows - batch);
  }

  /**
   * A point UPDATE into a hole of a sparse file on a full disk, on either
   * path: pwrite (a row inside the file) and a store through the writable
   * mapping (the file's last row always goes that way; a store into a hole
   * the disk has no room for faults). Both fail with the same error, which
   * says the disk is full and that nothing changed, and the file keeps its
   * values. On an 8 MB ext4 (a loop device, 4 KB blocks, none reserved for root):
   * tmpfs allocates a page to read a hole through a mapping too, so there the
   * UPDATE cannot even read the row.
   */
  @Test void aPointUpdateIntoAHoleOnAFullDiskSaysSoOnEitherPath() throws Exception {
    Path image = dir.resolve("ext4.img");
    Path ext4 = Files.createDirectories(dir.resolve("ext4"));
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(image.toFile(), "rw")) {
      f.setLength(8 << 20);
    }
    Assumptions.assumeTrue(sh("mkfs.ext4", "-q", "-F", "-m", "0", "-b", "4096", image.toString()) == 0
        && sh("mount", "-o", "loop", image.toString(), ext4.toString()) == 0,
        "cannot mount an ext4 image here (no loop devices, not root?): the test is skipped");
    try {
      Path data = Files.createDirectories(ext4.resolve("data"));
      Path file = data.resolve("f.f8");
      long rows = 4 << 20; // 32 MB on an 8 MB disk: a sparse file, all holes but its first block
      try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(file.toFile(), "rw")) {
        f.setLength(rows * 8);
        f.write(new byte[] {0, 0, 0, 0, 0, 0, (byte) 0xf0, 0x3f}); // row 0 = 1.0 (little-endian)
      }
      try (Connection c = DriverManager.getConnection("jdbc:mmap:" + data); Statement s = c.createStatement()) {
        s.executeQuery("SELECT MMAP('f', 'f.f8')").close();
        fill(ext4.resolve("filler"));
        SQLException pwrite = assertThrows(SQLException.class,
            () -> s.executeUpdate("UPDATE f SET val = 2 WHERE idx = 2000000"));
        SQLException store = assertThrows(SQLException.class,
            () -> s.executeUpdate("UPDATE f SET val = 2 WHERE idx = " + (rows - 1)));
        for (SQLException e : List.of(pwrite, store)) {
          assertEquals("58030", e.getSQLState(), e.getMessage());
          assertTrue(e.getMessage().contains("No space left on device")
              && e.getMessage().contains("nothing changed") && e.getMessage().contains("f.f8"), e.getMessage());
        }
        assertEquals(pwrite.getMessage(), store.getMessage().replace("idx = " + (rows - 1), "idx = 2000000"));
        try (ResultSet rs = s.executeQuery("SELECT val FROM f WHERE idx IN (0, 2000000, " + (rows - 1)
            + ") ORDER BY idx")) {
          assertTrue(rs.next() && rs.getDouble(1) == 1.0);
          assertTrue(rs.next() && rs.getDouble(1) == 0.0);
          assertTrue(rs.next() && rs.getDouble(1) == 0.0);
        }
      }
    } finally {
      sh("umount", "-l", ext4.toString());
    }
  }

  /**
   * Writes to {@code filler} until the disk is full, forcing it between
   * rounds: ext4 gives back blocks it reserved for writes not yet allocated.
   */
  private static void fill(Path filler) throws IOException {
    java.nio.ByteBuffer block = java.nio.ByteBuffer.allocate(4096);
    try (java.nio.channels.FileChannel out = java.nio.channels.FileChannel.open(filler,
        java.nio.file.StandardOpenOption.CREATE, java.nio.file.StandardOpenOption.WRITE)) {
      for (int round = 0; round < 20; round++) {
        int written = 0;
        while (true) {
          try {
            out.write(block.clear(), out.size());
            written++;
          } catch (IOException e) {
            if (!String.valueOf(e.getMessage()).contains("No space left")) {
              throw e;
            }
            break;
          }
        }
        try {
          out.force(true);
        } catch (IOException e) {
          // the last block may not fit either
        }
        if (written == 0) {
          return;
        }
      }
    }
  }

  private static double[] expected(long rows, int batch) {
    double[] v = new double[(int) rows];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % batch + 0.25;
    }
    return v;
  }

  private static long count(Statement s) throws SQLException {
    try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM f")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static int sh(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    if (!p.waitFor(30, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return -1;
    }
    if (p.exitValue() != 0) {
      System.out.println(String.join(" ", cmd) + ": " + out);
    }
    return p.exitValue();
  }
}
