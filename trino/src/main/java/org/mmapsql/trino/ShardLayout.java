package org.mmapsql.trino;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.trino.spi.TrinoException;

/**
 * Where an array's rows are: each shard's idx range, read from its server's
 * {@code sys.mappings} (row_count, and base: the MMAP option {@code base=N}). The
 * shards must be contiguous and must not overlap. A shard after the first that was
 * bound without a base (base 0, or a server too old to have the column) starts
 * where the one before it ends; its server's idx is then shifted by the connector.
 */
final class ShardLayout {
  private ShardLayout() {
  }

  /** The shards of {@code array}, asking all their servers at once; any failure fails the whole. */
  static List<Shard> read(CatalogConfig config, String array) {
    List<CatalogConfig.ShardRef> refs = config.arrays().get(array);
    List<Mapping> found = new ArrayList<>();
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Mapping>> futures = new ArrayList<>();
      for (int i = 0; i < refs.size(); i++) {
        int number = i + 1;
        CatalogConfig.ShardRef ref = refs.get(i);
        futures.add(pool.submit(() -> mapping(config.server(ref), ref.table(),
            "shard " + number + " of " + array + " (table " + ref.table() + " on server " + ref.server() + ")")));
      }
      for (Future<Mapping> f : futures) {
        found.add(f.get());
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof TrinoException t ? t : new RuntimeException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    }
    List<Shard> shards = new ArrayList<>();
    long next = 0;
    for (int i = 0; i < refs.size(); i++) {
      CatalogConfig.ShardRef ref = refs.get(i);
      Mapping m = found.get(i);
      boolean placed = m.base() == null || (m.base() == 0 && i > 0);
      long first = placed ? next : m.base();
      Shard s = new Shard(i + 1, array, ref.server(), ref.table(), first, m.rows(), placed ? first : 0);
      if (first != next) {
        throw new TrinoException(MmapErrorCode.SHARD_LAYOUT, s.describe() + " starts at idx " + first
            + " but " + (i == 0 ? "the first shard must start at 0" : "shard " + i + " ends at " + next)
            + ": the shards of an array must be contiguous, in the order the catalog lists them");
      }
      next = s.end();
      shards.add(s);
    }
    return shards;
  }

  /** A row of sys.mappings: the length, and the base if the server reports one. */
  private record Mapping(long rows, Long base) {
  }

  private static Mapping mapping(ShardServer server, String table, String what) {
    String sql = "SELECT * FROM sys.mappings WHERE LOWER(name) = '"
        + table.toLowerCase(Locale.ROOT).replace("'", "''") + "'";
    try (Connection c = server.connect("reading the layout of " + what);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(sql)) {
      if (!rs.next()) {
        throw new TrinoException(MmapErrorCode.SHARD_LAYOUT, what + ": server '" + server.name()
            + "' has no table " + table + " (not in its sys.mappings)");
      }
      long rows = rs.getLong("row_count");
      if (rs.wasNull()) {
        throw new TrinoException(MmapErrorCode.SHARD_LAYOUT, what + ": the file of table " + table
            + " cannot be read on server '" + server.name() + "': status " + rs.getString("status"));
      }
      return new Mapping(rows, hasColumn(rs.getMetaData(), "base") ? rs.getLong("base") : null);
    } catch (SQLException e) {
      throw server.error("reading the layout of " + what, e);
    }
  }

  private static boolean hasColumn(ResultSetMetaData md, String name) throws SQLException {
    for (int i = 1; i <= md.getColumnCount(); i++) {
      if (md.getColumnLabel(i).equalsIgnoreCase(name)) {
        return true;
      }
    }
    return false;
  }
}
