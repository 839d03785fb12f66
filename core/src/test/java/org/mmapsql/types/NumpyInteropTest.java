package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Real numpy on both sides (skipped, saying why, where python3 has no numpy):
 * numpy writes every type, 1-D and 2-D, with np.save and tofile; mmapsql
 * reads them (compared with the values numpy prints), updates, appends and
 * truncates them; numpy loads them again ({@code np.load(mmap_mode='r')},
 * {@code np.fromfile}) and checks dtype, shape and bytes.
 */
class NumpyInteropTest {
  @TempDir Path dir;
  private Connection c;

  @BeforeAll static void numpy() {
    Numpy.assumeAvailable();
  }

  @BeforeEach void open() throws SQLException {
    c = DriverManager.getConnection("jdbc:mmap:" + dir);
  }

  @AfterEach void close() throws SQLException {
    c.close();
  }

  static Stream<Dtype> types() {
    List<Dtype> t = new ArrayList<>(Dtype.all());
    t.addAll(List.of(Dtype.i(4).big(), Dtype.u(8).big(), Dtype.f(2).big(), Dtype.f(8).big(), Dtype.m8("ns").big()));
    return t.stream();
  }

  /** The test's own bytes (Dtype, Npy) are what numpy writes and reads: the oracle of NumpyBytesTest checked. */
  @Test void theTestsOwnEncodingIsNumpys() throws Exception {
    StringBuilder checks = new StringBuilder();
    for (Dtype t : Dtype.allBothOrders()) {
      List<Object> v = t.sample(5, 12);
      byte[] data = t.encode(v);
      Path npy = dir.resolve(t.fileStem() + ".npy");
      Files.write(npy, Npy.file(1, t.descr(), new long[] {12}, data));
      checks.append(Numpy.check(npy, t, 1, true, v));
      Path npy2 = dir.resolve(t.fileStem() + "_2d.npy");
      Files.write(npy2, Npy.file(1, t.descr(), new long[] {4, 3}, data));
      checks.append(Numpy.check(npy2, t, 2, true, v));
      Path empty = dir.resolve(t.fileStem() + "_0.npy");
      Files.write(empty, Npy.file(1, t.descr(), new long[] {0}, new byte[0]));
      checks.append(Numpy.check(empty, t, 1, true, List.of()));
      for (int version : new int[] {2, 3}) {
        Path v23 = dir.resolve(t.fileStem() + "_v" + version + ".npy");
        Files.write(v23, Npy.file(version, t.descr(), new long[] {12}, data));
        checks.append(Numpy.check(v23, t, 1, false, v));
      }
      Path raw = dir.resolve(t.fileStem() + ".raw");
      Files.write(raw, data);
      checks.append(Numpy.check(raw, t, 1, false, v));
    }
    check(checks.toString());
  }

  /**
   * numpy writes every type (one python run for all); mmapsql reads, updates,
   * appends; numpy loads and checks (one run); mmapsql truncates; numpy checks
   * again. A type whose SQL steps fail is reported and left out of numpy's
   * checks, so that one type's failure does not hide the others'.
   */
  @Test void numpyWritesMmapsqlReadsAndWritesNumpyReadsBack() throws Exception {
    List<Dtype> types = types().toList();
    List<String> args = new ArrayList<>(List.of(dir.toString()));
    for (Dtype t : types) {
      args.add(t.descr());
      args.add(t.fileStem());
    }
    Map<String, List<Object>> written = new HashMap<>();
    for (String line : Numpy.run(dir, Numpy.WRITER, args.toArray(String[]::new)).split("\n")) {
      String stem = line.substring(0, line.indexOf(' '));
      Dtype t = types.stream().filter(d -> d.fileStem().equals(stem)).findFirst().orElseThrow();
      written.put(stem, Numpy.parseAll(t, line.substring(stem.length() + 1)));
    }
    List<String> failures = new ArrayList<>();
    StringBuilder afterWrites = new StringBuilder();
    StringBuilder afterTruncation = new StringBuilder();
    List<String> done = new ArrayList<>();
    for (int n = 0; n < types.size(); n++) {
      Dtype t = types.get(n);
      String stem = t.fileStem();
      try {
        List<Object>[] expected = readUpdateAppend(t, stem, "t" + n + "_", written.get(stem));
        afterWrites.append(lines(stem, t, expected[0], expected[1]));
        afterTruncation.append(lines(stem, t, expected[0].subList(0, 2), expected[1].subList(0, 6)));
        done.add("t" + n + "_");
      } catch (AssertionError | SQLException e) {
        failures.add(t + ": " + e.getMessage());
      }
    }
    // numpy sees the new lengths and values as soon as the statements have returned
    numpyChecks(afterWrites, failures);
    for (String p : done) {
      for (String table : List.of("a1", "r1", "a2", "r2")) {
        Sql.update(c, "DELETE FROM " + p + table + " WHERE idx >= 2");
      }
    }
    numpyChecks(afterTruncation, failures);
    assertTrue(failures.isEmpty(), () -> failures.size() + " failures (" + types.size() + " types):\n"
        + String.join("\n", failures));
  }

  private void numpyChecks(CharSequence lines, List<String> failures) throws Exception {
    if (lines.length() == 0) {
      return;
    }
    try {
      check(lines.toString());
    } catch (AssertionError e) {
      failures.add("numpy: " + e.getMessage());
    }
  }

