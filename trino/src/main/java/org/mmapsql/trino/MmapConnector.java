package org.mmapsql.trino;

import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorInsertTableHandle;
import io.trino.spi.connector.ConnectorMetadata;
import io.trino.spi.connector.ConnectorOutputTableHandle;
import io.trino.spi.connector.ConnectorPageSink;
import io.trino.spi.connector.ConnectorPageSinkId;
import io.trino.spi.connector.ConnectorPageSinkProvider;
import io.trino.spi.connector.ConnectorPageSourceProvider;
import io.trino.spi.connector.ConnectorSession;
import io.trino.spi.connector.ConnectorSplitManager;
import io.trino.spi.connector.ConnectorTableCredentials;
import io.trino.spi.connector.ConnectorTransactionHandle;
import io.trino.spi.transaction.IsolationLevel;

import java.util.Optional;

/** One mmapsql catalog: its arrays, each sharded over the servers the properties name. */
final class MmapConnector implements Connector {
  private final CatalogConfig config;
  private final ShardTraffic traffic;

  MmapConnector(CatalogConfig config, ShardTraffic traffic) {
    this.config = config;
    this.traffic = traffic;
  }

  @Override public ConnectorTransactionHandle beginTransaction(IsolationLevel level, boolean readOnly,
      boolean autoCommit) {
    return MmapTransactionHandle.INSTANCE;
  }

  @Override public ConnectorMetadata getMetadata(ConnectorSession session, ConnectorTransactionHandle tx) {
    return new MmapMetadata(config);
  }

  @Override public ConnectorSplitManager getSplitManager() {
    return new MmapSplitManager(config);
  }

  @Override public ConnectorPageSourceProvider getPageSourceProvider() {
    return new MmapPageSourceProvider(config, traffic);
  }

  @Override public void shutdown() {
    // connections are per split and per statement: nothing stays open
  }

  @Override public ConnectorPageSinkProvider getPageSinkProvider() {
    return new ConnectorPageSinkProvider() {
      @Override public ConnectorPageSink createPageSink(ConnectorTransactionHandle tx, ConnectorSession session,
          ConnectorOutputTableHandle output, Optional<ConnectorTableCredentials> credentials,
          ConnectorPageSinkId id) {
        throw new UnsupportedOperationException("the mmapsql connector does not create tables");
      }

      @Override public ConnectorPageSink createPageSink(ConnectorTransactionHandle tx, ConnectorSession session,
          ConnectorInsertTableHandle insert, Optional<ConnectorTableCredentials> credentials,
          ConnectorPageSinkId id) {
        MmapInsertHandle h = (MmapInsertHandle) insert;
        return new AppendSink(h, config.servers().get(h.last().server()));
      }
    };
  }
}
