package org.mmapsql.storage;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_LONG;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;

/**
 * Read-only shared mappings made with {@code mmap(2)} through {@code java.lang.foreign}.
 *
 * <p>Why not {@code FileChannel.map}: it extends the file to the mapped size, and a
 * mapping must reach past the end of file so that appends (positional writes
 * through the channel) become visible without remapping per statement. Linux
 * allows a mapping longer than the file; only touching a page past the end
 * faults, and readers never go past the length they checked.
 */
final class NativeMap {
  private static final int O_RDONLY = 0;
  private static final int O_CLOEXEC = 0x80000;
  /** Never follow a symbolic link swapped in after the path was checked (value differs by CPU). */
  private static final int O_NOFOLLOW =
      System.getProperty("os.arch", "").matches("aarch64|arm.*") ? 0x8000 : 0x20000;
  private static final int PROT_READ = 1;
  private static final int MAP_SHARED = 1;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final long ERRNO_OFFSET =
      CAPTURE.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final MethodHandle OPEN = downcall("open",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
      Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
  private static final MethodHandle CLOSE = downcall("close",
      FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  private static final MethodHandle MMAP = downcall("mmap",
      FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
      Linker.Option.captureCallState("errno"));
  private static final MethodHandle MUNMAP = downcall("munmap",
      FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));

  private NativeMap() {
  }

  private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
    MemorySegment symbol = LINKER.defaultLookup().find(name)
        .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
    return LINKER.downcallHandle(symbol, fd, options);
  }

  /**
   * Maps {@code capacity} bytes of {@code file} read-only and shared. The mapping
   * lives as long as {@code arena}; closing the arena unmaps it.
   */
  static MemorySegment map(Path file, long capacity, Arena arena) throws IOException {
    try (Arena local = Arena.ofConfined()) {
      MemorySegment errno = local.allocate(CAPTURE);
      MemorySegment cpath = local.allocateFrom(file.toString());
      int fd = (int) OPEN.invokeExact(errno, cpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0);
      if (fd < 0) {
        throw new IOException("cannot open " + file + " for mapping (errno "
            + errno.get(JAVA_INT, ERRNO_OFFSET) + ")");
      }
      try {
        MemorySegment address = (MemorySegment) MMAP.invokeExact(
            errno, MemorySegment.NULL, capacity, PROT_READ, MAP_SHARED, fd, 0L);
        if (address.address() == -1L) {
          throw new IOException("cannot map " + file + " (errno "
              + errno.get(JAVA_INT, ERRNO_OFFSET) + ")");
        }
        long addr = address.address();
        return MemorySegment.ofAddress(addr).reinterpret(capacity, arena, s -> unmap(addr, capacity));
      } finally {
        int ignored = (int) CLOSE.invokeExact(fd);
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  private static void unmap(long address, long size) {
    try {
      int ignored = (int) MUNMAP.invokeExact(MemorySegment.ofAddress(address), size);
    } catch (Throwable t) {
      throw new IllegalStateException("munmap failed", t);
    }
  }
}
