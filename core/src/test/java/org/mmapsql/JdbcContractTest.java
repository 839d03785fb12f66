package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a JDBC application expects of any database, embedded here; subclasses
 * in the server module run the same through a server, with mmapsql's remote
 * driver and with Avatica's own client: an SQLSTATE on every error, fetch
 * sizes, and transactions as mmapsql has them (every statement commits).
 */
class JdbcContractTest {
  @TempDir Path dir;
  Connection conn;
  Statement stmt;

  /** A connection to {@code dataDir}: embedded here. */
  protected Connection open(Path dataDir) throws SQLException {
    return DriverManager.getConnection("jdbc:mmap:" + dataDir);
  }

  /** A read-only connection to {@code dataDir}. */
  protected Connection openReadOnly(Path dataDir) throws SQLException {
    return DriverManager.getConnection("jdbc:mmap:" + dataDir + ";readonly=true");
  }

  /** A URL whose connection must fail, and fails before anything is read. */
  protected String unreachableUrl() {
    return "jdbc:mmap:" + dir.resolve("t.f8") + "/below-a-file";
  }

  @BeforeEach void setUp() throws SQLException {
    conn = open(dir);
    stmt = conn.createStatement();
    stmt.executeQuery("SELECT MMAP('t', 't.f8')").close();
    stmt.executeUpdate("INSERT INTO t(val) VALUES (0.5), (1.5), (2.5)");
  }

  @AfterEach void tearDown() throws Exception {
    try {
      conn.close();
    } finally {
      closeOthers();
    }
  }

  /** Closes what {@link #open} started besides the connection (a server, say). */
  protected void closeOthers() throws Exception {
  }

  // ------------------------------------------------ SQLSTATE

  private static void assertState(String state, String inMessage, Executable call) {
    SQLException e = assertThrows(SQLException.class, call);
    assertEquals(state, e.getSQLState(), () -> "SQLSTATE of: " + e.getMessage());
    assertTrue(e.getMessage().toLowerCase(java.util.Locale.ROOT).contains(inMessage.toLowerCase(java.util.Locale.ROOT)),
        () -> "'" + inMessage + "' in: " + e.getMessage());
  }

  @Test void unknownTableIs42S02() {
    assertState("42S02", "nosuch", () -> stmt.executeQuery("SELECT * FROM nosuch"));
    assertState("42S02", "nosuch", () -> conn.prepareStatement("SELECT val FROM nosuch WHERE idx = ?"));
    assertState("42S02", "nosuch", () -> stmt.executeUpdate("INSERT INTO nosuch(val) VALUES (1)"));
  }

  @Test void unknownColumnIs42S22() {
    assertState("42S22", "nosuch", () -> stmt.executeQuery("SELECT nosuch FROM t"));
    assertState("42S22", "nosuch", () -> conn.prepareStatement("SELECT val FROM t WHERE nosuch = ?"));
  }

  @Test void syntaxErrorIs42000() {
    assertState("42000", "selec", () -> stmt.executeQuery("SELEC val FROM t"));
    assertState("42000", "from", () -> conn.prepareStatement("SELECT val FROM FROM t"));
    assertState("42000", "idx", () -> stmt.executeUpdate("UPDATE t SET idx = 3"));
  }

  @Test void badNumberIs22018() {
    assertState("22018", "abc", () -> stmt.executeUpdate("INSERT INTO t(val) VALUES ('abc')"));
    assertState("22018", "x1", () -> stmt.executeQuery("SELECT * FROM t WHERE idx = 'x1'"));
  }

  @Test void divisionByZeroIs22012() {
    assertState("22012", "zero", () -> {
      try (ResultSet rs = stmt.executeQuery("SELECT CAST(val AS INTEGER) / 0 FROM t")) {
        rs.next();
      }
    });
  }

  @Test void nullValueIs23502() {
    assertState("23502", "null", () -> stmt.executeUpdate("INSERT INTO t(val) VALUES (NULL)"));
  }

