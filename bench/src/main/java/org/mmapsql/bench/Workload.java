package org.mmapsql.bench;

/**
 * The rows of the suite's table: the workloads of the performance issue. A
 * workload is either timed per operation or counted in rows per second.
 */
enum Workload {
  POINT_READ("point read, reused PreparedStatement", false),
  IN10_READ("10-key IN read, PreparedStatement", false),
  POINT_UPDATE("point update, PreparedStatement", false),
  COUNT_STATEMENT("SELECT COUNT(*) through a Statement", false),
  LITERAL_STATEMENT("SELECT val WHERE idx = <literal>, Statement", false),
  COUNT_1K("COUNT(*) of 1,000 rows, Statement", false),
  COUNT_100M("COUNT(*) of 100,000,000 rows, Statement", false),
  SUM_STATEMENT("SELECT SUM(val) through a Statement", false),
  AGGREGATES("SUM, MIN, MAX, AVG, COUNT(val), all rows", false),
  AGGREGATES_RANGE("the same, idx BETWEEN n/4 AND 3n/4", false),
  AGGREGATES_PREDICATE("the same, WHERE val > (m - 3) / 2 (500000 on t)", false),
  DOWNSAMPLE("GROUP BY idx / 10000: MIN, MAX, AVG", false),
  FULL_SCAN("full scan through a ResultSet (fetch 10,000)", true),
  APPEND("batched append, 1,000 a batch, commit() each", true),
  INSERT_SELECT("INSERT INTO cp(val) SELECT val FROM t (the loops: copy of the mapping)", true),
  FIRST_QUERY("first query in a fresh JVM (from JVM start; no --add-modules)", false),
  FIRST_QUERY_AOT("the same, JVM started from an AOT cache", false),
  FIRST_QUERY_AOT_VECTOR("the same, with --add-modules jdk.incubator.vector (the cache links nothing)", false);

  final String title;
  /** Rows per second (higher is better) rather than time per operation. */
  final boolean rate;

  Workload(String title, boolean rate) {
    this.title = title;
    this.rate = rate;
  }
}
