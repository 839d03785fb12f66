package org.mmapsql.trino;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.trino.spi.TrinoException;

/**
 * The catalog properties: the servers, and each array as its shards in idx order.
 *
 * <pre>
 * connector.name=mmapsql
 * mmapsql.server.a.url=http://10.0.0.1:8765
 * mmapsql.server.a.user=trino                      (optional, with .password)
 * mmapsql.server.a.truststore=/etc/trino/mm.p12    (optional, with .truststore-password)
 * mmapsql.array.series.shards=a:series,b:series,c:series
 * mmapsql.split-rows=1000000                       (optional: rows per split)
 * </pre>
 */
public record CatalogConfig(Map<String, ShardServer> servers, Map<String, List<ShardRef>> arrays, long splitRows) {
  public static final long DEFAULT_SPLIT_ROWS = 1_000_000;
  private static final Pattern SERVER = Pattern.compile("mmapsql\\.server\\.([a-z0-9_-]+)\\."
      + "(url|user|password|truststore|truststore-password)");
  private static final Pattern ARRAY = Pattern.compile("mmapsql\\.array\\.([a-z0-9_]+)\\.shards");

  /** One shard as configured: the server that holds it and the table name there. */
  public record ShardRef(String server, String table) {
  }

  public static CatalogConfig parse(Map<String, String> properties) {
    Map<String, Map<String, String>> serverProps = new TreeMap<>();
    Map<String, List<ShardRef>> arrays = new LinkedHashMap<>();
    long splitRows = DEFAULT_SPLIT_ROWS;
    for (Map.Entry<String, String> e : new TreeMap<>(properties).entrySet()) {
      String key = e.getKey();
      String value = e.getValue().trim();
      Matcher s = SERVER.matcher(key);
      Matcher a = ARRAY.matcher(key);
      if (s.matches()) {
        serverProps.computeIfAbsent(s.group(1), k -> new TreeMap<>()).put(s.group(2), value);
      } else if (a.matches()) {
        arrays.put(a.group(1), shards(key, value));
      } else if (key.equals("mmapsql.split-rows")) {
        splitRows = positive(key, value);
      } else {
        throw wrong(key, "unknown property (known: mmapsql.server.NAME.url|user|password|truststore|"
            + "truststore-password, mmapsql.array.NAME.shards, mmapsql.split-rows)");
      }
    }
    Map<String, ShardServer> servers = new LinkedHashMap<>();
    serverProps.forEach((name, p) -> {
      if (p.get("url") == null) {
        throw wrong("mmapsql.server." + name + ".url", "missing: server '" + name + "' needs a URL");
      }
      servers.put(name, new ShardServer(name, p.get("url"), p.get("user"), p.get("password"),
          p.get("truststore"), p.get("truststore-password")));
    });
    arrays.forEach((array, shards) -> shards.forEach(ref -> {
      if (!servers.containsKey(ref.server())) {
        throw wrong("mmapsql.array." + array + ".shards", "names server '" + ref.server()
            + "', which has no mmapsql.server." + ref.server() + ".url");
      }
    }));
    return new CatalogConfig(servers, arrays, splitRows);
  }

  private static List<ShardRef> shards(String key, String value) {
    List<ShardRef> out = new ArrayList<>();
    for (String part : value.split(",")) {
      String[] st = part.trim().split(":");
      if (st.length != 2 || st[0].isBlank() || st[1].isBlank()) {
        throw wrong(key, "'" + part.trim() + "' is not SERVER:TABLE");
      }
      out.add(new ShardRef(st[0].trim().toLowerCase(Locale.ROOT), st[1].trim()));
    }
    return List.copyOf(out);
  }

  private static long positive(String key, String value) {
    try {
      long n = Long.parseLong(value);
      if (n > 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw wrong(key, "'" + value + "' is not a positive whole number");
  }

  private static TrinoException wrong(String key, String why) {
    return new TrinoException(MmapErrorCode.CONFIG, "mmapsql catalog property " + key + ": " + why);
  }

  ShardServer server(ShardRef ref) {
    return servers.get(ref.server());
  }
}
