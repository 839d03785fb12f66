package org.mmapsql.jdbc;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.Map;

import org.apache.calcite.adapter.enumerable.EnumerableInterpretable;
import org.apache.calcite.adapter.enumerable.EnumerableRel;
import org.apache.calcite.adapter.enumerable.EnumerableRelImplementor;
import org.apache.calcite.avatica.Helper;
import org.apache.calcite.linq4j.tree.ClassDeclaration;
import org.apache.calcite.linq4j.tree.ConstantExpression;
import org.apache.calcite.linq4j.tree.Expressions;
import org.apache.calcite.linq4j.tree.GotoStatement;
import org.apache.calcite.linq4j.tree.MemberDeclaration;
import org.apache.calcite.linq4j.tree.MethodDeclaration;
import org.apache.calcite.prepare.Prepare;
import org.apache.calcite.runtime.Bindable;
import org.apache.calcite.runtime.Hook;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * A plan's Java code, generated as Calcite generates it when the statement is
 * prepared, and compiled with Janino only when an execution first needs it: a
 * plan that runs directly ({@link org.mmapsql.plan.DirectExecution}) needs it
 * only for what it does not run itself, so a JVM's first {@code SELECT COUNT(*)}
 * never loads the compiler. Compiled by Calcite's own method, with its cache
 * of classes by code.
 */
final class GeneratedCode {
  /** Calcite's {@code EnumerableInterpretable.getBindable(ClassDeclaration, String, int)}, package-private. */
  private static final MethodHandle COMPILE;

  static {
    try {
      COMPILE = MethodHandles.privateLookupIn(EnumerableInterpretable.class, MethodHandles.lookup())
          .findStatic(EnumerableInterpretable.class, "getBindable",
              MethodType.methodType(Bindable.class, ClassDeclaration.class, String.class, int.class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final ClassDeclaration declaration;
  private final String code;
  private final int fields;
  private final Prepare.CatalogReader reader;
  private volatile @Nullable Bindable<Object> compiled;

  private GeneratedCode(ClassDeclaration declaration, String code, int fields, Prepare.CatalogReader reader) {
    this.declaration = declaration;
    this.code = code;
    this.fields = fields;
    this.reader = reader;
  }

  /** The code of {@code rel}, as {@code EnumerableInterpretable.toBindable} generates it, not yet compiled. */
  static GeneratedCode of(EnumerableRel rel, EnumerableRel.Prefer prefer, Map<String, Object> parameters,
      Prepare.CatalogReader reader) {
    ClassDeclaration declaration;
    Prepare.CatalogReader.THREAD_LOCAL.set(reader);
    try {
      declaration = new EnumerableRelImplementor(rel.getCluster().getRexBuilder(), parameters)
          .implementRoot(rel, prefer);
    } finally {
      Prepare.CatalogReader.THREAD_LOCAL.remove();
    }
    String code = Expressions.toString(declaration.memberDeclarations, "\n", false);
    Hook.JAVA_PLAN.run(code);
    return new GeneratedCode(declaration, code, rel.getRowType().getFieldCount(), reader);
  }

  /**
   * The class of a row, as the compiled code's {@code getElementType()} will say
   * (it returns a constant, read here from the code's tree), or null if it is not a plain class.
   */
  @Nullable Class<?> elementType() {
    for (MemberDeclaration m : declaration.memberDeclarations) {
      if (m instanceof MethodDeclaration d && d.name.equals("getElementType") && d.body.statements.size() == 1
          && d.body.statements.get(0) instanceof GotoStatement g
          && g.expression instanceof ConstantExpression c && c.value instanceof Class<?> k) {
        return k;
      }
    }
    return null;
  }

  /** The code as a bindable that compiles it on its first execution. */
  Bindable<Object> bindable() {
    return root -> compiled().bind(root);
  }

  /** The compiled code (compiled once; errors as Calcite reports them). */
  @SuppressWarnings("unchecked")
  Bindable<Object> compiled() {
    Bindable<Object> b = compiled;
    if (b == null) {
      synchronized (this) {
        b = compiled;
        if (b == null) {
          Prepare.CatalogReader.THREAD_LOCAL.set(reader);
          try {
            b = (Bindable<Object>) COMPILE.invokeExact(declaration, code, fields);
          } catch (Exception e) {
            throw Helper.INSTANCE.wrap("Error while compiling generated Java code:\n" + code, e);
          } catch (Error e) {
            throw e;
          } catch (Throwable e) {
            throw new IllegalStateException(e); // the method declares no other
          } finally {
            Prepare.CatalogReader.THREAD_LOCAL.remove();
          }
          compiled = b;
        }
      }
    }
    return b;
  }
}
