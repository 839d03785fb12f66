package org.mmapsql.server;

import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.jdbc.StatementInfo;
import org.apache.calcite.avatica.proto.Common;
import org.mmapsql.jdbc.PackedBlock;

import com.google.protobuf.UnsafeByteOperations;

/**
 * The frames of a result of fixed-width numbers for a client that reads packed
 * frames: one block of rows per frame ({@link PackedBlock}), read from the
 * result set with the primitive getters, so that no row or value object is
 * made, and sent as one {@code BYTES} value rather than a message per value.
 */
final class PackedFrames {
  private PackedFrames() {
  }

  /** The kinds of the columns of {@code rs}, or null if one cannot be packed. */
  static PackedBlock.Kind[] kinds(ResultSet rs) throws SQLException {
    ResultSetMetaData md = rs.getMetaData();
    PackedBlock.Kind[] kinds = new PackedBlock.Kind[md.getColumnCount()];
    for (int c = 0; c < kinds.length; c++) {
      kinds[c] = PackedBlock.Kind.of(md.getColumnType(c + 1));
      if (kinds[c] == null) {
        return null;
      }
    }
    return kinds.length == 0 ? null : kinds;
  }

  /**
   * The next frame of statement {@code info}'s result set: at most {@code max}
   * rows from {@code offset} (counted in rows, as Avatica's frames are); done,
   * and the result set closed, at its end.
   */
  static Meta.Frame read(StatementInfo info, PackedBlock.Kind[] kinds, long offset, int max) throws SQLException {
    ResultSet rs = info.getResultSet();
    PackedBlock.Writer w = new PackedBlock.Writer(kinds, max);
    boolean done = false;
    while (w.rows() < max) {
      if (!info.next()) {
        done = true;
        rs.close();
        break;
      }
      for (int c = 0; c < kinds.length; c++) {
        switch (kinds[c]) {
          case DOUBLE:
          case REAL:
            double d = rs.getDouble(c + 1);
            if (d == 0 && rs.wasNull()) {
              w.setNull(c);
            } else {
              w.setDouble(c, d);
            }
            break;
          case BOOLEAN:
            boolean b = rs.getBoolean(c + 1);
            if (!b && rs.wasNull()) {
              w.setNull(c);
            } else {
              w.setLong(c, b ? 1 : 0);
            }
            break;
          default:
            long v = rs.getLong(c + 1);
            if (v == 0 && rs.wasNull()) {
              w.setNull(c);
            } else {
              w.setLong(c, v);
            }
        }
      }
      w.endRow();
    }
    return new Packed(offset, done, w);
  }

  /** Avatica's first frame of a result, its rows of value objects packed into one block. */
  static Meta.Frame pack(Meta.Frame frame, PackedBlock.Kind[] kinds) {
    List<Object> rows = new ArrayList<>();
    frame.rows.forEach(rows::add);
    PackedBlock.Writer w = new PackedBlock.Writer(kinds, rows.size());
    for (Object row : rows) {
      Object[] values = row instanceof Object[] ? (Object[]) row : ((List<?>) row).toArray();
      for (int c = 0; c < kinds.length; c++) {
        w.setObject(c, values[c]);
      }
      w.endRow();
    }
    return new Packed(frame.offset, frame.done, w);
  }

  /**
   * A frame whose one row is the block. Its protobuf form is written here, with
   * the block wrapped rather than copied, and the value once (Avatica's own
   * writes each value twice, the second for clients older than 1.6). A first
   * frame goes through Avatica's form all the same: its service copies it into
   * a frame of its own.
   */
  private static final class Packed extends Meta.Frame {
    private final byte[] block;

    Packed(long offset, boolean done, PackedBlock.Writer w) {
      this(offset, done, w.rows() == 0 && done ? null : w.toBytes());
    }

    private Packed(long offset, boolean done, byte[] block) {
      super(offset, done, block == null ? List.of() : Collections.singletonList(new Object[] {block}));
      this.block = block;
    }

    @Override public Common.Frame toProto() {
      Common.Frame.Builder b = Common.Frame.newBuilder().setOffset(offset).setDone(done);
      if (block != null) {
        Common.TypedValue value = Common.TypedValue.newBuilder()
            .setType(Common.Rep.BYTE_STRING)
            .setBytesValue(UnsafeByteOperations.unsafeWrap(block))
            .build();
        b.addRows(Common.Row.newBuilder().addValue(
            Common.ColumnValue.newBuilder().setHasArrayValue(false).setScalarValue(value)));
      }
      return b.build();
    }
  }
}
