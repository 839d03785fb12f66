package org.mmapsql.plan;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.EnumerableCalc;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.jdbc.JavaTypeFactoryImpl;
import org.apache.calcite.linq4j.Linq4j;
import org.apache.calcite.linq4j.tree.Primitive;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rex.RexDynamicParam;
import org.apache.calcite.rex.RexInputRef;
import org.apache.calcite.rex.RexNode;
import org.apache.calcite.rex.RexProgram;
import org.apache.calcite.runtime.Bindable;
import org.apache.calcite.schema.SchemaPlus;
import org.apache.calcite.sql.type.SqlTypeName;
import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.exec.Aggregates;
import org.mmapsql.exec.IdxRanges;
import org.mmapsql.schema.MmapSchema;
import org.mmapsql.schema.MmapTable;
import org.mmapsql.schema.TableEntryPoints;

/**
 * A plan run without its generated code: the statements that read or update
 * a few rows by idx ({@code SELECT <columns> FROM t WHERE idx = ?},
 * {@code ... idx IN (?, ...)}, {@code UPDATE t SET c = ? WHERE idx = ?}) and
 * the aggregates that need no value filter ({@code SELECT COUNT(*) FROM t}).
 * Recognised once, from the physical plan, when the statement is prepared;
 * at execution it makes the same calls into {@link MmapTable} as the
 * generated code, minus the enumerators, the table lookup through Calcite's
 * schema, a scan's snapshot and the code's own objects. When an execution is
 * not of that kind after all (more than {@link #FEW} rows, a parameter of
 * another Java class than its SQL type has), it runs the generated code.
 */
public final class DirectExecution {
  /** Most rows read or written directly; beyond, the generated code streams them. */
  static final int FEW = 64;
  private static final JavaTypeFactoryImpl JAVA_TYPES = new JavaTypeFactoryImpl();
  /** Executions that ran directly (for tests: that the shapes above do). */
  private static final LongAdder DIRECT = new LongAdder();

  /**
   * The key of a plan's internal parameters under which its direct execution is
   * stashed: a statement that finds it may run the plan for its rows alone
   * ({@link Outcome}), with no result set of Avatica's.
   */
  public static final String KEY = "mmapsql.direct";

  /**
   * Put under {@link #KEY} in an execution's data context: the execution then
   * never runs the generated code; it leaves here the rows it read or the
   * count it wrote, or nothing if it could not run directly.
   */
  public static final class Outcome {
    private @Nullable List<Object> rows;

    /** The rows (one object each, or an {@code Object[]} for several columns), or null if it did not run. */
    public @Nullable List<Object> rows() {
      return rows;
    }
  }

  /** What one execution does: its rows, or null when it must run the generated code. */
  private interface Run {
    @Nullable List<?> run(MmapTable table, DataContext root, boolean scalar);
  }

  private final String schema;
  private final String table;
  private final Run run;
  /** The table as last found, for the connection that ran this plan last. */
  private volatile @Nullable Found found;

  private DirectExecution(List<String> qualifiedName, Run run) {
    this.schema = qualifiedName.get(0);
    this.table = qualifiedName.get(1);
    this.run = run;
  }

  /** The direct execution of {@code rel}, the root of a physical plan, or null if it has none. */
  public static @Nullable DirectExecution of(RelNode rel) {
    if (rel instanceof MmapAggregate a) {
      return a.valFilter == null ? of(a.scan, aggregate(a)) : null;
    }
    if (rel instanceof MmapTableModify m) {
      return m.isUpdate() && m.getInput() instanceof EnumerableCalc calc ? update(m, calc) : null;
    }
    int[] project = null;
    if (rel instanceof EnumerableCalc calc) {
      project = inputRefs(calc.getProgram(), calc.getProgram().getProjectList().size());
      if (project == null) {
        return null;
      }
      rel = calc.getInput();
    }
    return rel instanceof MmapTableScan scan && scan.idxFilter != null ? of(scan, read(scan, project)) : null;
  }

  private static @Nullable DirectExecution of(MmapTableScan scan, @Nullable Run run) {
    List<String> name = scan.getTable().getQualifiedName();
    return run == null || name.size() != 2 ? null : new DirectExecution(name, run);
  }

  /** What generated code needs to find the table, when {@code scalar} rows are wanted. */
  public Bindable<Object> bindable(Bindable<Object> generated, Meta.CursorFactory cursor) {
    if (cursor.style != Meta.Style.OBJECT && cursor.style != Meta.Style.ARRAY) {
      return generated;
    }
    boolean scalar = cursor.style == Meta.Style.OBJECT;
    return root -> {
      MmapTable t = table(root);
      @SuppressWarnings("unchecked")
      List<Object> rows = t == null ? null : (List<Object>) run.run(t, root, scalar);
      if (rows != null) {
        DIRECT.increment();
      }
      if (root.get(KEY) instanceof Outcome o) {
        o.rows = rows;
        return rows == null ? Linq4j.emptyEnumerable() : Linq4j.asEnumerable(rows);
      }
      return rows == null ? generated.bind(root) : Linq4j.asEnumerable(rows);
    };
  }

  /** Executions that ran without their generated code so far, in this JVM. */
  public static long directRuns() {
    return DIRECT.sum();
  }

  /** The table as generated code finds it: in the statement's connection, by name, bound or not. */
  private @Nullable MmapTable table(DataContext root) {
    SchemaPlus rootSchema = root.getRootSchema();
    if (rootSchema == null || !MmapSchema.NAME.equals(schema)) {
      return null;
    }
    Found f = found;
    if (f == null || f.root.get() != rootSchema) {
      f = new Found(new WeakReference<>(rootSchema), MmapSchema.of(rootSchema).planned(table));
      found = f;
    }
    return f.table;
  }

