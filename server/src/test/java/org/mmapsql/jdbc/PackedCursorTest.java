package org.mmapsql.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.sql.Types;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Calendar;
import java.util.Collections;
import java.util.List;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.util.Cursor;
import org.junit.jupiter.api.Test;

/**
 * The packed cursor's own fetch loop: it asks for the next frame at the offset
 * reached counted in rows (as Avatica's iterator does, which the server's
 * re-creation of a lost result set relies on), goes past empty frames, stops
 * at a done one, and refuses a frame of rows where a block is due.
 */
class PackedCursorTest {
  static final PackedBlock.Kind[] KINDS = {PackedBlock.Kind.BIGINT, PackedBlock.Kind.REAL};

  /** A frame of rows from..to-1: idx, and idx / 4 as a REAL, NULL where idx is a multiple of 5. */
  static Meta.Frame frame(long offset, boolean done, int from, int to) {
    PackedBlock.Writer w = new PackedBlock.Writer(KINDS, to - from);
    for (int i = from; i < to; i++) {
      w.setLong(0, i);
      if (i % 5 == 0) {
        w.setNull(1);
      } else {
        w.setDouble(1, i / 4.0);
      }
      w.endRow();
    }
    return new Meta.Frame(offset, done, Collections.singletonList(new Object[] {w.toBytes()}));
  }

  @Test void fetchesAtTheRowOffsetReached() throws Exception {
    List<Long> asked = new ArrayList<>();
    List<Meta.Frame> next = new ArrayList<>(List.of(
        new Meta.Frame(7, false, List.of()), frame(7, false, 7, 19), frame(19, true, 19, 20)));
    PackedCursor cursor = new PackedCursor(KINDS, frame(0, false, 0, 7), offset -> {
      asked.add(offset);
      return next.remove(0);
    });
    List<Cursor.Accessor> columns = cursor.createAccessors(List.of(
        ColumnMetaData.dummy(ColumnMetaData.scalar(Types.BIGINT, "BIGINT", ColumnMetaData.Rep.NUMBER), false),
        ColumnMetaData.dummy(ColumnMetaData.scalar(Types.REAL, "REAL", ColumnMetaData.Rep.NUMBER), true)),
        Calendar.getInstance(), null);
    List<Object> idx = new ArrayList<>();
    List<Object> val = new ArrayList<>();
    while (cursor.next()) {
      idx.add(columns.get(0).getObject());
      val.add(columns.get(1).getObject());
    }
    assertEquals(Arrays.asList(7L, 7L, 19L), asked);
    assertEquals(20, idx.size());
    for (int i = 0; i < 20; i++) {
      assertEquals((long) i, idx.get(i));
      assertEquals(i % 5 == 0 ? null : (float) (i / 4.0), val.get(i));
    }
    assertFalse(cursor.next());
  }

  @Test void refusesRowsWhereABlockIsDue() {
    PackedCursor cursor = new PackedCursor(KINDS, frame(0, false, 0, 2),
        offset -> new Meta.Frame(offset, true, Collections.singletonList(new Object[] {5L, 1.5f})));
    assertTrue(cursor.next());
    assertTrue(cursor.next());
    java.sql.SQLException e = assertThrows(java.sql.SQLException.class, cursor::next);
    assertTrue(e.getMessage().contains("packed block"), e.getMessage());
  }
}
