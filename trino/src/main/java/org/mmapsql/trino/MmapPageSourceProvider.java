package org.mmapsql.trino;

import java.util.List;
import java.util.Optional;

import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.ConnectorPageSourceProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplit;
import io.trino.spi.connector.ConnectorTableCredentials;
import io.trino.spi.connector.ConnectorTableHandle;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.connector.DynamicFilter;

/** A split's rows ({@link ShardScan}) or its combined aggregates ({@link ShardAggregates}). */
final class MmapPageSourceProvider implements ConnectorPageSourceProvider {
  private final CatalogConfig config;
  private final ShardTraffic traffic;

  MmapPageSourceProvider(CatalogConfig config, ShardTraffic traffic) {
    this.config = config;
    this.traffic = traffic;
  }

  @Override public ConnectorPageSource createPageSource(ConnectorTransactionHandle transaction,
      ConnectorSession session, ConnectorSplit split, ConnectorTableHandle table,
      Optional<ConnectorTableCredentials> credentials, List<ColumnHandle> columns, DynamicFilter dynamicFilter) {
    MmapTableHandle h = (MmapTableHandle) table;
    MmapSplit s = (MmapSplit) split;
    if (h.isAggregated()) {
      return new ShardAggregates(s, config, h, columns, traffic);
    }
    MmapSplit.Part part = s.parts().get(0);
    return new ShardScan(part, config.servers().get(part.shard().server()),
        columns.stream().map(MmapColumnHandle.class::cast).toList(), h.filters(), h.limit(), traffic);
  }
}
