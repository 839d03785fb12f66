package org.mmapsql.trino;

import java.util.List;
import java.util.Map;

import io.trino.spi.Plugin;
import io.trino.spi.connector.Connector;
import io.trino.spi.connector.ConnectorContext;
import io.trino.spi.connector.ConnectorFactory;

/** The plugin Trino loads: the connector {@code mmapsql} (catalog property {@code connector.name=mmapsql}). */
public final class MmapPlugin implements Plugin {
  public static final String CONNECTOR_NAME = "mmapsql";
  private final ShardTraffic traffic = new ShardTraffic();

  /** What this plugin's connectors received from shard servers, all catalogs together. */
  public ShardTraffic traffic() {
    return traffic;
  }

  @Override public Iterable<ConnectorFactory> getConnectorFactories() {
    return List.of(new ConnectorFactory() {
      @Override public String getName() {
        return CONNECTOR_NAME;
      }

      @Override public Connector create(String catalog, Map<String, String> config, ConnectorContext context) {
        return new MmapConnector(CatalogConfig.parse(config), traffic);
      }
    });
  }
}
