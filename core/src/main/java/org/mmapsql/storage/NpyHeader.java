package org.mmapsql.storage;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.mmapsql.MmapException;
import org.mmapsql.SqlState;

/**
 * The header of a numpy {@code .npy} file (format versions 1.0, 2.0 and 3.0):
 * the magic string, the version, the header length, then a Python dict
 * literal {@code {'descr': ..., 'fortran_order': ..., 'shape': (...), }}
 * padded with spaces and a newline so that the data starts at a multiple of
 * 64. The one place that knows this format.
 *
 * @param version major version, 1, 2 or 3
 * @param dataOffset where the data starts: the total length of the header
 * @param descr the dtype: a string such as {@code <f8}, or for a structured
 *     dtype a list of {@code [name, code]} pairs
 * @param fortranOrder whether the data is in Fortran (column-major) order
 * @param shape the array's dimensions
 */
public record NpyHeader(int version, int dataOffset, Object descr, boolean fortranOrder, long[] shape) {
  private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  private static final int ALIGN = 64;
  /** numpy leaves room for this many digits in the first dimension, so that appends can rewrite it in place. */
  private static final int GROWTH_DIGITS = 21;
  /** Longest prefix to read before the header length is known. */
  public static final int PREFIX = 12;

  /** The header length the first bytes of a file announce (the data offset), or -1 if it is not a .npy file. */
  public static int dataOffset(byte[] first) {
    if (first.length < 10 || !startsWithMagic(first)) {
      return -1;
    }
    ByteBuffer b = ByteBuffer.wrap(first).order(ByteOrder.LITTLE_ENDIAN);
    int major = first[6];
    if (major == 1) {
      return 10 + (b.getShort(8) & 0xFFFF);
    }
    if ((major == 2 || major == 3) && first.length >= 12) {
      long len = b.getInt(8) & 0xFFFF_FFFFL;
      return len > Integer.MAX_VALUE - 12 ? -1 : (int) (12 + len);
    }
    return -1;
  }

