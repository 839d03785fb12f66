package org.mmapsql.jdbc;

import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.TypedValue;
import org.apache.calcite.jdbc.CalcitePrepare;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.AppendRows;
import org.mmapsql.plan.ParameterInsert;
import org.mmapsql.schema.MmapSchema;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.TableEntryPoints;
import org.mmapsql.storage.Layout;

/**
 * A JDBC batch of a {@link ParameterInsert}, run without executing the
 * statement once per set: each parameter set is checked and encoded into row
 * images as it comes, then all rows are appended with one write and at most
 * one force. Each value reaches the dtype's encoder as the statement's
 * generated code would hand it over ({@link TypedValue#toLocal}), so the
 * rows and the errors are those of the statement run set by set.
 */
public final class BatchInsert {
  private final ParameterInsert insert;
  private final AppendRows rows;
  private final Object[] values;

  private BatchInsert(ParameterInsert insert, AppendRows rows) {
    this.insert = insert;
    this.rows = rows;
    this.values = new Object[insert.fields() - 1];
  }

  /**
   * A batch of {@code sets} parameter sets of the statement {@code signature}
   * describes, or null if it must run set by set: its plan is not a
   * parameter insert, the table was re-bound with other columns since, or it
   * refuses the INSERT (run set by set, the first set then says why).
   */
  public static @Nullable BatchInsert start(Meta.@Nullable Signature signature, int sets,
      @Nullable AtomicBoolean cancel) {
    if (!(signature instanceof CalcitePrepare.CalciteSignature<?> s) || sets == 0) {
      return null;
    }
    for (Object o : s.internalParameters.values()) {
      if (o instanceof ParameterInsert insert) {
        try {
          // The table in the connection that runs the batch: a cached plan may come from another one.
          MmapTable table = s.rootSchema == null ? insert.table()
              : MmapSchema.of(s.rootSchema.plus()).planned(insert.table().name());
          Layout layout = table.layout();
          if (!layout.sameRows(insert.layout())) {
            return null;
          }
          return new BatchInsert(insert, new AppendRows(TableEntryPoints.inserts(table, cancel), layout, sets));
        } catch (RuntimeException e) {
          return null;
        }
      }
    }
    return null;
  }

  /**
   * Checks and encodes the row of one parameter set; throws as the statement
   * would. False if a set is not one this batch takes (an unset parameter, an
   * idx that is not a whole number): the batch must then run set by set.
   */
  public boolean add(List<TypedValue> set) {
    long idx = 0;
    for (int f = 0; f < insert.fields(); f++) {
      int p = insert.parameter(f);
      Object v;
      if (p < 0) {
        v = insert.constant(f);
      } else {
        TypedValue t = p < set.size() ? set.get(p) : null;
        if (t == null) {
          return false;
        }
        v = t.toLocal();
      }
      if (f > 0) {
        values[f - 1] = v;
      } else if (v instanceof Long || v instanceof Integer || v instanceof Short || v instanceof Byte) {
        idx = ((Number) v).longValue();
      } else {
        return false;
      }
    }
    rows.add(idx, values);
    return true;
  }

  /** Appends the rows; returns their count. */
  public long append() {
    return rows.append();
  }
}
