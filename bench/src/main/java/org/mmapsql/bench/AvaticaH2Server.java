package org.mmapsql.bench;

import java.sql.Connection;
import java.sql.DriverManager;

import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.remote.Driver.Serialization;
import org.apache.calcite.avatica.remote.LocalService;
import org.apache.calcite.avatica.server.HttpServer;

/**
 * The reference remote engine: Avatica's own {@link HttpServer} and
 * {@link JdbcMeta} over H2 in memory, holding the suite's table. Prints
 * {@code PORT n} once it serves, then runs until killed.
 *
 * <pre>AvaticaH2Server ROWS</pre>
 */
public final class AvaticaH2Server {
  private AvaticaH2Server() {
  }

  public static void main(String[] args) throws Exception {
    long rows = Long.parseLong(args[0]);
    String url = "jdbc:h2:mem:ref;DB_CLOSE_DELAY=-1" + Data.H2_OPTIONS;
    Connection keep = DriverManager.getConnection(url); // holds the database for the server's life
    Engine.loadH2(keep, rows);
    HttpServer server = new HttpServer.Builder<>()
        .withHandler(new LocalService(new JdbcMeta(url)), Serialization.PROTOBUF)
        .withPort(0)
        .build();
    server.start();
    System.out.println("PORT " + server.getPort());
    System.out.flush();
    server.join();
    keep.close();
  }
}
