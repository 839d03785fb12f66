package org.mmapsql.plan;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.metadata.CyclicMetadataException;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.DelegatingMetadataRel;
import org.apache.calcite.rel.metadata.MetadataHandler;
import org.apache.calcite.rel.metadata.MetadataHandlerProvider;
import org.apache.calcite.rel.metadata.NullSentinel;
import org.apache.calcite.rel.metadata.RelMetadataProvider;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Calcite's metadata handlers, called without generated code. Calcite's default
 * ({@code JaninoRelMetadataProvider}) writes a class per kind of metadata and
 * compiles it with Janino the first time a JVM plans: about a third of a first
 * query's CPU, which no AOT cache keeps. These handlers do what that code does
 * ({@code RelMetadataHandlerGeneratorUtil}): the same cache in the query's
 * {@code map}, the same cycle check, and each call dispatched to the handler
 * method Calcite's code would call, the most specific one for the node's class
 * (chosen once per class), here through reflection.
 * Calcite's {@code ProxyingMetadataHandlerProvider} has no cache: each call ran
 * its whole recursion again, and joins planned many times slower.
 */
public final class MetadataHandlers implements MetadataHandlerProvider {
  /** Over Calcite's default handlers, as every planner of mmapsql uses them. */
  public static final MetadataHandlers DEFAULT = new MetadataHandlers(DefaultRelMetadataProvider.INSTANCE);

  private final RelMetadataProvider provider;
  private final Map<Class<?>, Object> handlers = new ConcurrentHashMap<>();

  public MetadataHandlers(RelMetadataProvider provider) {
    this.provider = provider;
  }

  /** A metadata query that reads through these handlers. */
  public RelMetadataQuery query() {
    return new RelMetadataQuery(this);
  }

  @Override public <MH extends MetadataHandler<?>> MH handler(Class<MH> handlerClass) {
    return handlerClass.cast(handlers.computeIfAbsent(handlerClass, c -> proxy(handlerClass)));
  }

  private <MH extends MetadataHandler<?>> Object proxy(Class<MH> handlerClass) {
    List<MetadataHandler<?>> targets = new ArrayList<>();
    provider.handlers(handlerClass).stream().distinct().forEach(targets::add);
    Map<String, Kind> kinds = new LinkedHashMap<>();
    MetadataHandler.handlerMethods(handlerClass).forEach((name, m) -> kinds.put(name, new Kind(m, targets)));
    Object def = targets.isEmpty() ? null : targets.get(0).getDef();
    return Proxy.newProxyInstance(handlerClass.getClassLoader(), new Class<?>[] {handlerClass},
        (proxy, method, args) -> switch (method.getName()) {
          case "getDef" -> def;
          case "hashCode" -> System.identityHashCode(proxy);
          case "equals" -> proxy == args[0];
          case "toString" -> "MetadataHandlers(" + handlerClass.getName() + ")";
          default -> kinds.get(method.getName()).call(args);
        });
  }

  /** One metadata method: its cache key and, per class of node, the handler method that answers it. */
  private static final class Kind {
    private final Method method;
    private final Object key;
    /** Classes of node the handlers have a method for, subclasses before their superclasses. */
    private final List<Class<? extends RelNode>> classes;
    private final Map<Class<? extends RelNode>, Target> byDeclared = new LinkedHashMap<>();
    private final Map<Class<?>, Target> byClass = new ConcurrentHashMap<>();

    Kind(Method method, List<MetadataHandler<?>> handlers) {
      this.method = method;
      this.key = new Key(method.getReturnType().getSimpleName() + " " + method.getDeclaringClass().getSimpleName()
          + "." + method.getName());
      for (MetadataHandler<?> h : handlers) { // the first handler with a method for a class answers for it
        for (Method m : h.getClass().getMethods()) {
          Class<? extends RelNode> c = relClass(method, m);
          if (c != null && !byDeclared.containsKey(c)) {
            m.trySetAccessible();
            byDeclared.put(c, new Target(h, m));
          }
        }
      }
      this.classes = topologicalSort(byDeclared.keySet());
    }

