package org.mmapsql.trino;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import io.airlift.slice.Slice;
import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.block.Block;
import io.trino.spi.connector.ConnectorPageSink;
import io.trino.spi.type.Type;

/**
 * Appends an INSERT's rows to the last shard. Rows are kept until {@link #finish} and
 * sent as batches of {@link #BATCH_ROWS}, each one atomic statement on the server; a
 * failed or aborted INSERT before finish sends nothing. idx is the position the
 * append gives: an INSERT that names idx values is refused.
 */
final class AppendSink implements ConnectorPageSink {
  static final int BATCH_ROWS = 50_000;
  private final MmapInsertHandle handle;
  private final ShardServer server;
  private final List<Object[]> rows = new ArrayList<>();

  AppendSink(MmapInsertHandle handle, ShardServer server) {
    this.handle = handle;
    this.server = server;
  }

  @Override public CompletableFuture<?> appendPage(Page page) {
    List<MmapColumnHandle> columns = handle.columns();
    for (int p = 0; p < page.getPositionCount(); p++) {
      List<Object> row = new ArrayList<>();
      for (int c = 0; c < columns.size(); c++) {
        Block b = page.getBlock(c);
        MmapColumnHandle col = columns.get(c);
        if (col.isIdx()) {
          if (!b.isNull(p)) {
            throw new TrinoException(MmapErrorCode.WRITE_REFUSED, "INSERT into " + handle.last().array()
                + ": idx is the position the append gives (the rows go after idx "
                + (handle.last().end() - 1) + " on " + handle.last().describe() + "); insert the values only");
          }
          continue;
        }
        Type t = col.type();
        row.add(t.getObjectValue(b, p));
      }
      rows.add(row.toArray());
    }
    return NOT_BLOCKED;
  }

  @Override public CompletableFuture<Collection<Slice>> finish() {
    List<String> values = handle.columns().stream().filter(c -> !c.isIdx()).map(MmapColumnHandle::name).toList();
    String what = "appending " + rows.size() + " rows to " + handle.last().describe();
    try (Connection c = server.connect(what);
        PreparedStatement ps = c.prepareStatement(ShardSql.insert(handle.last(), values))) {
      int inBatch = 0;
      for (Object[] row : rows) {
        for (int i = 0; i < row.length; i++) {
          ps.setObject(i + 1, row[i]);
        }
        ps.addBatch();
        if (++inBatch == BATCH_ROWS) {
          ps.executeBatch();
          inBatch = 0;
        }
      }
      if (inBatch > 0) {
        ps.executeBatch();
      }
    } catch (SQLException e) {
      throw server.error(what, e);
    }
    rows.clear();
    return CompletableFuture.completedFuture(List.of());
  }

  @Override public void abort() {
    rows.clear();
  }
}