  /**
   * The table found in a connection's root schema (one view per connection: see MmapDataContext);
   * weakly, since cached plans outlive connections.
   */
  private record Found(WeakReference<SchemaPlus> root, MmapTable table) {
  }

  // ------------------------------------------------ reads

  /** {@code [Calc of columns] <- scan(idx predicate)}: the rows read at once, projected. */
  private static Run read(MmapTableScan scan, int @Nullable [] project) {
    Function<DataContext, IdxRanges> where = IdxCondition.evaluator(scan.idxFilter);
    int width = scan.getRowType().getFieldCount();
    int[] columns = project != null ? project : java.util.stream.IntStream.range(0, width).toArray();
    return (table, root, scalar) -> {
      IdxRanges ranges = where.apply(root);
      if (!few(ranges)) {
        return null;
      }
      List<Object> out = new ArrayList<>();
      for (Object[] row : TableEntryPoints.rowsAt(table, ranges)) {
        if (scalar) {
          out.add(row[columns[0]]);
        } else {
          Object[] r = new Object[columns.length];
          for (int i = 0; i < r.length; i++) {
            r[i] = row[columns[i]];
          }
          out.add(r);
        }
      }
      return out;
    };
  }

  /** The input fields a program projects, in order, or null if it filters or computes anything. */
  private static int @Nullable [] inputRefs(RexProgram program, int count) {
    if (program.getCondition() != null) {
      return null;
    }
    int[] refs = new int[count];
    for (int i = 0; i < count; i++) {
      RexNode e = program.expandLocalRef(program.getProjectList().get(i));
      if (!(e instanceof RexInputRef ref)) {
        return null;
      }
      refs[i] = ref.getIndex();
    }
    return refs;
  }

  /** At most {@link #FEW} positions, counted without overflow on unbounded ranges. */
  private static boolean few(IdxRanges ranges) {
    if (ranges.size() > FEW) {
      return false;
    }
    long n = 0;
    for (int i = 0; i < ranges.size(); i++) {
      long len = ranges.end(i) - ranges.start(i);
      if (len < 0 || len > FEW) {
        return false;
      }
      n += len;
    }
    return n <= FEW;
  }

  // ------------------------------------------------ UPDATE

  /**
   * {@code UPDATE <- Calc(every field, then ? for each SET column) <- scan(idx predicate)}:
   * the values go to {@link TableEntryPoints#updateAt} as the generated code would pass
   * them, which is so only when each is null or of its SQL type's Java class, or
   * that type is ANY (what {@code SET c = ?} has: the value reaches the dtype's checks uncast).
   */
  private static @Nullable DirectExecution update(MmapTableModify modify, EnumerableCalc calc) {
    if (!(calc.getInput() instanceof MmapTableScan scan) || scan.idxFilter == null
        || calc.getProgram().getCondition() != null) {
      return null;
    }
    RexProgram program = calc.getProgram();
    int fields = scan.getRowType().getFieldCount();
    int width = program.getProjectList().size();
    List<String> names = modify.getTable().getRowType().getFieldNames();
    List<String> set = modify.getUpdateColumnList();
    if (set == null || width != fields + set.size()) {
      return null;
    }
    String[] params = new String[set.size()];
    Class<?>[] classes = new Class<?>[set.size()];
    int[] columns = new int[set.size()];
    for (int i = 0; i < width; i++) {
      RexNode e = program.expandLocalRef(program.getProjectList().get(i));
      if (i < fields) {
        if (!(e instanceof RexInputRef ref) || ref.getIndex() != i) {
          return null;
        }
      } else if (e instanceof RexDynamicParam p && JAVA_TYPES.getJavaClass(p.getType()) instanceof Class<?> c) {
        int k = i - fields;
        params[k] = "?" + p.getIndex();
        classes[k] = Primitive.box(c);
        columns[k] = names.indexOf(set.get(k)) - 1; // layout columns: field 0 is idx
      } else {
        return null;
      }
    }
    Function<DataContext, IdxRanges> where = IdxCondition.evaluator(scan.idxFilter);
    return of(scan, (table, root, scalar) -> {
      Object[] values = new Object[params.length];
      for (int k = 0; k < values.length; k++) {
        Object v = root.get(params[k]);
        if (v != null && classes[k] != Object.class && v.getClass() != classes[k]) {
          return null; // the generated code converts it first
        }
        values[k] = v;
      }
      IdxRanges ranges = where.apply(root);
      if (!few(ranges) || !scalar) {
        return null;
      }
      return List.of(TableEntryPoints.updateAt(table, root, ranges, width, columns, values));
    });
  }

  // ------------------------------------------------ aggregates

  /** The call of {@link MmapAggregate}'s code, its arguments made once. */
  private static Run aggregate(MmapAggregate a) {
    Function<DataContext, IdxRanges> where = a.scan.idxFilter == null ? root -> null
        : IdxCondition.evaluator(a.scan.idxFilter);
    Aggregates.Kind[] kinds = a.kinds.toArray(new Aggregates.Kind[0]);
    int[] columns = a.columns.stream().mapToInt(Integer::intValue).toArray();
    SqlTypeName[] types = a.getRowType().getFieldList().stream()
        .map(f -> f.getType().getSqlTypeName()).toArray(SqlTypeName[]::new);
    return (table, root, scalar) -> {
      Object[] r = TableEntryPoints.aggregateRow(table, root, where.apply(root), kinds, columns, types);
      return java.util.Collections.singletonList(scalar ? r[0] : r); // r[0] may be null: an empty SUM
    };
  }
}
