package org.mmapsql.jdbc;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntFunction;

import org.apache.calcite.avatica.ColumnMetaData;
import org.apache.calcite.avatica.Meta;
import org.apache.calcite.avatica.remote.Service;
import org.apache.calcite.avatica.remote.TypedValue;

/**
 * The execute request of a compact execute ({@link CompactExecute}) in plain
 * bytes instead of protobuf: the connection and statement ids, the first
 * frame's size and each parameter as a kind, its representation and its value.
 * The server gets the same request Avatica's protobuf would give it (the same
 * {@link TypedValue}s), without protobuf's builders and descriptors on either
 * side, which cost more than the execute of a point update. Parameters of
 * other kinds (arrays, decimals, bytes, a value not in its serial form) leave
 * the request to protobuf. A server takes it only if it says so
 * ({@link CompactExecute#HEADER} {@code >= }{@link #VERSION}).
 */
public final class LeanExecute {
  /** The version of the compact path whose server reads these requests. */
  public static final int VERSION = 2;
  /** The second byte of a compact request in these bytes (0 and 1: protobuf). */
  static final int FLAG = 2;

  private static final int ABSENT = 0; // a parameter never set: null in the list, as Avatica sends it
  private static final int NULL = 1;
  private static final int BOOLEAN = 2;
  private static final int LONG = 3;
  private static final int DOUBLE = 4;
  private static final int FLOAT = 5;
  private static final int STRING = 6;

  /** Representations by their protobuf number, and those numbers by the enum's order (both look up names). */
  private static final ColumnMetaData.Rep[] REPS = new ColumnMetaData.Rep[64];
  private static final int[] NUMBERS = new int[ColumnMetaData.Rep.values().length];

  static {
    for (ColumnMetaData.Rep r : ColumnMetaData.Rep.values()) {
      NUMBERS[r.ordinal()] = -1;
      try {
        int n = r.toProto().getNumber();
        if (n >= 0 && n < REPS.length) {
          REPS[n] = r;
          NUMBERS[r.ordinal()] = n;
        }
      } catch (IllegalArgumentException e) {
        // a representation protobuf does not have (an unsigned one): not sent
      }
    }
  }

  private LeanExecute() {
  }

  /**
   * The body of a compact request for {@code r} (whose handle has no
   * signature), or null if a parameter needs protobuf.
   */
  static byte[] request(Service.ExecuteRequest r, boolean signatureLeftOut) {
    Meta.StatementHandle h = r.statementHandle;
    if (h == null || h.connectionId == null || h.signature != null) {
      return null;
    }
    byte[] connection = h.connectionId.getBytes(StandardCharsets.UTF_8);
    List<TypedValue> values = r.parameterValues;
    int size = 4 + 4 + connection.length + 4 + 4 + 4;
    if (values != null) {
      for (TypedValue v : values) {
        int n = size(v);
        if (n < 0) {
          return null;
        }
        size += n;
      }
    }
    ByteBuffer b = ByteBuffer.allocate(size);
    // 0 after the marker and flag: no protobuf field has number 0, so a server that reads protobuf fails at once
    b.put((byte) CompactExecute.MARKER).put((byte) FLAG).put((byte) 0).put((byte) (signatureLeftOut ? 1 : 0));
    b.putInt(connection.length).put(connection).putInt(h.id).putInt(r.maxRowCount);
    b.putInt(values == null ? -1 : values.size());
    if (values != null) {
      for (TypedValue v : values) {
        put(b, v);
      }
    }
    // a string's bytes were counted at their most
    return b.hasRemaining() ? Arrays.copyOf(b.array(), b.position()) : b.array();
  }

  /** Whether a compact request's body is in these bytes. */
  public static boolean is(byte[] body) {
    return body.length >= 4 && body[0] == CompactExecute.MARKER && body[1] == FLAG;
  }

