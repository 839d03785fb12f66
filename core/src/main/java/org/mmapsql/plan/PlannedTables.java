package org.mmapsql.plan;

import java.util.LinkedHashMap;
import java.util.Map;

import org.apache.calcite.DataContext;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelVisitor;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rel.core.TableScan;
import org.apache.calcite.schema.SchemaPlus;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.catalog.Binding;
import org.mmapsql.schema.MmapSchema;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.storage.Layout;

/**
 * The tables a plan reads or writes, each with the layout it was planned for.
 * A plan finds its tables by name when it runs, so a name re-bound to a file
 * of the same layout is simply read; re-bound to another layout (another dtype,
 * byte order, shape), the plan's row type and code no longer fit, and
 * {@link #check} refuses to run it, as PostgreSQL refuses a cached plan whose
 * result type changed (0A000), rather than read the new rows under the old types.
 */
public final class PlannedTables {
  private final Map<String, Layout> layouts;

  private PlannedTables(Map<String, Layout> layouts) {
    this.layouts = layouts;
  }

  /** The mmapsql tables of {@code rel}, or null if it has none. */
  public static @Nullable PlannedTables of(RelNode rel) {
    Map<String, Layout> layouts = new LinkedHashMap<>();
    new RelVisitor() {
      @Override public void visit(RelNode node, int ordinal, @Nullable RelNode parent) {
        RelOptTable t = node instanceof TableScan s ? s.getTable()
            : node instanceof TableModify m ? m.getTable() : null;
        MmapTable table = t == null ? null : t.unwrap(MmapTable.class);
        if (table != null) {
          layouts.putIfAbsent(table.name(), table.layout());
        }
        super.visit(node, ordinal, parent);
      }
    }.go(rel);
    return layouts.isEmpty() ? null : new PlannedTables(layouts);
  }

  /** Fails if a table of the plan is now bound to a file of another layout; an unbound one fails where it is used. */
  public void check(DataContext root) {
    SchemaPlus rootSchema = root.getRootSchema();
    if (rootSchema == null) {
      return;
    }
    MmapSchema schema = MmapSchema.of(rootSchema);
    for (Map.Entry<String, Layout> e : layouts.entrySet()) {
      Binding b = schema.database().binding(e.getKey());
      if (b != null && !b.layout().sameRows(e.getValue())) {
        throw new MmapException(SqlState.FEATURE_NOT_SUPPORTED, "table " + e.getKey()
            + " was bound to a file of another type since this statement was prepared: prepare it again");
      }
    }
  }
}
