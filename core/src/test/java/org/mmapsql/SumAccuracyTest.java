package org.mmapsql;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SUM of doubles on ill-conditioned data, against the exact sum (BigDecimal):
 * within pairwise summation's error bound and more accurate than adding row by
 * row; and, where python3 with numpy is installed, as accurate as numpy's own
 * {@code sum} of the same file where the data leave no luck to the order (on
 * random data the two trees cut the rows at other points, and either may be
 * the luckier: both errors are printed).
 */
class SumAccuracyTest {
  @TempDir Path dir;

  /** 2^18 - 1 ones after 1e16: a row-by-row sum loses every one of them (1e16's spacing is 2). */
  @Test void manySmallValuesAfterALargeOne() throws Exception {
    int n = 1 << 18;
    double[] v = new double[n];
    v[0] = 1e16;
    java.util.Arrays.fill(v, 1, n, 1.0);
    check(v, "ones", true);
  }

  /** Large values that cancel, and small ones between them. */
  @Test void cancellingValuesOfEveryMagnitude() throws Exception {
    Random r = new Random(8);
    int n = 100_000;
    double[] v = new double[n];
    for (int i = 0; i < n; i++) {
      double big = Math.scalb(r.nextDouble(), r.nextInt(50));
      v[i] = (i % 2 == 0 ? big : -big * (1 + 1e-9)) + r.nextGaussian();
    }
    check(v, "cancel", false);
  }

  private void check(double[] v, String name, boolean likeNumpy) throws Exception {
    Path file = dir.resolve(name + ".f8");
    TestDb.writeDoubles(file, v);
    BigDecimal exact = BigDecimal.ZERO;
    BigDecimal absSum = BigDecimal.ZERO;
    double rowByRow = 0;
    for (double d : v) {
      exact = exact.add(new BigDecimal(d));
      absSum = absSum.add(new BigDecimal(Math.abs(d)));
      rowByRow += d;
    }
    double sum;
    try (TestDb mm = TestDb.open(dir)) {
      assertEquals((long) v.length, mm.mmap(name, name + ".f8"));
      sum = (Double) mm.scalar("SELECT SUM(val) FROM " + name);
    }
    double err = error(sum, exact);
    double seqErr = error(rowByRow, exact);
    // Pairwise summation's bound: about log2(n) roundings of the sum of magnitudes.
    double bound = (Math.log(v.length) / Math.log(2) + 8) * Math.ulp(1.0) / 2 * absSum.doubleValue();
    System.out.printf("SUM %s: mmapsql error %.3g, row by row %.3g, bound %.3g%n", name, err, seqErr, bound);
    assertTrue(err <= bound, name + ": error " + err + " above the pairwise bound " + bound);
    assertTrue(err <= seqErr, name + ": error " + err + " above a row-by-row sum's " + seqErr);
    Double numpy = numpySum(file);
    if (numpy != null) {
      double npErr = error(numpy, exact);
      System.out.printf("SUM %s: numpy error %.3g%n", name, npErr);
      if (likeNumpy) {
        assertTrue(err <= npErr, name + ": error " + err + " above numpy's " + npErr);
      }
    }
  }

  private static double error(double got, BigDecimal exact) {
    return new BigDecimal(got).subtract(exact, MathContext.DECIMAL128).abs().doubleValue();
  }

  /** numpy's sum of the file, or null without python3 and numpy. */
  private static Double numpySum(Path file) throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder("python3", "-c",
          "import sys, numpy; print(repr(float(numpy.fromfile(sys.argv[1], '<f8').sum())))", file.toString())
          .redirectErrorStream(true).start();
    } catch (IOException e) {
      return null;
    }
    if (!p.waitFor(60, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return null;
    }
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    try {
      return p.exitValue() == 0 ? Double.parseDouble(out) : null;
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
