package org.mmapsql.plan;

import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.core.Values;

/**
 * The mark of an INSERT whose rows read no table ({@code VALUES} of
 * parameters, constants and expressions of them). The sets of a JDBC batch of
 * it can all be checked first and appended together, whole or not at all,
 * since no set could have seen the rows of another. An INSERT that reads a
 * table ({@code INSERT ... SELECT ... FROM t}) runs set by set instead. The
 * plan stashes the mark in its signature's internal parameters.
 */
public enum DeferrableInsert {
  INSTANCE;

  /**
   * Whether the rows {@code input} gives read no table: every leaf is a
   * {@link Values} (our own leaves, such as an aggregate over the mapping,
   * read a table without a scan under them).
   */
  static boolean readsNoTable(RelNode input) {
    if (input.getInputs().isEmpty()) {
      return input instanceof Values;
    }
    return input.getInputs().stream().allMatch(DeferrableInsert::readsNoTable);
  }
}
