package org.mmapsql.storage;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

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
  /** Each thread's copy of the run its vector loops read (at least 512 KB: a whole run of 8-byte values). */
  private static final ThreadLocal<MemorySegment> SCRATCH = ThreadLocal.withInitial(() -> MemorySegment.NULL);

  public long count;
  public double sum;
  public double min = Double.NaN;
  public double max = Double.NaN;
  public long high;
  public long low;
  public long lmin;
  public long lmax;

  /**
   * Fills this with the stats of rows {@code row .. row+n-1} of {@code column}: the scalar loops read
   * the mapping in place; the vector loops read a copy of the run (see {@link #copyOfRun}).
   */
  void compute(MemorySegment s, Layout layout, long row, int n, int column, ValueRange range) {
    Layout.Column col = layout.columns().get(column);
    long off = layout.dataOffset() + row * layout.stride() + col.offset();
    Dtype d = col.dtype();
    if (VECTORISED && layout.stride() == d.width() && (d.order() == ByteOrder.LITTLE_ENDIAN || d.width() == 1)) {
      s = copyOfRun(s, off, (long) n * d.width());
      off = 0;
    }
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
   * The run's bytes, copied out of the mapping into this thread's scratch memory. Another program may cut
   * the file while a run is read: a load from a page past the new end is a SIGBUS, which the JVM turns
   * into an {@link InternalError} (a clean SQLException, see RowReader) in its copy routines and in
   * scalar segment reads, but not in the Vector API's compiled loads: there it kills the process. The
   * copy costs one more pass over the run, which then sits in the cache for the vector loop.
   */
  private static MemorySegment copyOfRun(MemorySegment mapping, long off, long bytes) {
    MemorySegment scratch = SCRATCH.get();
    if (scratch.byteSize() < bytes) {
      scratch = Arena.ofAuto().allocate(Math.max(bytes, 1 << 19), 64);
      SCRATCH.set(scratch);
    }
    MemorySegment.copy(mapping, off, scratch, 0, bytes);
    return scratch;
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
