package org.mmapsql.server;

import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.calcite.avatica.AvaticaSeverity;
import org.apache.calcite.avatica.AvaticaStatement;
import org.apache.calcite.avatica.MissingResultsException;
import org.apache.calcite.avatica.NoSuchConnectionException;
import org.apache.calcite.avatica.NoSuchStatementException;
import org.apache.calcite.avatica.jdbc.JdbcMeta;
import org.apache.calcite.avatica.jdbc.StatementInfo;
import org.apache.calcite.avatica.jdbc.StatementInfoAccess;
import org.apache.calcite.avatica.proto.Requests;
import org.apache.calcite.avatica.remote.AvaticaRuntimeException;
import org.apache.calcite.avatica.remote.TypedValue;
import org.mmapsql.jdbc.Driver;
import org.mmapsql.jdbc.GeneratedKeys;
import org.mmapsql.jdbc.PackedBlock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Avatica's {@link JdbcMeta} over the core driver, with what a server exposed
 * to clients needs: connection properties filtered through
 * {@link ClientProperties}, read-only connections for users with the role
 * {@code readonly}, each connection owned by the user who opened it, a cap on
 * connections and on rows per frame, a statement timeout, idle connections and
 * statements expired in the background, clear messages for expired ones, and
 * results of fixed-width numbers in packed frames for clients that read them.
 */
public final class MmapMeta extends JdbcMeta {
  private static final Logger LOG = LoggerFactory.getLogger(MmapMeta.class);
  /** The URL every connection is opened with; the directory comes as the property dataDir. */
  static final String URL = Driver.PREFIX;

  private final ServerConfig config;
  private final Driver driver = new Driver();
  /** Connection id to the name of the user who opened it. */
  private final Map<String, String> owners = new ConcurrentHashMap<>();
  /** Connection ids between their owner's record and their place in the cache: not to be expired. */
  private final Set<String> opening = ConcurrentHashMap.newKeySet();
  /** Held while a connection is checked against the cap and opened. */
  private final Object capLock = new Object();
  private final ScheduledThreadPoolExecutor timer;
  private final StatementTimeout timeout;
  private final StatementLog statementLog;
  /** Connections whose client reads packed frames ({@link PackedFrames}). */
  private final Set<String> packed = ConcurrentHashMap.newKeySet();
  /** Signatures of prepared statements by statement id, for executes that leave theirs out (CompactEndpoint). */
  private final Map<Integer, Signature> signatures = new ConcurrentHashMap<>();
  /** SQL of prepared statements by statement id, for the statement log. */
  private final Map<Integer, String> preparedSql = new ConcurrentHashMap<>();

  MmapMeta(ServerConfig config, Properties serverInfo) throws SQLException {
    super(URL, withCacheSettings(config, serverInfo));
    this.config = config;
    this.statementLog = new StatementLog(config.logMinDuration());
    this.timer = new ScheduledThreadPoolExecutor(1, r -> {
      Thread t = new Thread(r, "mmapsql-meta-timer");
      t.setDaemon(true);
      return t;
    });
    timer.setRemoveOnCancelPolicy(true);
    timer.scheduleWithFixedDelay(this::expire, 30, 30, TimeUnit.SECONDS);
    this.timeout = new StatementTimeout(config.statementTimeout(), timer);
  }

  private static Properties withCacheSettings(ServerConfig config, Properties serverInfo) {
    Properties p = new Properties();
    p.putAll(serverInfo);
    p.setProperty(ConnectionCacheSettings.EXPIRY_DURATION.key(),
        Long.toString(config.connectionExpiry().toSeconds()));
    p.setProperty(ConnectionCacheSettings.EXPIRY_UNIT.key(), TimeUnit.SECONDS.name());
    // The cap is enforced in openConnection with an error; the cache must never evict by size.
    p.setProperty(ConnectionCacheSettings.MAX_CAPACITY.key(), Long.toString(config.maxConnections() * 2L + 16));
    p.setProperty(StatementCacheSettings.EXPIRY_DURATION.key(),
        Long.toString(config.statementExpiry().toSeconds()));
    p.setProperty(StatementCacheSettings.EXPIRY_UNIT.key(), TimeUnit.SECONDS.name());
    p.setProperty(StatementCacheSettings.MAX_CAPACITY.key(), "1000000");
    return p;
  }

