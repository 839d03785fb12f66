package org.mmapsql.storage;

/**
 * The values of a column an aggregate keeps ({@code WHERE val > x}, {@code val
 * BETWEEN a AND b}): inclusive bounds as doubles for float columns (NaN is
 * never inside) and as longs for integer columns (for uint64 the bits with the
 * sign bit flipped, so that signed comparison orders them unsigned); {@link
 * #ALL} keeps every value, NaN too.
 */
public record ValueRange(boolean all, double lo, double hi, long lowest, long highest) {
  public static final ValueRange ALL =
      new ValueRange(true, Double.NEGATIVE_INFINITY, Double.POSITIVE_INFINITY, Long.MIN_VALUE, Long.MAX_VALUE);
}
