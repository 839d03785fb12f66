package org.mmapsql.trino;

import java.util.List;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;

import io.trino.spi.connector.ConnectorSplit;

/**
 * Work for one worker: for a scan, one run of positions of one shard; for an
 * aggregate, every shard's part, whose partial results the worker combines.
 */
public record MmapSplit(@JsonProperty("parts") List<Part> parts) implements ConnectorSplit {
  /** The global positions {@code ranges} of {@code shard}. */
  public record Part(@JsonProperty("shard") Shard shard, @JsonProperty("ranges") List<IdxRange> ranges) {
    @JsonCreator public Part {
      ranges = List.copyOf(ranges);
    }
  }

  @JsonCreator public MmapSplit {
    parts = List.copyOf(parts);
  }

  @Override public long getRetainedSizeInBytes() {
    return 64 + parts.size() * 128L;
  }

  @Override public String toString() {
    return parts.toString();
  }
}