  /** Closes what has expired; Guava's caches only do it when touched. */
  void expire() {
    try {
      getConnectionCache().cleanUp();
      getStatementCache().cleanUp();
      // An owner is recorded before its connection is opened: keep those being opened. Looking at
      // `opening` before the cache leaves no gap (an id leaves `opening` only once it is cached).
      owners.keySet().removeIf(id -> !opening.contains(id) && getConnectionCache().getIfPresent(id) == null);
      packed.removeIf(id -> !opening.contains(id) && getConnectionCache().getIfPresent(id) == null);
      preparedSql.keySet().retainAll(getStatementCache().asMap().keySet());
      signatures.keySet().retainAll(getStatementCache().asMap().keySet());
    } catch (RuntimeException e) {
      LOG.warn("expiring idle connections failed: {}", e.toString());
    }
  }

  /** Closes every client connection and statement (at shutdown). */
  void closeAll() {
    timer.shutdownNow();
    getStatementCache().invalidateAll();
    getConnectionCache().invalidateAll();
    getStatementCache().cleanUp();
    getConnectionCache().cleanUp();
    owners.clear();
    packed.clear();
    signatures.clear();
  }

  int openConnections() {
    return (int) getConnectionCache().size();
  }

  /** Tasks waiting in the timer: the expiry task and the statement timeout's. */
  int pendingTimers() {
    return timer.getQueue().size();
  }

  /** Statement calls running under the statement timeout now. */
  int timedCalls() {
    return timeout.running();
  }

  static User user() {
    User u = Identity.current();
    return u != null ? u : User.ANONYMOUS;
  }

  // ------------------------------------------------ connections

  @Override protected Connection createConnection(String url, Properties info) throws SQLException {
    return driver.connect(url, info);
  }

  @Override public void openConnection(ConnectionHandle ch, Map<String, String> info) {
    User user = user();
    Map<String, String> props;
    boolean packedFrames;
    try {
      props = ClientProperties.filter(info);
      packedFrames = ClientProperties.packedFrames(info);
    } catch (IllegalArgumentException e) {
      throw error(e.getMessage(), "08004");
    }
    if (user.role() == User.Role.READONLY || config.readOnly()) {
      props.put("readonly", "true");
    }
    opening.add(ch.id);
    try {
      String previous = owners.putIfAbsent(ch.id, user.name());
      if (previous != null
          && (!previous.equals(user.name()) || getConnectionCache().getIfPresent(ch.id) != null)) {
        // open, or an expired one of another user; the same user may reopen an expired one
        throw error("Connection already exists: " + ch.id, "08002");
      }
      try {
        if (packedFrames) {
          packed.add(ch.id);
        }
        // One opening at a time, so that two cannot both pass the cap's check.
        synchronized (capLock) {
          if (getConnectionCache().size() >= config.maxConnections()) {
            throw error("too many connections: the server allows " + config.maxConnections()
                + " (server option --max-connections); close idle ones or try later", "53300");
          }
          super.openConnection(ch, props);
        }
      } catch (RuntimeException e) {
        packed.remove(ch.id);
        owners.remove(ch.id, user.name());
        throw e;
      }
    } finally {
      opening.remove(ch.id);
    }
    LOG.debug("user '{}' opened connection {}", user.name(), ch.id);
  }

  @Override public void closeConnection(ConnectionHandle ch) {
    try {
      super.closeConnection(ch);
    } finally {
      owners.remove(ch.id);
      packed.remove(ch.id);
    }
  }

  @Override protected Connection getConnection(String id) throws SQLException {
    Connection c = id == null ? null : getConnectionCache().getIfPresent(id);
    if (c == null) {
      throw new ExpiredConnection(id, config.connectionExpiry());
    }
    return c;
  }

  /**
   * Refuses a connection id that is not the current user's (as if it did not
   * exist). An id with no owner on record is refused too: every connection
   * gets its owner before it exists, so none is open to everyone.
   */
  void checkConnection(String id) {
    String owner = id == null ? null : owners.get(id);
    if (owner == null || !owner.equals(user().name())) {
      LOG.warn("user '{}' used connection {} of another user", user().name(), id);
      throw new ExpiredConnection(id, config.connectionExpiry());
    }
  }

  /** Refuses a statement that is not of the connection named in its handle. */
  void checkStatement(StatementHandle h) {
    checkConnection(h.connectionId);
    StatementInfo info = getStatementCache().getIfPresent(h.id);
    if (info == null) {
      return; // the call itself reports the missing statement
    }
    Statement s = StatementInfoAccess.statement(info);
    Connection c = h.connectionId == null ? null : getConnectionCache().getIfPresent(h.connectionId);
    boolean mine;
    try {
      mine = s == null || (c != null && s.getConnection() == c);
    } catch (SQLException e) {
      mine = false;
    }
    if (!mine) {
      LOG.warn("user '{}' used statement {} of another connection", user().name(), h.id);
      throw error("statement " + h.id + " not found on connection " + h.connectionId
          + ": closed, expired, or never opened there", "24000");
    }
  }

