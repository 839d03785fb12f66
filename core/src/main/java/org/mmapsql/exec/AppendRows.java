package org.mmapsql.exec;

import java.nio.ByteBuffer;
import java.util.Arrays;

import org.mmapsql.MmapException;
import org.mmapsql.storage.Layout;

/**
 * Rows to append to one table, handed over one at a time as values (a JDBC
 * batch's parameters, see {@code org.mmapsql.jdbc.BatchInsert}), checked and
 * encoded into row images as they come, with the errors an INSERT of them
 * would give; then appended with one write and at most one force.
 */
public final class AppendRows {
  private final TableWrites writes;
  private final Layout layout;
  private final TableWrites.Rows rows = new TableWrites.Rows();
  private ByteBuffer buf;

  /** Room for {@code capacity} rows to start with. */
  public AppendRows(TableWrites writes, Layout layout, int capacity) {
    this.writes = writes;
    this.layout = layout;
    rows.stride = layout.stride();
    rows.idx = new long[Math.max(capacity, 1)];
    rows.images = new byte[rows.idx.length * rows.stride];
    buf = ByteBuffer.wrap(rows.images);
  }

  /**
   * Checks and encodes one row: its idx ({@link TableWrites#NEXT_IDX}: at the
   * end) and the value of each layout column ({@code values[c]}, as generated
   * code would compute it). Throws as the INSERT of the row would; keeps
   * nothing of it then.
   */
  public void add(long idx, Object[] values) {
    if (rows.size == rows.idx.length) {
      rows.idx = Arrays.copyOf(rows.idx, rows.size * 2);
      rows.images = Arrays.copyOf(rows.images, rows.size * 2 * rows.stride);
      buf = ByteBuffer.wrap(rows.images);
    }
    int pos = rows.size * rows.stride;
    try {
      for (int c = 0; c < values.length; c++) {
        TableWrites.Rows.encode(writes.table(), layout, c, values[c], buf, pos, "inserted");
      }
    } catch (MmapException e) {
      throw e;
    } catch (RuntimeException e) {
      throw TableWrites.Rows.notComputed(writes.table(), layout, e, "inserted");
    }
    rows.idx[rows.size++] = idx;
  }

  /** Appends the rows (an explicit idx must continue the sequence); returns their count. */
  public long append() {
    return writes.insert(rows);
  }
}
