package org.mmapsql.trino;

import java.util.concurrent.atomic.LongAdder;

/**
 * Rows and bytes the connector received from shard servers: what pushdown saves.
 * Bytes count 8 per value received (a rough measure of the wire, not the wire).
 */
public final class ShardTraffic {
  private final LongAdder rows = new LongAdder();
  private final LongAdder bytes = new LongAdder();

  void add(long r, long b) {
    rows.add(r);
    bytes.add(b);
  }

  public long rows() {
    return rows.sum();
  }

  public long bytes() {
    return bytes.sum();
  }
}