  /** The error a client gets for a connection that is closed or has expired. */
  static final class ExpiredConnection extends NoSuchConnectionException {
    private static final long serialVersionUID = 1L;
    private final Duration expiry;

    ExpiredConnection(String id, Duration expiry) {
      super(id);
      this.expiry = expiry;
    }

    @Override public String getMessage() {
      return "connection " + getConnectionId() + " is closed or has expired (the server closes"
          + " connections idle for more than " + ServerConfig.words(expiry)
          + "); open a new connection";
    }
  }

  // ------------------------------------------------ statements: frames and timeout

  /**
   * Rows in a frame: what the client asked for, at most the server's frame
   * size; none asked for (a fetch size of 0, JDBC's "driver's default", which
   * Spark sends) is the server's frame size too, never an empty frame.
   */
  private int frame(int requested) {
    int max = config.maxRowsPerFrame();
    return requested <= 0 || requested > max ? max : requested;
  }

  @Override public ExecuteResult prepareAndExecute(StatementHandle h, String sql, long maxRowCount,
      int maxRowsInFirstFrame, PrepareCallback callback) throws NoSuchStatementException {
    if (GeneratedKeys.isQuery(sql)) {
      return generatedKeys(h);
    }
    return logged(sql, () -> timedStatement(h, () -> packed(h, super.prepareAndExecute(h, sql, maxRowCount,
        frame(maxRowsInFirstFrame), callback))));
  }

  /** The keys of statement {@code h}'s last execution, not a query the engine runs. */
  private ExecuteResult generatedKeys(StatementHandle h) throws NoSuchStatementException {
    StatementInfo info = getStatementCache().getIfPresent(h.id);
    if (info == null) {
      throw new NoSuchStatementException(h);
    }
    try {
      return KeysResult.of(h, StatementInfoAccess.statement(info));
    } catch (SQLException e) {
      throw new IllegalStateException(e); // GuardedMeta sends the SQLException's message and state
    }
  }

  @Override public StatementHandle prepare(ConnectionHandle ch, String sql, long maxRowCount) {
    StatementHandle h = super.prepare(ch, sql, maxRowCount);
    signatures.put(h.id, h.signature);
    if (statementLog.on()) {
      preparedSql.put(h.id, sql);
    }
    return h;
  }

  @Override public void closeStatement(StatementHandle h) {
    preparedSql.remove(h.id);
    try {
      super.closeStatement(h);
    } finally {
      signatures.remove(h.id);
    }
  }

  /** The signature prepare gave statement {@code id}, or null. */
  Signature preparedSignature(int id) {
    return signatures.get(id);
  }

  @Override public ExecuteResult execute(StatementHandle h, List<TypedValue> parameterValues,
      int maxRowsInFirstFrame) throws NoSuchStatementException {
    return logged(preparedSql.get(h.id), () -> timedStatement(h, () -> packed(h, super.execute(h,
        parameterValues, frame(maxRowsInFirstFrame)))));
  }

  @Override public Frame fetch(StatementHandle h, long offset, int fetchMaxRowCount)
      throws NoSuchStatementException, MissingResultsException {
    return timed(h, () -> {
      StatementInfo info = packed.contains(h.connectionId) ? getStatementCache().getIfPresent(h.id) : null;
      PackedBlock.Kind[] kinds = kinds(info);
      if (kinds == null) {
        return super.fetch(h, offset, frame(fetchMaxRowCount));
      }
      try {
        return PackedFrames.read(info, kinds, offset, frame(fetchMaxRowCount));
      } catch (SQLException e) {
        throw new RuntimeException(e); // as Avatica's fetch: GuardedMeta sends its message and state
      }
    });
  }

  /**
   * The kinds of the columns of a statement's open result set, if they can be
   * packed; null otherwise, or if the statement or its result set is missing
   * (which Avatica's fetch reports).
   */
  private static PackedBlock.Kind[] kinds(StatementInfo info) {
    if (info == null || !info.isResultSetInitialized() || info.getResultSet() == null) {
      return null;
    }
    try {
      return info.getResultSet().isClosed() ? null : PackedFrames.kinds(info.getResultSet());
    } catch (SQLException e) {
      return null;
    }
  }

