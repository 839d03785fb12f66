package org.mmapsql.exec;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.function.IntFunction;

/**
 * Pieces of work 0 .. n-1 that the calling thread does while idle cores help,
 * and for which it never waits: helpers claim pieces from the counter the caller
 * claims from, and once none is left to claim the caller does again each piece
 * a helper has not finished yet. A helper that a busy machine wakes late finds
 * nothing left and returns; one preempted inside a piece costs the caller that
 * piece, not a wait (a fork/join split waits for both, which on a loaded 2-core
 * machine cost more than the split saved). A piece must give the same answer
 * whoever computes it, and never null; the first answer published is kept.
 */
final class SharedRuns {
  private SharedRuns() {
  }

  /** Daemon threads, one fewer than the cores, made on first use (not by a query that does not split). */
  private static final class Helpers {
    static final int COUNT = Runtime.getRuntime().availableProcessors() - 1;
    static final ExecutorService POOL = COUNT < 1 ? null : Executors.newFixedThreadPool(COUNT, work -> {
      Thread t = new Thread(work, "mmapsql-run-helper");
      t.setDaemon(true);
      return t;
    });
  }

  /** Claims of one call, shared with its helpers. */
  private static final class Claims<T> {
    final AtomicInteger next = new AtomicInteger();
    final AtomicReferenceArray<T> done;
    final IntFunction<T> piece;
    volatile boolean over;

    Claims(int n, IntFunction<T> piece) {
      this.done = new AtomicReferenceArray<>(n);
      this.piece = piece;
    }

    /** A helper: pieces until none is left or the caller is done; an error is left to the caller, who meets it again. */
    void help() {
      int n = done.length();
      for (int k; !over && (k = next.getAndIncrement()) < n; ) {
        T v;
        try {
          v = piece.apply(k);
        } catch (RuntimeException | Error e) {
          return;
        }
        done.compareAndSet(k, null, v);
      }
    }
  }

  /**
   * {@code out[k] = piece.apply(k)} for every k, helped by the other cores if
   * {@code parallel}; an error of a piece on the calling thread is thrown as it
   * was (with its SQLSTATE).
   */
  static <T> void fill(T[] out, boolean parallel, IntFunction<T> piece) {
    int n = out.length;
    int helpers = parallel && n > 1 ? Math.min(Helpers.COUNT, n - 1) : 0;
    if (helpers <= 0) {
      for (int k = 0; k < n; k++) {
        out[k] = piece.apply(k);
      }
      return;
    }
    Claims<T> claims = new Claims<>(n, piece);
    for (int h = 0; h < helpers; h++) {
      Helpers.POOL.execute(claims::help);
    }
    try {
      for (int k; (k = claims.next.getAndIncrement()) < n; ) {
        claims.done.compareAndSet(k, null, piece.apply(k));
      }
      for (int k = 0; k < n; k++) {
        if (claims.done.get(k) == null) { // a helper's, unfinished: again, rather than wait for it
          claims.done.compareAndSet(k, null, piece.apply(k));
        }
        out[k] = claims.done.get(k);
      }
    } finally {
      claims.over = true;
    }
  }
}
