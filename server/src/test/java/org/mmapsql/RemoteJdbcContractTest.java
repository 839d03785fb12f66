package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.BatchUpdateException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.mmapsql.server.MmapServer;
import org.mmapsql.server.ServerConfig;

/**
 * Core's JDBC contract through a real server and the mmapsql remote driver:
 * the same SQLSTATEs, fetch sizes, transactions, batches and generated keys
 * as embedded. Frames of
 * 1000 rows, so that the 2500-row reads take several.
 */
class RemoteJdbcContractTest extends JdbcContractTest {
  private final List<MmapServer> servers = new ArrayList<>();

  MmapServer server(Path dataDir, boolean readOnly) throws SQLException {
    try {
      MmapServer s = MmapServer.start(ServerConfig.defaults(dataDir).withPort(0)
          .withLimits(16 << 20, 1000, Duration.ofMinutes(5)).withReadOnly(readOnly));
      servers.add(s);
      return s;
    } catch (MmapServer.StartException e) {
      throw new SQLException(e.getMessage(), e);
    }
  }

  /** The URL of a client of {@code server}: mmapsql's remote driver here. */
  protected String url(MmapServer server) {
    return server.jdbcUrl();
  }

  @Override protected Connection open(Path dataDir) throws SQLException {
    return DriverManager.getConnection(url(server(dataDir, false)));
  }

  @Override protected Connection openReadOnly(Path dataDir) throws SQLException {
    return DriverManager.getConnection(url(server(dataDir, true)));
  }

  /** mmapsql's remote driver reads them from the server after the write; Avatica's client cannot. */
  @Override protected boolean hasGeneratedKeys() {
    return true;
  }

  /** Whether a failed batch is a {@code BatchUpdateException} (Avatica's client makes a plain SQLException). */
  protected boolean batchErrorsAreBatchUpdateExceptions() {
    return true;
  }

  @Test void aFailedBatchIsABatchUpdateExceptionThatSaysWhatWasApplied() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      ps.setDouble(1, 1);
      ps.addBatch();
      ps.setNull(1, Types.DOUBLE);
      ps.addBatch();
      SQLException e = assertThrows(SQLException.class, ps::executeBatch);
      assertEquals("23502", e.getSQLState(), e.getMessage());
      if (batchErrorsAreBatchUpdateExceptions()) {
        BatchUpdateException b = assertInstanceOf(BatchUpdateException.class, e);
        assertEquals(0, b.getLargeUpdateCounts().length, "an INSERT batch applies nothing");
      }
    }
    try (PreparedStatement ps = conn.prepareStatement("UPDATE t SET val = ? WHERE idx = ?")) {
      for (int i = 0; i < 2; i++) {
        ps.setDouble(1, 9);
        ps.setLong(2, i);
        ps.addBatch();
      }
      ps.setNull(1, Types.DOUBLE);
      ps.setLong(2, 2);
      ps.addBatch();
      SQLException e = assertThrows(SQLException.class, ps::executeBatch);
      assertEquals("23502", e.getSQLState(), e.getMessage());
      if (batchErrorsAreBatchUpdateExceptions()) {
        BatchUpdateException b = assertInstanceOf(BatchUpdateException.class, e);
        assertArrayEquals(new long[] {Statement.SUCCESS_NO_INFO, Statement.SUCCESS_NO_INFO},
            b.getLargeUpdateCounts(), "two sets applied before the bad one");
      }
    }
    try (Statement s = conn.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(val) FROM t")) {
      assertTrue(rs.next());
      assertEquals(3, rs.getLong(1), "nothing of the INSERT batch");
      assertEquals(9 + 9 + 2.5, rs.getDouble(2), "the two UPDATE sets before the bad one");
    }
  }

  @Override protected String unreachableUrl() {
    return "jdbc:mmap:remote:url=http://127.0.0.1:1";
  }

  /**
   * Avatica's protocol has no cancel request: a remote statement is canceled
   * by the server's statement timeout, with the same SQLSTATE.
   */
  @Override @Test void canceledStatementIs57014() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.f8").toFile(), "rw")) {
      f.setLength(8L << 28); // sparse: long enough to time out
    }
    // bound before the server with the short timeout starts, so that only the SUM can reach it, however busy the machine
    stmt.executeQuery("SELECT MMAP('big', 'big.f8')").close();
    MmapServer s = MmapServer.start(ServerConfig.defaults(dir).withPort(0)
        .withLimits(16 << 20, 1000, Duration.ofMillis(200)));
    servers.add(s);
    try (Connection c = DriverManager.getConnection(url(s)); Statement st = c.createStatement()) {
      SQLException e = assertThrows(SQLException.class, () -> {
        try (ResultSet rs = st.executeQuery("SELECT SUM(val), MAX(val) FROM big")) {
          rs.next();
        }
      });
      assertEquals("57014", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("statement timeout"), e.getMessage());
    }
  }

  @Override protected void closeOthers() {
    servers.forEach(MmapServer::close);
  }
}
