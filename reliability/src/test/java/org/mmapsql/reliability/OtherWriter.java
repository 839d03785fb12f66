package org.mmapsql.reliability;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * Another program writing a bound file, run as its own process:
 * {@code append FILE FIRST COUNT SEED} appends the values FIRST, FIRST+1, ...
 * with O_APPEND, in writes of 1 to 16 whole elements, as a C logger or
 * {@code numpy.tofile} on a file opened with 'ab' does;
 * {@code set FILE IDX VALUE} writes one value in place.
 */
public final class OtherWriter {
  private OtherWriter() {
  }

  public static void main(String[] args) throws IOException {
    Path file = Path.of(args[1]);
    if (args[0].equals("append")) {
      long first = Long.parseLong(args[2]);
      int count = Integer.parseInt(args[3]);
      Random random = new Random(Long.parseLong(args[4]));
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE, StandardOpenOption.APPEND)) {
        ByteBuffer buf = ByteBuffer.allocate(16 * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < count; ) {
          buf.clear();
          for (int n = 1 + random.nextInt(16); n > 0 && i < count; n--, i++) {
            buf.putDouble(first + i);
          }
          buf.flip();
          if (ch.write(buf) != buf.limit()) {
            throw new IOException("short write"); // one write(2) of a regular file is all or an error
          }
          java.util.concurrent.locks.LockSupport.parkNanos(300_000); // a steady logger, not a burst
        }
      }
    } else {
      try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        buf.putDouble(Double.parseDouble(args[3])).flip();
        ch.write(buf, Long.parseLong(args[2]) * 8);
      }
    }
  }

  /** Runs one command in a child JVM and waits for it. */
  static void run(String... args) throws IOException, InterruptedException {
    List<String> cmd = ServerProcess.java("-Xmx32m", OtherWriter.class.getName());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).inheritIO().start();
    if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException("other writer " + String.join(" ", args) + " failed");
    }
  }

  static Process start(String... args) throws IOException {
    List<String> cmd = ServerProcess.java("-Xmx32m", OtherWriter.class.getName());
    cmd.addAll(List.of(args));
    return new ProcessBuilder(cmd).inheritIO().start();
  }
}
