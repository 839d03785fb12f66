package org.mmapsql.trino;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ColumnMetadata;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.Type;

/**
 * A column of an mmapsql table, as its servers name and type it; or, with a bucket
 * width {@code k > 0}, the computed column {@code idx / k} (what downsampling groups by),
 * which the shards compute from their global idx.
 */
public record MmapColumnHandle(@JsonProperty("name") String name, @JsonProperty("type") Type type,
    @JsonProperty("bucket") long bucket) implements ColumnHandle {
  public static final String IDX = "idx";

  @JsonCreator public MmapColumnHandle {
  }

  MmapColumnHandle(String name, Type type) {
    this(name, type, 0);
  }

  /** The column {@code idx / k}. */
  static MmapColumnHandle bucket(long k) {
    return new MmapColumnHandle(IDX + "/" + k, BigintType.BIGINT, k);
  }

  boolean isIdx() {
    return bucket == 0 && name.equals(IDX);
  }

  boolean isBucket() {
    return bucket > 0;
  }

  /** The column as a shard's server computes it: idx and buckets are global (the shard's rows start at {@code shift}). */
  String sql(long shift) {
    if (isBucket()) {
      return "(" + global(shift) + ") / " + bucket;
    }
    return isIdx() ? global(shift) : ShardSql.quote(name);
  }

  private static String global(long shift) {
    return shift == 0 ? ShardSql.quote(IDX) : ShardSql.quote(IDX) + " + " + shift;
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
