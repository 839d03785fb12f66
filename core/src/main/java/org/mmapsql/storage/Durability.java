package org.mmapsql.storage;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether a file has writes not yet forced to disk. A write counter, not a
 * flag: a force covers the writes counted before it started, and only a force
 * that succeeded counts, so a {@code durability=sync} statement racing the
 * background flusher never returns before its own data is forced.
 */
final class Durability {
  /** A force of the file's data; run outside any lock of this class. */
  interface Force {
    void run() throws IOException;
  }

  private final AtomicLong writes = new AtomicLong();
  private volatile long forced;

  /** Counts a write; called after the data is in the page cache. */
  void written() {
    writes.incrementAndGet();
  }

  /** Forces if anything was written since the last successful force. */
  void force(Force force) throws IOException {
    long upTo = writes.get();
    if (upTo == forced) {
      return;
    }
    force.run();
    synchronized (this) {
      if (upTo > forced) {
        forced = upTo;
      }
    }
  }
}
