package org.mmapsql.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** A remote client sets only harmless connection properties. */
class ClientPropertiesTest {
  @TempDir static Path dir;
  static MmapServer server;

  @BeforeAll static void start() throws Exception {
    server = Servers.start(Servers.config(dir.resolve("data")));
  }

  @AfterAll static void stop() {
    server.close();
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "model|inline:{version: '1.0', defaultSchema: 'x', schemas: []}",
      "schemaFactory|org.apache.calcite.adapter.jdbc.JdbcSchema$Factory",
      "SCHEMA_FACTORY|org.apache.calcite.adapter.jdbc.JdbcSchema$Factory",
      "parserFactory|org.apache.calcite.sql.parser.ddl.SqlDdlParserImpl#FACTORY",
      "fun|oracle",
      "typeSystem|org.example.Evil",
      "allowedDirectories|/",
      "maxMappings|1",
      "readonly|false",
      "dataDir|/tmp",
      "lex|MYSQL",
      "caseSensitive|true",
      "someFactory|x",
      "unknownThing|com.example.evil.Payload"})
  void forbiddenPropertiesAreRefused(String name, String value) throws Exception {
    for (boolean inUrl : new boolean[] {false, true}) {
      Properties p = new Properties();
      String url = server.jdbcUrl();
      if (inUrl) {
        url += ";" + name + "=" + (value.contains(";") || value.contains("'") ? "\"" + value + "\"" : value);
      } else {
        p.setProperty(name, value);
      }
      String u = url;
      SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(u, p).close());
      assertTrue(e.getMessage().contains("connection property '" + name + "' cannot be set by a client"),
          e.getMessage());
      assertTrue(e.getMessage().contains("timeZone, locale, durability"), e.getMessage());
    }
    assertEquals(0, server.openConnections(), "no connection was opened");
  }

  @Test void allowedPropertiesWorkAndUnknownOnesAreDropped() throws Exception {
    Properties p = new Properties();
    p.setProperty("durability", "sync");
    p.setProperty("timeZone", "UTC");
    p.setProperty("applicationName", "dbeaver");
    try (Connection c = DriverManager.getConnection(server.jdbcUrl(), p); Statement s = c.createStatement()) {
      s.executeQuery("SELECT MMAP('p', 'p.mmap')").close();
      assertEquals(2, s.executeUpdate("INSERT INTO p(val) VALUES (1), (2)"));
      assertEquals(List.of("2"), Servers.rows(s, "SELECT COUNT(*) FROM p"));
    }
    p.setProperty("durability", "sometimes");
    SQLException e = assertThrows(SQLException.class, () -> DriverManager.getConnection(server.jdbcUrl(), p));
    assertTrue(e.getMessage().contains("durability must be 'async' or 'sync'"), e.getMessage());
  }

  @Test void filter() {
    assertEquals(Map.of("timeZone", "UTC", "durability", "sync"), ClientProperties.filter(Map.of(
        "TIME_ZONE", "UTC", "Durability", "sync", "url", "http://x", "serialization", "protobuf",
        "avatica_password", "p", "password", "p", "user", "u", "fetch_size", "10")));
    assertThrows(IllegalArgumentException.class, () -> ClientProperties.filter(Map.of("Model", "x")));
    assertThrows(IllegalArgumentException.class, () -> ClientProperties.filter(Map.of("schema.factory", "x")));
  }
}
