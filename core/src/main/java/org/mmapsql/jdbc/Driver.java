package org.mmapsql.jdbc;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Properties;

import org.apache.calcite.avatica.AvaticaConnection;
import org.apache.calcite.avatica.ConnectStringParser;
import org.apache.calcite.avatica.DriverVersion;
import org.apache.calcite.avatica.Handler;
import org.apache.calcite.avatica.HandlerImpl;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.jdbc.CalciteSchema;
import org.apache.calcite.jdbc.MmapJdbcFactory;
import org.apache.calcite.jdbc.MmapMeta;
import org.apache.calcite.schema.SchemaPlus;
import org.mmapsql.MmapException;
import org.mmapsql.catalog.Database;
import org.mmapsql.schema.ConnectionSettings;
import org.mmapsql.schema.MmapSchema;
import org.mmapsql.schema.SysSchema;

/**
 * The embedded JDBC driver: {@code jdbc:mmap:<data-dir>[;key=value...]}, for
 * example {@code jdbc:mmap:./data;durability=sync}. Properties (in the URL or
 * in {@link Properties}):
 * <ul>
 *   <li>{@code durability}: {@code async} (default: forced to disk within about
 *   a second) or {@code sync} (forced before each write statement returns);</li>
 *   <li>{@code maxMappings}: most bindings a directory may hold (default 10000);</li>
 *   <li>{@code allowedDirectories}: directories outside the data directory whose
 *   files MMAP may map, separated by the platform's path separator;</li>
 *   <li>{@code readonly}: {@code true} makes MMAP, UNMAP, VPOP, INSERT, UPDATE
 *   and DELETE fail on this connection;</li>
 *   <li>{@code planCache}: {@code false} plans every statement afresh instead of
 *   reusing the plans of earlier ones ({@link PlanCache}).</li>
 * </ul>
 * {@code jdbc:mmap:remote:url=http://host:8765[;user=...;password=...]}
 * connects to an mmapsql server instead (see {@link RemoteDriver}).
 * The last two are fixed by the first connection that opens a directory.
 */
public class Driver extends org.apache.calcite.jdbc.Driver {
  public static final String PREFIX = "jdbc:mmap:";
  public static final String DEFAULT_DATA_DIR = "./data";
  /** Property holding the data directory, taken from the URL. */
  public static final String DATA_DIR = "dataDir";

  static {
    new Driver().register();
  }

  public Driver() {
    super(MmapPrepare::new);
  }

  /** Calcite's meta without its query hook ({@link org.apache.calcite.jdbc.MmapMeta}). */
  @Override public Meta createMeta(AvaticaConnection connection) {
    return MmapMeta.of(connection);
  }

  @Override protected String getConnectStringPrefix() {
    return PREFIX;
  }

  @Override protected DriverVersion createDriverVersion() {
    return Version.driverVersion("mmapsql JDBC Driver");
  }

  @Override protected String getFactoryClassName(JdbcVersion jdbcVersion) {
    return MmapJdbcFactory.class.getName();
  }

  /** mmapsql's version, from the build. */
  public static String version() {
    return Version.get();
  }

  @Override public Connection connect(String url, Properties info) throws SQLException {
    if (!acceptsURL(url)) {
      return null;
    }
    if (url.startsWith(RemoteDriver.PREFIX)) {
      return RemoteDriver.INSTANCE.connect(url, info);
    }
    String rest = url.substring(PREFIX.length());
    int semi = rest.indexOf(';');
    String dir = (semi < 0 ? rest : rest.substring(0, semi)).trim();
    Properties props = ConnectStringParser.parse(semi < 0 ? "" : rest.substring(semi + 1), info);
    props.setProperty(DATA_DIR, dir.isEmpty() ? props.getProperty(DATA_DIR, DEFAULT_DATA_DIR) : dir);
    // SQL as users of a small database expect: names match whatever their case.
    props.setProperty("caseSensitive", "false");
    props.setProperty("unquotedCasing", "UNCHANGED");
    props.setProperty("quotedCasing", "UNCHANGED");
    // DECIMAL(20, 0) for uint64, and SUM/AVG that do not wrap or truncate.
    props.setProperty("typeSystem", org.mmapsql.schema.MmapTypeSystem.class.getName() + "#INSTANCE");
    return super.connect(PREFIX, props);
  }

