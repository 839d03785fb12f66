package org.mmapsql.storage;

import java.util.Arrays;

/**
 * Chooses how the next point write (a few rows, see {@link InPlaceWriter})
 * goes: a store through the writable mapping, or pwrite. A store into a page
 * this process already stored to since the file's last force costs nothing;
 * the first store into a page after a force takes a write-protect fault,
 * which costs what five to nine pwrites do (on ext4 both walk every buffer of
 * the page's folio, 512 for the 2 MB folios of a file written in big pieces;
 * bench/RESULTS.md, "Point update: a store or pwrite"). A pwrite costs the
 * same each time. So the writes of a force interval store when those of the
 * interval before came back to the pages they wrote often enough: at most
 * one write in {@value #WRITES_PER_FAULT} was the first into its page (a
 * small table updated often, a few hot rows). Rare writes, writes spread over
 * a large file and {@code durability=sync} (a force after each statement)
 * keep pwrite. Used under the statement's write lock.
 */
final class PointWritePath {
  /** Pages told apart exactly (a hash of the page number picks the bit); beyond, estimated from the bits set. */
  private static final int BITS = 1 << 16;
  /** Point writes per fault at which stores cost no more than pwrite, with a margin (measured, see above). */
  static final int WRITES_PER_FAULT = 8;
  /** The page a fault makes writable: 4 KiB on x86-64 (larger pages only make faults rarer). */
  private static final int PAGE_SHIFT = 12;

  /** Made at the first point write: most arrays never get one. */
  private long[] touched;
  /** Bits set in {@link #touched}, point writes, and the force count at the start of this interval. */
  private int pages;
  private long writes;
  private long interval;
  private boolean stores;

  /**
   * Whether a point write of {@code indexes} (sorted) should store through the
   * mapping, given {@code forces}, the file's forces so far; counts its pages
   * for the choice of the next interval.
   */
  boolean stores(long[] indexes, long dataOffset, int stride, long forces) {
    if (touched == null) {
      touched = new long[BITS / 64];
      interval = forces;
    } else if (forces != interval) {
      stores = writes >= WRITES_PER_FAULT * firstTouches();
      interval = forces;
      Arrays.fill(touched, 0);
      pages = 0;
      writes = 0;
    }
    writes++;
    for (long row : indexes) {
      long from = (dataOffset + row * stride) >>> PAGE_SHIFT;
      long to = (dataOffset + (row + 1) * stride - 1) >>> PAGE_SHIFT;
      for (long page = from; page <= to; page++) {
        int bit = (int) ((page * 0x9E3779B97F4A7C15L) >>> (64 - 16));
        long mask = 1L << bit;
        if ((touched[bit >>> 6] & mask) == 0) {
          touched[bit >>> 6] |= mask;
          pages++;
        }
      }
    }
    return stores;
  }

  /** Distinct pages written this interval: the bits set, corrected for pages that share one (linear counting). */
  private double firstTouches() {
    return pages >= BITS ? Double.MAX_VALUE : -BITS * Math.log1p(-(double) pages / BITS);
  }
}
