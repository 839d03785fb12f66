package org.mmapsql.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A {@code .npy} file read by the tests per numpy's format specification
 * (numpy.lib.format), never through mmapsql: the magic string, the version,
 * the header length, and the header's dict literal.
 */
record NpyFile(int dataOffset, String descr, boolean fortranOrder, long[] shape, long fileBytes) {
  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']*)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  static NpyFile read(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    if (bytes.length < 10 || !Arrays.equals(Arrays.copyOf(bytes, 6), magic)) {
      throw new IOException(file + " does not start with the .npy magic string");
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    int major = bytes[6];
    int start = major == 1 ? 10 : 12;
    long length = major == 1 ? b.getShort(8) & 0xFFFF : b.getInt(8) & 0xFFFF_FFFFL;
    if (start + length > bytes.length) {
      throw new IOException(file + ": the header length " + length + " runs past the end of the file");
    }
    int offset = (int) (start + length);
    String text = new String(bytes, start, (int) length, StandardCharsets.ISO_8859_1);
    if (offset % 64 != 0 || !text.endsWith("\n")) {
      throw new IOException(file + ": the header is not padded to 64 bytes and ended with a newline: " + text);
    }
    Matcher d = DESCR.matcher(text);
    Matcher f = FORTRAN.matcher(text);
    Matcher s = SHAPE.matcher(text);
    if (!d.find() || !f.find() || !s.find()) {
      throw new IOException(file + ": the header lacks descr, fortran_order or shape: " + text);
    }
    long[] shape = Arrays.stream(s.group(1).split(","))
        .map(String::strip).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
    return new NpyFile(offset, d.group(1), f.group(1).equals("True"), shape, bytes.length);
  }

  /** The data as little-endian float64 values, {@code shape[0] * shape[1]} of them. */
  static double[] doubles(Path file, NpyFile h) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    ByteBuffer b = ByteBuffer.wrap(bytes, h.dataOffset, bytes.length - h.dataOffset).order(ByteOrder.LITTLE_ENDIAN);
    double[] out = new double[(bytes.length - h.dataOffset) / 8];
    for (int i = 0; i < out.length; i++) {
      out[i] = b.getDouble();
    }
    return out;
  }

  long elements() {
    return Arrays.stream(shape).reduce(1, (x, y) -> x * y);
  }
}