  /**
   * The request in {@code body}; a left-out signature is the one
   * {@code prepared} gives for the statement's id (null if none).
   */
  public static Service.ExecuteRequest read(byte[] body, IntFunction<Meta.Signature> prepared) {
    ByteBuffer b = ByteBuffer.wrap(body);
    b.position(3);
    boolean signatureLeftOut = b.get() == 1;
    byte[] connection = bytes(b);
    int id = b.getInt();
    int maxRowCount = b.getInt();
    int n = b.getInt();
    if (n > b.remaining()) { // each value takes a byte at least: a count beyond is not this request's
      throw new IllegalArgumentException("an execute request of " + n + " values in " + b.remaining() + " bytes");
    }
    List<TypedValue> values = n < 0 ? null : new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      values.add(get(b));
    }
    if (b.hasRemaining()) {
      throw new IllegalArgumentException("an execute request with " + b.remaining() + " bytes too many");
    }
    return new Service.ExecuteRequest(new Meta.StatementHandle(new String(connection, StandardCharsets.UTF_8), id,
        signatureLeftOut ? prepared.apply(id) : null), values, maxRowCount);
  }

  /** The kind a value goes as: the one its protobuf form would be read back as; -1 if none here. */
  private static int kind(TypedValue v) {
    if (v == null) {
      return ABSENT;
    }
    Object o = v.value;
    switch (v.type) {
    case OBJECT:
      return o == null ? NULL : -1;
    case BOOLEAN:
    case PRIMITIVE_BOOLEAN:
      return o instanceof Boolean ? BOOLEAN : -1;
    case BYTE:
    case PRIMITIVE_BYTE:
      return o instanceof Byte ? LONG : -1;
    case SHORT:
    case PRIMITIVE_SHORT:
      return o instanceof Short ? LONG : -1;
    case INTEGER:
    case PRIMITIVE_INT:
    case JAVA_SQL_DATE:
    case JAVA_SQL_TIME:
      return o instanceof Integer ? LONG : -1;
    case LONG:
    case PRIMITIVE_LONG:
    case JAVA_SQL_TIMESTAMP:
    case JAVA_UTIL_DATE:
      return o instanceof Long ? LONG : -1;
    case NUMBER:
      return o instanceof Long || o instanceof Integer || o instanceof Short || o instanceof Byte ? LONG : -1;
    case DOUBLE:
    case PRIMITIVE_DOUBLE:
      return o instanceof Double ? DOUBLE : -1;
    case FLOAT:
    case PRIMITIVE_FLOAT:
      return o instanceof Float ? FLOAT : -1;
    case STRING:
      return o instanceof String ? STRING : -1;
    default:
      return -1;
    }
  }

  /** Bytes of a value in the request, -1 if it cannot go. */
  private static int size(TypedValue v) {
    switch (kind(v)) {
    case ABSENT:
      return 1;
    case NULL:
    case BOOLEAN:
      return 3;
    case LONG:
    case DOUBLE:
      return 10;
    case FLOAT:
      return 6;
    case STRING:
      return 6 + ((String) v.value).length() * 3; // at most 3 UTF-8 bytes a char; the array is cut to fit
    default:
      return -1;
    }
  }

  private static void put(ByteBuffer b, TypedValue v) {
    int kind = kind(v);
    b.put((byte) kind);
    if (kind == ABSENT) {
      return;
    }
    b.put((byte) NUMBERS[v.type.ordinal()]); // protobuf's numbers: fixed, unlike the enum's order
    switch (kind) {
    case NULL:
      b.put((byte) 0);
      break;
    case BOOLEAN:
      b.put((byte) ((Boolean) v.value ? 1 : 0));
      break;
    case LONG:
      b.putLong(((Number) v.value).longValue());
      break;
    case DOUBLE:
      b.putDouble((Double) v.value);
      break;
    case FLOAT:
      b.putFloat((Float) v.value);
      break;
    default:
      byte[] s = ((String) v.value).getBytes(StandardCharsets.UTF_8);
      b.putInt(s.length).put(s);
    }
  }

  /** A value as Avatica's protobuf reading gives it: its serial form, of the class its representation takes. */
  private static TypedValue get(ByteBuffer b) {
    int kind = b.get();
    if (kind == ABSENT) {
      return null;
    }
    int number = b.get();
    ColumnMetaData.Rep rep = number >= 0 && number < REPS.length ? REPS[number] : null;
    if (rep == null) {
      throw new IllegalArgumentException("an execute request with a parameter of unknown representation " + number);
    }
    switch (kind) {
    case NULL:
      b.get();
      return TypedValue.ofSerial(rep, null);
    case BOOLEAN:
      return TypedValue.ofSerial(rep, b.get() == 1);
    case LONG:
      long x = b.getLong();
      switch (rep) {
      case BYTE:
      case PRIMITIVE_BYTE:
        return TypedValue.ofSerial(rep, (byte) x);
      case SHORT:
      case PRIMITIVE_SHORT:
        return TypedValue.ofSerial(rep, (short) x);
      case INTEGER:
      case PRIMITIVE_INT:
      case JAVA_SQL_DATE:
      case JAVA_SQL_TIME:
        return TypedValue.ofSerial(rep, (int) x);
      default:
        return TypedValue.ofSerial(rep, x);
      }
    case DOUBLE:
      return TypedValue.ofSerial(rep, b.getDouble());
    case FLOAT:
      return TypedValue.ofSerial(rep, b.getFloat());
    case STRING:
      byte[] s = bytes(b);
      return TypedValue.ofSerial(rep, new String(s, StandardCharsets.UTF_8));
    default:
      throw new IllegalArgumentException("an execute request with a parameter of unknown kind " + kind);
    }
  }

  /** Bytes after their length, which the request must hold (a length from a client is checked before it is allocated). */
  private static byte[] bytes(ByteBuffer b) {
    int length = b.getInt();
    if (length < 0 || length > b.remaining()) {
      throw new IllegalArgumentException("an execute request with " + length + " bytes where " + b.remaining()
          + " are left");
    }
    byte[] bytes = new byte[length];
    b.get(bytes);
    return bytes;
  }
}