  @Override protected Handler createHandler() {
    return new HandlerImpl() {
      @Override public void onConnectionInit(AvaticaConnection connection) throws SQLException {
        Properties p = ((CalciteConnection) connection).getProperties();
        Database db;
        try {
          db = Database.open(Path.of(p.getProperty(DATA_DIR)), databaseSettings(p));
        } catch (MmapException e) {
          throw new SQLException(e.getMessage(), "08001", e);
        }
        try {
          CalciteConnection c = (CalciteConnection) connection;
          SchemaPlus root = c.getRootSchema();
          // Not cached: bindings come and go at run time and metadata must see them. Calcite
          // creates its cache of table names lazily, and enabled, on first use (later than
          // setCacheEnabled(false) would reach it): create it first, then switch it off.
          SchemaPlus mmap = root.add(MmapSchema.NAME, new MmapSchema(db, connectionSettings(p)));
          mmap.tables();
          mmap.setCacheEnabled(false);
          root.add(SysSchema.NAME, new SysSchema(db));
          c.setSchema(MmapSchema.NAME);
          if (!"false".equalsIgnoreCase(p.getProperty("planCache", "true").trim())) {
            PlanCache.attach(root.unwrap(CalciteSchema.class), db, planSettings(p));
          }
        } catch (SQLException | RuntimeException e) {
          if (db.release()) {
            PlanCache.forget(db);
          }
          throw e instanceof SQLException s ? s : Errors.toSql(e);
        }
      }

      @Override public void onConnectionClose(AvaticaConnection connection) {
        try {
          SchemaPlus root = ((CalciteConnection) connection).getRootSchema();
          PlanCache.detach(root.unwrap(CalciteSchema.class));
          Database db = MmapSchema.of(root).database();
          if (db.release()) {
            PlanCache.forget(db);
          }
        } catch (IllegalStateException ignored) {
          // init failed before the schema was added; nothing to release
        }
      }
    };
  }

  /** A connection's properties as a key of cached plans: all but the password, in a fixed order. */
  static String planSettings(Properties p) {
    java.util.TreeMap<String, String> m = new java.util.TreeMap<>();
    for (String k : p.stringPropertyNames()) {
      if (!k.equalsIgnoreCase("password")) {
        m.put(k, p.getProperty(k));
      }
    }
    return m.toString();
  }

  static Database.Settings databaseSettings(Properties p) throws SQLException {
    int max = Database.Settings.DEFAULT_MAX_MAPPINGS;
    String m = p.getProperty("maxMappings");
    if (m != null) {
      try {
        max = Integer.parseInt(m.trim());
      } catch (NumberFormatException e) {
        throw new SQLException("maxMappings must be a number, not '" + m + "'", "08001");
      }
      if (max < 1) {
        throw new SQLException("maxMappings must be at least 1", "08001");
      }
    }
    List<Path> allowed = new ArrayList<>();
    String a = p.getProperty("allowedDirectories");
    if (a != null) {
      for (String d : a.split(java.io.File.pathSeparator)) {
        if (!d.isBlank()) {
          allowed.add(Path.of(d.trim()));
        }
      }
    }
    return new Database.Settings(max, allowed);
  }

  static ConnectionSettings connectionSettings(Properties p) throws SQLException {
    String d = p.getProperty("durability", "async").trim().toLowerCase(Locale.ROOT);
    boolean sync = switch (d) {
      case "async" -> false;
      case "sync" -> true;
      default -> throw new SQLException("durability must be 'async' or 'sync', not '" + d + "'", "08001");
    };
    String r = p.getProperty("readonly", "false").trim().toLowerCase(Locale.ROOT);
    boolean readOnly = switch (r) {
      case "false" -> false;
      case "true" -> true;
      default -> throw new SQLException("readonly must be 'true' or 'false', not '" + r + "'", "08001");
    };
    return new ConnectionSettings(sync, readOnly);
  }
}