  /**
   * Reads what numpy wrote through four bindings (1-D and 2-D, .npy and raw),
   * updates one element and appends. Returns the expected contents {1-D, 2-D}.
   */
  @SuppressWarnings("unchecked")
  private List<Object>[] readUpdateAppend(Dtype t, String stem, String p, List<Object> v) throws Exception {
    assertEquals(12, v.size());
    assertEquals(12, Sql.mmap(c, p + "a1", stem + ".npy", null, null), "MMAP of the .npy");
    assertEquals(12, Sql.mmap(c, p + "r1", stem + ".raw", t.mmapType(), null), "MMAP of the raw file");
    assertEquals(4, Sql.mmap(c, p + "a2", stem + "_2d.npy", null, null), "MMAP of the 2-D .npy");
    assertEquals(4, Sql.mmap(c, p + "r2", stem + "_2d.raw", t.mmapType(), "columns=3"), "MMAP of the 2-D raw file");
    List<List<Object>> rows1 = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      rows1.add(java.util.Arrays.asList((long) i, v.get(i)));
    }
    for (String table : List.of("a1", "r1")) {
      assertEquals(rows1, Sql.typedRows(c, "SELECT idx, val FROM " + p + table + " ORDER BY idx", 1, t),
          "what numpy wrote, read through " + table);
    }
    for (String table : List.of("a2", "r2")) {
      assertEquals(NumpyBytesTest.rows2d(v, 3), Sql.typedRows(c, "SELECT idx, c0, c1, c2 FROM " + p + table
          + " ORDER BY idx", 1, t), "what numpy wrote, read through " + table);
    }
    // two values that SQL literals can express
    List<Object> writable = v.stream().filter(x -> x != null && Dtype.literalAble(x)).toList();
    Object x = writable.get(writable.size() - 1);
    Object y = writable.get(writable.size() - 2);
    for (String table : List.of("a1", "r1")) {
      assertEquals(1, Sql.update(c, "UPDATE " + p + table + " SET val = " + t.literal(x) + " WHERE idx = 0"));
      assertEquals(2, Sql.update(c, "INSERT INTO " + p + table + "(val) VALUES (" + t.literal(x) + "), (" + t.literal(y) + ")"));
    }
    for (String table : List.of("a2", "r2")) {
      assertEquals(1, Sql.update(c, "UPDATE " + p + table + " SET c1 = " + t.literal(x) + " WHERE idx = 0"));
      assertEquals(1, Sql.update(c, "INSERT INTO " + p + table + "(c0, c1, c2) VALUES (" + t.literal(x) + ", "
          + t.literal(y) + ", " + t.literal(x) + ")"));
    }
    List<Object> e1 = new ArrayList<>(v);
    e1.set(0, x);
    e1.addAll(java.util.Arrays.asList(x, y));
    List<Object> e2 = new ArrayList<>(v);
    e2.set(1, x);
    e2.addAll(java.util.Arrays.asList(x, y, x));
    return new List[] {e1, e2};
  }

  @Test void filesMmapsqlCreatesLoadInNumpy() throws Exception {
    StringBuilder empty = new StringBuilder();
    StringBuilder full = new StringBuilder();
    int n = 0;
    for (Dtype t : types().toList()) {
      List<Object> v = NumpyBytesTest.literalValues(t, 12);
      String p = "n" + n++ + "_";
      Sql.mmap(c, p + "1", p + "1.npy", t.mmapType(), null);
      Sql.mmap(c, p + "2", p + "2.npy", t.mmapType(), "columns=3");
      empty.append(Numpy.check(dir.resolve(p + "1.npy"), t, 1, false, List.of()))
          .append(Numpy.check(dir.resolve(p + "2.npy"), t, 2, false, List.of()));
      full.append(Numpy.check(dir.resolve(p + "1.npy"), t, 1, false, v))
          .append(Numpy.check(dir.resolve(p + "2.npy"), t, 2, false, v));
    }
    check(empty.toString());
    n = 0;
    List<String> failures = new ArrayList<>();
    for (Dtype t : types().toList()) {
      List<Object> v = NumpyBytesTest.literalValues(t, 12);
      String p = "n" + n++ + "_";
      StringBuilder rows = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        rows.append(i == 0 ? "" : ", ").append('(').append(t.literal(v.get(3 * i))).append(", ")
            .append(t.literal(v.get(3 * i + 1))).append(", ").append(t.literal(v.get(3 * i + 2))).append(')');
      }
      try {
        Sql.update(c, "INSERT INTO " + p + "1(val) VALUES " + NumpyBytesTest.tuples(t, v));
        Sql.update(c, "INSERT INTO " + p + "2(c0, c1, c2) VALUES " + rows);
      } catch (SQLException e) {
        failures.add(t + ": " + e.getMessage());
      }
    }
    try {
      check(full.toString());
    } catch (AssertionError e) {
      failures.add("numpy: " + e.getMessage());
    }
    assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
  }

  private String lines(String stem, Dtype t, List<Object> oneD, List<Object> twoD) {
    return Numpy.check(dir.resolve(stem + ".npy"), t, 1, false, oneD)
        + Numpy.check(dir.resolve(stem + ".raw"), t, 1, false, oneD)
        + Numpy.check(dir.resolve(stem + "_2d.npy"), t, 2, false, twoD)
        + Numpy.check(dir.resolve(stem + "_2d.raw"), t, 2, false, twoD);
  }

  private void check(String lines) throws Exception {
    Path input = Files.createTempFile(dir, "check", ".txt");
    Files.writeString(input, lines);
    Numpy.run(dir, Numpy.CHECKER, input.toString());
  }
}
