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

  static String scan(MmapSplit.Part part, List<MmapColumnHandle> columns, long limit) {
    String select = columns.isEmpty() ? quote(MmapColumnHandle.IDX)
        : columns.stream().map(c -> quote(c.name())).collect(Collectors.joining(", "));
    return "SELECT " + select + " FROM " + table(part.shard()) + where(part) + (limit >= 0 ? " LIMIT " + limit : "");
  }

  /** One row: the partial results of every aggregate, in the order of {@link #partials}. */
  static String aggregate(MmapSplit.Part part, List<PushedAggregate> aggregates) {
    long shift = part.shard().shift();
    return "SELECT " + aggregates.stream().flatMap(a -> partials(a, shift).stream()).collect(Collectors.joining(", "))
        + " FROM " + table(part.shard()) + where(part);
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

  static String insert(Shard shard, String column) {
    return "INSERT INTO " + table(shard) + "(" + quote(column) + ") VALUES (?)";
  }

  private static String where(MmapSplit.Part part) {
    long shift = part.shard().shift();
    return " WHERE " + part.ranges().stream()
        .map(r -> r.length() == 1 ? "idx = " + (r.from() - shift)
            : "(idx >= " + (r.from() - shift) + " AND idx < " + (r.to() - shift) + ")")
        .collect(Collectors.joining(" OR "));
  }

  static String table(Shard shard) {
    return "mmap." + quote(shard.table());
  }

  static String quote(String name) {
    return '"' + name.replace("\"", "\"\"") + '"';
  }
}
