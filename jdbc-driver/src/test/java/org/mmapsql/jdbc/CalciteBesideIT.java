package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.Statement;
import java.util.List;
import java.util.Properties;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The all-in-one jar beside another Calcite on the class path (plenty of data
 * tools carry one): its Calcite and Janino are relocated, so the other
 * Calcite's classes, first on the class path, do not replace its own.
 */
class CalciteBesideIT {
  @TempDir Path dir;

  @Test void mmapAggregatesAndWritesWorkBesideAnotherCalcite() throws Exception {
    Path jar = Path.of(System.getProperty("driver.jar"));
    Path other = Path.of(System.getProperty("other.calcite.jar"));
    assertTrue(Files.isRegularFile(other), other.toString());
    try (URLClassLoader loader = new URLClassLoader(
        new URL[] {other.toUri().toURL(), jar.toUri().toURL()}, ClassLoader.getPlatformClassLoader())) {
      // the other Calcite is there, and first
      assertEquals(other.toUri().toURL().toString(), loader.loadClass("org.apache.calcite.rel.core.Aggregate")
          .getProtectionDomain().getCodeSource().getLocation().toString());
      // (the other calcite-core alone, without its own dependencies, cannot even load its driver)
      java.sql.Driver ours = (java.sql.Driver) loader.loadClass("org.mmapsql.jdbc.Driver")
          .getConstructor().newInstance();
      try (Connection c = ours.connect("jdbc:mmap:" + dir, new Properties());
           Statement s = c.createStatement()) {
        DriverJarIT.walkthrough(c, s, "beside");
        assertEquals(List.of("0"), DriverJarIT.rows(s, "SELECT MMAP('agg', 'agg.f8')"));
        assertEquals(3, s.executeUpdate("INSERT INTO agg(val) VALUES (1.5), (2.5), (3.5)"));
        assertEquals(List.of("3,7.5,1.5,3.5"),
            DriverJarIT.rows(s, "SELECT COUNT(*), SUM(val), MIN(val), MAX(val) FROM agg"));
        assertEquals(List.of("2,6.0"), DriverJarIT.rows(s, "SELECT COUNT(*), SUM(val) FROM agg WHERE idx >= 1"));
      }
    }
  }
}
