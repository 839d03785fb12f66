package org.mmapsql.jdbc;

import java.sql.SQLException;
import java.sql.Types;
import java.util.Calendar;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.util.AbstractCursor;
import org.apache.calcite.avatica.util.ArrayImpl;
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
  /** Rows a block holds at most: 4,096 rows of 8 bytes are 32 KiB, in the L1/L2 cache. */
  private static final int BLOCK = 4096;

  private final BlockScan scan;
  private final RowBlock block;
  private final BlockScan.Reader reader;
  private final Layout layout;
  private int pos = -1; // the current row's index in the block

  public ScanCursor(ScanRows rows) {
    this.scan = rows.blocks(BLOCK);
    this.layout = scan.array().layout();
    this.block = new RowBlock(layout, scan.blockRows());
    this.reader = block::read;
  }

  @Override public boolean next() {
    if (++pos >= scan.blockSize()) {
      boolean more;
      try {
        more = scan.next(reader);
      } catch (Throwable t) {
        throw ScanCursor.<RuntimeException>sneaky(Errors.toSql(t));
      }
      if (!more) {
        pos = scan.blockSize(); // stays after the end
        return false;
      }
      pos = 0;
    }
    return true;
  }

  @Override public void close() {
    scan.close();
  }

  /** The idx of the current row. */
  private long idx() {
    return scan.blockIdx() + pos;
  }

  @Override protected Getter createGetter(int ordinal) {
    return new AbstractGetter() {
      @Override public Object getObject() {
        Object v = ordinal == 0 ? (Object) idx() : block.value(ordinal - 1, pos);
        wasNull[0] = v == null;
        return v;
      }
    };
  }

  @Override protected Accessor createAccessor(ColumnMetaData column, int ordinal, Calendar calendar,
      ArrayImpl.Factory factory) {
    Accessor generic = super.createAccessor(column, ordinal, calendar, factory);
    if (ordinal == 0) {
      return new ExactAccessor(generic) {
        @Override public long getLong() {
          wasNull[0] = false;
          return idx();
        }
      };
    }
    int c = ordinal - 1;
    Dtype d = layout.columns().get(c).dtype();
    int type = column.type.id;
    boolean exact = type == Types.TINYINT || type == Types.SMALLINT || type == Types.INTEGER || type == Types.BIGINT;
    if (RowBlock.longs(d) && exact && column.signed) {
      long[] values = block.longs(c);
      return new ExactAccessor(generic) {
        @Override public long getLong() {
          wasNull[0] = false;
          return values[pos];
        }
      };
    }
    if (RowBlock.doubles(d) && (type == Types.DOUBLE || type == Types.REAL || type == Types.FLOAT)) {
      double[] values = block.doubles(c);
      return new ApproximateAccessor(generic) {
        @Override public double getDouble() {
          wasNull[0] = false;
          return values[pos];
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
