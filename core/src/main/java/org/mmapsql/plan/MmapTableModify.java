package org.mmapsql.plan;

import java.util.Arrays;
import java.util.List;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.adapter.enumerable.JavaRowFormat;
import org.apache.calcite.adapter.enumerable.PhysType;
import org.apache.calcite.adapter.enumerable.PhysTypeImpl;
import org.apache.calcite.linq4j.tree.BlockBuilder;
import org.apache.calcite.linq4j.tree.Blocks;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.Enumerable;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.linq4j.tree.Types;
import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.plan.RelOptTable;
import org.apache.calcite.plan.RelTraitSet;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelWriter;
import org.apache.calcite.rel.core.Calc;
import org.apache.calcite.rel.core.Project;
import org.apache.calcite.rel.core.TableModify;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.util.BuiltInMethod;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.IdxRanges;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.TableEntryPoints;

/**
 * INSERT, UPDATE or DELETE on an array. Its input yields the rows to append,
 * to write {@code (idx, val, new val)} or to remove; generated code hands them
 * to {@link TableEntryPoints} in one call, which returns the update count.
 */
public final class MmapTableModify extends TableModify implements EnumerableRel {
  MmapTableModify(RelOptCluster cluster, RelTraitSet traits, RelOptTable table,
      Prepare.CatalogReader catalogReader, RelNode input, Operation operation,
      @Nullable List<String> updateColumnList, @Nullable List<RexNode> sourceExpressionList,
      boolean flattened) {
    super(cluster, traits, table, catalogReader, input, operation, updateColumnList,
        sourceExpressionList, flattened);
  }

  @Override public RelNode copy(RelTraitSet traitSet, List<RelNode> inputs) {
    return new MmapTableModify(getCluster(), traitSet, table, getCatalogReader(), sole(inputs),
        getOperation(), getUpdateColumnList(), getSourceExpressionList(), isFlattened());
  }

  /** DELETE of the rows a scan names, with no other filter: the file is cut, no row read. */
  private boolean truncates() {
    return isDelete() && bareScan(getInput()) instanceof MmapTableScan;
  }

  /** INSERT ... SELECT of another table's (or this one's) columns: copied block by block, see {@link CopyShape}. */
  private @Nullable CopyShape copy() {
    return isInsert() ? CopyShape.of(getInput(), table.getRowType().getFieldCount() - 1) : null;
  }

  @Override public RelWriter explainTerms(RelWriter pw) {
    return super.explainTerms(pw).itemIf("truncate", true, truncates()).itemIf("copy", true, copy() != null);
  }

  /** The scan under an input that only projects its rows (DELETE needs no column), or the input. */
  private static RelNode bareScan(RelNode input) {
    if (input instanceof Calc calc && calc.getProgram().getCondition() == null) {
      return calc.getInput();
    }
    return input instanceof Project project ? project.getInput() : input;
  }

  @Override public Result implement(EnumerableRelImplementor implementor, Prefer pref) {
    PhysType physType = PhysTypeImpl.of(implementor.getTypeFactory(), getRowType(), JavaRowFormat.SCALAR);
    Expression target = table.getExpression(MmapTable.class);
    if (isDelete() && bareScan(getInput()) instanceof MmapTableScan scan) {
      // DELETE FROM t [WHERE <idx predicate>]: cut the file, reading no row.
      Expression count = Expressions.call(
          Types.lookupMethod(TableEntryPoints.class, "delete", MmapTable.class, DataContext.class, IdxRanges.class),
          target, implementor.getRootExpression(), scan.ranges(implementor));
      return implementor.result(physType, Blocks.toBlock(
          Expressions.call(BuiltInMethod.SINGLETON_ENUMERABLE.method, count)));
    }
    CopyShape copy = copy();
    if (copy != null) {
      // INSERT INTO t SELECT <columns> FROM u [WHERE <idx predicate>]: chunks of u's mapping, no row objects.
      Expression count = Expressions.call(
          Types.lookupMethod(TableEntryPoints.class, "copy", MmapTable.class, DataContext.class, MmapTable.class,
              IdxRanges.class, int[].class, boolean.class),
          target, implementor.getRootExpression(), copy.scan().getTable().getExpression(MmapTable.class),
          copy.scan().ranges(implementor),
          Expressions.newArrayInit(int.class, Arrays.stream(copy.columns())
              .mapToObj(c -> (Expression) Expressions.constant(c)).toList()),
          Expressions.constant(copy.idxGiven()));
      return implementor.result(physType, Blocks.toBlock(
          Expressions.call(BuiltInMethod.SINGLETON_ENUMERABLE.method, count)));
    }
    BlockBuilder builder = new BlockBuilder();
    ParameterInsert parameterInsert = isInsert() ? ParameterInsert.of(this) : null;
    if (parameterInsert != null) {
      implementor.stash(parameterInsert, ParameterInsert.class); // for a JDBC batch of it, see ParameterInsert
    }
    if (isInsert() && DeferrableInsert.readsNoTable(getInput())) {
      implementor.stash(DeferrableInsert.INSTANCE, DeferrableInsert.class);
    }
    Result input = implementor.visitChild(this, 0, (EnumerableRel) getInput(), Prefer.ARRAY);
    Expression rows = builder.append("rows", input.block);
    rows = builder.append("arrayRows", input.physType.convertTo(rows, JavaRowFormat.ARRAY));
    String method = switch (getOperation()) {
      case INSERT -> "insert";
      case UPDATE -> "update";
      case DELETE -> "delete";
      default -> throw new AssertionError(getOperation());
    };
    Expression count;
    if (isUpdate()) {
      // The columns the SET names, as layout columns (field 0 is idx, which cannot be set).
      List<String> fields = table.getRowType().getFieldNames();
      Expression columns = Expressions.newArrayInit(int.class, getUpdateColumnList().stream()
          .map(c -> (Expression) Expressions.constant(fields.indexOf(c) - 1)).toList());
      count = Expressions.call(Types.lookupMethod(TableEntryPoints.class, method,
          MmapTable.class, DataContext.class, Enumerable.class, int[].class),
          target, implementor.getRootExpression(), rows, columns);
    } else {
      count = Expressions.call(
          Types.lookupMethod(TableEntryPoints.class, method, MmapTable.class, DataContext.class, Enumerable.class),
          target, implementor.getRootExpression(), rows);
    }
    builder.add(Expressions.return_(null,
        Expressions.call(BuiltInMethod.SINGLETON_ENUMERABLE.method, count)));
    return implementor.result(physType, builder.toBlock());
  }
}
