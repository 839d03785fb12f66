package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.ResultSet;
import java.sql.Statement;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real numpy on both sides (skipped, saying so, where python3 with numpy is
 * missing): numpy writes every dtype 1-D and 2-D, raw and .npy
 * ({@code numpy/interop.py}); mmapsql reads each value as numpy sees it,
 * updates row 0 and appends a copy of row 1; numpy reads the files back.
 */
class NumpyInteropTest {
  @TempDir Path dir;

  private static String python(Path script, String command, Path dir) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("python3", script.toString(), command, dir.toString())
        .redirectErrorStream(true).start();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new AssertionError("python3 " + command + " did not finish in 120 s");
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertEquals(0, p.exitValue(), "python3 " + command + ": " + out);
    return out;
  }

  private static boolean numpyPresent() {
    try {
      Process p = new ProcessBuilder("python3", "-c", "import numpy").redirectErrorStream(true).start();
      return p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  @Test void numpyWritesMmapsqlReadsUpdatesAppendsNumpyReadsBack() throws Exception {
    Assumptions.assumeTrue(numpyPresent(), "skipped: python3 with numpy is not installed here");
    Path script = dir.resolve("interop.py");
    try (var in = getClass().getResourceAsStream("/numpy/interop.py")) {
      Files.copy(in, script);
    }
    Path data = Files.createDirectory(dir.resolve("data"));
    python(script, "write", data);
    List<String> manifest = Files.readAllLines(data.resolve("manifest.tsv"));
    assertEquals(16 * 4, manifest.size());
    try (TestDb db = TestDb.open(data)) {
      for (String line : manifest) {
        String[] f = line.split("\t", -1);
        String name = f[0];
        String dtype = f[4];
        db.scalar("SELECT MMAP(?, ?, ?, ?)", name, f[1], f[2], f[3]);
        String[] rows = f[6].split("\\|", -1);
        try (Statement s = db.conn.createStatement();
             ResultSet rs = s.executeQuery("SELECT * FROM " + name + " ORDER BY idx")) {
          for (String row : rows) {
            rs.next();
            String[] cells = row.split(",", -1);
            for (int c = 0; c < cells.length; c++) {
              assertSame(dtype, cells[c], rs, c + 2, name + " idx " + rs.getLong(1) + " column " + c);
            }
          }
        }
        List<String> names = columns(db, name);
        assertEquals(1, db.update("UPDATE " + name + " SET " + names.get(0) + " = " + f[5] + " WHERE idx = 0"), name);
        String cols = String.join(", ", names);
        assertEquals(1, db.update("INSERT INTO " + name + "(" + cols + ") SELECT " + cols + " FROM " + name
            + " WHERE idx = 1"), name);
      }
    }
    assertEquals("OK", python(script, "check", data));
  }

  /** The value columns of a table: val, or c0, c1, ... */
  private static List<String> columns(TestDb db, String table) throws Exception {
    try (Statement s = db.conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT * FROM " + table + " WHERE idx < 0")) {
      List<String> out = new java.util.ArrayList<>();
      for (int i = 2; i <= rs.getMetaData().getColumnCount(); i++) {
        out.add(rs.getMetaData().getColumnName(i));
      }
      return out;
    }
  }

  /** One value as mmapsql returns it against numpy's rendering of it (see cell() in interop.py). */
  private static void assertSame(String dtype, String numpy, ResultSet rs, int col, String where) throws Exception {
    String kind = dtype.replaceAll("[<>=|]", "");
    if (kind.startsWith("M8")) {
      assertEquals(numpy.equals("NaT") ? null : numpy, rs.getString(col), where);
    } else if (kind.startsWith("S")) {
      assertEquals(numpy, rs.getString(col).stripTrailing(), where);
    } else if (kind.equals("?")) {
      assertEquals(Boolean.parseBoolean(numpy.toLowerCase()), rs.getBoolean(col), where);
    } else if (kind.equals("f16")) {
      String[] ratio = numpy.split("/");
      BigDecimal exact = new BigDecimal(new BigInteger(ratio[0])).divide(new BigDecimal(new BigInteger(ratio[1])),
          MathContext.UNLIMITED);
      assertEquals(0, exact.compareTo(rs.getBigDecimal(col)), where + ": " + rs.getBigDecimal(col));
    } else if (kind.startsWith("f")) {
      assertEquals(Double.parseDouble(numpy.replace("inf", "Infinity")), rs.getDouble(col), where);
    } else {
      assertEquals(new BigDecimal(numpy), rs.getBigDecimal(col), where);
    }
  }
}
