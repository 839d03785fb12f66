package org.mmapsql.types;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

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

  @ParameterizedTest(name = "{0}") @MethodSource("types")
  void numpyWritesMmapsqlReadsAndWritesNumpyReadsBack(Dtype t) throws Exception {
    String stem = t.fileStem();
    List<Object> v = Numpy.parseAll(t, Numpy.run(dir, Numpy.WRITER, dir.toString(), t.descr(), stem));
    assertEquals(12, v.size());
    assertEquals(12, Sql.mmap(c, "a1", stem + ".npy", null, null));
    assertEquals(12, Sql.mmap(c, "r1", stem + ".raw", t.mmapType(), null));
    assertEquals(4, Sql.mmap(c, "a2", stem + "_2d.npy", null, null));
    assertEquals(4, Sql.mmap(c, "r2", stem + "_2d.raw", t.mmapType(), "columns=3"));
    List<List<Object>> rows1 = new ArrayList<>();
    for (int i = 0; i < v.size(); i++) {
      rows1.add(java.util.Arrays.asList((long) i, v.get(i)));
    }
    for (String table : List.of("a1", "r1")) {
      assertEquals(rows1, Sql.typedRows(c, "SELECT idx, val FROM " + table + " ORDER BY idx", 1, t),
          "what numpy wrote, read through " + table);
    }
    for (String table : List.of("a2", "r2")) {
      assertEquals(NumpyBytesTest.rows2d(v, 3), Sql.typedRows(c, "SELECT idx, c0, c1, c2 FROM " + table
          + " ORDER BY idx", 1, t), "what numpy wrote, read through " + table);
    }

    // two values that SQL literals can express
    List<Object> writable = v.stream().filter(x -> x != null && Dtype.literalAble(x)).toList();
    Object x = writable.get(writable.size() - 1);
    Object y = writable.get(writable.size() - 2);
    for (String table : List.of("a1", "r1")) {
      assertEquals(1, Sql.update(c, "UPDATE " + table + " SET val = " + t.literal(x) + " WHERE idx = 0"));
      assertEquals(2, Sql.update(c, "INSERT INTO " + table + "(val) VALUES (" + t.literal(x) + "), (" + t.literal(y) + ")"));
    }
    for (String table : List.of("a2", "r2")) {
      assertEquals(1, Sql.update(c, "UPDATE " + table + " SET c1 = " + t.literal(x) + " WHERE idx = 0"));
      assertEquals(1, Sql.update(c, "INSERT INTO " + table + "(c0, c1, c2) VALUES (" + t.literal(x) + ", "
          + t.literal(y) + ", " + t.literal(x) + ")"));
    }
    List<Object> e1 = new ArrayList<>(v);
    e1.set(0, x);
    e1.addAll(java.util.Arrays.asList(x, y));
    List<Object> e2 = new ArrayList<>(v);
    e2.set(1, x);
    e2.addAll(java.util.Arrays.asList(x, y, x));
    check(lines(stem, t, e1, e2));

    for (String table : List.of("a1", "r1", "a2", "r2")) {
      Sql.update(c, "DELETE FROM " + table + " WHERE idx >= 2");
    }
    check(lines(stem, t, e1.subList(0, 2), e2.subList(0, 6)));
  }

  @ParameterizedTest(name = "{0}") @MethodSource("types")
  void filesMmapsqlCreatesLoadInNumpy(Dtype t) throws Exception {
    List<Object> v = NumpyBytesTest.literalValues(t, 12);
    Sql.mmap(c, "n1", "n1.npy", t.mmapType(), null);
    Sql.mmap(c, "n2", "n2.npy", t.mmapType(), "columns=3");
    check(Numpy.check(dir.resolve("n1.npy"), t, 1, false, List.of())
        + Numpy.check(dir.resolve("n2.npy"), t, 2, false, List.of()));
    Sql.update(c, "INSERT INTO n1(val) VALUES " + NumpyBytesTest.tuples(t, v));
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 4; i++) {
      rows.append(i == 0 ? "" : ", ").append('(').append(t.literal(v.get(3 * i))).append(", ")
          .append(t.literal(v.get(3 * i + 1))).append(", ").append(t.literal(v.get(3 * i + 2))).append(')');
    }
    Sql.update(c, "INSERT INTO n2(c0, c1, c2) VALUES " + rows);
    check(Numpy.check(dir.resolve("n1.npy"), t, 1, false, v) + Numpy.check(dir.resolve("n2.npy"), t, 2, false, v));
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