  /** {@code result} with its first frames packed, if its connection reads packed frames and its columns allow. */
  private ExecuteResult packed(StatementHandle h, ExecuteResult result) {
    if (!packed.contains(h.connectionId)) {
      return result;
    }
    List<MetaResultSet> out = new ArrayList<>(result.resultSets.size());
    for (MetaResultSet r : result.resultSets) {
      PackedBlock.Kind[] kinds = r.signature == null || r.firstFrame == null ? null
          : PackedBlock.kinds(r.signature.columns);
      out.add(kinds == null ? r : MetaResultSet.create(r.connectionId, r.statementId, r.ownStatement,
          r.signature, PackedFrames.pack(r.firstFrame, kinds)));
    }
    return new ExecuteResult(out);
  }

  @Override public ExecuteBatchResult prepareAndExecuteBatch(StatementHandle h, List<String> sqlCommands)
      throws NoSuchStatementException {
    return logged(String.join("; ", sqlCommands),
        () -> timedStatement(h, () -> super.prepareAndExecuteBatch(h, sqlCommands)));
  }

  @Override public ExecuteBatchResult executeBatch(StatementHandle h, List<List<TypedValue>> updateBatches)
      throws NoSuchStatementException {
    return logged(batchSql(h, updateBatches.size()),
        () -> timedStatement(h, () -> super.executeBatch(h, updateBatches)));
  }

  @Override public ExecuteBatchResult executeBatchProtobuf(StatementHandle h,
      List<Requests.UpdateBatch> updateBatches) throws NoSuchStatementException {
    return logged(batchSql(h, updateBatches.size()),
        () -> timedStatement(h, () -> super.executeBatchProtobuf(h, updateBatches)));
  }

  private String batchSql(StatementHandle h, int sets) {
    return "batch of " + sets + ": " + preparedSql.get(h.id);
  }

  /** A statement call that throws no checked exception. */
  private interface StatementCall<T> {
    T call() throws NoSuchStatementException;
  }

  /** Runs {@code call}, then puts it in the statement log (if on). */
  private <T> T logged(String sql, StatementCall<T> call) throws NoSuchStatementException {
    if (!statementLog.on()) {
      return call.call();
    }
    long start = System.nanoTime();
    String user = user().name().isEmpty() ? "anonymous" : user().name();
    try {
      T result = call.call();
      statementLog.ran(user, System.nanoTime() - start, sql, result);
      return result;
    } catch (RuntimeException e) {
      statementLog.failed(user, System.nanoTime() - start, sql, e);
      throw e;
    }
  }

  /** A call that may throw what Meta's statement calls throw. */
  private interface Call<T> {
    T call() throws NoSuchStatementException, MissingResultsException;
  }

  /**
   * Runs one statement call under the statement timeout: when it runs out, the
   * statement's cancel flag is set, which stops it at its next row.
   */
  private <T> T timed(StatementHandle h, Call<T> call)
      throws NoSuchStatementException, MissingResultsException {
    AtomicBoolean flag = timeout.on() ? cancelFlagOrNull(h) : null;
    if (flag == null) {
      return call.call();
    }
    StatementTimeout.Run run = timeout.start(flag);
    try {
      return call.call();
    } catch (RuntimeException e) {
      if (run.fired()) {
        throw error("statement timeout: the statement ran longer than "
            + ServerConfig.words(config.statementTimeout())
            + " and was canceled (server option --statement-timeout)", "57014");
      }
      throw e;
    } finally {
      timeout.end(run);
    }
  }

  private <T> T timedStatement(StatementHandle h, Call<T> call) throws NoSuchStatementException {
    try {
      return timed(h, call);
    } catch (MissingResultsException e) {
      throw new IllegalStateException(e);
    }
  }

  private AtomicBoolean cancelFlagOrNull(StatementHandle h) {
    try {
      return cancelFlag(h);
    } catch (NoSuchStatementException e) {
      return null;
    }
  }

  private AtomicBoolean cancelFlag(StatementHandle h) throws NoSuchStatementException {
    StatementInfo info = getStatementCache().getIfPresent(h.id);
    Statement s = info == null ? null : StatementInfoAccess.statement(info);
    if (s == null) {
      return null;
    }
    try {
      AvaticaStatement a = s.unwrap(AvaticaStatement.class);
      return a.connection.getCancelFlag(a.handle);
    } catch (SQLException | RuntimeException e) {
      return null;
    }
  }

  static AvaticaRuntimeException error(String message, String sqlState) {
    AvaticaRuntimeException e = new AvaticaRuntimeException(message, -1, sqlState, AvaticaSeverity.ERROR);
    e.setStackTrace(new StackTraceElement[0]);
    return e;
  }
}