    @Nullable Object call(Object[] args) throws Throwable {
      RelNode r = (RelNode) args[0];
      while (r instanceof DelegatingMetadataRel d) {
        r = d.getMetadataDelegateRel();
      }
      RelMetadataQuery mq = (RelMetadataQuery) args[1];
      Object k = key(args);
      Object v = mq.map.get(r, k);
      if (v != null) {
        if (v == NullSentinel.ACTIVE) {
          throw new CyclicMetadataException();
        }
        return v == NullSentinel.INSTANCE ? null : v;
      }
      mq.map.put(r, k, NullSentinel.ACTIVE);
      try {
        Object x = dispatch(r, args);
        mq.map.put(r, k, NullSentinel.mask(x));
        return x;
      } catch (Exception e) {
        mq.map.row(r).clear();
        throw e;
      }
    }

    private Object key(Object[] args) {
      if (args.length == 2) {
        return key;
      }
      Object[] k = new Object[args.length - 1];
      k[0] = key;
      for (int i = 2; i < args.length; i++) {
        k[i - 1] = NullSentinel.mask(args[i]);
      }
      return Arrays.asList(k);
    }

    private @Nullable Object dispatch(RelNode r, Object[] args) throws Throwable {
      Target t = byClass.computeIfAbsent(r.getClass(), this::target);
      if (t == Target.NONE) {
        throw new IllegalArgumentException("No handler for method [" + method + "] applied to argument of type ["
            + r.getClass() + "]; we recommend you create a catch-all (RelNode) handler");
      }
      Object[] a = args.clone();
      a[0] = r;
      try {
        return t.method.invoke(t.handler, a);
      } catch (InvocationTargetException e) {
        throw e.getCause(); // as the generated code's call would: an Error passes the cache untouched
      }
    }

    private Target target(Class<?> relClass) {
      for (Class<? extends RelNode> c : classes) {
        if (c.isAssignableFrom(relClass)) {
          return byDeclared.get(c);
        }
      }
      return Target.NONE;
    }
  }

  private record Target(@Nullable Object handler, @Nullable Method method) {
    static final Target NONE = new Target(null, null);
  }

  /** A metadata method's key in the query's cache, named for debugging as Calcite names its own. */
  private record Key(String description) {
    @Override public boolean equals(Object o) {
      return this == o;
    }

    @Override public int hashCode() {
      return System.identityHashCode(this);
    }
  }

  /** The class of node {@code candidate} answers {@code declared} for, or null if it is not such a method. */
  @SuppressWarnings("unchecked")
  private static @Nullable Class<? extends RelNode> relClass(Method declared, Method candidate) {
    if (!declared.getName().equals(candidate.getName())
        || declared.getParameterCount() != candidate.getParameterCount()) {
      return null;
    }
    Class<?>[] c = candidate.getParameterTypes();
    Class<?>[] d = declared.getParameterTypes();
    if (!RelNode.class.isAssignableFrom(c[0]) || !RelMetadataQuery.class.equals(c[1])) {
      return null;
    }
    for (int i = 2; i < d.length; i++) {
      if (c[i] != d[i]) {
        return null;
      }
    }
    return (Class<? extends RelNode>) c[0];
  }

  /** Calcite's order of its {@code instanceof} tests: by name, each class after its subclasses. */
  private static List<Class<? extends RelNode>> topologicalSort(java.util.Collection<Class<? extends RelNode>> set) {
    ArrayDeque<Class<? extends RelNode>> s = new ArrayDeque<>(set.stream()
        .sorted(Comparator.comparing(Class::getName)).toList());
    List<Class<? extends RelNode>> out = new ArrayList<>();
    while (!s.isEmpty()) {
      Class<? extends RelNode> n = s.remove();
      if (s.stream().anyMatch(n::isAssignableFrom)) {
        s.add(n);
      } else {
        out.add(n);
      }
    }
    return out;
  }
}
