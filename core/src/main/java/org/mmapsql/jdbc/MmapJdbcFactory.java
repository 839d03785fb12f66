package org.mmapsql.jdbc;

import org.apache.calcite.jdbc.CalciteJdbc41Factory;

/** Calcite's JDBC factory; named so that the driver can be found by class name. */
public final class MmapJdbcFactory extends CalciteJdbc41Factory {
}