  private static boolean startsWithMagic(byte[] b) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (b[i] != MAGIC[i]) {
        return false;
      }
    }
    return true;
  }

  /** Parses a whole header ({@code bytes} holds at least {@link #dataOffset(byte[])} bytes). */
  public static NpyHeader parse(byte[] bytes, String file) {
    int offset = dataOffset(bytes);
    if (offset < 0 || bytes.length < offset) {
      int major = bytes.length > 6 && startsWithMagic(bytes) ? bytes[6] : -1;
      throw new MmapException(SqlState.DATA_EXCEPTION, file + " is not a .npy file numpy writes"
          + (major > 3 ? " (format version " + major + "." + bytes[7] + " is not supported; 1.0, 2.0 and 3.0 are)"
          : " (bad magic string or header length)"));
    }
    int major = bytes[6];
    int start = major == 1 ? 10 : 12;
    String text = new String(bytes, start, offset - start,
        major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    Object parsed;
    try {
      parsed = new Literal(text).parse();
    } catch (RuntimeException e) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "the .npy header of " + file + " cannot be read: "
          + e.getMessage() + ": " + (text.length() > 200 ? text.substring(0, 200) + "..." : text.strip()));
    }
    if (!(parsed instanceof Map<?, ?> dict) || !(dict.get("descr") != null
        && dict.get("fortran_order") instanceof Boolean && dict.get("shape") instanceof List<?>)) {
      throw new MmapException(SqlState.DATA_EXCEPTION, "the .npy header of " + file
          + " lacks descr, fortran_order or shape: " + text.strip());
    }
    List<?> dims = (List<?>) dict.get("shape");
    long[] shape = new long[dims.size()];
    for (int i = 0; i < shape.length; i++) {
      if (!(dims.get(i) instanceof Long n) || n < 0) {
        throw new MmapException(SqlState.DATA_EXCEPTION, "the .npy header of " + file + " has a bad shape: " + dims);
      }
      shape[i] = n;
    }
    return new NpyHeader(major, offset, dict.get("descr"), (Boolean) dict.get("fortran_order"), shape);
  }

  /** A new version 1.0 header as numpy ({@code >= 1.24}) writes it, with room for the first dimension to grow. */
  public static byte[] write(String descr, long[] shape) {
    String dict = dict(descr, shape);
    String body = dict + " ".repeat(GROWTH_DIGITS - Long.toString(shape[0]).length());
    int unpadded = 10 + body.length() + 1;
    int total = (unpadded + ALIGN - 1) / ALIGN * ALIGN;
    return frame(body, total - 10);
  }

  /**
   * This header with another first dimension, in exactly the same number of
   * bytes (so the data does not move), or null if the new shape does not fit.
   */
  public byte[] withRows(long rows) {
    long[] s = shape.clone();
    s[0] = rows;
    String dict = dict(descrText(), s);
    int start = version == 1 ? 10 : 12;
    int room = dataOffset - start - 1; // the dict, spaces, and a newline at the end
    if (dict.length() > room) {
      return null;
    }
    String body = dict + " ".repeat(room - dict.length());
    byte[] text = (body + "\n").getBytes(version == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    if (text.length != dataOffset - start) {
      return null; // a UTF-8 field name changed length: not in place
    }
    ByteBuffer b = ByteBuffer.allocate(dataOffset).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) version).put((byte) 0);
    if (version == 1) {
      b.putShort((short) (dataOffset - 10));
    } else {
      b.putInt(dataOffset - 12);
    }
    b.put(text);
    return b.array();
  }

  private static byte[] frame(String body, int length) {
    String text = body + " ".repeat(length - body.length() - 1) + "\n";
    ByteBuffer b = ByteBuffer.allocate(10 + length).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) 1).put((byte) 0).putShort((short) length);
    b.put(text.getBytes(StandardCharsets.ISO_8859_1));
    return b.array();
  }

  /** The dict as numpy's {@code repr} writes it: keys sorted, {@code (n,)} for one dimension. */
  private static String dict(String descr, long[] shape) {
    StringBuilder s = new StringBuilder();
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return "{'descr': " + descr + ", 'fortran_order': False, 'shape': (" + s + (shape.length == 1 ? "," : "")
        + "), }";
  }

  /** The descr as Python's repr writes it: {@code '<f8'}, {@code [('t', '<i8'), ('v', '<f4')]}. */
  String descrText() {
    if (descr instanceof String s) {
      return "'" + s + "'";
    }
    StringBuilder b = new StringBuilder("[");
    for (Object f : (List<?>) descr) {
      List<?> pair = (List<?>) f;
      b.append(b.length() == 1 ? "" : ", ").append("('").append(pair.get(0)).append("', '")
          .append(pair.get(1)).append("')");
    }
    return b.append(']').toString();
  }

  /** The shape as numpy prints it: {@code (1000,)}, {@code (1000, 768)}. */
  public static String shapeText(long[] shape) {
    StringBuilder s = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      s.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return s.append(shape.length == 1 ? ",)" : ")").toString();
  }

  /** A reader of the Python literals a header holds: dicts, lists, tuples, strings, ints, booleans. */
  private static final class Literal {
    /** Far deeper than any dtype numpy writes (a structured one nests a few levels); a crafted header recurses no further. */
    private static final int MAX_DEPTH = 32;
    private final String s;
    private int i;
    private int depth;

    Literal(String s) {
      this.s = s;
    }

    Object parse() {
      Object v = value();
      skip();
      if (i != s.length()) {
        throw new IllegalArgumentException("unexpected '" + s.charAt(i) + "' at " + i);
      }
      return v;
    }

    private void skip() {
      while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
        i++;
      }
    }

    private Object value() {
      if (++depth > MAX_DEPTH) {
        throw new IllegalArgumentException("nested more than " + MAX_DEPTH + " levels deep at " + i);
      }
      try {
        return element();
      } finally {
        depth--;
      }
    }

    private Object element() {
      skip();
      if (i >= s.length()) {
        throw new IllegalArgumentException("unexpected end");
      }
      char c = s.charAt(i);
      switch (c) {
        case '{' -> {
          i++;
          Map<String, Object> m = new LinkedHashMap<>();
          while (!peek('}')) {
            Object k = value();
            expect(':');
            m.put(String.valueOf(k), value());
            if (!peek('}')) {
              expect(',');
            }
          }
          i++;
          return m;
        }
        case '(', '[' -> {
          char close = c == '(' ? ')' : ']';
          i++;
          List<Object> l = new ArrayList<>();
          while (!peek(close)) {
            l.add(value());
            if (!peek(close)) {
              expect(',');
            }
          }
          i++;
          return l;
        }
        case '\'', '"' -> {
          int end = s.indexOf(c, i + 1);
          if (end < 0) {
            throw new IllegalArgumentException("unterminated string");
          }
          String v = s.substring(i + 1, end);
          i = end + 1;
          return v;
        }
        default -> {
          int start = i;
          while (i < s.length() && (Character.isLetterOrDigit(s.charAt(i)) || s.charAt(i) == '-')) {
            i++;
          }
          String word = s.substring(start, i);
          return switch (word) {
            case "True" -> Boolean.TRUE;
            case "False" -> Boolean.FALSE;
            case "None" -> "None";
            default -> {
              try {
                yield Long.parseLong(word.endsWith("L") ? word.substring(0, word.length() - 1) : word);
              } catch (NumberFormatException e) {
                throw new IllegalArgumentException("unexpected '" + word + "' at " + start);
              }
            }
          };
        }
      }
    }

    private boolean peek(char c) {
      skip();
      return i < s.length() && s.charAt(i) == c;
    }

    private void expect(char c) {
      if (!peek(c)) {
        throw new IllegalArgumentException("expected '" + c + "' at " + i);
      }
      i++;
    }
  }

  @Override public boolean equals(Object o) {
    return o instanceof NpyHeader h && h.version == version && h.dataOffset == dataOffset
        && h.descr.equals(descr) && h.fortranOrder == fortranOrder && java.util.Arrays.equals(h.shape, shape);
  }

  @Override public int hashCode() {
    return java.util.Objects.hash(version, dataOffset, descr, fortranOrder, java.util.Arrays.hashCode(shape));
  }
}
