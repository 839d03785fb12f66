package org.apache.calcite.jdbc;

import java.util.HashMap;
import java.util.Map;
import java.util.TimeZone;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.avatica.AvaticaSite;
import org.apache.calcite.linq4j.QueryProvider;
import org.apache.calcite.runtime.Hook;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.util.Holder;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * The variables of one execution, as Calcite's own data context has them, but
 * with the time zone, locale and time frames the connection read once (Calcite
 * parses its properties again at every execution), and made only when a
 * statement asks for one of them.
 */
final class MmapDataContext implements DataContext {
  private final Map<String, Object> parameters;
  /** The plan's internal parameters, below {@link #parameters}: a direct run looks them up without copying them. */
  private final Map<String, Object> internal;
  private final @Nullable CalciteSchema rootSchema;
  private final MmapJdbcFactory.MmapConnection connection;
  /** When the statement started: CURRENT_TIMESTAMP is the same throughout it. */
  private final long started;
  /**
   * The other variables, made when one is first asked for: a point read or
   * update asks for its parameters only.
   */
  private @Nullable Map<String, Object> variables;

  MmapDataContext(MmapJdbcFactory.MmapConnection connection, Map<String, Object> parameters, @Nullable CalciteSchema rootSchema) {
    this(connection, parameters, Map.of(), rootSchema);
  }

  MmapDataContext(MmapJdbcFactory.MmapConnection connection, Map<String, Object> parameters,
      Map<String, Object> internal, @Nullable CalciteSchema rootSchema) {
    this.connection = connection;
    this.rootSchema = rootSchema;
    this.parameters = parameters;
    this.internal = internal;
    this.started = System.currentTimeMillis();
  }

  private Map<String, Object> variables() {
    if (variables == null) {
      // The hook (tests fix the time with it) runs here, not per statement: most ask for no time, and its box is garbage.
      Holder<Long> timeHolder = Holder.of(started);
      Hook.CURRENT_TIME.run(timeHolder);
      long time = timeHolder.get();
      TimeZone zone = connection.zone();
      long localOffset = zone.getOffset(time);
      long sysOffset = TimeZone.getDefault().getOffset(time);
      Holder<Object[]> streams = Holder.of(new Object[] {System.in, System.out, System.err});
      Hook.STANDARD_STREAMS.run(streams);
      Map<String, Object> map = new HashMap<>(32);
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
      variables = map;
    }
    return variables;
  }

  @Override public @Nullable Object get(String name) {
    // The statement's own values (parameters, cancel flag, timeout) win over the variables, as in Calcite's.
    if (parameters.containsKey(name)) {
      Object o = parameters.get(name);
      return o == AvaticaSite.DUMMY_VALUE ? null : o;
    }
    if (internal.containsKey(name)) {
      return internal.get(name);
    }
    Object o = variables().get(name);
    if (o == null && Variable.SQL_ADVISOR.camelName.equals(name)) {
      // Rare (sqlline's completion): Calcite's own context knows how to make one.
      return new CalciteConnectionImpl.DataContextImpl(connection, Map.of(), rootSchema).get(name);
    }
    return o;
  }

  @Override public @Nullable SchemaPlus getRootSchema() {
    return rootSchema == null ? null : connection.plus(rootSchema);
  }

  @Override public JavaTypeFactory getTypeFactory() {
    return connection.getTypeFactory();
  }

  @Override public QueryProvider getQueryProvider() {
    return connection;
  }

  private static final String SYSTEM_USER = String.valueOf(System.getProperty("user.name"));
}
