package org.mmapsql.trino;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.Properties;

import io.trino.spi.TrinoException;

/**
 * One mmapsql server as the catalog names it: its URL, credentials and trust store.
 * Connections go through mmapsql's own remote driver ({@code jdbc:mmap:remote:}),
 * which bounds its retries, so a dead server fails a query instead of hanging it.
 */
public record ShardServer(String name, String url, String user, String password,
    String truststore, String truststorePassword) {
  private static final java.sql.Driver DRIVER = new org.mmapsql.jdbc.Driver();

  /** A new connection; the caller closes it. */
  Connection connect(String purpose) {
    Properties p = new Properties();
    if (user != null) {
      p.setProperty("user", user);
      p.setProperty("password", password == null ? "" : password);
    }
    if (truststore != null) {
      p.setProperty("truststore", truststore);
      p.setProperty("truststore_password", truststorePassword == null ? "" : truststorePassword);
    }
    try {
      return DRIVER.connect("jdbc:mmap:remote:url=" + url, p);
    } catch (SQLException e) {
      throw error(purpose, e);
    }
  }

  /** An error that says which server failed, at what, and why. */
  TrinoException error(String purpose, Exception cause) {
    return new TrinoException(MmapErrorCode.SHARD_ERROR,
        purpose + ": mmapsql server '" + name + "' at " + url + " failed: " + rootMessage(cause), cause);
  }

  private static String rootMessage(Throwable t) {
    String m = t.getMessage();
    return m == null ? t.getClass().getSimpleName() : m;
  }

  @Override public String toString() {
    return name + "(" + url + ")";
  }
}
