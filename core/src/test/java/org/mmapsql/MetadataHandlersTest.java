package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.apache.calcite.plan.RelOptCluster;
import org.apache.calcite.rel.RelNode;
import org.apache.calcite.rel.RelRoot;
import org.apache.calcite.rel.metadata.DefaultRelMetadataProvider;
import org.apache.calcite.rel.metadata.JaninoRelMetadataProvider;
import org.apache.calcite.rel.metadata.RelColumnOrigin;
import org.apache.calcite.rel.metadata.RelMetadataQuery;
import org.apache.calcite.runtime.Hook;
import org.apache.calcite.sql.SqlExplainLevel;
import org.apache.calcite.util.ImmutableBitSet;
import com.google.common.collect.Multimap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.mmapsql.plan.MetadataHandlers;

/**
 * Plans read Calcite's metadata through {@link MetadataHandlers} instead of the
 * handlers Calcite generates and compiles with Janino: every kind of metadata,
 * on every node of logical and physical plans of joins, aggregates, sorts,
 * windows, subqueries and set operations, is what Calcite's compiled handlers
 * answer, and so is the plan chosen.
 */
class MetadataHandlersTest {
  private TestDb db;

  @BeforeEach void setUp(@org.junit.jupiter.api.io.TempDir Path dir) throws SQLException {
    db = TestDb.open(dir, "planCache=false");
    for (String t : List.of("t", "u", "v", "w")) {
      db.mmap(t, t + ".f8");
    }
    double[] v = new double[200];
    for (int i = 0; i < v.length; i++) {
      v[i] = i % 17;
    }
    db.append("t", v);
    db.append("u", java.util.Arrays.copyOf(v, 50));
    db.append("v", java.util.Arrays.copyOf(v, 120));
    db.append("w", java.util.Arrays.copyOf(v, 9));
  }

  @AfterEach void tearDown() throws SQLException {
    db.close();
  }

  static Stream<String> statements() {
    return Stream.of(
        "SELECT t.val, COUNT(*), SUM(u.val) FROM t JOIN u ON t.idx = u.idx JOIN v ON u.val = v.val"
            + " JOIN w ON v.idx = w.idx + 1 WHERE t.val > 3 GROUP BY t.val ORDER BY 2 DESC, 1",
        "SELECT idx, val, SUM(val) OVER (ORDER BY idx ROWS 3 PRECEDING) FROM t"
            + " WHERE val IN (SELECT val FROM u WHERE idx < 20)",
        "SELECT val FROM t WHERE idx < 10 UNION SELECT val FROM u EXCEPT SELECT val FROM w",
        "SELECT COUNT(*) FROM t",
        "SELECT val FROM t WHERE idx = 7",
        "SELECT DISTINCT val FROM v WHERE EXISTS (SELECT 1 FROM w WHERE w.val = v.val) ORDER BY val LIMIT 5",
        "SELECT idx / 10 AS b, MIN(val), MAX(val), AVG(val) FROM t GROUP BY idx / 10");
  }

  /** The plan chosen with Calcite's compiled handlers (swapped in before planning) is the same. */
  @ParameterizedTest @MethodSource("statements") void samePlanAsCalcitesCompiledHandlers(String sql)
      throws SQLException {
    String ours = explain(sql);
    String calcites;
    try (Hook.Closeable ignored = Hook.CONVERTED.addThread((RelNode rel) -> {
      RelOptCluster cluster = rel.getCluster();
      cluster.setMetadataQuerySupplier(MetadataHandlersTest::compiled);
      cluster.invalidateMetadataQuery();
    })) {
      calcites = explain(sql);
    }
    assertEquals(calcites, ours);
  }

  /** Each kind of metadata, on each node of the logical and the physical plan, as Calcite's handlers answer. */
  @ParameterizedTest @MethodSource("statements") void sameMetadataOnEveryNode(String sql) throws SQLException {
    List<RelNode> roots = new ArrayList<>();
    try (Hook.Closeable a = Hook.CONVERTED.addThread((RelNode rel) -> {
          roots.add(rel);
        });
         Hook.Closeable b = Hook.PLAN_BEFORE_IMPLEMENTATION.addThread((RelRoot root) -> {
           roots.add(root.rel);
         })) {
      db.rows(sql);
    }
    assertEquals(2, roots.size());
    List<RelNode> nodes = new ArrayList<>();
    roots.forEach(r -> collect(r, nodes));
    for (RelNode n : nodes) {
      assertEquals(metadata(n, compiled()), metadata(n, MetadataHandlers.DEFAULT.query()), n::explain);
    }
    assertFalse(nodes.isEmpty());
  }

  private static RelMetadataQuery compiled() {
    return new RelMetadataQuery(JaninoRelMetadataProvider.of(DefaultRelMetadataProvider.INSTANCE));
  }

  private String explain(String sql) throws SQLException {
    return db.rows("EXPLAIN PLAN FOR " + sql).stream().map(r -> String.valueOf(r.get(0)))
        .collect(Collectors.joining("\n"));
  }

  private static void collect(RelNode n, List<RelNode> into) {
    into.add(n);
    n.getInputs().forEach(i -> collect(i, into));
  }

  /** Every kind of metadata the planner and Calcite's rules ask for, as text (an error's class if it throws). */
  private static List<String> metadata(RelNode n, RelMetadataQuery mq) {
    ImmutableBitSet first = ImmutableBitSet.of(0);
    List<Function<RelNode, Object>> kinds = List.of(
        mq::getRowCount, mq::getMaxRowCount, mq::getMinRowCount, mq::getCumulativeCost,
        mq::getNonCumulativeCost, r -> mq.getSelectivity(r, null), mq::getUniqueKeys,
        r -> mq.areColumnsUnique(r, first), r -> origins(mq.getColumnOrigins(r, 0)), mq::collations,
        r -> mq.getPulledUpPredicates(r).pulledUpPredicates, r -> mq.getDistinctRowCount(r, first, null),
        mq::getAverageRowSize, mq::getAverageColumnSizes, mq::getTableReferences, r -> mq.getPopulationSize(r, first),
        r -> mq.isVisibleInExplain(r, SqlExplainLevel.EXPPLAN_ATTRIBUTES), mq::getDistribution,
        mq::getPercentageOriginalRows, r -> nodeTypes(mq.getNodeTypes(r)), mq::getMaxRowCount, mq::isPhaseTransition,
        mq::splitCount, mq::memory, r -> {
          var p = mq.getAllPredicates(r);
          return p == null ? null : p.pulledUpPredicates;
        });
    List<String> out = new ArrayList<>();
    for (Function<RelNode, Object> k : kinds) {
      try {
        Object v = k.apply(n);
        out.add(v instanceof Iterable<?> i && !(v instanceof List<?>) ? sorted(i) : String.valueOf(v));
      } catch (RuntimeException e) {
        out.add(e.getClass().getName());
      }
    }
    return out;
  }

  /** Column origins as text (they have no text of their own). */
  private static Object origins(Set<RelColumnOrigin> set) {
    return set == null ? null : set.stream().map(o -> o.getOriginTable().getQualifiedName() + "."
        + o.getOriginColumnOrdinal() + (o.isDerived() ? " derived" : "")).sorted().toList();
  }

  private static Object nodeTypes(Multimap<?, ?> m) {
    return m == null ? null : m.entries().stream().map(String::valueOf).sorted().toList();
  }

  /** A set's elements in an order that does not depend on how it was filled. */
  private static String sorted(Iterable<?> set) {
    List<String> l = new ArrayList<>();
    set.forEach(e -> l.add(String.valueOf(e)));
    l.sort(null);
    return l.toString();
  }
}
