package org.mmapsql.trino;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test fixture: real mmapsql servers on loopback ports, each its own process
 * ({@code mmapsql serve}) holding one shard of an array of doubles written as a plain
 * file, and the catalog properties naming them.
 */
final class ShardCluster implements AutoCloseable {
  final double[] values;
  final long[] sizes;
  final List<ServerProcess> servers = new ArrayList<>();

  /** Splits {@code values} into shards of {@code sizes} rows, one per server, all named {@code table}. */
  ShardCluster(Path root, String table, double[] values, long... sizes) throws Exception {
    this.values = values;
    this.sizes = sizes;
    long from = 0;
    for (int i = 0; i < sizes.length; i++) {
      Path dir = Files.createDirectories(root.resolve("server" + (i + 1)));
      write(dir.resolve(table + ".f8"), values, (int) from, (int) sizes[i]);
      from += sizes[i];
      ServerProcess server = ServerProcess.start(dir);
      servers.add(server);
      try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement()) {
        s.execute("SELECT MMAP('" + table + "', '" + table + ".f8')");
      }
    }
  }

  private static void write(Path file, double[] values, int from, int n) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(n * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      b.putDouble(values[from + i]);
    }
    Files.write(file, b.array());
  }

  /** Catalog properties: servers s1, s2, … and the array {@code table} over all of them in order. */
  Map<String, String> catalog(String table, long splitRows) {
    Map<String, String> p = new LinkedHashMap<>();
    List<String> shards = new ArrayList<>();
    for (int i = 0; i < servers.size(); i++) {
      p.put("mmapsql.server.s" + (i + 1) + ".url", servers.get(i).url());
      shards.add("s" + (i + 1) + ":" + table);
    }
    p.put("mmapsql.array." + table + ".shards", String.join(",", shards));
    p.put("mmapsql.split-rows", Long.toString(splitRows));
    return p;
  }

  static long count(ServerProcess server, String table) throws SQLException {
    try (Connection c = DriverManager.getConnection(server.jdbcUrl()); Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Override public void close() {
    servers.forEach(ServerProcess::close);
  }
}
