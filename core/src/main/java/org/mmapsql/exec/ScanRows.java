package org.mmapsql.exec;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.IntUnaryOperator;
import java.util.function.Supplier;

import org.apache.calcite.linq4j.AbstractEnumerable;
import org.apache.calcite.linq4j.Enumerator;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;

/**
 * The rows of a table scan, {@code (idx, columns...)}: as {@code Object[]}
 * rows for Calcite's operators ({@link #enumerator()}), or, when the scan is
 * the whole statement, as blocks for a result set's cursor to read in place
 * ({@link #blocks}). The table is looked up (the array, its length, the
 * shard's base) when the rows are read, not when the plan is bound.
 */
public final class ScanRows extends AbstractEnumerable<Object[]> {
  /** What a scan reads, as found when it starts: the positions of the idx asked for, and the idx of position 0. */
  public record Source(MappedArray array, IdxRanges positions, long base) {
  }

  private final Supplier<Source> source;
  private final @Nullable AtomicBoolean cancel;

  public ScanRows(Supplier<Source> source, @Nullable AtomicBoolean cancel) {
    this.source = source;
    this.cancel = cancel;
  }

  @Override public Enumerator<Object[]> enumerator() {
    Source s = source.get();
    return new RowEnumerator(s.array(), s.positions(), cancel, s.base()); // it clips to the length
  }

  /** A scan of the same rows in blocks of at most {@code maxBlock.applyAsInt(stride)} rows of that stride. */
  public BlockScan blocks(IntUnaryOperator maxBlock) {
    Source s = source.get();
    return new BlockScan(s.array(), s.positions(), cancel, maxBlock.applyAsInt(s.array().layout().stride()),
        s.base());
  }
}
