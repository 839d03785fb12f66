package org.mmapsql.schema;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.calcite.DataContext;
import org.apache.calcite.adapter.enumerable.CallImplementor;
import org.apache.calcite.linq4j.tree.Expression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.schema.FunctionParameter;
import org.apache.calcite.schema.ImplementableFunction;
import org.apache.calcite.sql.SqlCall;
import org.apache.calcite.sql.SqlIdentifier;
import org.apache.calcite.sql.SqlNode;
import org.apache.calcite.sql.util.SqlBasicVisitor;
import org.apache.calcite.sql.SqlKind;
import org.apache.calcite.sql.SqlOperatorTable;
import org.apache.calcite.sql.parser.SqlParserPos;
import org.apache.calcite.sql.type.OperandTypes;
import org.apache.calcite.sql.type.ReturnTypes;
import org.apache.calcite.sql.type.SqlReturnTypeInference;
import org.apache.calcite.sql.type.SqlTypeFamily;
import org.apache.calcite.sql.type.SqlTypeName;
import org.apache.calcite.sql.util.SqlOperatorTables;
import org.apache.calcite.sql.validate.SqlUserDefinedFunction;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;
import org.mmapsql.jdbc.ChangeCounter;
import org.mmapsql.storage.Layout;
import java.lang.reflect.Type;
import org.apache.calcite.adapter.java.JavaTypeFactory;
import org.apache.calcite.rel.type.RelDataType;
import org.apache.calcite.rel.type.RelDataTypeFactory;
import org.apache.calcite.sql.SqlCallBinding;
import org.apache.calcite.sql.SqlCharStringLiteral;
import org.apache.calcite.sql.SqlOperatorBinding;

/**
 * The functions with side effects: {@code MMAP(name, path[, type[, options]])}
 * binds a file, {@code UNMAP(name)} unbinds it, {@code VPOP(name)} removes and returns
 * the last value. They are not deterministic, so the planner never runs them
 * while planning: each runs at execution, once per call.
 */
public final class MmapFunctions {
  /** The operator table that adds these functions to SQL. */
  public static final SqlOperatorTable OPERATORS = SqlOperatorTables.of(
      new SideEffect("MMAP", ReturnTypes.BIGINT, List.of("name", "path", "type", "options"), 2, "mmap"),
      new SideEffect("UNMAP", ReturnTypes.INTEGER, List.of("name"), 1, "unmap"),
      // NULL when the table is empty, whatever the argument: FORCE_, not TO_NULLABLE
      new SideEffect("VPOP", MmapFunctions::vpopType, List.of("name"), 1, "vpop"));

  /**
   * VPOP's type: the type of the table's val column when the name is a
   * literal naming a 1-D table, else DOUBLE; always nullable (an empty table
   * gives NULL).
   */
  private static RelDataType vpopType(SqlOperatorBinding binding) {
    RelDataTypeFactory f = binding.getTypeFactory();
    RelDataType type = f.createSqlType(SqlTypeName.DOUBLE);
    if (binding instanceof SqlCallBinding call && call.operand(0) instanceof SqlCharStringLiteral lit
        && lit.getValueAs(String.class) instanceof String name) {
      var table = call.getValidator().getCatalogReader().getTable(List.of(name));
      MmapTable t = table == null ? null : table.unwrap(MmapTable.class);
      if (t != null) {
        try {
          Layout l = t.layout();
          if (l.shape() == Layout.Shape.ONE_D) {
            type = SqlTypes.of(f, l.dtype());
          }
        } catch (MmapException e) {
          // unavailable: DOUBLE, and the statement says why when it runs
        }
      }
    }
    RelDataType result = f.createTypeWithNullability(type, true);
    return result;
  }



  private MmapFunctions() {
  }

  /**
   * Whether a statement calls any of these functions. The same call twice
   * ({@code SELECT VPOP('t'), VPOP('t')}) is refused: Calcite would compute
   * equal expressions once, so it would pop once and show the value twice.
   */
  public static boolean calledIn(SqlNode statement) {
    java.util.Set<String> calls = new java.util.HashSet<>();
    boolean[] found = {false};
    statement.accept(new SqlBasicVisitor<Void>() {
      @Override public Void visit(SqlCall call) {
        String name = call.getOperator().getName();
        if (NAMES.stream().anyMatch(name::equalsIgnoreCase)) {
          found[0] = true;
          String text = call.toString();
          if (!calls.add(text.toUpperCase(java.util.Locale.ROOT))) {
            throw new MmapException(SqlState.SYNTAX_ERROR, text + " appears twice in one statement; it would run once."
                + " Use one call per statement");
          }
        }
        return super.visit(call);
      }
    });
    return found[0];
  }

