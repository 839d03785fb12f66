package org.mmapsql.jdbc;

import java.net.ConnectException;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Properties;

import javax.net.ssl.SSLException;

import org.apache.calcite.avatica.AvaticaClientRuntimeException;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.ConnectStringParser;
import org.apache.calcite.avatica.DriverVersion;

/**
 * The remote part of the mmapsql driver: {@code jdbc:mmap:remote:url=http://host:8765},
 * an Avatica client that speaks protobuf unless told otherwise
 * ({@code serialization=json}), sends {@code user}/{@code password} with HTTP
 * BASIC, reopens connections the server has expired, sends a request at most
 * once where Avatica's client would send it again forever ({@link RemoteHttpClient}),
 * says when a prepared statement is gone ({@link MissingStatement}), reads results of
 * fixed-width numbers in packed frames ({@link PackedBlock}), executes prepared
 * statements on a compact path of its own ({@link CompactExecute}), reports mmapsql's own
 * name and version, returns generated keys ({@link GeneratedKeys}) and reports
 * a failed batch as a {@code BatchUpdateException}. Compiled for Java 11,
 * with no dependency on the engine, so that it is the whole of the thin driver
 * jar ({@code mmapsql-jdbc-remote}); the full driver hands it every URL that
 * starts with {@link #PREFIX}.
 */
public final class RemoteDriver extends org.apache.calcite.avatica.remote.Driver {
  public static final String PREFIX = "jdbc:mmap:remote:";
  public static final RemoteDriver INSTANCE = new RemoteDriver();

  static {
    INSTANCE.register();
  }

  @Override protected String getConnectStringPrefix() {
    return PREFIX;
  }

  /** mmapsql's connections and statements over Avatica's JDBC 4.1 objects. */
  @Override protected AvaticaFactory createFactory() {
    return new RemoteFactory(instantiateFactory("org.apache.calcite.avatica.AvaticaJdbc41Factory"));
  }

  @Override protected DriverVersion createDriverVersion() {
    return Version.driverVersion("mmapsql JDBC Driver (remote)");
  }

  @Override public Connection connect(String url, Properties info) throws SQLException {
    if (url == null || !url.startsWith(PREFIX)) {
      return null;
    }
    Properties p = ConnectStringParser.parse(url.substring(PREFIX.length()), info);
    String server = p.getProperty("url");
    if (server == null || server.isBlank()) {
      throw new SQLException("a remote URL needs the server's address: "
          + PREFIX + "url=http://host:8765", "08001");
    }
    p.putIfAbsent("serialization", "protobuf");
    if (p.getProperty("serialization").equalsIgnoreCase("json") && !hasJackson()) {
      throw new SQLException("serialization=json needs Jackson, which the thin driver jar leaves out:"
          + " use protobuf (the server's default), the all-in-one jar, or put Jackson on the class path",
          "08001");
    }
    // Results of fixed-width numbers in packed frames (PackedBlock); JSON keeps Avatica's frames.
    if (p.getProperty("serialization").equalsIgnoreCase("protobuf")) {
      p.putIfAbsent(PackedBlock.PROPERTY, PackedBlock.PACKED);
    } else {
      p.setProperty(PackedBlock.PROPERTY, PackedBlock.ROWS);
    }
    // Prepared statements execute on the compact path (CompactExecute) unless it is turned off.
    String execute = p.getProperty(CompactExecute.PROPERTY, CompactExecute.COMPACT).trim();
    if (!execute.equalsIgnoreCase(CompactExecute.COMPACT) && !execute.equalsIgnoreCase(CompactExecute.AVATICA)) {
      throw new SQLException("connection property " + CompactExecute.PROPERTY + " is '" + execute + "'; it may be "
          + CompactExecute.COMPACT + " or " + CompactExecute.AVATICA, "08001");
    }
    if (p.getProperty("serialization").equalsIgnoreCase("protobuf") && p.getProperty("factory") == null) {
      p.setProperty(CompactExecute.PROPERTY, execute.toLowerCase(Locale.ROOT));
      p.setProperty("factory", CompactService.Factory.class.getName());
    }
    p.putIfAbsent("transparent_reconnection", "true");
    p.putIfAbsent("httpclient_impl", RemoteHttpClient.class.getName());
    // Longer than the server's statement timeout (5 minutes by default), so that a long
    // statement ends with the server's message rather than a client-side read timeout.
    p.putIfAbsent("http_response_timeout", Long.toString(10 * 60_000L));
    p.putIfAbsent("http_connection_timeout", Long.toString(30_000L));
    String user = p.getProperty("user");
    if (user != null && !user.isEmpty() && p.getProperty("avatica_user") == null) {
      p.setProperty("authentication", "BASIC");
      p.setProperty("avatica_user", user);
      p.setProperty("avatica_password", p.getProperty("password", ""));
    }
    try {
      return super.connect(PREFIX, p);
    } catch (RuntimeException e) {
      throw connectError(e, server, p.getProperty("avatica_user"));
    }
  }

  /**
   * Whether Avatica's JSON serialization can load Jackson. The thin jar has
   * none (only JSON needs it); the all-in-one jar has its own, relocated, and
   * relocation rewrites this name to that one.
   */
  private static boolean hasJackson() {
    try {
      Class.forName("com.fasterxml.jackson.databind.ObjectMapper", false, RemoteDriver.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException | LinkageError e) {
      return false;
    }
  }

  /** Says in plain words why a connection to the server failed. */
  private static SQLException connectError(RuntimeException e, String server, String user) {
    for (Throwable c = e; c != null; c = c.getCause()) {
      if (c instanceof AvaticaClientRuntimeException) {
        AvaticaClientRuntimeException a = (AvaticaClientRuntimeException) c;
        String m = a.getMessage().replaceFirst("^Remote driver error: ", "");
        return new SQLException(m, a.getSqlState(), a.getErrorCode(), e);
      }
      String m = String.valueOf(c.getMessage());
      if (m.contains("got HTTP/401")) {
        return new SQLException(user == null
            ? "the mmapsql server at " + server + " requires authentication: give user and password"
            : "authentication failed for user '" + user + "' at " + server
                + ": wrong user name or password", "28000", e);
      }
      if (m.contains("got HTTP/")) {
        return new SQLException("the server at " + server + " answered " + m.substring(m.indexOf("HTTP/"))
            + "; is it an mmapsql server, and is the URL right?", "08001", e);
      }
      if (c instanceof ConnectException || c instanceof UnknownHostException) {
        return new SQLException("cannot reach the mmapsql server at " + server + ": "
            + c.getMessage(), "08001", e);
      }
      if (c instanceof SSLException) {
        return new SQLException("TLS handshake with " + server + " failed: " + c.getMessage()
            + (server.toLowerCase(Locale.ROOT).startsWith("https") ? "" : " (use https:// for a TLS server)"),
            "08001", e);
      }
    }
    return new SQLException("cannot connect to the mmapsql server at " + server + ": " + e.getMessage(),
        "08001", e);
  }
}
