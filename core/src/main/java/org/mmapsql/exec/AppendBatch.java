package org.mmapsql.exec;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.storage.Landing;
import org.mmapsql.storage.MappedArray;

/**
 * The appends of the statements run on this thread while it is open: where
 * their rows landed (for {@code getGeneratedKeys()}), and, for a JDBC batch,
 * the rows themselves. The INSERTs of a batch only check and compute their
 * rows; {@link #apply} then appends them with one write and one force per
 * table, so a batch is applied whole or not at all.
 */
public final class AppendBatch implements AutoCloseable {
  private static final ThreadLocal<AppendBatch> CURRENT = new ThreadLocal<>();

  private final boolean defer;
  private final @Nullable AppendBatch outer;
  /** Deferred rows by table, in the order the tables were first written. */
  private final Map<MappedArray, Pending> pending = new IdentityHashMap<>();
  private final List<Pending> order = new ArrayList<>();
  /** First idx and count of each append, in order. */
  private final List<long[]> appended = new ArrayList<>();

  private AppendBatch(boolean defer) {
    this.defer = defer;
    this.outer = CURRENT.get();
    CURRENT.set(this);
  }

  /** Records where the appends of this thread land, until closed. */
  public static AppendBatch recordKeys() {
    return new AppendBatch(false);
  }

  /** Defers the appends of this thread until {@link #apply}; closing without it drops them. */
  public static AppendBatch defer() {
    return new AppendBatch(true);
  }

  static @Nullable AppendBatch current() {
    return CURRENT.get();
  }

  boolean defers() {
    return defer;
  }

  /** Keeps checked rows of {@code writes} to append at {@link #apply}; returns their count. */
  long keep(TableWrites writes, TableWrites.Rows rows) {
    Pending p = pending.computeIfAbsent(writes.array(), a -> {
      Pending n = new Pending(writes);
      order.add(n);
      return n;
    });
    p.rows.add(rows);
    return rows.size;
  }

  /** Records where an append's rows landed ({@link Landing}), their idx from {@code base}. */
  void appended(long base, Landing landed) {
    for (long[] run : landed.runs()) {
      appended(base + run[0], run[1]);
    }
  }

  private void appended(long firstIdx, long count) {
    if (count > 0) {
      appended.add(new long[] {firstIdx, count});
    }
    if (outer != null) {
      outer.appended(firstIdx, count);
    }
  }

  /**
   * Appends the deferred rows, one write per table. If a table's write fails,
   * that table and those after it get nothing; the tables before it keep
   * theirs (a batch of one PreparedStatement writes one table).
   */
  public void apply() {
    for (Pending p : order) {
      p.writes.insert(TableWrites.Rows.concat(p.rows));
    }
    order.clear();
    pending.clear();
  }

  /**
   * Where the rows appended while open landed, in order: {@code {first idx, count}}
   * per append. Ranges, not every idx: a statement that appends 100 million
   * rows keeps two numbers until someone asks for its keys.
   */
  public List<long[]> ranges() {
    return List.copyOf(appended);
  }

  @Override public void close() {
    CURRENT.set(outer);
  }

  private static final class Pending {
    final TableWrites writes;
    final List<TableWrites.Rows> rows = new ArrayList<>();

    Pending(TableWrites writes) {
      this.writes = writes;
    }
  }
}
