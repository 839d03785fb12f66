package org.mmapsql.trino;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.trino.spi.Page;
import io.trino.spi.TrinoException;
import io.trino.spi.block.Block;
import io.trino.spi.block.BlockBuilder;
import io.trino.spi.connector.ColumnHandle;
import io.trino.spi.connector.ConnectorPageSource;
import io.trino.spi.connector.SourcePage;
import io.trino.spi.type.BigintType;
import io.trino.spi.type.DoubleType;

/**
 * The result of pushed aggregates: every shard's server computes its partials at
 * once (one row each, or one row per bucket {@code idx / k}), and they are combined
 * here into the rows Trino gets; a bucket that straddles two shards is combined
 * from both. A shard that fails fails the query, naming the shard: no partial answer.
 */
final class ShardAggregates implements ConnectorPageSource {
  /** The bucket of an aggregate over all rows. */
  private static final long ALL = Long.MIN_VALUE;

  private final List<MmapSplit.Part> parts;
  private final CatalogConfig config;
  private final MmapTableHandle handle;
  private final List<ColumnHandle> outputs;
  private final ShardTraffic traffic;
  private boolean finished;
  private long readNanos;
  private long bytes;

  ShardAggregates(MmapSplit split, CatalogConfig config, MmapTableHandle handle, List<ColumnHandle> outputs,
      ShardTraffic traffic) {
    this.parts = split.parts();
    this.config = config;
    this.handle = handle;
    this.outputs = outputs;
    this.traffic = traffic;
  }

  @Override public SourcePage getNextSourcePage() {
    if (finished) {
      return null;
    }
    finished = true;
    long start = System.nanoTime();
    // bucket -> the partial rows of the shards that have it
    Map<Long, List<double[]>> buckets = new TreeMap<>();
    if (handle.groupBy() == 0) {
      buckets.put(ALL, new ArrayList<>()); // one row even over no rows at all
    }
    try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
      List<Future<Map<Long, double[]>>> futures = new ArrayList<>();
      for (MmapSplit.Part p : parts) {
        futures.add(pool.submit(() -> partials(p)));
      }
      for (Future<Map<Long, double[]>> f : futures) {
        f.get().forEach((b, row) -> buckets.computeIfAbsent(b, x -> new ArrayList<>()).add(row));
      }
    } catch (ExecutionException e) {
      throw e.getCause() instanceof TrinoException t ? t : new RuntimeException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeException(e);
    } finally {
      readNanos += System.nanoTime() - start;
    }
    Block[] blocks = new Block[outputs.size()];
    for (int i = 0; i < blocks.length; i++) {
      ColumnHandle out = outputs.get(i);
      if (out instanceof PushedAggregate a) {
        BlockBuilder b = a.type().createBlockBuilder(null, buckets.size());
        int at = offset(a);
        buckets.values().forEach(rows -> combine(a, at, rows, b));
        blocks[i] = b.build();
      } else {
        BlockBuilder b = BigintType.BIGINT.createBlockBuilder(null, buckets.size());
        buckets.keySet().forEach(k -> BigintType.BIGINT.writeLong(b, k));
        blocks[i] = b.build();
      }
    }
    return SourcePage.create(new Page(buckets.size(), blocks));
  }

  /** Where aggregate {@code a}'s partials start in a shard's row. */
  private int offset(PushedAggregate a) {
    int at = 0;
    for (PushedAggregate x : handle.aggregates()) {
      if (x.equals(a)) {
        return at;
      }
      at += ShardSql.partials(x, 0).size();
    }
    throw new IllegalStateException(a + " is not among " + handle.aggregates());
  }

  /**
   * One shard's partials by bucket, each value with its null flag (NaN standing for SQL
   * NULL: an empty part's SUM, MIN, MAX); bigint results (counts, min/max idx) fit a
   * double exactly below 2^53.
   */
  private Map<Long, double[]> partials(MmapSplit.Part p) {
    ShardServer server = config.servers().get(p.shard().server());
    String what = "aggregating " + p.shard().describe();
    boolean grouped = handle.groupBy() > 0;
    try (Connection c = server.connect(what);
        Statement s = c.createStatement();
        ResultSet rs = s.executeQuery(ShardSql.aggregate(p, handle.aggregates(), handle.filters(), handle.groupBy()))) {
      int first = grouped ? 2 : 1;
      int n = rs.getMetaData().getColumnCount() - first + 1;
      Map<Long, double[]> out = new TreeMap<>();
      while (rs.next()) {
        double[] row = new double[n * 2];
        for (int i = 0; i < n; i++) {
          row[2 * i] = rs.getDouble(first + i);
          row[2 * i + 1] = rs.wasNull() ? 1 : 0;
        }
        out.put(grouped ? rs.getLong(1) : ALL, row);
      }
      long moved = out.size();
      traffic.add(moved, 8L * moved * (n + first - 1));
      bytes += 8L * moved * (n + first - 1);
      return out;
    } catch (SQLException e) {
      throw server.error(what, e);
    }
  }

  private static void combine(PushedAggregate a, int at, List<double[]> partials, BlockBuilder out) {
    switch (a.function()) {
      case COUNT_ALL, COUNT -> {
        long n = 0;
        for (double[] p : partials) {
          n += (long) p[2 * at];
        }
        BigintType.BIGINT.writeLong(out, n);
      }
      case SUM, AVG -> {
        double sum = 0;
        long count = 0;
        boolean any = false;
        for (double[] p : partials) {
          if (p[2 * at + 1] == 0) {
            sum += p[2 * at];
            any = true;
          }
          if (a.function() == PushedAggregate.Function.AVG) {
            count += (long) p[2 * (at + 1)];
          }
        }
        if (!any || (a.function() == PushedAggregate.Function.AVG && count == 0)) {
          out.appendNull();
        } else {
          DoubleType.DOUBLE.writeDouble(out, a.function() == PushedAggregate.Function.AVG ? sum / count : sum);
        }
      }
      case MIN, MAX -> {
        boolean any = false;
        double best = 0;
        for (double[] p : partials) {
          if (p[2 * at + 1] == 0) {
            double v = p[2 * at];
            if (!any || (a.function() == PushedAggregate.Function.MIN ? v < best : v > best)) {
              best = v;
            }
            any = true;
          }
        }
        if (!any) {
          out.appendNull();
        } else if (a.type() == BigintType.BIGINT) {
          BigintType.BIGINT.writeLong(out, (long) best);
        } else {
          DoubleType.DOUBLE.writeDouble(out, best);
        }
      }
      default -> throw new IllegalStateException(a.toString());
    }
  }

  @Override public long getCompletedBytes() {
    return bytes;
  }

  @Override public OptionalLong getCompletedPositions() {
    return OptionalLong.of(finished ? 1 : 0);
  }

  @Override public long getReadTimeNanos() {
    return readNanos;
  }

  @Override public boolean isFinished() {
    return finished;
  }

  @Override public void close() {
    finished = true;
  }
}
