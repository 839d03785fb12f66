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

  /** Avatica's client refuses {@code RETURN_GENERATED_KEYS}; it can send {@code GeneratedKeys.SQL} itself. */
  @Override protected boolean hasGeneratedKeys() {
    return false;
  }

  @Override protected boolean batchErrorsAreBatchUpdateExceptions() {
    return false;
  }
}
