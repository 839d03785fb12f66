package org.mmapsql.trino;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ConnectorInsertTableHandle;

/** An INSERT: the rows go, in the order Trino gives them, to the end of the array's last shard. */
public record MmapInsertHandle(@JsonProperty("last") Shard last,
    @JsonProperty("columns") List<MmapColumnHandle> columns) implements ConnectorInsertTableHandle {
  @JsonCreator public MmapInsertHandle {
    columns = List.copyOf(columns);
  }
}
