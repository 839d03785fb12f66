package org.mmapsql.trino;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * One shard of an array as found at planning time: the table {@code table} on server
 * {@code server} holds the global positions {@code [first, first + rows)}; a row the
 * server reports at idx {@code i} is global idx {@code i + shift} (0 when the shard
 * was mapped with its base, {@code first} when its idx starts at 0).
 */
public record Shard(@JsonProperty("number") int number, @JsonProperty("array") String array,
    @JsonProperty("server") String server, @JsonProperty("table") String table,
    @JsonProperty("first") long first, @JsonProperty("rows") long rows, @JsonProperty("shift") long shift) {
  @JsonCreator public Shard {
  }

  public long end() {
    return first + rows;
  }

  /** How messages name it: "shard 2 of series (table series_2 on server b)". */
  public String describe() {
    return "shard " + number + " of " + array + " (table " + table + " on server " + server + ")";
  }
}
