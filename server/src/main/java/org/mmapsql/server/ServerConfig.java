package org.mmapsql.server;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Everything {@code bin/mmapsql serve} can be told; {@link #defaults(Path)}
 * gives the values of a server started without options.
 *
 * @param dataDir the data directory served
 * @param host address to listen on; anything but a loopback address needs a
 *     users file or {@code insecure}
 * @param port port to listen on, 0 for any free one
 * @param serialization {@code protobuf} or {@code json}
 * @param usersFile users and password hashes for HTTP BASIC; null: no authentication
 * @param insecure allow a non-loopback address without authentication
 * @param readOnly every connection is read-only, whoever the user
 * @param tlsKeystore keystore (PKCS12 or JKS) with the server's key and certificate; null: plain HTTP
 * @param tlsKeystorePassword its password
 * @param maxRequestBytes largest request body accepted
 * @param maxRowsPerFrame most rows sent in one frame of a result
 * @param statementTimeout longest one execute or fetch may run; zero: no limit
 * @param connectionExpiry a connection idle this long is closed
 * @param statementExpiry a statement idle this long is closed
 * @param maxConnections most client connections open at once
 * @param maxThreads most HTTP requests served at once, and most compact frames answered at once
 * @param maxMappings most bindings the data directory may hold (core setting)
 * @param allowedDirectories directories outside the data directory MMAP may map (core setting)
 * @param durability default {@code async} or {@code sync} (clients may choose their own)
 * @param shutdownGrace how long a stop waits for requests in flight
 * @param maxSortRows most rows one sort or window of a statement may hold in memory (0: no limit)
 * @param logMinDuration statements that run at least this long are logged (SQL, user, duration,
 *     rows) to the logger {@code org.mmapsql.statements}; zero: all; null: none
 */
public record ServerConfig(
    Path dataDir, String host, int port, String serialization,
    Path usersFile, boolean insecure, boolean readOnly,
    Path tlsKeystore, char[] tlsKeystorePassword,
    long maxRequestBytes, int maxRowsPerFrame, Duration statementTimeout,
    Duration connectionExpiry, Duration statementExpiry, int maxConnections, int maxThreads,
    int maxMappings, List<Path> allowedDirectories, String durability, Duration shutdownGrace,
    long maxSortRows, Duration logMinDuration) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8765;
  public static final long DEFAULT_MAX_REQUEST_BYTES = 16L << 20;
  public static final int DEFAULT_MAX_ROWS_PER_FRAME = 10_000;
  public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration DEFAULT_CONNECTION_EXPIRY = Duration.ofHours(8);
  public static final Duration DEFAULT_STATEMENT_EXPIRY = Duration.ofHours(1);
  public static final int DEFAULT_MAX_CONNECTIONS = 200;
  public static final int DEFAULT_MAX_THREADS = 32;
  public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(10);
  /** A million rows of (idx, val) take some 150 MB while sorted. */
  public static final long DEFAULT_MAX_SORT_ROWS = 1_000_000;

  public ServerConfig {
    serialization = serialization.toLowerCase(Locale.ROOT);
    if (!serialization.equals("protobuf") && !serialization.equals("json")) {
      throw new IllegalArgumentException("serialization must be protobuf or json, not " + serialization);
    }
    allowedDirectories = List.copyOf(allowedDirectories);
    if (maxSortRows < 0) {
      throw new IllegalArgumentException("--max-sort-rows must be 0 (no limit) or more, not " + maxSortRows);
    }
  }

  /** A server on {@code dataDir} with every other option at its default. */
  public static ServerConfig defaults(Path dataDir) {
    return new ServerConfig(dataDir, DEFAULT_HOST, DEFAULT_PORT, "protobuf", null, false, false,
        null, null, DEFAULT_MAX_REQUEST_BYTES, DEFAULT_MAX_ROWS_PER_FRAME, DEFAULT_STATEMENT_TIMEOUT,
        DEFAULT_CONNECTION_EXPIRY, DEFAULT_STATEMENT_EXPIRY, DEFAULT_MAX_CONNECTIONS, DEFAULT_MAX_THREADS,
        org.mmapsql.catalog.Database.Settings.DEFAULT_MAX_MAPPINGS, List.of(), "async",
        DEFAULT_SHUTDOWN_GRACE, DEFAULT_MAX_SORT_ROWS, null);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(dataDir, host, p, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(dataDir, h, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withUsersFile(Path f) {
    return new ServerConfig(dataDir, host, port, serialization, f, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withSerialization(String s) {
    return new ServerConfig(dataDir, host, port, s, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withTls(Path keystore, char[] password) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, keystore,
        password, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withLimits(long maxRequest, int maxRows, Duration timeout) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequest, maxRows, timeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withExpiry(Duration connection, Duration statement) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connection,
        statement, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withMaxConnections(int n) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, n, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withMaxThreads(int n) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, n, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withMaxSortRows(long rows) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, rows, logMinDuration);
  }

  public ServerConfig withReadOnly(boolean r) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, r, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  public ServerConfig withInsecure(boolean i) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, i, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, logMinDuration);
  }

  /** Logs statements that run at least {@code min} (zero: all; null: none). */
  public ServerConfig withStatementLog(Duration min) {
    return new ServerConfig(dataDir, host, port, serialization, usersFile, insecure, readOnly, tlsKeystore,
        tlsKeystorePassword, maxRequestBytes, maxRowsPerFrame, statementTimeout, connectionExpiry,
        statementExpiry, maxConnections, maxThreads, maxMappings, allowedDirectories, durability,
        shutdownGrace, maxSortRows, min);
  }

  /** A duration as a person says it: "8 hours", "90 seconds". */
  public static String words(Duration d) {
    long s = d.toSeconds();
    if (s != 0 && s % 3600 == 0) {
      return plural(s / 3600, "hour");
    }
    if (s != 0 && s % 60 == 0) {
      return plural(s / 60, "minute");
    }
    if (s != 0 || d.isZero()) {
      return plural(s, "second");
    }
    return plural(d.toMillis(), "millisecond");
  }

  private static String plural(long n, String unit) {
    return n + " " + unit + (n == 1 ? "" : "s");
  }
}
