package org.mmapsql.trino;

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
 * ({@code mmapsql serve}), holding shards written as plain files, and the catalog
 * properties naming them (servers s1, s2, …).
 */
final class ShardCluster implements AutoCloseable {
  private final Path root;
  final List<ServerProcess> servers = new ArrayList<>();
  private final Map<String, List<String>> arrays = new LinkedHashMap<>();

  ShardCluster(Path root, int n) throws Exception {
    this.root = root;
    for (int i = 0; i < n; i++) {
      servers.add(ServerProcess.start(Files.createDirectories(root.resolve("server" + (i + 1)))));
    }
  }

  /**
   * Writes {@code bytes} as file {@code table}.bin of server {@code server} (0-based), binds it
   * with {@code MMAP(table, file, type, options)} and adds it as the next shard of {@code array}.
   */
  void shard(String array, int server, String table, byte[] bytes, String type, String options)
      throws Exception {
    Files.write(root.resolve("server" + (server + 1)).resolve(table + ".bin"), bytes);
    try (Connection c = DriverManager.getConnection(servers.get(server).jdbcUrl());
        Statement s = c.createStatement()) {
      s.execute("SELECT MMAP('" + table + "', '" + table + ".bin', '" + type + "', '" + options + "')");
    }
    arrays.computeIfAbsent(array, a -> new ArrayList<>()).add("s" + (server + 1) + ":" + table);
  }

  /** Names an array by its shards as SERVER:TABLE, without writing anything. */
  void array(String array, String... shards) {
    arrays.put(array, List.of(shards));
  }

  Map<String, String> catalog(long splitRows) {
    Map<String, String> p = new LinkedHashMap<>();
    for (int i = 0; i < servers.size(); i++) {
      p.put("mmapsql.server.s" + (i + 1) + ".url", servers.get(i).url());
    }
    arrays.forEach((a, shards) -> p.put("mmapsql.array." + a + ".shards", String.join(",", shards)));
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
