package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * What a file holds and where: the columns of a row (each a dtype at an offset
 * in the row), the row stride, the offset of the first row, and whether a
 * {@code .npy} header precedes it. Every layer reads this one description:
 * the row type, block reads, aggregates, writes, {@code sys.mappings}.
 *
 * <p>Three shapes: 1-D (one column {@code val}), 2-D (n, k) of one dtype
 * (columns {@code c0 .. c{k-1}}), and a structured dtype (one column per
 * field, named as the field).
 */
public final class Layout {
  /** One column of a row: its name, its dtype, and its byte offset in the row. */
  public record Column(String name, Dtype dtype, int offset) {
  }

  /** The shape of rows: 1-D values, a 2-D array, or records of a structured dtype. */
  public enum Shape { ONE_D, TWO_D, STRUCTURED }

  private final List<Column> columns;
  private final Shape shape;
  private final int stride;
  private final long dataOffset;
  private final boolean npy;

  private Layout(List<Column> columns, Shape shape, long dataOffset, boolean npy) {
    this.columns = List.copyOf(columns);
    this.shape = shape;
    Column last = columns.get(columns.size() - 1);
    this.stride = last.offset() + last.dtype().width();
    this.dataOffset = dataOffset;
    this.npy = npy;
  }

  /** A headerless file of {@code dtype} elements: 1-D, or 2-D with rows of {@code k} elements if k > 0. */
  public static Layout raw(Dtype dtype, int k) {
    return k > 0 ? new Layout(grid(dtype, k), Shape.TWO_D, 0, false)
        : new Layout(List.of(new Column("val", dtype, 0)), Shape.ONE_D, 0, false);
  }

  private static List<Column> grid(Dtype dtype, int k) {
    List<Column> cols = new ArrayList<>(k);
    for (int c = 0; c < k; c++) {
      cols.add(new Column("c" + c, dtype, c * dtype.width()));
    }
    return cols;
  }

  /**
   * The layout a {@code .npy} header describes. Refused with a message naming
   * what is not supported: Fortran order (2-D), more than 2 dimensions, a
   * 0-d array, object or unknown dtypes, nested or padded structured dtypes.
   */
  public static Layout of(NpyHeader h, String file) {
    long[] shape = h.shape();
    if (shape.length == 0 || shape.length > 2) {
      throw unsupported(file, shape.length + "-dimensional arrays (shape " + NpyHeader.shapeText(shape)
          + "); only 1-D and 2-D arrays bind as tables");
    }
    if (h.fortranOrder() && shape.length == 2 && shape[1] > 1) {
      throw unsupported(file, "Fortran (column-major) order; save it in C order (numpy.ascontiguousarray)");
    }
    if (h.descr() instanceof String code) {
      Dtype d = dtype(code, file);
      if (shape.length == 2) {
        if (shape[1] < 1 || shape[1] > 100_000) {
          throw unsupported(file, "a second dimension of " + shape[1] + " (1 to 100000 columns are supported)");
        }
        return new Layout(grid(d, (int) shape[1]), Shape.TWO_D, h.dataOffset(), true);
      }
      return new Layout(List.of(new Column("val", d, 0)), Shape.ONE_D, h.dataOffset(), true);
    }
    if (shape.length != 1) {
      throw unsupported(file, "a 2-D array of a structured dtype");
    }
    List<Column> cols = new ArrayList<>();
    int offset = 0;
    for (Object f : (List<?>) h.descr()) {
      if (!(f instanceof List<?> field) || field.size() != 2 || !(field.get(1) instanceof String code)) {
        throw unsupported(file, "the structured field " + f + " (nested or sub-array fields)");
      }
      String name = String.valueOf(field.get(0));
      if (name.isEmpty() || name.equalsIgnoreCase("idx")
          || cols.stream().anyMatch(c -> c.name().equalsIgnoreCase(name))) {
        throw unsupported(file, "a structured field named '" + name + "' (empty, idx, or a duplicate)");
      }
      Dtype d = dtype(code, file);
      cols.add(new Column(name, d, offset));
      offset += d.width();
    }
    if (cols.isEmpty()) {
      throw unsupported(file, "a structured dtype without fields");
    }
    return new Layout(cols, Shape.STRUCTURED, h.dataOffset(), true);
  }

