package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.mmapsql.plan.DirectExecution;

/**
 * The point update through a reused PreparedStatement (written with pwrite,
 * see {@code InPlaceWriter}): another program that mapped the file before sees
 * each value as soon as executeUpdate returns, on a raw file and after a .npy
 * header, and a row another program cut off is not written, nor the file grown.
 */
class PointUpdateTest {
  @TempDir Path dir;
  private TestDb db;

  @BeforeEach void setUp() throws SQLException {
    db = TestDb.open(dir);
  }

  @AfterEach void tearDown() throws SQLException {
    db.close();
  }

  @Test void numpyThatMappedTheFileBeforeSeesEachPointUpdateAtOnce() throws Exception {
    assumeNumpy();
    Path raw = dir.resolve("r.f8");
    Path npy = dir.resolve("n.npy");
    python("import numpy; numpy.arange(50000.0).tofile(r'" + raw + "'); numpy.save(r'" + npy
        + "', numpy.arange(50000.0))");
    assertEquals(50000, db.mmap("r", "r.f8"));
    assertEquals(50000, db.mmap("n", "n.npy"));
    // numpy maps both files once, then reads the asked row through those same mappings each time
    Process p = new ProcessBuilder("python3", "-u", "-c", String.join("\n",
        "import sys, numpy",
        "m = {'r': numpy.memmap(r'" + raw + "', dtype='<f8', mode='r'),",
        "     'n': numpy.lib.format.open_memmap(r'" + npy + "', mode='r')}",
        "print(m['r'][7], m['n'][7], flush=True)",
        "for line in sys.stdin:",
        "    t, i = line.split()",
        "    print(repr(float(m[t][int(i)])), flush=True)")).redirectErrorStream(true).start();
    try (PrintWriter ask = new PrintWriter(new OutputStreamWriter(p.getOutputStream(), StandardCharsets.UTF_8), true);
        BufferedReader answer = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      assertEquals("7.0 7.0", answer.readLine(), "numpy mapped both files");
      long direct = DirectExecution.directRuns();
      for (String t : new String[] {"r", "n"}) {
        try (PreparedStatement u = db.conn.prepareStatement("UPDATE " + t + " SET val = ? WHERE idx = ?")) {
          for (long i : new long[] {0, 4095, 4096, 31_337, 49_999}) {
            double v = -(i + 0.25);
            u.setDouble(1, v);
            u.setLong(2, i);
            assertEquals(1, u.executeUpdate());
            ask.println(t + " " + i);
            assertEquals(String.valueOf(v), answer.readLine(), t + " row " + i + " as numpy's mapping has it");
          }
        }
      }
      assertTrue(DirectExecution.directRuns() >= direct + 10, "the point updates ran directly");
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
    assertEquals(50000L * 8, Files.size(raw));
    assertEquals(-31_337.25, db.scalar("SELECT val FROM n WHERE idx = 31337"));
    assertEquals(-4096.25, db.scalar("SELECT val FROM r WHERE idx = 4096"));
  }

  @Test void aPointUpdateOfARowAnotherProgramCutOffWritesNothingAndNeverGrowsTheFile() throws Exception {
    Path f = dir.resolve("c.f8");
    TestDb.writeDoubles(f, TestDb.range(0, 1000));
    assertEquals(1000, db.mmap("c", "c.f8"));
    try (PreparedStatement u = db.conn.prepareStatement("UPDATE c SET val = ? WHERE idx = ?")) {
      u.setDouble(1, 5.5);
      u.setLong(2, 900);
      assertEquals(1, u.executeUpdate());
      try (FileChannel other = FileChannel.open(f, StandardOpenOption.WRITE)) {
        other.truncate(600 * 8);
      }
      assertEquals(0, u.executeUpdate(), "row 900 is gone: nothing to update");
      assertEquals(600L * 8, Files.size(f), "not grown back");
      u.setLong(2, 599);
      assertEquals(1, u.executeUpdate());
      assertEquals(600L * 8, Files.size(f));
    }
    assertEquals(600L, ((Number) db.scalar("SELECT COUNT(*) FROM c")).longValue());
    assertEquals(5.5, db.scalar("SELECT val FROM c WHERE idx = 599"));
  }

  @Test void aPointUpdateAfterAnotherProgramReplacedTheFileWritesTheNewOne() throws Exception {
    Path f = dir.resolve("x.f8");
    TestDb.writeDoubles(f, TestDb.range(0, 100));
    assertEquals(100, db.mmap("x", "x.f8"));
    try (PreparedStatement u = db.conn.prepareStatement("UPDATE x SET val = ? WHERE idx = ?")) {
      u.setDouble(1, -1.5);
      u.setLong(2, 10);
      assertEquals(1, u.executeUpdate());
      Path next = dir.resolve("x.new");
      TestDb.writeDoubles(next, TestDb.range(1000, 1200));
      Files.move(next, f, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      u.setLong(2, 150); // a row only the new file has
      assertEquals(1, u.executeUpdate());
    }
    double[] now = TestDb.readDoubles(f);
    assertEquals(200, now.length);
    assertEquals(-1.5, now[150]);
    assertEquals(1010.0, now[10], "the old file's update stays in the old file");
    assertEquals(-1.5, db.scalar("SELECT val FROM x WHERE idx = 150"));
  }

  private static void assumeNumpy() throws Exception {
    int rc;
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      p.getInputStream().readAllBytes();
      rc = p.waitFor(60, TimeUnit.SECONDS) ? p.exitValue() : -1;
    } catch (IOException e) {
      rc = -1;
    }
    Assumptions.assumeTrue(rc == 0, "skipped: python3 with numpy is not installed here");
  }

  private static void python(String code) throws Exception {
    Process p = new ProcessBuilder("python3", "-c", code).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "python did not finish");
    assertEquals(0, p.exitValue(), () -> "python failed: " + out);
  }
}
