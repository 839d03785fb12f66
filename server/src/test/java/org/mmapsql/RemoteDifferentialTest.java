package org.mmapsql;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;

import org.mmapsql.server.MmapServer;
import org.mmapsql.server.ServerConfig;

/**
 * Core's differential tests against H2, with mmapsql behind a real server on
 * a loopback port, reached through the mmapsql remote driver.
 */
class RemoteDifferentialTest extends DifferentialTest {
  @Override protected TestDb openMmapsql(Path dataDir) throws SQLException {
    MmapServer server;
    try {
      server = MmapServer.start(ServerConfig.defaults(dataDir).withPort(0));
    } catch (MmapServer.StartException e) {
      throw new SQLException(e.getMessage(), e);
    }
    try {
      Connection c = DriverManager.getConnection(server.jdbcUrl());
      return TestDb.of(dataDir, c, server);
    } catch (SQLException | RuntimeException e) {
      server.close();
      throw e;
    }
  }
}
