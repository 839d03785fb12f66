package org.mmapsql.jdbc;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

import org.apache.calcite.avatica.DriverVersion;

/** mmapsql's name and version, as the build wrote them and as a driver reports them. */
public final class Version {
  private Version() {
  }

  /** mmapsql's version, from the build. */
  public static String get() {
    Properties p = new Properties();
    try (InputStream in = Version.class.getResourceAsStream("/org/mmapsql/mmapsql.properties")) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException ignored) {
      // fall through to "unknown"
    }
    return p.getProperty("version", "unknown");
  }

  /** A driver's version named {@code driverName}, of the product "mmapsql". */
  public static DriverVersion driverVersion(String driverName) {
    String version = get();
    String[] parts = version.split("[.-]");
    int major = parts.length > 0 ? parseOr(parts[0]) : 0;
    int minor = parts.length > 1 ? parseOr(parts[1]) : 0;
    return new DriverVersion(driverName, version, "mmapsql", version, true,
        major, minor, major, minor);
  }

  private static int parseOr(String s) {
    try {
      return Integer.parseInt(s);
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}
