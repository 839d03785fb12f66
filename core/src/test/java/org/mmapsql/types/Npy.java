package org.mmapsql.types;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The .npy format as numpy's documentation describes it
 * (numpy.lib.format): the magic {@code \x93NUMPY}, a major and minor version,
 * the header length (2 bytes little-endian in 1.0, 4 bytes in 2.0 and 3.0),
 * then a Python dict literal with descr, fortran_order and shape, padded with
 * spaces and ended by a newline so that the data starts at a multiple of 64.
 * {@link #header} writes exactly what numpy 2.x's {@code np.save} writes,
 * including the spare spaces it leaves for the first axis to grow.
 */
public final class Npy {
  static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
  /** numpy's GROWTH_AXIS_MAX_DIGITS: np.save leaves room for a first axis of this many digits. */
  static final int GROWTH_DIGITS = 21;

  private Npy() {
  }

  /** Python's repr of a shape tuple: {@code ()}, {@code (3,)}, {@code (3, 4)}. */
  public static String shapeRepr(long... shape) {
    if (shape.length == 1) {
      return "(" + shape[0] + ",)";
    }
    StringBuilder b = new StringBuilder("(");
    for (int i = 0; i < shape.length; i++) {
      b.append(i == 0 ? "" : ", ").append(shape[i]);
    }
    return b.append(')').toString();
  }

  /** The dict as np.save writes it: keys sorted, each followed by ", ". */
  public static String dict(String descr, boolean fortran, long... shape) {
    return "{'descr': '" + descr + "', 'fortran_order': " + (fortran ? "True" : "False") + ", 'shape': "
        + shapeRepr(shape) + ", }";
  }

  /**
   * Puts a dict in a header of version {@code major}.0: the dict, spaces and a
   * newline so that the data starts at a multiple of {@code align} (numpy 2
   * uses 64; older versions used 16, still valid). {@code likeNumpy}: pad a
   * full block where no padding is needed, as numpy does.
   */
  public static byte[] wrap(int major, String dict, int align, boolean likeNumpy) {
    byte[] text = dict.getBytes(major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    int lenBytes = major == 1 ? 2 : 4;
    int hlen = text.length + 1;
    int pad = align - ((MAGIC.length + 2 + lenBytes + hlen) % align);
    if (pad == align && !likeNumpy) {
      pad = 0;
    }
    ByteBuffer b = ByteBuffer.allocate(MAGIC.length + 2 + lenBytes + hlen + pad).order(ByteOrder.LITTLE_ENDIAN);
    b.put(MAGIC).put((byte) major).put((byte) 0);
    if (major == 1) {
      b.putShort((short) (hlen + pad));
    } else {
      b.putInt(hlen + pad);
    }
    b.put(text);
    for (int i = 0; i < pad; i++) {
      b.put((byte) ' ');
    }
    b.put((byte) '\n');
    return b.array();
  }

  /** A whole .npy file as np.save writes it, with the header of version {@code major}.0. */
  public static byte[] file(int major, String descr, long[] shape, byte[] data) {
    return concat(header(major, descr, false, shape), data);
  }

  /**
   * The whole header (magic to newline) that numpy 2.x's np.save writes for
   * this array: its dict, the spare spaces for the growing axis, then padding
   * to 64 (numpy adds a full 64 spaces when already aligned).
   */
  public static byte[] header(int major, String descr, boolean fortran, long... shape) {
    String dict = dict(descr, fortran, shape);
    if (shape.length > 0) {
      dict += " ".repeat(GROWTH_DIGITS - Long.toString(shape[fortran ? shape.length - 1 : 0]).length());
    }
    return wrap(major, dict, 64, true);
  }

  public static byte[] concat(byte[] a, byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(a.length + b.length);
    out.writeBytes(a);
    out.writeBytes(b);
    return out.toByteArray();
  }

  // ------------------------------------------------------------ reading

  /** A parsed header. */
  public record Header(int major, int minor, String descr, boolean fortran, List<Long> shape, int dataOffset,
      String text) {
    public long rows() {
      return shape.isEmpty() ? 1 : shape.get(0);
    }
  }

  /** A descr: a type string, or a structured dtype's list of fields (kept as its text). */
  private static final Pattern DESCR = Pattern.compile("'descr'\\s*:\\s*(?:'([^']*)'|(\\[.*?\\]))");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order'\\s*:\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape'\\s*:\\s*\\(([^)]*)\\)");

  /** Parses the header of a .npy file per the format description; fails on anything malformed. */
  public static Header parse(byte[] file) {
    for (int i = 0; i < MAGIC.length; i++) {
      if (file[i] != MAGIC[i]) {
        throw new AssertionError("not a .npy file: bad magic");
      }
    }
    int major = file[6];
    int minor = file[7];
    ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
    int hlen = major == 1 ? Short.toUnsignedInt(b.getShort(8)) : b.getInt(8);
    int start = major == 1 ? 10 : 12;
    String text = new String(file, start, hlen, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
    if (!text.endsWith("\n")) {
      throw new AssertionError("header does not end with a newline: " + text);
    }
    Matcher d = DESCR.matcher(text);
    Matcher f = FORTRAN.matcher(text);
    Matcher s = SHAPE.matcher(text);
    if (!d.find() || !f.find() || !s.find()) {
      throw new AssertionError("header lacks descr, fortran_order or shape: " + text);
    }
    List<Long> shape = new ArrayList<>();
    for (String part : s.group(1).split(",")) {
      if (!part.isBlank()) {
        shape.add(Long.parseLong(part.trim()));
      }
    }
    String descr = d.group(1) != null ? d.group(1) : d.group(2);
    return new Header(major, minor, descr, f.group(1).equals("True"), shape, start + hlen, text);
  }
}
