package org.mmapsql.exec;

import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.linq4j.Enumerator;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.MappedArray;

/**
 * Rows {@code (idx, columns...)} of the positions in a set of ranges, for
 * Calcite's operators: read in blocks ({@link BlockScan}, which says what a
 * scan sees), one locked copy out of the mapping per block (one loop per
 * column, specialised by its dtype), then plain array reads. A read that
 * fails (the file was truncated or deleted by another program) throws an
 * MmapException, which the JDBC layer reports as an SQLException.
 */
public final class RowEnumerator implements Enumerator<Object[]> {
  private static final int BLOCK = 4096;

  private final BlockScan scan;
  private final Object[][] block;
  private final BlockScan.Reader reader;
  private final int width;
  private int pos = -1;    // index into block of the current row
  private Object[] current;

  public RowEnumerator(MappedArray array, IdxRanges ranges, @Nullable AtomicBoolean cancel) {
    this(array, ranges, cancel, 0);
  }

  /** Rows of a shard whose idx starts at {@code base}: position {@code p} is idx {@code base + p}. */
  public RowEnumerator(MappedArray array, IdxRanges ranges, @Nullable AtomicBoolean cancel, long base) {
    this.scan = new BlockScan(array, ranges, cancel, BLOCK, base);
    this.width = array.layout().columns().size();
    this.block = new Object[width][scan.blockRows()];
    this.reader = (view, row, want) -> view.read(row, want, block);
  }

  @Override public Object[] current() {
    return current;
  }

  @Override public boolean moveNext() {
    if (++pos >= scan.blockSize()) {
      if (!scan.next(reader)) {
        current = null;
        return false;
      }
      pos = 0;
    }
    Object[] row = new Object[width + 1];
    row[0] = scan.blockIdx() + pos;
    for (int c = 0; c < width; c++) {
      row[c + 1] = block[c][pos];
    }
    current = row;
    return true;
  }

  @Override public void reset() {
    scan.reset();
    pos = -1;
    current = null;
  }

  @Override public void close() {
    scan.close();
  }
}
