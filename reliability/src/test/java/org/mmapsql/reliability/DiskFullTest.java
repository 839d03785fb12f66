package org.mmapsql.reliability;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
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