  private static Dtype dtype(String code, String file) {
    String c = code.trim();
    String body = c.isEmpty() || "<>=|".indexOf(c.charAt(0)) < 0 ? c : c.substring(1);
    if (body.startsWith("O") || body.startsWith("m8") || body.startsWith("V") || body.startsWith("U")
        || body.startsWith("c")) {
      throw unsupported(file, "the dtype '" + code + "' (object, timedelta, void, unicode and complex"
          + " dtypes are not supported)");
    }
    try {
      return Dtype.parse(c);
    } catch (MmapException e) {
      throw unsupported(file, "the dtype '" + code + "'");
    }
  }

  private static MmapException unsupported(String file, String what) {
    return new MmapException(SqlState.DATA_EXCEPTION, file + ": not supported: " + what);
  }

  public List<Column> columns() {
    return columns;
  }

  public Shape shape() {
    return shape;
  }

  /** Bytes from one row to the next. */
  public int stride() {
    return stride;
  }

  /** Where the first row starts: 0, or the length of the .npy header. */
  public long dataOffset() {
    return dataOffset;
  }

  public boolean npy() {
    return npy;
  }

  /** The dtype of a 1-D or 2-D array (null for a structured one). */
  public Dtype dtype() {
    return shape == Shape.STRUCTURED ? null : columns.get(0).dtype();
  }

  /** numpy's code of the dtype: {@code <f4}, or a structured dtype's list {@code [('t', '<i8'), ...]}. */
  public String typeCode() {
    return shape == Shape.STRUCTURED ? descrText() : dtype().code();
  }

  /** The dtype as a .npy header's descr writes it (with quotes). */
  public String descrText() {
    if (shape != Shape.STRUCTURED) {
      return "'" + dtype().code() + "'";
    }
    return columns.stream().map(c -> "('" + c.name() + "', '" + c.dtype().code() + "')")
        .collect(Collectors.joining(", ", "[", "]"));
  }

  /** The SQL type of the values, e.g. {@code REAL}, or each field's for a structured dtype. */
  public String sqlTypeText() {
    return shape == Shape.STRUCTURED
        ? columns.stream().map(c -> c.dtype().type().sqlTypeText(c.dtype())).collect(Collectors.joining(", "))
        : dtype().type().sqlTypeText(dtype());
  }

  /** Width of one element: the dtype's itemsize (a whole record's for a structured dtype). */
  public int elementSize() {
    return shape == Shape.STRUCTURED ? stride : dtype().width();
  }

  /** The shape of {@code rows} rows, numpy style: {@code (1000,)} or {@code (1000, 768)}. */
  public String shapeText(long rows) {
    return NpyHeader.shapeText(shape == Shape.TWO_D ? new long[] {rows, columns.size()} : new long[] {rows});
  }

  long[] npyShape(long rows) {
    return shape == Shape.TWO_D ? new long[] {rows, columns.size()} : new long[] {rows};
  }

  /** The options that describe this layout to MMAP, for comparing bindings: 0, or the row width of a 2-D file. */
  public int twoDColumns() {
    return shape == Shape.TWO_D ? columns.size() : 0;
  }

  /** Whether {@code o} describes the same rows (another header length is the same table). */
  public boolean sameRows(Layout o) {
    return o.shape == shape && o.columns.equals(columns);
  }

  // ------------------------------------------------ codecs over rows

  /** Reads {@code n} rows from {@code row} into {@code out[c]}, one column at a time (one loop per column). */
  void read(MemorySegment s, long row, int n, Object[][] out) {
    long base = dataOffset + row * stride;
    for (int c = 0; c < columns.size(); c++) {
      Column col = columns.get(c);
      col.dtype().type().read(s, base + col.offset(), stride, n, col.dtype(), out[c]);
    }
  }

  void doubles(MemorySegment s, long row, int n, int column, double[] out) {
    Column col = columns.get(column);
    col.dtype().type().doubles(s, dataOffset + row * stride + col.offset(), stride, n, col.dtype(), out);
  }

  /**
   * Puts {@code value} as column {@code column} of the row image at {@code rowPos} in {@code images}.
   * Throws an MmapException naming the value and the type if it does not fit.
   */
  public void encode(int column, Object value, ByteBuffer images, int rowPos) {
    Column col = columns.get(column);
    images.order(col.dtype().order());
    col.dtype().type().encode(value, col.dtype(), images, rowPos + col.offset());
  }
}
