package org.mmapsql;

import org.mmapsql.server.MmapServer;

/**
 * Core's JDBC contract through a real server and Avatica's own remote client
 * ({@code jdbc:avatica:remote:}), as DBeaver's built-in entry and Spark use it.
 */
class AvaticaJdbcContractTest extends RemoteJdbcContractTest {
  @Override protected String url(MmapServer server) {
    return "jdbc:avatica:remote:url=" + server.url() + ";serialization=PROTOBUF";
  }
}
