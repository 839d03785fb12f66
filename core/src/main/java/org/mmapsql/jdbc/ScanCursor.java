package org.mmapsql.jdbc;

import java.sql.SQLException;
import java.sql.Types;
import java.util.Calendar;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.util.AbstractCursor;
import org.apache.calcite.avatica.util.ArrayImpl;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.BlockScan;
import org.mmapsql.exec.ScanRows;
import org.mmapsql.storage.Dtype;
import org.mmapsql.storage.Layout;
import org.mmapsql.storage.RowBlock;

/**
 * The cursor of a result set that is a table scan and nothing else
 * ({@code SELECT * FROM t [WHERE idx ...]}): it reads the rows where a block
 * copied raw out of the mapping holds them, with no row object; {@code getLong},
 * {@code getDouble} and the other number getters read primitives, so no value is
 * boxed unless the client asks for an object. What the scan sees (snapshot,
 * truncation, cancel) is {@link BlockScan}'s; every getter converts as
 * Avatica's own accessors do.
 */
public final class ScanCursor extends AbstractCursor {
  /**
   * Raw bytes a block holds at most: 128 KiB, and as much again decoded, stays
   * in the L2 cache; each block also pays a system call (the file's real size,
   * see {@link BlockScan}), about half of a block's load at 4,096 rows of 8 bytes.
   */
  private static final int BLOCK_BYTES = 128 << 10;
  /** Rows a block holds at least and at most, whatever its stride. */
  private static final int MIN_ROWS = 1024;
  private static final int MAX_ROWS = 16384;

  private final BlockScan scan;
  private final RowBlock block;
  private final BlockScan.Reader reader;
  private final Layout layout;
  private int pos = -1; // the current row's index in the block
  private int size;     // rows in the block, copied from the scan at each block
  private long firstIdx; // the idx of the block's first row (no getter reads it before the first row)
  /**
   * Per column ordinal, how {@link #getLong}/{@link #getDouble} read it without
   * an accessor: {@link #IDX}, {@link #LONGS}, {@link #DOUBLES}, or 0 (through
   * its accessor); filled as the accessors are made.
   */
  private byte[] plain = new byte[0];
  private long[][] longs = new long[0][];
  private double[][] doubles = new double[0][];
  private static final byte IDX = 1;
  private static final byte LONGS = 2;
  private static final byte DOUBLES = 3;

  public ScanCursor(ScanRows rows) {
    this.scan = rows.blocks(ScanCursor::blockRows);
    this.layout = scan.array().layout();
    this.block = new RowBlock(layout, scan.blockRows());
    this.reader = block::read;
  }

  private static int blockRows(int stride) {
    return Math.max(MIN_ROWS, Math.min(MAX_ROWS, BLOCK_BYTES / stride));
  }

  @Override public boolean next() {
    return ++pos < size || nextBlock();
  }

  /**
   * Moves to the next row if the block loaded holds it; false (not moved) if
   * {@link #next()} must load a block first or is past the end.
   */
  public boolean nextInBlock() {
    if (pos + 1 < size) {
      pos++;
      return true;
    }
    return false;
  }

  private boolean nextBlock() {
    boolean more;
    try {
      more = scan.next(reader);
    } catch (Throwable t) {
      throw ScanCursor.<RuntimeException>sneaky(Errors.toSql(t));
    }
    size = scan.blockSize();
    if (!more) {
      pos = size; // stays after the end
      return false;
    }
    firstIdx = scan.blockIdx();
    pos = 0;
    return true;
  }

  @Override public void close() {
    scan.close();
  }

  /** The idx of the current row. */
  private long idx() throws SQLException {
    return firstIdx + row();
  }

  /** The current row's index in the block; an error before the first row and after the last, as H2 gives. */
  private int row() throws SQLException {
    if (pos < 0 || pos >= size) {
      throw new SQLException("no current row: the result set is before its first row or after its last", "24000");
    }
    return pos;
  }

  /**
   * Whether {@link #getLong} reads column {@code column} (1-based) as its
   * accessor's {@code getLong} would, straight from the block: the idx, and
   * the integer columns of exact signed SQL types.
   */
  public boolean readsLong(int column) {
    int k = column - 1;
    return k >= 0 && k < plain.length && (plain[k] == IDX || plain[k] == LONGS);
  }

  /** Whether {@link #getDouble} reads column {@code column} (1-based) straight from the block: DOUBLE and REAL. */
  public boolean readsDouble(int column) {
    int k = column - 1;
    return k >= 0 && k < plain.length && plain[k] == DOUBLES;
  }

  /** The current row's value of a column that {@link #readsLong}, as its accessor gives it. */
  public long getLong(int column) throws SQLException {
    int k = column - 1;
    long v = plain[k] == IDX ? idx() : longs[k][row()];
    wasNull[0] = false;
    return v;
  }

  /** The current row's value of a column that {@link #readsDouble}, as its accessor gives it. */
  public double getDouble(int column) throws SQLException {
    double v = doubles[column - 1][row()];
    wasNull[0] = false;
    return v;
  }

  /** Notes how column {@code ordinal} (0-based) is read without its accessor, and from which array. */
  private void plain(int ordinal, byte kind, long @Nullable [] longValues, double @Nullable [] doubleValues) {
    if (ordinal >= plain.length) {
      plain = java.util.Arrays.copyOf(plain, ordinal + 1);
      longs = java.util.Arrays.copyOf(longs, ordinal + 1);
      doubles = java.util.Arrays.copyOf(doubles, ordinal + 1);
    }
    plain[ordinal] = kind;
    longs[ordinal] = longValues;
    doubles[ordinal] = doubleValues;
  }

  @Override protected Getter createGetter(int ordinal) {
    return new AbstractGetter() {
      @Override public Object getObject() throws SQLException {
        Object v = ordinal == 0 ? (Object) idx() : block.value(ordinal - 1, row());
        wasNull[0] = v == null;
        return v;
      }
    };
  }

  @Override protected Accessor createAccessor(ColumnMetaData column, int ordinal, Calendar calendar,
      ArrayImpl.Factory factory) {
    Accessor generic = super.createAccessor(column, ordinal, calendar, factory);
    if (ordinal == 0) {
      plain(ordinal, IDX, null, null);
      return new ExactAccessor(generic) {
        @Override public long getLong() throws SQLException {
          long v = idx();
          wasNull[0] = false;
          return v;
        }
      };
    }
    int c = ordinal - 1;
    Dtype d = layout.columns().get(c).dtype();
    int type = column.type.id;
    boolean exact = type == Types.TINYINT || type == Types.SMALLINT || type == Types.INTEGER || type == Types.BIGINT;
    if (RowBlock.longs(d) && exact && column.signed) {
      long[] values = block.longs(c);
      plain(ordinal, LONGS, values, null);
      return new ExactAccessor(generic) {
        @Override public long getLong() throws SQLException {
          long v = values[row()];
          wasNull[0] = false;
          return v;
        }
      };
    }
    if (RowBlock.doubles(d) && (type == Types.DOUBLE || type == Types.REAL || type == Types.FLOAT)) {
      double[] values = block.doubles(c);
      plain(ordinal, DOUBLES, null, values);
      return new ApproximateAccessor(generic) {
        @Override public double getDouble() throws SQLException {
          double v = values[row()];
          wasNull[0] = false;
          return v;
        }
      };
    }
    return generic;
  }

  @SuppressWarnings("unchecked")
  private static <E extends Throwable> E sneaky(Throwable e) throws E {
    throw (E) e;
  }
}
