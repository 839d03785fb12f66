package org.mmapsql.exec;

/**
 * A sum of doubles, pairwise as numpy sums: each block in a tree of halves
 * down to runs of 128 that eight accumulators add, and the blocks' sums in a
 * tree of their own (a binary counter of partial sums), so the rounding error
 * grows with the logarithm of the count instead of the count. The eight
 * independent accumulators also let the processor add several values at once.
 */
final class PairwiseSum {
  private static final int RUN = 128;
  /** Partial sums of 2^k blocks at {@code partial[k]} where {@code full[k]}. */
  private final double[] partial = new double[64];
  private final boolean[] full = new boolean[64];

  /** Adds {@code values[0..n)} as one block. */
  void add(double[] values, int n) {
    add(pairwise(values, 0, n));
  }

  /** Adds the (pairwise) sum of one block. */
  void add(double sum) {
    int k = 0;
    while (full[k]) {
      sum = partial[k] + sum;
      full[k] = false;
      k++;
    }
    partial[k] = sum;
    full[k] = true;
  }

  /** The sum of everything added: the partial sums, smallest first. */
  double total() {
    double sum = 0;
    boolean any = false;
    for (int k = 0; k < partial.length; k++) {
      if (full[k]) {
        sum = any ? partial[k] + sum : partial[k];
        any = true;
      }
    }
    return sum;
  }

  static double pairwise(double[] a, int from, int n) {
    if (n < 8) {
      double s = 0;
      for (int i = from; i < from + n; i++) {
        s += a[i];
      }
      return s;
    }
    if (n <= RUN) {
      double r0 = 0;
      double r1 = 0;
      double r2 = 0;
      double r3 = 0;
      double r4 = 0;
      double r5 = 0;
      double r6 = 0;
      double r7 = 0;
      int end = from + n - n % 8;
      for (int i = from; i < end; i += 8) {
        r0 += a[i];
        r1 += a[i + 1];
        r2 += a[i + 2];
        r3 += a[i + 3];
        r4 += a[i + 4];
        r5 += a[i + 5];
        r6 += a[i + 6];
        r7 += a[i + 7];
      }
      double s = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7));
      for (int i = end; i < from + n; i++) {
        s += a[i];
      }
      return s;
    }
    int half = n / 2;
    half -= half % 8;
    return pairwise(a, from, half) + pairwise(a, from + half, n - half);
  }
}
