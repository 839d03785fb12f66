package org.mmapsql.storage;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;

import org.junit.jupiter.api.Test;

/**
 * The choice between a store and pwrite counts pages it cannot tell apart
 * exactly (more than its bits) well enough: random point writes over a large
 * file, whose every store would fault, keep pwrite; as many over a few
 * thousand pages, which fault once a page an interval, store; and the
 * threshold, {@value PointWritePath#WRITES_PER_FAULT} writes a page, holds.
 */
class PointWritePathTest {
  private static boolean nextInterval(int writes, long rows, long seed) {
    PointWritePath path = new PointWritePath();
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < writes; i++) {
      path.stores(new long[] {random.nextLong(rows)}, 0, 8, 1);
    }
    return path.stores(new long[] {0}, 0, 8, 2);
  }

  @Test void writesSpreadOverMorePagesThanItsBitsKeepPwrite() {
    assertFalse(nextInterval(300_000, 1L << 34, 1), "128 GiB of doubles: nearly every write a new page");
    assertFalse(nextInterval(300_000, 1L << 27, 2), "1 GiB, 262,144 pages: about 178,000 of them written");
  }

  @Test void writesThatComeBackToTheirPagesStore() {
    assertTrue(nextInterval(300_000, 1L << 21, 3), "16 MiB, 4,096 pages: 73 writes a page");
    assertTrue(nextInterval(200_000, 10_000_000, 4), "80 MB, 19,532 pages: nearly all written, 10 writes each");
    assertFalse(nextInterval(100_000, 10_000_000, 5), "the same file, 100,000 writes: 5 a page");
  }
}
