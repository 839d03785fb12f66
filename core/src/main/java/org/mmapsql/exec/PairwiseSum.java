package org.mmapsql.exec;

/**
 * The sum of run sums, each itself pairwise (see the storage's float runs), as
 * a binary counter of partial sums: two runs, then two pairs, and so on, so
 * that runs of equal length make one pairwise tree over the whole column, as
 * numpy's, and the rounding error grows with the logarithm of the count
 * instead of the count.
 */
final class PairwiseSum {
  /** Partial sums of 2^k runs at {@code partial[k]} where {@code full[k]}. */
  private final double[] partial = new double[64];
  private final boolean[] full = new boolean[64];

  /** Adds the (pairwise) sum of one run. */
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
}
