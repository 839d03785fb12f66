package org.mmapsql.trino;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplitManager;
import io.trino.spi.connector.ConnectorSplitSource;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.Constraint;
import io.trino.spi.connector.FixedSplitSource;

/**
 * Splits from the shard layout read now: shards outside the handle's ranges are
 * pruned, a scan gets one split per {@code split-rows} positions of a shard, and an
 * aggregate gets one split holding every shard's part.
 */
final class MmapSplitManager implements ConnectorSplitManager {
  private final CatalogConfig config;

  MmapSplitManager(CatalogConfig config) {
    this.config = config;
  }

  @Override public ConnectorSplitSource getSplits(ConnectorTransactionHandle transaction, ConnectorSession session,
      ConnectorTableHandle table, Set<ColumnHandle> dynamicFilterColumns, Constraint constraint) {
    MmapTableHandle h = (MmapTableHandle) table;
    List<MmapSplit.Part> parts = parts(ShardLayout.read(config, h.array()), h);
    if (h.isAggregated()) {
      return new FixedSplitSource(new MmapSplit(parts));
    }
    List<MmapSplit> splits = new ArrayList<>();
    for (MmapSplit.Part p : parts) {
      for (List<IdxRange> piece : IdxRange.pieces(p.ranges(), config.splitRows())) {
        splits.add(new MmapSplit(List.of(new MmapSplit.Part(p.shard(), piece))));
      }
    }
    return new FixedSplitSource(splits);
  }

  /** Each shard's share of the handle's ranges (the first {@code limit} positions if limited). */
  static List<MmapSplit.Part> parts(List<Shard> shards, MmapTableHandle h) {
    List<IdxRange> wanted = h.ranges();
    if (h.limit() != MmapTableHandle.NO_LIMIT && h.filters().isEmpty() && !shards.isEmpty()) {
      // every position in a shard's range is a row, so the first rows are known without reading
      // (with a filter on values they are not: each split then sends up to the limit)
      wanted = IdxRange.first(IdxRange.within(wanted, 0, shards.get(shards.size() - 1).end()), h.limit());
    }
    List<MmapSplit.Part> parts = new ArrayList<>();
    for (Shard s : shards) {
      List<IdxRange> mine = IdxRange.within(wanted, s.first(), s.end());
      if (!mine.isEmpty()) {
        parts.add(new MmapSplit.Part(s, mine));
      }
    }
    return parts;
  }
}
