package org.mmapsql.storage;

import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * One element's type as numpy describes it: a family ({@link ElementType}), a
 * byte order, a width in bytes, and for datetime64 its unit. Parsed from the
 * names MMAP accepts ({@code >f8}, {@code uint16}, {@code string(16)}, ...)
 * and from a {@code .npy} header's {@code descr}; shown as numpy's code.
 */
public final class Dtype {
  private static final Pattern STRING = Pattern.compile("(?:s|string\\()(\\d+)\\)?");
  private static final Pattern DATETIME = Pattern.compile("(?:m8|datetime64)\\[(s|ms|us|ns)]");

  private final ElementType type;
  private final ByteOrder order;
  private final int width;
  private final String unit;
  /** The layout of one element, unaligned, in this byte order (null for strings and long double). */
  final ValueLayout layout;

  Dtype(ElementType type, ByteOrder order, int width, String unit) {
    this.type = type;
    this.order = order;
    this.width = width;
    this.unit = unit;
    this.layout = type.layout(width) == null ? null : type.layout(width).withOrder(order);
  }

  public static final Dtype FLOAT64 = new Dtype(ElementType.FLOAT64, ByteOrder.LITTLE_ENDIAN, 8, null);

  public ElementType type() {
    return type;
  }

  public ByteOrder order() {
    return order;
  }

  /** Width of one element in bytes. */
  public int width() {
    return width;
  }

  /** The datetime64 unit ({@code s}, {@code ms}, {@code us}, {@code ns}), else null. */
  public String unit() {
    return unit;
  }

  /**
   * Parses a type name as MMAP takes it, case-insensitively: a SQL name, the
   * original module's name or numpy's code, with an optional byte-order prefix
   * ({@code <} little, {@code >} big, {@code =} native, {@code |} not applicable).
   */
  public static Dtype parse(String name) {
    String s = name.trim().toLowerCase(Locale.ROOT);
    ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    if (!s.isEmpty() && "<>=|".indexOf(s.charAt(0)) >= 0) {
      order = s.charAt(0) == '>' ? ByteOrder.BIG_ENDIAN
          : s.charAt(0) == '=' ? ByteOrder.nativeOrder() : ByteOrder.LITTLE_ENDIAN;
      s = s.substring(1).trim();
    }
    Matcher m = STRING.matcher(s);
    if (m.matches()) {
      int n = parseWidth(m.group(1), name);
      return new Dtype(ElementType.STRING, order, n, null);
    }
    m = DATETIME.matcher(s);
    if (m.matches()) {
      return new Dtype(ElementType.DATETIME64, order, 8, m.group(1));
    }
    for (ElementType t : ElementType.values()) {
      if (t.names().contains(s)) {
        return new Dtype(t, order, t.fixedWidth(), null);
      }
    }
    throw new MmapException(SqlState.DATA_EXCEPTION, "unsupported element type '" + name + "'; supported: "
        + ElementType.supported());
  }

  private static int parseWidth(String digits, String name) {
    try {
      int n = Integer.parseInt(digits);
      if (n >= 1 && n <= 65535) {
        return n;
      }
    } catch (NumberFormatException ignored) {
      // too long: falls through
    }
    throw new MmapException(SqlState.DATA_EXCEPTION, "string width in '" + name
        + "' must be between 1 and 65535 bytes");
  }

  /** numpy's code for this type: {@code <f8}, {@code >i4}, {@code |u1}, {@code |S16}, {@code <M8[ms]}. */
  public String code() {
    char prefix = width == 1 || type == ElementType.STRING ? '|'
        : order == ByteOrder.BIG_ENDIAN ? '>' : '<';
    return prefix + type.code(this);
  }

  @Override public boolean equals(Object o) {
    return o instanceof Dtype d && d.type == type && d.width == width && Objects.equals(d.unit, unit)
        && (width == 1 || type == ElementType.STRING || d.order.equals(order));
  }

  @Override public int hashCode() {
    return Objects.hash(type, width, unit);
  }

  @Override public String toString() {
    return code();
  }
}
