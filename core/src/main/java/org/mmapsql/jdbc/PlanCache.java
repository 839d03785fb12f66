package org.mmapsql.jdbc;

import java.sql.Connection;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

import org.apache.calcite.jdbc.CalciteConnection;
import org.apache.calcite.jdbc.CalciteSchema;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.catalog.Database;
import org.mmapsql.schema.MmapSchema;

/**
 * Plans of statements already prepared on a data directory, so that a
 * statement that differs from an earlier one only in the numbers of its WHERE
 * clauses ({@code idx = 5}, then {@code idx = 6}), or not at all, skips
 * Calcite's parse, validation, planning and code generation. One per
 * {@link Database}, shared by its connections; bounded, least recently used
 * first out; emptied when the catalog changes ({@link Database#version()}:
 * MMAP, UNMAP, a rebinding, another type), since plans depend on the tables'
 * names and row types.
 *
 * <p>A plan is found by {@link Key}: the connection's settings, default schema,
 * row class and row limit, and the statement's {@link SqlShape}. Its
 * {@link CachedPlan} says which numbers are parameters of the plan and which
 * must be the same as when it was made.
 */
public final class PlanCache {
  static final int CAPACITY = 1024;
  /** Plans kept for one shape: a few with different fixed numbers (LIMIT 10, LIMIT 20). */
  private static final int PER_SHAPE = 8;
  /** By open directory; removed when it closes ({@link #forget}): a cache and its plans reach their Database. */
  private static final Map<Database, PlanCache> CACHES = new HashMap<>();
  /** The connections served, by their root schema (what a prepare context names). */
  private static final Map<CalciteSchema, Session> SESSIONS = new java.util.concurrent.ConcurrentHashMap<>();

  private final Database database;
  private final Map<Key, List<CachedPlan>> plans = new LinkedHashMap<>(64, 0.75f, true) {
    @Override protected boolean removeEldestEntry(Map.Entry<Key, List<CachedPlan>> eldest) {
      return size() > CAPACITY;
    }
  };
  private long version = -1;
  private final AtomicLong hits = new AtomicLong();
  private final AtomicLong misses = new AtomicLong();

  private PlanCache(Database database) {
    this.database = database;
  }

  static PlanCache of(Database database) {
    synchronized (CACHES) {
      return CACHES.computeIfAbsent(database, PlanCache::new);
    }
  }

  /** Drops the plans of a directory that its last connection closed. */
  static void forget(Database database) {
    synchronized (CACHES) {
      CACHES.remove(database);
    }
  }

  /** How many directories have a cache (for tests and diagnostics). */
  public static int directories() {
    synchronized (CACHES) {
      return CACHES.size();
    }
  }

  /** The cache serving an embedded mmapsql connection (for tests and diagnostics). */
  public static PlanCache of(Connection connection) throws SQLException {
    CalciteConnection c = connection.unwrap(CalciteConnection.class);
    return of(MmapSchema.of(c.getRootSchema()).database());
  }

  /**
   * What one connection's statements are cached with: its directory's cache,
   * its settings, and its latest statements by their exact text, found
   * without cutting the text into its {@link SqlShape} or looking up a {@link Key}.
   */
  record Session(PlanCache cache, String settings, Map<String, Recent> recent) {
    /** Statements remembered by their text, per connection: an application repeats a few. */
    private static final int RECENT = 64;

    /** The plan this connection last used for exactly {@code sql} with these settings, if still valid. */
    CachedPlan.@Nullable Bound recent(String sql, List<String> schemaPath, String rowClass, long maxRowCount,
        long catalogVersion) {
      CachedPlan.Bound plan = peek(sql, schemaPath, rowClass, maxRowCount, catalogVersion);
      if (plan != null) {
        hit();
      }
      return plan;
    }

    /** The same, not yet counted as a hit ({@link #hit}): its finder may still leave it to the prepare step. */
    CachedPlan.@Nullable Bound peek(String sql, List<String> schemaPath, String rowClass, long maxRowCount,
        long catalogVersion) {
      Recent r = recent.get(sql);
      if (r == null || r.catalogVersion != catalogVersion || r.maxRowCount != maxRowCount
          || !r.rowClass.equals(rowClass) || !samePath(r.schemaPath, schemaPath)) {
        return null;
      }
      return r.plan;
    }

