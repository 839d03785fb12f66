package org.mmapsql.plan;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Calc;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.Values;
import org.apache.calcite.rex.RexCall;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.sql.SqlKind;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.storage.Layout;

/**
 * An INSERT of one row of parameters and constants,
 * {@code INSERT INTO t [(columns)] VALUES (?, ..., 1.5)}, as its plan says it:
 * for each field of the table (idx, then the layout's columns) the parameter
 * it takes, or its constant. A JDBC batch of such a statement needs no
 * execution per row: each parameter set is checked and encoded straight into
 * row images ({@code org.mmapsql.jdbc.BatchInsert}). The plan stashes it in
 * its signature's internal parameters, where the batch finds it.
 */
public final class ParameterInsert {
  private final MmapTable table;
  private final Layout layout;
  /** Per field: the ordinal of the parameter it takes, or -1 for a constant. */
  private final int[] parameters;
  /** Per field: the constant, as generated code would hand it to the table (unused for a parameter). */
  private final @Nullable Object[] constants;

  private ParameterInsert(MmapTable table, Layout layout, int[] parameters, @Nullable Object[] constants) {
    this.table = table;
    this.layout = layout;
    this.parameters = parameters;
    this.constants = constants;
  }

  /** The parameter insert {@code modify} is, or null if it is another write. */
  static @Nullable ParameterInsert of(MmapTableModify modify) {
    MmapTable table = modify.getTable().unwrap(MmapTable.class);
    List<RexNode> row = modify.isInsert() ? row(modify.getInput()) : null;
    if (table == null || row == null) {
      return null;
    }
    Layout layout;
    try {
      layout = table.layout();
    } catch (MmapException e) {
      return null;
    }
    if (row.size() != 1 + layout.columns().size()) {
      return null;
    }
    int[] parameters = new int[row.size()];
    Object[] constants = new Object[row.size()];
    for (int i = 0; i < row.size(); i++) {
      RexNode e = row.get(i);
      parameters[i] = e instanceof RexDynamicParam p ? p.getIndex() : -1;
      if (parameters[i] < 0) {
        Constant c = constant(e);
        if (c == null) {
          return null;
        }
        constants[i] = c.value;
      }
    }
    if (parameters[0] < 0 && !(constants[0] instanceof Long)) {
      return null; // idx: the default (append) or a whole number
    }
    return new ParameterInsert(table, layout, parameters, constants);
  }

  /** The expressions of the single row {@code input} yields, or null if it yields something else. */
  private static @Nullable List<RexNode> row(RelNode input) {
    if (input instanceof Values v) {
      return v.getTuples().size() == 1 ? new ArrayList<>(v.getTuples().get(0)) : null;
    }
    List<RexNode> exprs;
    if (input instanceof Calc calc && calc.getProgram().getCondition() == null) {
      RexProgram program = calc.getProgram();
      exprs = program.getProjectList().stream().map(program::expandLocalRef).toList();
    } else if (input instanceof Project project) {
      exprs = project.getProjects();
    } else {
      return null;
    }
    RelNode below = input.getInput(0);
    List<RexNode> values = below instanceof Values ? row(below) : null;
    if (values == null) {
      return null;
    }
    List<RexNode> out = new ArrayList<>(exprs.size());
    for (RexNode e : exprs) {
      out.add(e instanceof RexInputRef ref ? values.get(ref.getIndex()) : e);
    }
    return out;
  }

  /** A value of a literal (or a cast NULL), as generated code gives it; null if it is not such a constant. */
  private record Constant(@Nullable Object value) {
  }

  private static @Nullable Constant constant(RexNode e) {
    if (e instanceof RexCall call && call.getKind() == SqlKind.CAST && call.getOperands().get(0) instanceof RexLiteral l
        && l.isNull()) {
      return new Constant(null);
    }
    if (!(e instanceof RexLiteral l)) {
      return null;
    }
    if (l.isNull()) {
      return new Constant(null);
    }
    return switch (l.getType().getSqlTypeName()) {
      case TINYINT -> new Constant(l.getValueAs(Byte.class));
      case SMALLINT -> new Constant(l.getValueAs(Short.class));
      case INTEGER -> new Constant(l.getValueAs(Integer.class));
      case BIGINT -> new Constant(l.getValueAs(Long.class));
      case DECIMAL -> new Constant(l.getValueAs(BigDecimal.class));
      case REAL -> new Constant(l.getValueAs(Float.class));
      case FLOAT, DOUBLE -> new Constant(l.getValueAs(Double.class));
      case CHAR, VARCHAR -> new Constant(l.getValueAs(String.class));
      case BOOLEAN -> new Constant(l.getValueAs(Boolean.class));
      default -> null;
    };
  }

  public MmapTable table() {
    return table;
  }

  /** The layout the statement was planned for: a batch runs this way only while the table still has it. */
  public Layout layout() {
    return layout;
  }

  /** How many fields: idx and the layout's columns. */
  public int fields() {
    return parameters.length;
  }

  /** The ordinal of the parameter field {@code field} takes, or -1 if it is {@link #constant}. */
  public int parameter(int field) {
    return parameters[field];
  }

  public @Nullable Object constant(int field) {
    return constants[field];
  }
}
