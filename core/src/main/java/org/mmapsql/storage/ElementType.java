package org.mmapsql.storage;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The fixed-width element types a mapped file can hold. Elements are always
 * little-endian and have no header, exactly as {@code numpy.ndarray.tofile}
 * writes them. Today only {@code float64}; a new type is one more constant.
 */
public enum ElementType {
  FLOAT64("float64", List.of("f8", "<f8", "double", "float64"),
      ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN));

  private final String sqlName;
  private final List<String> aliases;
  private final ValueLayout.OfDouble layout;

  ElementType(String sqlName, List<String> aliases, ValueLayout.OfDouble layout) {
    this.sqlName = sqlName;
    this.aliases = aliases;
    this.layout = layout;
  }

  /** The name stored in the catalog and shown in {@code sys.mappings}. */
  public String sqlName() {
    return sqlName;
  }

  /** Width of one element in bytes. */
  public int width() {
    return (int) layout.byteSize();
  }

  public double get(MemorySegment segment, long index) {
    return segment.getAtIndex(layout, index);
  }

  /** Copies {@code count} elements starting at {@code index} into {@code target}. */
  public void copy(MemorySegment segment, long index, double[] target, int offset, int count) {
    MemorySegment.copy(segment, layout, index * width(), target, offset, count);
  }

  public void put(ByteBuffer buffer, double value) {
    buffer.putDouble(value);
  }

  /** Parses a type name as given to MMAP: {@code float64}, {@code f8}, {@code <f8}, {@code double}. */
  public static ElementType of(String name) {
    if (name == null) {
      return FLOAT64;
    }
    String key = name.trim().toLowerCase(Locale.ROOT);
    for (ElementType t : values()) {
      if (t.aliases.contains(key)) {
        return t;
      }
    }
    throw new MmapException(SqlState.DATA_EXCEPTION, "unsupported element type '" + name + "'; supported: "
        + Arrays.stream(values()).map(ElementType::sqlName).collect(Collectors.joining(", ")));
  }
}
