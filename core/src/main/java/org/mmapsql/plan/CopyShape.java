package org.mmapsql.plan;

import java.util.List;
import java.util.stream.IntStream;

import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexLiteral;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.TableWrites;

/**
 * The input of an INSERT that is a block copy: {@code SELECT [idx,] <columns
 * of u> FROM u [WHERE <idx predicate>]}, a scan with at most a projection of
 * its own columns on top (no expression, no other filter; a value that needs
 * converting is converted by the target's encoders, as Calcite leaves it to
 * them). Anything else is not a copy and runs row by row.
 *
 * @param columns per value column of the target, the scan's value column it takes
 * @param idxGiven whether the SELECT gives u's idx (else the rows go at the end)
 */
record CopyShape(MmapTableScan scan, int[] columns, boolean idxGiven) {
  /** The copy {@code input} is, for a target of {@code targetColumns} value columns; null if none. */
  static @Nullable CopyShape of(RelNode input, int targetColumns) {
    MmapTableScan scan;
    List<RexNode> projects;
    if (input instanceof MmapTableScan s) {
      scan = s;
      projects = IntStream.range(0, s.getRowType().getFieldCount())
          .mapToObj(i -> (RexNode) RexInputRef.of(i, s.getRowType())).toList();
    } else if (input instanceof EnumerableCalc calc && calc.getInput() instanceof MmapTableScan s
        && calc.getProgram().getCondition() == null) {
      scan = s;
      RexProgram program = calc.getProgram();
      projects = program.getProjectList().stream().map(program::expandLocalRef).toList();
    } else {
      return null;
    }
    if (projects.size() != targetColumns + 1) {
      return null;
    }
    boolean idxGiven;
    RexNode idx = projects.get(0);
    if (idx instanceof RexInputRef ref && ref.getIndex() == 0) {
      idxGiven = true;
    } else if (idx instanceof RexLiteral lit && Long.valueOf(TableWrites.NEXT_IDX).equals(lit.getValueAs(Long.class))) {
      idxGiven = false;
    } else {
      return null;
    }
    int[] columns = new int[targetColumns];
    for (int c = 0; c < targetColumns; c++) {
      if (!(projects.get(c + 1) instanceof RexInputRef ref) || ref.getIndex() == 0) {
        return null;
      }
      columns[c] = ref.getIndex() - 1;
    }
    return new CopyShape(scan, columns, idxGiven);
  }
}
