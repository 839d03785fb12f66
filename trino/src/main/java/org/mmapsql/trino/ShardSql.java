package org.mmapsql.trino;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The SQL the connector sends to a shard's server. Positions become the shard's own
 * idx (global minus its shift), so the server answers them with positional access.
 */
final class ShardSql {
  private ShardSql() {
  }

  static String scan(MmapSplit.Part part, List<MmapColumnHandle> columns, List<String> filters, long limit) {
    long shift = part.shard().shift();
    String select = columns.isEmpty() ? quote(MmapColumnHandle.IDX)
        : columns.stream().map(c -> c.sql(shift)).collect(Collectors.joining(", "));
    return "SELECT " + select + " FROM " + table(part.shard()) + where(part, filters)
        + (limit >= 0 ? " LIMIT " + limit : "");
  }

  /**
   * The partial results of every aggregate, in the order of {@link #partials}: one row,
   * or with {@code k > 0} one row per bucket {@code idx / k}, the bucket first.
   */
  static String aggregate(MmapSplit.Part part, List<PushedAggregate> aggregates, List<String> filters, long k) {
    long shift = part.shard().shift();
    String partials = aggregates.stream().flatMap(a -> partials(a, shift).stream()).collect(Collectors.joining(", "));
    String from = " FROM " + table(part.shard()) + where(part, filters);
    if (k == 0) {
      return "SELECT " + partials + from;
    }
    String bucket = MmapColumnHandle.bucket(k).sql(shift);
    return "SELECT " + bucket + ", " + partials + from + " GROUP BY " + bucket;
  }

  /** What each shard computes for one aggregate; MIN and MAX of idx come back as global idx. */
  static List<String> partials(PushedAggregate a, long shift) {
    String c = a.column() == null ? null : quote(a.column());
    String global = MmapColumnHandle.IDX.equals(a.column()) && shift != 0 ? " + " + shift : "";
    return switch (a.function()) {
      case COUNT_ALL -> List.of("COUNT(*)");
      case COUNT -> List.of("COUNT(" + c + ")");
      case SUM -> List.of("SUM(" + c + ")");
      case MIN -> List.of("MIN(" + c + ")" + global);
      case MAX -> List.of("MAX(" + c + ")" + global);
      case AVG -> List.of("SUM(" + c + ")", "COUNT(" + c + ")");
    };
  }

  /** An append of one row of {@code columns} (every value column of a 2-D table, or some). */
  static String insert(Shard shard, List<String> columns) {
    return "INSERT INTO " + table(shard) + "(" + columns.stream().map(ShardSql::quote).collect(Collectors.joining(", "))
        + ") VALUES (" + columns.stream().map(c -> "?").collect(Collectors.joining(", ")) + ")";
  }

  private static String where(MmapSplit.Part part, List<String> filters) {
    long shift = part.shard().shift();
    String positions = part.ranges().stream()
        .map(r -> r.length() == 1 ? "idx = " + (r.from() - shift)
            : "(idx >= " + (r.from() - shift) + " AND idx < " + (r.to() - shift) + ")")
        .collect(Collectors.joining(" OR "));
    return " WHERE " + (filters.isEmpty() ? positions
        : "(" + positions + ") AND " + String.join(" AND ", filters));
  }

  static String table(Shard shard) {
    return "mmap." + quote(shard.table());
  }

  static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