  @Test void sequenceAndTailViolationsAre23000() {
    assertState("23000", "next idx is 3", () -> stmt.executeUpdate("INSERT INTO t(idx, val) VALUES (7, 1)"));
    assertState("23000", "end", () -> stmt.executeUpdate("DELETE FROM t WHERE idx = 0"));
  }

  @Test void writeOnReadOnlyConnectionIs25006() throws SQLException {
    try (Connection ro = openReadOnly(dir); Statement s = ro.createStatement()) {
      assertState("25006", "read-only", () -> s.executeUpdate("INSERT INTO t(val) VALUES (1)"));
      try (ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
        assertTrue(rs.next());
        assertEquals(3, rs.getLong(1), "reads work");
      }
    }
  }

  @Test void canceledStatementIs57014() throws Exception {
    try (RandomAccessFile f = new RandomAccessFile(dir.resolve("big.f8").toFile(), "rw")) {
      f.setLength(8L << 28); // sparse: long enough to cancel
    }
    stmt.executeQuery("SELECT MMAP('big', 'big.f8')").close();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      timer.schedule(() -> {
        try {
          stmt.cancel();
        } catch (SQLException e) {
          throw new IllegalStateException(e);
        }
      }, 200, TimeUnit.MILLISECONDS);
      assertState("57014", "cancel", () -> {
        try (ResultSet rs = stmt.executeQuery("SELECT SUM(val), MAX(val) FROM big")) {
          rs.next();
        }
      });
    } finally {
      timer.shutdownNow();
    }
  }

  @Test void connectionFailureIs08001() {
    assertState("08001", "", () -> DriverManager.getConnection(unreachableUrl()).close());
  }

  @Test void theConnectionStillWorksAfterErrors() throws SQLException {
    assertThrows(SQLException.class, () -> stmt.executeQuery("SELECT * FROM nosuch"));
    assertThrows(SQLException.class, () -> stmt.executeUpdate("INSERT INTO t(val) VALUES (NULL)"));
    try (ResultSet rs = stmt.executeQuery("SELECT COUNT(*) FROM t")) {
      assertTrue(rs.next());
      assertEquals(3, rs.getLong(1), "the failed INSERT wrote nothing");
    }
  }

  // ------------------------------------------------ fetch size

  /** Rows of {@code SELECT idx FROM t}: 0, 1, ... in order. */
  private static long drain(ResultSet rs) throws SQLException {
    long n = 0;
    while (rs.next()) {
      assertEquals(n, rs.getLong(1), "idx of row " + n);
      n++;
    }
    return n;
  }

  @Test void everyFetchSizeReadsAllRows() throws SQLException {
    for (int i = 0; i < 10; i++) {
      stmt.executeUpdate("INSERT INTO t(val) SELECT val FROM t"); // 3 * 2^10 rows
    }
    stmt.executeUpdate("DELETE FROM t WHERE idx >= 2500");
    for (int fetch : new int[] {0, 1, 7, 1000, 100_000}) {
      try (Statement s = conn.createStatement()) {
        s.setFetchSize(fetch);
        try (ResultSet rs = s.executeQuery("SELECT idx FROM t")) {
          assertEquals(2500, drain(rs), "Statement, fetch size " + fetch);
        }
      }
      try (PreparedStatement ps = conn.prepareStatement("SELECT idx FROM t WHERE idx >= ?")) {
        ps.setFetchSize(fetch);
        ps.setLong(1, 0);
        try (ResultSet rs = ps.executeQuery()) {
          assertEquals(2500, drain(rs), "PreparedStatement, fetch size " + fetch);
        }
      }
      try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT idx FROM t")) {
        rs.setFetchSize(fetch);
        assertEquals(2500, drain(rs), "ResultSet.setFetchSize " + fetch);
      }
    }
  }

  // ------------------------------------------------ transactions

  private long count() throws SQLException {
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT COUNT(*) FROM t")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  @Test void autoCommitIsOnAndCommitSucceeds() throws SQLException {
    assertTrue(conn.getAutoCommit(), "auto-commit on by default, as JDBC says");
    conn.commit(); // Spark calls it after each read partition
    conn.rollback(); // nothing to undo
    assertEquals(3, count());
  }

  @Test void theLoaderIdiomWorks() throws SQLException {
    conn.setAutoCommit(false);
    assertFalse(conn.getAutoCommit());
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      for (int i = 0; i < 10; i++) {
        ps.setDouble(1, i);
        ps.addBatch();
      }
      ps.executeBatch();
    }
    conn.commit();
    assertEquals(13, count());
    conn.rollback(); // nothing since the commit
    conn.setAutoCommit(true);
    assertTrue(conn.getAutoCommit());
  }

  @Test void rollbackOfWrittenRowsFailsAndSaysTheyStay() throws SQLException {
    conn.setAutoCommit(false);
    stmt.executeUpdate("INSERT INTO t(val) VALUES (9), (10)");
    // Avatica's own client reports the error of rollback() unchecked, as AvaticaClientRuntimeException
    Exception e = assertThrows(Exception.class, conn::rollback);
    assertEquals("0A000", e instanceof SQLException s ? s.getSQLState()
        : ((org.apache.calcite.avatica.AvaticaClientRuntimeException) e).getSqlState(), e.getMessage());
    assertTrue(e.getMessage().contains("2 changes") && e.getMessage().contains("commits every statement"),
        e.getMessage());
    assertEquals(5, count(), "the rows stay");
    conn.rollback(); // said once; nothing new since
    conn.setAutoCommit(true);
  }

  @Test void rollbackAfterVpopOrMmapFailsAndSaysTheyStay() throws SQLException {
    conn.setAutoCommit(false);
    try (ResultSet rs = stmt.executeQuery("SELECT VPOP('t')")) {
      assertTrue(rs.next());
    }
    Exception e = assertThrows(Exception.class, conn::rollback);
    assertTrue(e.getMessage().contains("1 change made") && e.getMessage().contains("popped"), e.getMessage());
    assertEquals(2, count(), "the popped row stays popped");
    stmt.executeQuery("SELECT MMAP('rolled', 'rolled.f8')").close();
    stmt.executeQuery("SELECT UNMAP('rolled')").close();
    e = assertThrows(Exception.class, conn::rollback);
    assertTrue(e.getMessage().contains("2 changes made"), e.getMessage());
    try (ResultSet rs = stmt.executeQuery("SELECT VPOP('t') FROM (VALUES (1)) AS v(x) WHERE x = 0")) {
      assertFalse(rs.next());
    }
    conn.rollback(); // a VPOP that never ran changed nothing
    conn.setAutoCommit(true);
  }

  @Test void isolationAndSavepointsSayTheTruth() throws SQLException {
    assertFalse(conn.getMetaData().supportsTransactions());
    assertFalse(conn.getMetaData().supportsSavepoints());
    assertEquals(Connection.TRANSACTION_NONE, conn.getTransactionIsolation());
    // accepted and ignored, as JDBC allows (Avatica's remote client then echoes the level it sent)
    conn.setTransactionIsolation(Connection.TRANSACTION_SERIALIZABLE);
    conn.setAutoCommit(false);
    SQLException e = assertThrows(SQLException.class, conn::setSavepoint);
    assertTrue(e instanceof SQLFeatureNotSupportedException || "0A000".equals(e.getSQLState()), e.toString());
    conn.setAutoCommit(true);
  }

  // ------------------------------------------------ batches

  @Test void aBatchIsAppliedWhole() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      for (int i = 0; i < 1000; i++) {
        ps.setDouble(1, 10 + i);
        ps.addBatch();
      }
      long[] counts = ps.executeLargeBatch();
      assertEquals(1000, counts.length);
      for (long c : counts) {
        assertEquals(1, c);
      }
    }
    assertEquals(1003, count());
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT val FROM t WHERE idx = 1002")) {
      assertTrue(rs.next());
      assertEquals(1009.0, rs.getDouble(1));
    }
  }

  /** Spark's writer: a NULL in row 501 of 1000 once left 500 rows behind and said "nothing was inserted". */
  @Test void aBatchWithABadRowAppliesNothingAndSaysSo() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      for (int i = 0; i < 1000; i++) {
        if (i == 500) {
          ps.setNull(1, java.sql.Types.DOUBLE);
        } else {
          ps.setDouble(1, i);
        }
        ps.addBatch();
      }
      SQLException e = assertThrows(SQLException.class, ps::executeBatch);
      assertEquals("23502", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("501") && e.getMessage().contains("nothing of the batch"), e.getMessage());
      if (e instanceof java.sql.BatchUpdateException b) { // Avatica's own client makes a plain SQLException
        assertEquals(0, b.getLargeUpdateCounts().length, "nothing applied");
      }
      assertEquals(3, count(), "nothing of the batch in the table");
      ps.setDouble(1, 7); // the statement is still usable
      ps.addBatch();
      assertEquals(1, ps.executeBatch().length);
    }
    assertEquals(4, count());
  }

  @Test void aBatchWithANonNumberIs22018AndAppliesNothing() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t(val) VALUES (?)")) {
      ps.setDouble(1, 1);
      ps.addBatch();
      ps.setString(1, "one");
      ps.addBatch();
      SQLException e = assertThrows(SQLException.class, ps::executeBatch);
      assertEquals("22018", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("one"), e.getMessage());
    }
    assertEquals(3, count(), "nothing of the batch in the table");
  }

  /** A batch into a 2-D table: a value out of range in the last of 1,000 sets leaves nothing; then keys. */
  @Test void aBatchIntoA2DTableIsWholeOrNothing() throws SQLException {
    stmt.executeQuery("SELECT MMAP('m', 'm.i2', 'i2', 'columns=2')").close();
    String sql = "INSERT INTO m(c1, c0) VALUES (?, ?)";
    try (PreparedStatement ps = hasGeneratedKeys() ? conn.prepareStatement(sql, Statement.RETURN_GENERATED_KEYS)
        : conn.prepareStatement(sql)) {
      for (int i = 0; i < 1000; i++) {
        ps.setInt(1, i);
        ps.setInt(2, i == 999 ? 40000 : -i);
        ps.addBatch();
      }
      SQLException e = assertThrows(SQLException.class, ps::executeBatch);
      assertEquals("22003", e.getSQLState(), e.getMessage());
      assertTrue(e.getMessage().contains("parameter set 1000 of 1000") && e.getMessage().contains("40000"),
          e.getMessage());
      for (int i = 0; i < 3; i++) {
        ps.setInt(1, i);
        ps.setInt(2, -i);
        ps.addBatch();
      }
      assertEquals(3, ps.executeBatch().length);
      if (hasGeneratedKeys()) {
        java.util.List<Long> keys = new java.util.ArrayList<>();
        try (ResultSet rs = ps.getGeneratedKeys()) {
          while (rs.next()) {
            keys.add(rs.getLong(1));
          }
        }
        assertEquals(java.util.List.of(0L, 1L, 2L), keys);
      }
    }
    try (Statement s = conn.createStatement();
         ResultSet rs = s.executeQuery("SELECT COUNT(*), SUM(c0), SUM(c1) FROM m")) {
      assertTrue(rs.next());
      assertEquals(3, rs.getLong(1));
      assertEquals(-3, rs.getLong(2));
      assertEquals(3, rs.getLong(3));
    }
  }

  @Test void anUpdateBatchSaysHowManySetsWereApplied() throws SQLException {
    try (PreparedStatement ps = conn.prepareStatement("UPDATE t SET val = ? WHERE idx = ?")) {
      ps.setDouble(1, 5);
      ps.setLong(2, 0);
      ps.addBatch();
      ps.setString(1, "five");
      ps.setLong(2, 1);
      ps.addBatch();
      SQLException e = assertThrows(SQLException.class, ps::executeBatch);
      assertTrue(e.getMessage().contains("parameter set 2 of 2") && e.getMessage().contains("1 sets before it"),
          e.getMessage());
      if (e instanceof java.sql.BatchUpdateException b) {
        assertEquals(1, b.getLargeUpdateCounts().length, "the first set was applied");
      }
    }
    try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT val FROM t WHERE idx = 0")) {
      assertTrue(rs.next());
      assertEquals(5.0, rs.getDouble(1), "the first set was applied");
    }
  }

  // ------------------------------------------------ generated keys

  /** Whether this client can return generated keys (Avatica's protocol carries none). */
  protected boolean hasGeneratedKeys() {
    return true;
  }

  private static java.util.List<Long> keys(Statement s) throws SQLException {
    java.util.List<Long> keys = new java.util.ArrayList<>();
    try (ResultSet rs = s.getGeneratedKeys()) {
      assertEquals("idx", rs.getMetaData().getColumnLabel(1).toLowerCase(java.util.Locale.ROOT));
      while (rs.next()) {
        keys.add(rs.getLong(1));
      }
    }
    return keys;
  }

  @Test void generatedKeysAreTheIdxOfTheAppendedRows() throws SQLException {
    if (!hasGeneratedKeys()) {
      assertThrows(SQLException.class,
          () -> stmt.executeUpdate("INSERT INTO t(val) VALUES (1)", Statement.RETURN_GENERATED_KEYS));
      return;
    }
    assertEquals(2, stmt.executeUpdate("INSERT INTO t(val) VALUES (7), (8)", Statement.RETURN_GENERATED_KEYS));
    assertEquals(java.util.List.of(3L, 4L), keys(stmt));
    try (PreparedStatement ps = conn.prepareStatement("INSERT INTO t(val) VALUES (?)",
        Statement.RETURN_GENERATED_KEYS)) {
      ps.setDouble(1, 9);
      assertEquals(1, ps.executeUpdate());
      assertEquals(java.util.List.of(5L), keys(ps));
      for (int i = 0; i < 3; i++) {
        ps.setDouble(1, i);
        ps.addBatch();
      }
      ps.executeBatch();
      assertEquals(java.util.List.of(6L, 7L, 8L), keys(ps), "a batch's keys");
    }
    stmt.executeUpdate("UPDATE t SET val = 0 WHERE idx = 0");
    assertEquals(java.util.List.of(), keys(stmt), "an UPDATE appends nothing");
  }

  // ------------------------------------------------ DBeaver's connect-time metadata

  private static int rowsOf(ResultSet rs) throws SQLException {
    try (rs) {
      int n = 0;
      int columns = rs.getMetaData().getColumnCount();
      while (rs.next()) {
        for (int i = 1; i <= columns; i++) {
          rs.getObject(i);
        }
        n++;
      }
      return n;
    }
  }

  @Test void dbeaversMetadataCallsAnswer() throws Exception {
    java.sql.DatabaseMetaData md = conn.getMetaData();
    assertTrue(md.getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("mmapsql")
        || md.getDriverName().toLowerCase(java.util.Locale.ROOT).contains("mmapsql")
        || md.getDatabaseProductName() != null, md.getDatabaseProductName());
    rowsOf(md.getCatalogs());
    assertTrue(rowsOf(md.getSchemas()) >= 1, "schemas");
    rowsOf(md.getSchemas(null, "%"));
    assertTrue(rowsOf(md.getTableTypes()) >= 1, "table types");
    assertTrue(rowsOf(md.getTables(null, null, "%", null)) >= 1, "tables");
    assertTrue(rowsOf(md.getTables(null, "mmap", "t", new String[] {"TABLE"})) == 1, "table t");
    assertEquals(2, rowsOf(md.getColumns(null, "mmap", "t", null)), "columns of t");
    assertTrue(rowsOf(md.getTypeInfo()) > 0, "type info");
    rowsOf(md.getIndexInfo(null, "mmap", "t", false, true));
    rowsOf(md.getPrimaryKeys(null, "mmap", "t"));
    rowsOf(md.getImportedKeys(null, "mmap", "t"));
    rowsOf(md.getExportedKeys(null, "mmap", "t"));
    rowsOf(md.getProcedures(null, null, "%"));
    rowsOf(md.getFunctions(null, null, "%"));
    rowsOf(md.getUDTs(null, null, "%", null));
    rowsOf(md.getTablePrivileges(null, "mmap", "t"));
    rowsOf(md.getBestRowIdentifier(null, "mmap", "t", java.sql.DatabaseMetaData.bestRowSession, true));
    rowsOf(md.getVersionColumns(null, "mmap", "t"));
    rowsOf(md.getClientInfoProperties());
    // every property a tool reads on connect: supportsX, getX, isX, nullsAreX...
    for (java.lang.reflect.Method m : java.sql.DatabaseMetaData.class.getMethods()) {
      Class<?> r = m.getReturnType();
      if (m.getParameterCount() == 0 && (r == boolean.class || r == int.class || r == String.class
          || r == long.class)) {
        try {
          m.invoke(md);
        } catch (java.lang.reflect.InvocationTargetException e) {
          throw new AssertionError("DatabaseMetaData." + m.getName() + "() failed: " + e.getCause(), e.getCause());
        }
      }
    }
    assertTrue(md.supportsResultSetType(ResultSet.TYPE_FORWARD_ONLY));
    assertTrue(conn.isValid(5));
    conn.getCatalog();
    conn.getSchema();
    conn.isReadOnly();
    conn.getHoldability();
    conn.getClientInfo();
    conn.getWarnings();
    conn.clearWarnings();
  }

  // ------------------------------------------------ Spark's JDBC source

  /** The statements Spark 4's JDBC source sends for partitionColumn=idx, numPartitions=3. */
  @Test void sparksQueriesReadEveryRowOnce() throws SQLException {
    for (int i = 0; i < 7; i++) {
      stmt.executeUpdate("INSERT INTO t(val) SELECT val FROM t"); // 384 rows
    }
    try (PreparedStatement ps = conn.prepareStatement("SELECT * FROM t WHERE 1=0")) { // schema
      ps.setQueryTimeout(0);
      try (ResultSet rs = ps.executeQuery()) {
        assertEquals(2, rs.getMetaData().getColumnCount());
        assertFalse(rs.next());
      }
    }
    String[] partitions = {
        "SELECT \"idx\",\"val\" FROM t WHERE \"idx\" < 128 or \"idx\" is null",
        "SELECT \"idx\",\"val\" FROM t WHERE \"idx\" >= 128 AND \"idx\" < 256",
        "SELECT \"idx\",\"val\" FROM t WHERE \"idx\" >= 256"};
    long rows = 0;
    for (String sql : partitions) {
      try (Statement explain = conn.createStatement();
          ResultSet plan = explain.executeQuery("EXPLAIN PLAN FOR " + sql)) {
        plan.next();
        String text = plan.getString(1);
        assertTrue(text.contains("MmapTableScan(table=[[mmap, t]], idx=["),
            "positional access for " + sql + ":\n" + text);
        assertFalse(text.contains("Filter") || text.contains("condition"),
            "no filter left over the scan for " + sql + ":\n" + text);
      }
      try (PreparedStatement ps = conn.prepareStatement(sql)) {
        ps.setFetchSize(0);
        ps.setQueryTimeout(60);
        try (ResultSet rs = ps.executeQuery()) {
          while (rs.next()) {
            rs.getLong(1);
            rs.getDouble(2);
            rows++;
          }
        }
      }
      conn.commit(); // after every partition, in auto-commit mode
    }
    assertEquals(384, rows, "every row once");
    try (PreparedStatement ps = conn.prepareStatement("SELECT 1 FROM t")) { // count()
      ps.setFetchSize(0);
      try (ResultSet rs = ps.executeQuery()) {
        long n = 0;
        while (rs.next()) {
          n++;
        }
        assertEquals(384, n);
      }
    }
    assertEquals(null, conn.getWarnings(), "no warnings");
  }
}
