package org.mmapsql.trino;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.OptionalLong;

import io.trino.spi.Page;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.SourcePage;

/**
 * Reads one split's rows from its shard's server, a page at a time, through one
 * positional query; idx comes back as the global position.
 */
final class ShardScan implements ConnectorPageSource {
  private static final int PAGE_ROWS = 4096;
  private static final int FETCH_SIZE = 10_000;

  private final MmapSplit.Part part;
  private final ShardServer server;
  private final List<MmapColumnHandle> columns;
  private final List<String> filters;
  private final ColumnTypes.Reader[] readers;
  private final long limit;
  private final ShardTraffic traffic;
  private Connection connection;
  private Statement statement;
  private ResultSet rows;
  private boolean finished;
  private long positions;
  private long bytes;
  private long readNanos;

  ShardScan(MmapSplit.Part part, ShardServer server, List<MmapColumnHandle> columns, List<String> filters,
      long limit, ShardTraffic traffic) {
    this.part = part;
    this.server = server;
    this.columns = columns;
    this.filters = filters;
    this.limit = limit;
    this.traffic = traffic;
    // idx and buckets come back global: the server adds the shard's shift
    readers = columns.stream().map(c -> ColumnTypes.reader(c.type())).toArray(ColumnTypes.Reader[]::new);
  }

  @Override public SourcePage getNextSourcePage() {
    if (finished) {
      return null;
    }
    long start = System.nanoTime();
    try {
      if (rows == null) {
        connection = server.connect("reading " + part.shard().describe());
        statement = connection.createStatement();
        statement.setFetchSize(FETCH_SIZE);
        rows = statement.executeQuery(ShardSql.scan(part, columns, filters, limit));
      }
      BlockBuilder[] builders = new BlockBuilder[columns.size()];
      for (int i = 0; i < builders.length; i++) {
        builders[i] = columns.get(i).type().createBlockBuilder(null, PAGE_ROWS);
      }
      int n = 0;
      while (n < PAGE_ROWS && rows.next()) {
        for (int i = 0; i < readers.length; i++) {
          readers[i].read(rows, i + 1, builders[i]);
        }
        n++;
      }
      if (n < PAGE_ROWS) {
        finished = true;
        closeQuietly();
      }
      positions += n;
      long pageBytes = 8L * n * Math.max(1, columns.size());
      bytes += pageBytes;
      traffic.add(n, pageBytes);
      Block[] blocks = new Block[builders.length];
      for (int i = 0; i < blocks.length; i++) {
        blocks[i] = builders[i].build();
      }
      return SourcePage.create(new Page(n, blocks));
    } catch (SQLException | RuntimeException e) {
      finished = true;
      closeQuietly();
      throw e instanceof io.trino.spi.TrinoException t ? t : server.error("reading " + part.shard().describe(), e);
    } finally {
      readNanos += System.nanoTime() - start;
    }
  }

  @Override public long getCompletedBytes() {
    return bytes;
  }

  @Override public OptionalLong getCompletedPositions() {
    return OptionalLong.of(positions);
  }

  @Override public long getReadTimeNanos() {
    return readNanos;
  }

  @Override public boolean isFinished() {
    return finished;
  }

  @Override public void close() {
    finished = true;
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      if (connection != null) {
        connection.close();
      }
    } catch (SQLException e) {
      // the rows are read or given up; a failed close changes nothing
    }
    connection = null;
  }
}
