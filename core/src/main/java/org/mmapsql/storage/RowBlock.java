package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A block of rows copied raw out of the mapping (through a scan's
 * {@link MappedArray.Snapshot}), its number columns then decoded into
 * primitive arrays, one tight loop per column: a getter is an array read, with
 * no boxing; any value is read as its SQL object when asked ({@link #value}).
 */
public final class RowBlock {
  private final Layout layout;
  private final byte[] bytes;
  private final MemorySegment segment;
  private final int stride;
  /** Per layout column: its values as longs ({@link #longs(Dtype)}), else null. */
  private final long[][] longs;
  /** Per layout column: its values as doubles ({@link #doubles(Dtype)}), else null. */
  private final double[][] doubles;
  private final Object[] one = new Object[1];

  /** A block for at most {@code rows} rows of {@code layout}. */
  public RowBlock(Layout layout, int rows) {
    this.layout = layout;
    this.stride = layout.stride();
    this.bytes = new byte[Math.multiplyExact(rows, stride)];
    this.segment = MemorySegment.ofArray(bytes);
    int k = layout.columns().size();
    this.longs = new long[k][];
    this.doubles = new double[k][];
    for (int c = 0; c < k; c++) {
      Dtype d = layout.columns().get(c).dtype();
      if (longs(d)) {
        longs[c] = new long[rows];
      } else if (doubles(d)) {
        doubles[c] = new double[rows];
      }
    }
  }

  /** Fills the block from row {@code row} of the snapshot, at most {@code want} rows; returns how many. */
  public int read(MappedArray.Snapshot view, long row, int want) {
    int n = view.readBytes(row, want, bytes);
    for (int c = 0; c < longs.length; c++) {
      if (longs[c] != null) {
        decodeLongs(c, n);
      } else if (doubles[c] != null) {
        decodeDoubles(c, n);
      }
    }
    return n;
  }

  /** Whether a column of this dtype reads as a long without loss: the integers up to 32 bits, int64. */
  public static boolean longs(Dtype d) {
    return switch (d.type()) {
      case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> true;
      default -> false;
    };
  }

  /** Whether a column of this dtype reads as a double without loss: float16, float32, float64. */
  public static boolean doubles(Dtype d) {
    return d.type().numeric() == ElementType.Numeric.DOUBLE;
  }

  /** The values of layout column {@code c} of {@link #longs(Dtype)}, valid up to the rows last read. */
  public long[] longs(int c) {
    return longs[c];
  }

  /** The values of layout column {@code c} of {@link #doubles(Dtype)}, valid up to the rows last read. */
  public double[] doubles(int c) {
    return doubles[c];
  }

  private void decodeLongs(int c, int n) {
    Layout.Column col = layout.columns().get(c);
    Dtype d = col.dtype();
    long[] out = longs[c];
    long off = col.offset();
    switch (d.type()) {
      case INT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = segment.get(ValueLayout.JAVA_BYTE, off + (long) i * stride);
        }
      }
      case UINT8 -> {
        for (int i = 0; i < n; i++) {
          out[i] = segment.get(ValueLayout.JAVA_BYTE, off + (long) i * stride) & 0xFF;
        }
      }
      case INT16, UINT16 -> {
        ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
        int mask = d.type() == ElementType.UINT16 ? 0xFFFF : -1;
        for (int i = 0; i < n; i++) {
          out[i] = segment.get(l, off + (long) i * stride) & mask;
        }
      }
      case INT32 -> {
        ValueLayout.OfInt l = (ValueLayout.OfInt) d.layout;
        for (int i = 0; i < n; i++) {
          out[i] = segment.get(l, off + (long) i * stride);
        }
      }
      case UINT32 -> {
        ValueLayout.OfInt l = (ValueLayout.OfInt) d.layout;
        for (int i = 0; i < n; i++) {
          out[i] = segment.get(l, off + (long) i * stride) & 0xFFFF_FFFFL;
        }
      }
      case INT64 -> {
        if (stride == 8) {
          MemorySegment.copy(segment, (ValueLayout.OfLong) d.layout, 0, out, 0, n);
        } else {
          ValueLayout.OfLong l = (ValueLayout.OfLong) d.layout;
          for (int i = 0; i < n; i++) {
            out[i] = segment.get(l, off + (long) i * stride);
          }
        }
      }
      default -> throw new IllegalStateException(d + " is not read as a long");
    }
  }

  private void decodeDoubles(int c, int n) {
    Layout.Column col = layout.columns().get(c);
    Dtype d = col.dtype();
    double[] out = doubles[c];
    long off = col.offset();
    switch (d.type()) {
      case FLOAT64 -> {
        if (stride == 8) {
          MemorySegment.copy(segment, (ValueLayout.OfDouble) d.layout, 0, out, 0, n);
        } else {
          ValueLayout.OfDouble l = (ValueLayout.OfDouble) d.layout;
          for (int i = 0; i < n; i++) {
            out[i] = segment.get(l, off + (long) i * stride);
          }
        }
      }
      case FLOAT32 -> {
        ValueLayout.OfFloat l = (ValueLayout.OfFloat) d.layout;
        for (int i = 0; i < n; i++) {
          out[i] = segment.get(l, off + (long) i * stride);
        }
      }
      case FLOAT16 -> {
        ValueLayout.OfShort l = (ValueLayout.OfShort) d.layout;
        for (int i = 0; i < n; i++) {
          out[i] = Float.float16ToFloat(segment.get(l, off + (long) i * stride));
        }
      }
      default -> throw new IllegalStateException(d + " is not read as a double");
    }
  }

  /** Layout column {@code c} of the block's row {@code i} as its SQL value (see {@link ElementType}). */
  public Object value(int c, int i) {
    Layout.Column col = layout.columns().get(c);
    col.dtype().type().read(segment, (long) i * stride + col.offset(), stride, 1, col.dtype(), one);
    return one[0];
  }
}
