package org.mmapsql.exec;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

/** {@code idx = v} and the clip to a table's length, for the integers a point read binds and for the rest. */
class IdxRangesTest {
  private static List<List<Long>> ranges(IdxRanges r) {
    List<List<Long>> out = new ArrayList<>();
    for (int i = 0; i < r.size(); i++) {
      out.add(List.of(r.start(i), r.end(i)));
    }
    return out;
  }

  @Test void anIntegerIsOnePositionOrNone() {
    assertEquals(List.of(List.of(5L, 6L)), ranges(IdxRanges.point(5L)));
    assertEquals(List.of(List.of(0L, 1L)), ranges(IdxRanges.point(0)));
    assertEquals(List.of(List.of(7L, 8L)), ranges(IdxRanges.point((short) 7)));
    assertEquals(List.of(List.of(Long.MAX_VALUE - 1, Long.MAX_VALUE)), ranges(IdxRanges.point(Long.MAX_VALUE - 1)));
    assertEquals(List.of(), ranges(IdxRanges.point(-1L)));
    assertEquals(List.of(), ranges(IdxRanges.point(Long.MIN_VALUE)));
    assertEquals(List.of(), ranges(IdxRanges.point(Long.MAX_VALUE))); // no end position past it
  }

  @Test void otherNumbersAreComparedExactly() {
    assertEquals(List.of(List.of(5L, 6L)), ranges(IdxRanges.point(new BigDecimal("5.000"))));
    assertEquals(List.of(), ranges(IdxRanges.point(new BigDecimal("5.5"))));
    assertEquals(List.of(List.of(3L, 4L)), ranges(IdxRanges.point(3.0)));
    assertEquals(List.of(), ranges(IdxRanges.point(3.25)));
    assertEquals(List.of(List.of(9L, 10L)), ranges(IdxRanges.point("9")));
  }

  @Test void clippingKeepsWhatLiesBelowTheLength() {
    assertEquals(List.of(List.of(5L, 6L)), ranges(IdxRanges.point(5L).clip(6)));
    assertEquals(List.of(), ranges(IdxRanges.point(5L).clip(5)));
    assertEquals(List.of(), ranges(IdxRanges.point(5L).clip(0)));
    assertEquals(List.of(List.of(0L, 10L)), ranges(IdxRanges.ALL.clip(10)));
    assertEquals(List.of(List.of(2L, 4L)), ranges(IdxRanges.range(2L, true, false, 8L, true, false).clip(4)));
  }
}
