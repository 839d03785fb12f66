package org.apache.calcite.jdbc;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.TimeZone;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.AvaticaSpecificDatabaseMetaData;
import org.apache.calcite.avatica.AvaticaFactory;
import org.apache.calcite.avatica.AvaticaPreparedStatement;
import org.apache.calcite.avatica.AvaticaResultSet;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.QueryState;
import org.apache.calcite.avatica.AvaticaSite;
import org.apache.calcite.avatica.UnregisteredDriver;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.rel.type.TimeFrameSet;
import org.apache.calcite.rel.type.TimeFrames;
import org.apache.calcite.runtime.Hook;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.util.Holder;
import org.apache.calcite.util.Util;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Calcite's JDBC 4.1 factory, with connections whose per-execution work is
 * smaller: the time zone, locale and time frames a statement's data context
 * holds are read from the connection's properties once, not at every execution
 * (Calcite parses its properties again for each). In Calcite's package because
 * its connection class is package-private there.
 */
public class MmapConnectionFactory extends CalciteFactory {
  /** Statements, result sets and metadata are Calcite's own. */
  private final CalciteJdbc41Factory calcite = new CalciteJdbc41Factory();

  public MmapConnectionFactory() {
    super(4, 1);
  }

  @Override public AvaticaConnection newConnection(UnregisteredDriver driver, AvaticaFactory factory,
      String url, Properties info, @Nullable CalciteSchema rootSchema, @Nullable JavaTypeFactory typeFactory) {
    return new Connection((Driver) driver, factory, url, info, rootSchema, typeFactory);
  }

  @Override public AvaticaSpecificDatabaseMetaData newDatabaseMetaData(AvaticaConnection connection) {
    return calcite.newDatabaseMetaData(connection);
  }

  @Override public AvaticaStatement newStatement(AvaticaConnection connection, Meta.@Nullable StatementHandle h,
      int resultSetType, int resultSetConcurrency, int resultSetHoldability) {
    return calcite.newStatement(connection, h, resultSetType, resultSetConcurrency, resultSetHoldability);
  }

  @Override public AvaticaPreparedStatement newPreparedStatement(AvaticaConnection connection,
      Meta.@Nullable StatementHandle h, Meta.Signature signature, int resultSetType, int resultSetConcurrency,
      int resultSetHoldability) throws SQLException {
    return calcite.newPreparedStatement(connection, h, signature, resultSetType, resultSetConcurrency,
        resultSetHoldability);
  }

  @Override public AvaticaResultSet newResultSet(AvaticaStatement statement, QueryState state,
      Meta.Signature signature, TimeZone timeZone, Meta.Frame firstFrame) throws SQLException {
    return calcite.newResultSet(statement, state, signature, timeZone, firstFrame);
  }

  @Override public ResultSetMetaData newResultSetMetaData(AvaticaStatement statement,
      Meta.Signature signature) throws SQLException {
    return calcite.newResultSetMetaData(statement, signature);
  }

  /** A Calcite connection that keeps what its data contexts need. */
  private static final class Connection extends CalciteConnectionImpl {
    private @Nullable TimeZone timeZone;
    private @Nullable Locale locale;
    private @Nullable TimeFrameSet timeFrames;

    Connection(Driver driver, AvaticaFactory factory, String url, Properties info,
        @Nullable CalciteSchema rootSchema, @Nullable JavaTypeFactory typeFactory) {
      super(driver, factory, url, info, rootSchema, typeFactory);
    }

    @Override public TimeZone getTimeZone() {
      TimeZone z = timeZone;
      if (z == null) {
        timeZone = z = super.getTimeZone();
      }
      return (TimeZone) z.clone(); // callers may change it
    }

    private TimeZone zone() {
      if (timeZone == null) {
        timeZone = super.getTimeZone();
      }
      return timeZone;
    }

    private Locale locale() {
      if (locale == null) {
        String name = config().locale();
        locale = name != null ? Util.parseLocale(name) : Locale.ROOT;
      }
      return locale;
    }

    private TimeFrameSet timeFrames() {
      if (timeFrames == null) {
        timeFrames = typeFactory.getTypeSystem().deriveTimeFrameSet(TimeFrames.CORE);
      }
      return timeFrames;
    }

    @Override public DataContext createDataContext(Map<String, Object> parameterValues,
        @Nullable CalciteSchema rootSchema) {
      return new Context(this, parameterValues, rootSchema);
    }
  }

  /** The variables of one execution, as Calcite's own data context has them. */
  private static final class Context implements DataContext {
    private final Map<String, Object> map;
    private final @Nullable CalciteSchema rootSchema;
    private final Connection connection;

    Context(Connection connection, Map<String, Object> parameters, @Nullable CalciteSchema rootSchema) {
      this.connection = connection;
      this.rootSchema = rootSchema;
      // The time the statement started: CURRENT_TIMESTAMP is the same throughout it.
      Holder<Long> timeHolder = Holder.of(System.currentTimeMillis());
      Hook.CURRENT_TIME.run(timeHolder);
      long time = timeHolder.get();
      TimeZone zone = connection.zone();
      long localOffset = zone.getOffset(time);
      long sysOffset = TimeZone.getDefault().getOffset(time);
      Holder<Object[]> streams = Holder.of(new Object[] {System.in, System.out, System.err});
      Hook.STANDARD_STREAMS.run(streams);
      map = new HashMap<>(32);
      map.put(Variable.UTC_TIMESTAMP.camelName, time);
      map.put(Variable.CURRENT_TIMESTAMP.camelName, time + localOffset);
      map.put(Variable.LOCAL_TIMESTAMP.camelName, time + localOffset);
      map.put(Variable.SYS_TIMESTAMP.camelName, time + sysOffset);
      map.put(Variable.TIME_ZONE.camelName, zone);
      map.put(Variable.TIME_FRAME_SET.camelName, connection.timeFrames());
      map.put(Variable.USER.camelName, "sa");
      map.put(Variable.SYSTEM_USER.camelName, SYSTEM_USER);
      map.put(Variable.LOCALE.camelName, connection.locale());
      map.put(Variable.STDIN.camelName, streams.get()[0]);
      map.put(Variable.STDOUT.camelName, streams.get()[1]);
      map.put(Variable.STDERR.camelName, streams.get()[2]);
      for (Map.Entry<String, Object> e : parameters.entrySet()) {
        map.put(e.getKey(), e.getValue() == null ? AvaticaSite.DUMMY_VALUE : e.getValue());
      }
    }

    @Override public @Nullable Object get(String name) {
      Object o = map.get(name);
      if (o == AvaticaSite.DUMMY_VALUE) {
        return null;
      }
      if (o == null && Variable.SQL_ADVISOR.camelName.equals(name)) {
        // Rare (sqlline's completion): Calcite's own context knows how to make one.
        return new CalciteConnectionImpl.DataContextImpl(connection, Map.of(), rootSchema).get(name);
      }
      return o;
    }

    @Override public @Nullable SchemaPlus getRootSchema() {
      return rootSchema == null ? null : rootSchema.plus();
    }

    @Override public JavaTypeFactory getTypeFactory() {
      return connection.getTypeFactory();
    }

    @Override public QueryProvider getQueryProvider() {
      return connection;
    }
  }

  private static final String SYSTEM_USER = String.valueOf(System.getProperty("user.name"));
}
