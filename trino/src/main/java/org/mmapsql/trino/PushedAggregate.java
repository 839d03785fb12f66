package org.mmapsql.trino;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.type.Type;

/**
 * An aggregate each shard's server computes over its part and the connector combines:
 * COUNT and SUM add up, MIN and MAX take the extreme, AVG is the summed SUM over the
 * summed COUNT. It is also the column handle of the aggregate's result.
 */
public record PushedAggregate(@JsonProperty("function") Function function,
    @JsonProperty("column") String column, @JsonProperty("type") Type type) implements ColumnHandle {
  /** The functions that combine exactly (or, for SUM and AVG of doubles, up to rounding). */
  public enum Function {
    COUNT_ALL, COUNT, SUM, MIN, MAX, AVG
  }

  @JsonCreator public PushedAggregate {
  }

  @Override public String toString() {
    return function == Function.COUNT_ALL ? "count(*)" : function.name().toLowerCase(java.util.Locale.ROOT)
        + "(" + column + ")";
  }
}
