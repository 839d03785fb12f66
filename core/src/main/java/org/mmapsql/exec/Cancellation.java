package org.mmapsql.exec;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.ReentrantLock;

import org.checkerframework.checker.nullness.qual.Nullable;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * A statement's cancel flag (set by {@code Statement.cancel} and by the
 * server's statement timeout), looked at wherever a statement can spend long:
 * once a block of rows, and while it waits for a table's write lock.
 */
final class Cancellation {
  private Cancellation() {
  }

  static void check(@Nullable AtomicBoolean cancel) {
    if (cancel != null && cancel.get()) {
      throw new MmapException(SqlState.CANCELED, "statement canceled");
    }
  }

  /**
   * Takes {@code lock}, giving up if the statement is canceled (or its thread
   * interrupted) while it waits; a free lock is taken whatever the flags.
   */
  static void lock(ReentrantLock lock, @Nullable AtomicBoolean cancel) {
    if (lock.tryLock()) {
      return;
    }
    try {
      while (!lock.tryLock(50, TimeUnit.MILLISECONDS)) {
        check(cancel);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new MmapException(SqlState.CANCELED, "statement interrupted while waiting for another write on the table", e);
    }
  }
}
