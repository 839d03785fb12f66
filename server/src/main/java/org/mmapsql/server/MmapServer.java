package org.mmapsql.server;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;
import java.util.stream.Collectors;

import org.apache.calcite.avatica.remote.LocalService;
import org.mmapsql.jdbc.Driver;
import org.mmapsql.jdbc.RemoteDriver;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A running mmapsql server: one data directory, held open (and locked) from
 * start to stop, served over HTTP by Avatica. {@link #close()} stops it cleanly:
 * no new requests, requests in flight finish (up to the grace period), client
 * connections close, data is forced to disk and the directory lock released.
 */
public final class MmapServer implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(MmapServer.class);

  private final ServerConfig config;
  private final Connection anchor;
  private final MmapMeta meta;
  private final HttpTransport transport;
  private boolean closed;

  private MmapServer(ServerConfig config, Connection anchor, MmapMeta meta, HttpTransport transport) {
    this.config = config;
    this.anchor = anchor;
    this.meta = meta;
    this.transport = transport;
  }

  /**
   * A secret the server reads must not be a file that MMAP can reach: a
   * readwrite user could read it, or rewrite it as doubles (add a user, change a role).
   */
  static void refuseMappable(java.nio.file.Path dataDir, java.util.List<java.nio.file.Path> allowedDirectories,
      String what, java.nio.file.Path file) throws StartException {
    if (file == null) {
      return;
    }
    java.util.List<java.nio.file.Path> reachable = new java.util.ArrayList<>(allowedDirectories);
    reachable.add(dataDir);
    try {
      java.nio.file.Path real = file.toRealPath();
      for (java.nio.file.Path dir : reachable) {
        if (java.nio.file.Files.isDirectory(dir) && real.startsWith(dir.toRealPath())) {
          throw new StartException("the " + what + " " + file + " is inside " + dir
              + ", where MMAP can reach it; keep it outside the data and allowed directories");
        }
      }
    } catch (IOException e) {
      throw new StartException("cannot read the " + what + " " + file + ": " + e.getMessage());
    }
  }

  /**
   * Starts a server.
   *
   * @throws StartException with a message for the person who started it
   */
  public static MmapServer start(ServerConfig config) throws StartException {
    boolean loopback;
    try {
      loopback = isLoopback(config.host());
    } catch (UnknownHostException e) {
      throw new StartException("unknown host " + config.host());
    }
    if (!loopback && config.usersFile() == null && !config.insecure()) {
      throw new StartException("refusing to listen on " + config.host() + " without authentication:"
          + " anyone who can reach it could read and change every table. Give a users file"
          + " (--users-file, create it with 'bin/mmapsql passwd'), listen on 127.0.0.1,"
          + " or add --insecure if this network is trusted");
    }
    UsersFile users = null;
    if (config.usersFile() != null) {
      try {
        users = new UsersFile(config.usersFile());
      } catch (IOException e) {
        throw new StartException("cannot use the users file: " + e.getMessage());
      }
    }
    if (config.tlsKeystore() != null && !config.tlsKeystore().toFile().isFile()) {
      throw new StartException("TLS keystore not found: " + config.tlsKeystore());
    }
    refuseMappable(config.dataDir(), config.allowedDirectories(), "users file", config.usersFile());
    refuseMappable(config.dataDir(), config.allowedDirectories(), "TLS keystore", config.tlsKeystore());
    Properties info = serverProperties(config);
    Connection anchor;
    try {
      // Held until stop: keeps the directory open and locked even when no client is connected.
      anchor = new Driver().connect(MmapMeta.URL, info);
    } catch (SQLException e) {
      throw new StartException(e.getMessage());
    }
    MmapMeta meta = null;
    try {
      meta = new MmapMeta(config, info);
      UsersFile u = users;
      HttpTransport transport = new HttpTransport(config, new LocalService(GuardedMeta.wrap(meta)),
          u == null ? null : u::authenticate, meta::preparedSignature);
      transport.start();
      MmapServer server = new MmapServer(config, anchor, meta, transport);
      LOG.info("serving {} at {}", config.dataDir(), transport.url());
      return server;
    } catch (Exception e) {
      if (meta != null) {
        meta.closeAll();
      }
      closeQuietly(anchor);
      String m = e.getMessage();
      for (Throwable c = e; c != null; c = c.getCause()) {
        if (c instanceof java.net.BindException) {
          m = "cannot listen on " + config.host() + ":" + config.port() + ": " + c.getMessage();
        }
      }
      throw new StartException("cannot start the server: " + m, e);
    }
  }

  static Properties serverProperties(ServerConfig config) {
    Properties p = new Properties();
    p.setProperty(Driver.DATA_DIR, config.dataDir().toAbsolutePath().toString());
    p.setProperty("maxMappings", Integer.toString(config.maxMappings()));
    if (!config.allowedDirectories().isEmpty()) {
      p.setProperty("allowedDirectories", config.allowedDirectories().stream()
          .map(d -> d.toAbsolutePath().toString()).collect(Collectors.joining(File.pathSeparator)));
    }
    p.setProperty("durability", config.durability());
    p.setProperty(org.mmapsql.exec.RowLimit.PROPERTY, Long.toString(config.maxSortRows()));
    if (config.readOnly()) {
      p.setProperty("readonly", "true");
    }
    return p;
  }

  static boolean isLoopback(String host) throws UnknownHostException {
    for (InetAddress a : InetAddress.getAllByName(host)) {
      if (!a.isLoopbackAddress()) {
        return false;
      }
    }
    return true;
  }

  public ServerConfig config() {
    return config;
  }

  public Path dataDir() {
    return config.dataDir();
  }

  public int port() {
    return transport.port();
  }

  /** The server's HTTP(S) address, for example {@code http://127.0.0.1:8765}. */
  public String url() {
    return transport.url();
  }

  /** The JDBC URL of the mmapsql driver for this server. */
  public String jdbcUrl() {
    return RemoteDriver.PREFIX + "url=" + url()
        + (config.serialization().equals("json") ? ";serialization=json" : "");
  }

  /** Client connections open now. */
  public int openConnections() {
    return meta.openConnections();
  }

  /** Requests answered since the start (each client call is one): HTTP requests and compact frames. */
  long httpRequests() {
    return transport.requests();
  }

  /** HTTP requests answered since the start, not counting frames on switched sockets. */
  long httpOnlyRequests() {
    return transport.httpOnlyRequests();
  }

  /** Avatica requests answered as frames ({@link org.mmapsql.jdbc.AvaticaFrame}) since the start. */
  long avaticaFrames() {
    return transport.avaticaFrames();
  }

  /** Executes answered on the compact path ({@link org.mmapsql.jdbc.CompactExecute}) since the start. */
  long compactExecutes() {
    return transport.compactExecutes();
  }

  /** Compact executes whose request came in plain bytes ({@link org.mmapsql.jdbc.LeanExecute}), not protobuf. */
  long leanExecutes() {
    return transport.leanExecutes();
  }

  /** Client sockets switched to compact frames ({@link org.mmapsql.jdbc.CompactExecute#UPGRADE}), open now. */
  int compactConnections() {
    return transport.compactConnections();
  }

  /** Compact frames being answered now. */
  int compactFramesInFlight() {
    return transport.compactFramesInFlight();
  }

  /** Most compact frames answered at once since the start. */
  int compactFramesPeak() {
    return transport.compactFramesPeak();
  }

  /** Tasks in the meta's timer: the expiry task and the timeouts of statements running now. */
  int pendingTimers() {
    return meta.pendingTimers();
  }

  /** Statement calls running under the statement timeout now. */
  int timedCalls() {
    return meta.timedCalls();
  }

  public void join() throws InterruptedException {
    transport.join();
  }

  @Override public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    LOG.info("stopping");
    try {
      transport.stop();
    } catch (Exception e) {
      LOG.warn("stopping the HTTP server: {}", e.toString());
    }
    meta.closeAll();
    closeQuietly(anchor);
    LOG.info("stopped; {} is released", config.dataDir());
  }

  private static void closeQuietly(Connection c) {
    try {
      c.close();
    } catch (SQLException | RuntimeException e) {
      LOG.warn("closing the data directory: {}", e.toString());
    }
  }

  /** Why a server did not start, in words for the person who started it. */
  public static final class StartException extends Exception {
    private static final long serialVersionUID = 1L;

    StartException(String message) {
      super(message);
    }

    StartException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
