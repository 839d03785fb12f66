package org.mmapsql.trino;

import java.util.List;
import java.util.stream.Collectors;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ConnectorTableHandle;

/**
 * A sharded array and what a query pushed into it: the idx ranges it reads, a LIMIT,
 * and the aggregates the shards compute. Its text is what Trino's EXPLAIN shows.
 */
public record MmapTableHandle(@JsonProperty("array") String array,
    @JsonProperty("columns") List<MmapColumnHandle> columns,
    @JsonProperty("ranges") List<IdxRange> ranges,
    @JsonProperty("limit") long limit,
    @JsonProperty("aggregates") List<PushedAggregate> aggregates) implements ConnectorTableHandle {
  public static final long NO_LIMIT = -1;

  @JsonCreator public MmapTableHandle {
    columns = List.copyOf(columns);
    ranges = List.copyOf(ranges);
    aggregates = List.copyOf(aggregates);
  }

  static MmapTableHandle of(String array, List<MmapColumnHandle> columns) {
    return new MmapTableHandle(array, columns, IdxRange.ALL, NO_LIMIT, List.of());
  }

  boolean isAggregated() {
    return !aggregates.isEmpty();
  }

  MmapTableHandle withRanges(List<IdxRange> r) {
    return new MmapTableHandle(array, columns, r, limit, aggregates);
  }

  MmapTableHandle withLimit(long l) {
    return new MmapTableHandle(array, columns, ranges, l, aggregates);
  }

  MmapTableHandle withAggregates(List<PushedAggregate> a) {
    return new MmapTableHandle(array, columns, ranges, limit, a);
  }

  @Override public String toString() {
    StringBuilder b = new StringBuilder("mmapsql:").append(array);
    b.append(ranges.equals(IdxRange.ALL) ? " idx=all"
        : " idx=" + ranges.stream().map(IdxRange::toString).collect(Collectors.joining(", ", "[", "]")));
    if (limit != NO_LIMIT) {
      b.append(" limit=").append(limit);
    }
    if (isAggregated()) {
      b.append(" aggregates=").append(aggregates).append(" per shard");
    }
    return b.toString();
  }
}
