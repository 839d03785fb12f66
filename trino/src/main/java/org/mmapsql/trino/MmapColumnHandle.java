package org.mmapsql.trino;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.type.Type;

/** A column of an mmapsql table, as its servers name and type it. */
public record MmapColumnHandle(@JsonProperty("name") String name, @JsonProperty("type") Type type)
    implements ColumnHandle {
  public static final String IDX = "idx";

  @JsonCreator public MmapColumnHandle {
  }

  boolean isIdx() {
    return name.equals(IDX);
  }

  ColumnMetadata metadata() {
    // idx is nullable for Trino: an INSERT gives only the values and the append gives the position
    return ColumnMetadata.builder().setName(name).setType(type)
        .setComment(java.util.Optional.ofNullable(isIdx() ? "position in the array (global over the shards)" : null))
        .build();
  }

  @Override public String toString() {
    return name + ":" + type.getDisplayName();
  }
}
