package org.mmapsql.storage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The aggregates of one run of a column's values (at most {@link #MAX_RUN}):
 * how many were kept, their sum and their extremes. Float columns: a pairwise
 * sum, MIN and MAX that pass over NaN (NaN only when every value is NaN, as
 * Calcite's own MIN and MAX); integer columns: the exact sum as
 * {@code high * 2^32 + low}, which cannot overflow within a run, and MIN and
 * MAX as longs (uint64: the bits).
 */
public final class RunStats {
  /** Longest run: its exact integer sum fits in the two longs. */
  public static final int MAX_RUN = 1 << 20;
  private static final boolean VECTORISED = vectorPath();
  /** Each thread's window: what the vector loops read instead of the mapping (see {@link #window}). */
  private static final ThreadLocal<MemorySegment> WINDOW =
      ThreadLocal.withInitial(() -> Arena.ofAuto().allocate(8 << 10, 64));

  public long count;
  public double sum;
  public double min = Double.NaN;
  public double max = Double.NaN;
  public long high;
  public long low;
  public long lmin;
  public long lmax;

  /** Fills this with the stats of rows {@code row .. row+n-1} of {@code column}, read in place. */
  void compute(MemorySegment s, Layout layout, long row, int n, int column, ValueRange range) {
    Layout.Column col = layout.columns().get(column);
    long off = layout.dataOffset() + row * layout.stride() + col.offset();
    if (col.dtype().type().numeric() == ElementType.Numeric.DOUBLE) {
      new FloatRun(s, layout.stride(), col.dtype(), range).run(off, n, this);
    } else {
      IntRun.run(s, off, layout.stride(), n, col.dtype(), range, this);
    }
  }

  /**
   * Whether runs of 1-D little-endian f8, f4 and integer columns are read with
   * the Vector API ({@link VectorRun}): the JVM was started with {@code
   * --add-modules jdk.incubator.vector}, the processor has wide enough vectors,
   * and {@code -Dmmapsql.vector=false} does not turn it off. Otherwise the
   * scalar loops of {@link FloatRun} and {@link IntRun}, which give the same
   * results to the last bit.
   */
  public static boolean vectorised() {
    return VECTORISED;
  }

  private static boolean vectorPath() {
    if (!Boolean.parseBoolean(System.getProperty("mmapsql.vector", "true"))
        || ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
      return false;
    }
    try {
      return VectorRun.usable();
    } catch (LinkageError e) { // a JVM whose vector module this code cannot use: the scalar loops
      return false;
    }
  }

  /**
   * This thread's window, 8 KB: the vector loops read a run a window at a time, copied out of the mapping
   * ({@link VectorRun#integers}, {@link FloatRun}'s subtrees that fit),
   * never the mapping itself. Another program may cut the file while a run is read, and a load from a page
   * past the new end is a SIGBUS. HotSpot turns it into an {@link InternalError} (a clean SQLException, see
   * RowReader) in its copy routine and in scalar segment reads, but not in the Vector API's compiled loads:
   * there it kills the process (CutDuringAggregateTest). A window stays in the processor's cache for the loop.
   */
  static MemorySegment window() {
    return WINDOW.get();
  }

  void clear() {
    count = 0;
    sum = 0;
    min = Double.NaN;
    max = Double.NaN;
    high = 0;
    low = 0;
  }
}
