package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * A block of rows copied raw out of the mapping (through a scan's
 * {@link MappedArray.Snapshot}), read one value at a time with its column's
 * dtype: numbers as primitives, with no boxing; any value as its SQL object
 * when asked ({@link #value}).
 */
public final class RowBlock {
  private final Layout layout;
  private final byte[] bytes;
  private final MemorySegment segment;
  private final int stride;
  private final Object[] one = new Object[1];

  /** A block for at most {@code rows} rows of {@code layout}. */
  public RowBlock(Layout layout, int rows) {
    this.layout = layout;
    this.stride = layout.stride();
    this.bytes = new byte[Math.multiplyExact(rows, stride)];
    this.segment = MemorySegment.ofArray(bytes);
  }

  /** Rows the block holds at most. */
  public int capacity() {
    return bytes.length / stride;
  }

  /** Fills the block from row {@code row} of the snapshot, at most {@code want} rows; returns how many. */
  public int read(MappedArray.Snapshot view, long row, int want) {
    return view.readBytes(row, want, bytes);
  }

  /** Whether column {@code c} reads as a long ({@link #getLong}) without loss: the integers of 32 bits or less, int64. */
  public static boolean longs(Dtype d) {
    return switch (d.type()) {
      case INT8, INT16, INT32, INT64, UINT8, UINT16, UINT32 -> true;
      default -> false;
    };
  }

  /** Whether column {@code c} reads as a double ({@link #getDouble}) without loss: float16, float32, float64. */
  public static boolean doubles(Dtype d) {
    return d.type().numeric() == ElementType.Numeric.DOUBLE;
  }

  /** Layout column {@code c} of the block's row {@code i}, for a column of {@link #longs}. */
  public long getLong(int c, int i) {
    Layout.Column col = layout.columns().get(c);
    Dtype d = col.dtype();
    long off = (long) i * stride + col.offset();
    return switch (d.type()) {
      case INT8 -> segment.get(ValueLayout.JAVA_BYTE, off);
      case UINT8 -> segment.get(ValueLayout.JAVA_BYTE, off) & 0xFF;
      case INT16 -> segment.get((ValueLayout.OfShort) d.layout, off);
      case UINT16 -> segment.get((ValueLayout.OfShort) d.layout, off) & 0xFFFF;
      case INT32 -> segment.get((ValueLayout.OfInt) d.layout, off);
      case UINT32 -> segment.get((ValueLayout.OfInt) d.layout, off) & 0xFFFF_FFFFL;
      case INT64 -> segment.get((ValueLayout.OfLong) d.layout, off);
      default -> throw new IllegalStateException(d + " is not read as a long");
    };
  }

  /** Layout column {@code c} of the block's row {@code i}, for a column of {@link #doubles}. */
  public double getDouble(int c, int i) {
    Layout.Column col = layout.columns().get(c);
    Dtype d = col.dtype();
    long off = (long) i * stride + col.offset();
    return switch (d.type()) {
      case FLOAT64 -> segment.get((ValueLayout.OfDouble) d.layout, off);
      case FLOAT32 -> segment.get((ValueLayout.OfFloat) d.layout, off);
      case FLOAT16 -> Float.float16ToFloat(segment.get((ValueLayout.OfShort) d.layout, off));
      default -> throw new IllegalStateException(d + " is not read as a double");
    };
  }

  /** Layout column {@code c} of the block's row {@code i} as its SQL value (see {@link ElementType}). */
  public Object value(int c, int i) {
    Layout.Column col = layout.columns().get(c);
    col.dtype().type().read(segment, (long) i * stride + col.offset(), stride, 1, col.dtype(), one);
    return one[0];
  }
}
