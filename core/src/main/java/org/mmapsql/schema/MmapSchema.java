package org.mmapsql.schema;

import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

import org.apache.calcite.schema.Schema;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.schema.Table;
import org.apache.calcite.schema.impl.AbstractSchema;
import org.apache.calcite.schema.lookup.LikePattern;
import org.apache.calcite.schema.lookup.Lookup;
import org.apache.calcite.schema.lookup.Named;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.catalog.Binding;
import org.mmapsql.catalog.Database;

/**
 * The schema whose tables are the bindings of a data directory. Tables are
 * looked up live in the {@link Database}, so a binding made by any connection
 * is a table for all of them at once. One instance per connection.
 */
public final class MmapSchema extends AbstractSchema {
  /** Name of this schema; it is the connection's default schema. */
  public static final String NAME = "mmap";

  private final Database database;
  private final ConnectionSettings settings;

  public MmapSchema(Database database, ConnectionSettings settings) {
    this.database = database;
    this.settings = settings;
  }

  public Database database() {
    return database;
  }

  public ConnectionSettings settings() {
    return settings;
  }

  /** The schema of the connection that runs the statement {@code root} belongs to. */
  public static MmapSchema of(SchemaPlus root) {
    SchemaPlus s = root.subSchemas().get(NAME);
    MmapSchema schema = s == null ? null : s.unwrap(MmapSchema.class);
    if (schema == null) {
      throw new IllegalStateException("not an mmapsql connection");
    }
    return schema;
  }

  /**
   * The table {@code name} of a plan made earlier, perhaps on another
   * connection: its binding is looked up (and found gone) when it runs.
   */
  public MmapTable planned(String name) {
    return new MmapTable(this, name);
  }

  /** The table bound as {@code name} (matched case-insensitively). */
  public MmapTable table(String name) {
    Binding b = database.binding(name);
    if (b == null) {
      throw new org.mmapsql.MmapException("no table named " + name);
    }
    return new MmapTable(this, b.name());
  }

  @Override public Lookup<Table> tables() {
    return new Lookup<>() {
      @Override public @Nullable Table get(String name) {
        Binding b = database.binding(name);
        return b != null && b.name().equals(name) ? new MmapTable(MmapSchema.this, b.name()) : null;
      }

      @Override public @Nullable Named<Table> getIgnoreCase(String name) {
        Binding b = database.binding(name);
        return b == null ? null : new Named<>(b.name(), new MmapTable(MmapSchema.this, b.name()));
      }

      @Override public Set<String> getNames(LikePattern pattern) {
        Set<String> names = new LinkedHashSet<>();
        var matcher = pattern.matcher();
        for (Binding b : database.bindings()) {
          if (matcher.apply(b.name())) {
            names.add(b.name());
          }
        }
        return names;
      }
    };
  }

  @Override protected Map<String, Table> getTableMap() {
    throw new UnsupportedOperationException("use tables()");
  }

  @Override public boolean isMutable() {
    return true;
  }

  @Override public Schema snapshot(org.apache.calcite.schema.SchemaVersion version) {
    return this;
  }
}