    /** {@code a.equals(b)} without the iterators that List's equals makes at each statement. */
    private static boolean samePath(List<String> a, List<String> b) {
      if (a == b) {
        return true;
      }
      if (a.size() != b.size()) {
        return false;
      }
      for (int i = 0; i < a.size(); i++) {
        if (!a.get(i).equals(b.get(i))) {
          return false;
        }
      }
      return true;
    }

    void hit() {
      cache.hits.incrementAndGet();
    }

    void remember(String sql, List<String> schemaPath, String rowClass, long maxRowCount, long catalogVersion,
        CachedPlan.Bound plan) {
      if (recent.size() >= RECENT) {
        recent.clear();
      }
      recent.put(sql, new Recent(schemaPath, rowClass, maxRowCount, catalogVersion, plan));
    }
  }

  /** A plan bound to the numbers of one statement text, and what it was found with. */
  record Recent(List<String> schemaPath, String rowClass, long maxRowCount, long catalogVersion,
      CachedPlan.Bound plan) {
  }

  /** Serves the connection whose root schema is {@code root}; {@code settings} is all it chose that plans may depend on. */
  static void attach(CalciteSchema root, Database database, String settings) {
    SESSIONS.put(root, new Session(of(database), settings, new java.util.concurrent.ConcurrentHashMap<>()));
  }

  static void detach(CalciteSchema root) {
    SESSIONS.remove(root);
  }

  static @Nullable Session session(CalciteSchema root) {
    return SESSIONS.get(root);
  }

  /** Statements answered from a cached plan. */
  public long hits() {
    return hits.get();
  }

  /** Statements that had to be planned (and were then cached, where they can be). */
  public long misses() {
    return misses.get();
  }

  /** Everything a plan depends on besides the statement text. */
  record Key(String connection, List<String> schemaPath, String rowClass, long maxRowCount, String shape) {
  }

  /** The catalog version the plans of this cache were made at; reading it first makes a concurrent change safe. */
  long catalogVersion() {
    return database.version();
  }

  /** A cached plan that fits {@code shape}'s numbers, bound to them; or null. */
  synchronized CachedPlan.@Nullable Bound find(Key key, SqlShape shape, long catalogVersion) {
    sync(catalogVersion);
    List<CachedPlan> list = plans.get(key);
    if (list != null) {
      for (CachedPlan p : list) {
        CachedPlan.Bound b = p.bind(shape);
        if (b != null) {
          hits.incrementAndGet();
          return b;
        }
      }
    }
    misses.incrementAndGet();
    return null;
  }

  /** Whether an earlier statement of this shape showed that its numbers cannot become parameters. */
  synchronized boolean literalOnly(Key key, long catalogVersion) {
    sync(catalogVersion);
    List<CachedPlan> list = plans.get(key);
    return list != null && list.stream().anyMatch(CachedPlan::literalOnly);
  }

  /** Whether a plan of this shape with parameters is cached: if it did not fit, planning one again would not either. */
  synchronized boolean parameterized(Key key, long catalogVersion) {
    sync(catalogVersion);
    List<CachedPlan> list = plans.get(key);
    return list != null && list.stream().anyMatch(CachedPlan::parameterized);
  }

  synchronized void put(Key key, CachedPlan plan, long catalogVersion) {
    sync(catalogVersion);
    if (catalogVersion != version) {
      return; // the catalog changed while planning: the plan may be stale already
    }
    List<CachedPlan> list = plans.computeIfAbsent(key, k -> new ArrayList<>(2));
    if (list.size() >= PER_SHAPE) {
      // the oldest plan made for one statement's numbers; the one with parameters serves many and stays
      int evict = 0;
      while (evict < list.size() - 1 && list.get(evict).parameterized()) {
        evict++;
      }
      list.remove(evict);
    }
    list.add(plan);
  }

  private void sync(long catalogVersion) {
    long now = database.version();
    if (now != version) {
      plans.clear();
      version = now;
    }
  }
}