  private static final List<String> NAMES = List.of("MMAP", "UNMAP", "VPOP");

  // ------------------------------------------------ called from generated code

  public static long mmap(DataContext root, String name, String path, String type, String options) {
    require(name, "MMAP", "table name");
    require(path, "MMAP", "path");
    schema(root).settings().requireWritable("MMAP");
    long rows = schema(root).database().map(name, path, type, options);
    changed(root);
    return rows;
  }

  public static int unmap(DataContext root, String name) {
    require(name, "UNMAP", "table name");
    schema(root).settings().requireWritable("UNMAP");
    int removed = schema(root).database().unmap(name);
    if (removed > 0) {
      changed(root);
    }
    return removed;
  }

  /** VPOP with the table's own value type (the name was a literal). */
  public static Object vpop(DataContext root, String name) {
    require(name, "VPOP", "table name");
    Object popped = TableEntryPoints.pop(schema(root).table(name), root);
    if (popped != null) {
      changed(root);
    }
    return popped;
  }

  /** VPOP typed DOUBLE (the name was computed): numeric values only. */
  public static Double vpopDouble(DataContext root, String name) {
    Object v = vpop(root, name);
    if (v == null || v instanceof Double) {
      return (Double) v;
    }
    if (v instanceof Number n) {
      return n.doubleValue();
    }
    throw new MmapException(SqlState.DATA_EXCEPTION, "VPOP(" + name + ") returned " + v
        + ", which is not a number: give the table name as a literal to get the column's own type");
  }

  /** Tells the connection (embedded, or the server's) that a statement changed something it cannot roll back. */
  private static void changed(DataContext root) {
    if (root.getQueryProvider() instanceof ChangeCounter c) {
      c.changed(1);
    }
  }

  private static MmapSchema schema(DataContext root) {
    return MmapSchema.of(root.getRootSchema());
  }

  private static void require(String arg, String function, String what) {
    if (arg == null) {
      throw new MmapException(SqlState.DATA_EXCEPTION, function + ": the " + what + " must not be NULL");
    }
  }

  // ------------------------------------------------ the SQL side

  /** A function with a side effect: not deterministic, implemented by a static method above. */
  private static final class SideEffect extends SqlUserDefinedFunction {
    SideEffect(String name, SqlReturnTypeInference returnType, List<String> params, int required,
        String method) {
      super(new SqlIdentifier(name, SqlParserPos.ZERO), SqlKind.OTHER_FUNCTION, returnType,
          (binding, ret, types) -> {
            for (int i = 0; i < types.length; i++) {
              types[i] = binding.getTypeFactory().createSqlType(SqlTypeName.VARCHAR);
            }
          },
          OperandTypes.operandMetadata(
              Collections.nCopies(params.size(), SqlTypeFamily.CHARACTER),
              f -> Collections.nCopies(params.size(), f.createSqlType(SqlTypeName.VARCHAR)),
              params::get, i -> i >= required),
          new Implementation(method, params.size()));
    }

    @Override public boolean isDeterministic() {
      return false;
    }
  }

  /** Generates {@code MmapFunctions.method(root, args...)}, missing optional args as null. */
  private record Implementation(String method, int arity) implements ImplementableFunction {
    @Override public CallImplementor getImplementor() {
      return (translator, call, nullAs) -> {
        List<Expression> args = new ArrayList<>();
        args.add(translator.getRoot());
        for (Expression e : translator.translateList(call.getOperands())) {
          args.add(Expressions.convert_(e, String.class));
        }
        while (args.size() <= arity) {
          args.add(Expressions.constant(null, String.class));
        }
        if (method.equals("vpop")) {
          if (call.getType().getSqlTypeName() == SqlTypeName.DOUBLE) {
            return Expressions.call(MmapFunctions.class, "vpopDouble", args);
          }
          Type javaClass = new org.apache.calcite.jdbc.JavaTypeFactoryImpl().getJavaClass(call.getType());
          return Expressions.convert_(Expressions.call(MmapFunctions.class, method, args), javaClass);
        }
        return Expressions.call(MmapFunctions.class, method, args);
      };
    }

    @Override public List<FunctionParameter> getParameters() {
      return List.of();
    }
  }
}
