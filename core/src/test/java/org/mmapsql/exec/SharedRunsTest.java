package org.mmapsql.exec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.concurrent.CountDownLatch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The split of {@link SharedRuns}: every piece's answer in its place, the
 * calling thread never waiting for a helper, and an error of a piece thrown as
 * it was. (The timeout only stops a hang, the failure a waiting caller would be.)
 */
@Timeout(120)
class SharedRunsTest {
  @Test void everyPieceIsInItsPlaceWithOrWithoutHelp() {
    for (boolean parallel : new boolean[] {false, true}) {
      for (int n : new int[] {0, 1, 2, 3, 64, 1001}) {
        Integer[] out = new Integer[n];
        SharedRuns.fill(out, parallel, k -> k * 7 + 1);
        Integer[] want = new Integer[n];
        for (int k = 0; k < n; k++) {
          want[k] = k * 7 + 1;
        }
        assertArrayEquals(want, out, "parallel " + parallel + ", n " + n);
      }
    }
  }

  /** Helpers stuck inside their pieces until the call is over: the caller does those pieces itself. */
  @Test void theCallerDoesAgainWhatAStuckHelperHolds() throws Exception {
    Thread caller = Thread.currentThread();
    CountDownLatch over = new CountDownLatch(1);
    try {
      for (int round = 0; round < 20; round++) {
        Integer[] out = new Integer[200];
        SharedRuns.fill(out, true, k -> {
          if (Thread.currentThread() != caller) {
            try {
              over.await(); // until the test ends: a caller that waited for it would hang here
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            return -1; // never published: the caller's answer came first
          }
          return k;
        });
        for (int k = 0; k < out.length; k++) {
          assertEquals(k, out[k], "piece " + k);
        }
      }
    } finally {
      over.countDown();
    }
  }

  @Test void anErrorOnTheCallingThreadIsThrownAsItWas() {
    MmapException e = new MmapException(SqlState.IO_ERROR, "the file went");
    for (boolean parallel : new boolean[] {false, true}) {
      MmapException thrown = assertThrows(MmapException.class, () -> SharedRuns.fill(new Integer[50], parallel, k -> {
        if (k == 31) {
          throw e;
        }
        return k;
      }));
      assertSame(e, thrown);
    }
  }

  @Test void anErrorOnAHelperIsLeftToTheCaller() {
    Thread caller = Thread.currentThread();
    for (int round = 0; round < 20; round++) {
      Integer[] out = new Integer[100];
      SharedRuns.fill(out, true, k -> {
        if (Thread.currentThread() != caller) {
          throw new IllegalStateException("a helper's failure");
        }
        return k;
      });
      for (int k = 0; k < out.length; k++) {
        assertEquals(k, out[k]);
      }
    }
  }
}
