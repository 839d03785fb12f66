package org.mmapsql.plan;

import java.util.function.Function;

import org.apache.calcite.plan.RelOptRule;
import org.apache.calcite.plan.RelRule;
import org.apache.calcite.tools.RelBuilderFactory;
import org.checkerframework.checker.nullness.qual.Nullable;

/** A plain {@link RelRule.Config}: operands, a description and the rule it makes. */
record RuleConfig(RelRule.OperandTransform operandSupplier, @Nullable String description,
    Function<RuleConfig, RelOptRule> factory) implements RelRule.Config {

  @Override public RelOptRule toRule() {
    return factory.apply(this);
  }

  @Override public RelRule.Config withRelBuilderFactory(RelBuilderFactory f) {
    return this;
  }

  @Override public RelRule.Config withDescription(@Nullable String d) {
    return new RuleConfig(operandSupplier, d, factory);
  }

  @Override public RelRule.Config withOperandSupplier(RelRule.OperandTransform t) {
    return new RuleConfig(t, description, factory);
  }
}
