package org.mmapsql.storage;

import static java.lang.foreign.ValueLayout.JAVA_BYTE;
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

import org.checkerframework.checker.nullness.qual.Nullable;

/**
 * Shared mappings made with {@code mmap(2)} through {@code java.lang.foreign}:
 * read-only ones that reach past the end of file, and short writable windows
 * for writes in place, which (unlike {@code pwrite}) can never extend a file;
 * and {@code pwrite} itself, for writes in place of a few rows.
 *
 * <p>Why not {@code FileChannel.map}: it extends the file to the mapped size, and a
 * mapping must reach past the end of file so that appends (positional writes
 * through the channel) become visible without remapping per statement. Linux
 * allows a mapping longer than the file; only touching a page past the end
 * faults, and readers never go past the length they checked.
 */
final class NativeMap {
  /** What a write that found no room on the disk (ENOSPC) says, on any path. */
  static final String NO_SPACE = "No space left on device";
  private static final int O_RDONLY = 0;
  private static final int O_RDWR = 2;
  private static final int O_CLOEXEC = 0x80000;
  /** Never follow a symbolic link swapped in after the path was checked (value differs by CPU). */
  private static final int O_NOFOLLOW = switch (System.getProperty("os.arch", "")) {
    case "amd64", "x86_64" -> 0x20000;
    case "aarch64" -> 0x8000;
    default -> throw new UnsupportedOperationException(
        "mmapsql runs on Linux x86-64 and aarch64, not " + System.getProperty("os.arch"));
  };
  private static final int PROT_READ = 1;
  private static final int PROT_WRITE = 2;
  private static final int MAP_SHARED = 1;

  private static final Linker LINKER = Linker.nativeLinker();
  private static final StructLayout CAPTURE = Linker.Option.captureStateLayout();
  private static final long ERRNO_OFFSET =
      CAPTURE.byteOffset(java.lang.foreign.MemoryLayout.PathElement.groupElement("errno"));
  private static final int O_WRONLY = 1;
  private static final int O_APPEND = 0x400; // 02000 on x86_64 and aarch64 alike
  private static final int SEEK_CUR = 1;
  private static final int SEEK_END = 2;
  private static final int EINTR = 4;
  private static final int ENOSPC = 28;

  // One holder class per function: a downcall handle spins a stub when it is made (none comes from
  // an AOT cache), so each is made on first use, and a COUNT(*) makes only open, mmap and lseek.
  private static final class Open {
    static final MethodHandle H = downcall("open", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT),
        Linker.Option.firstVariadicArg(2), Linker.Option.captureCallState("errno"));
  }

  private static final class Close {
    static final MethodHandle H = downcall("close", FunctionDescriptor.of(JAVA_INT, JAVA_INT));
  }

  private static final class Mmap {
    static final MethodHandle H = downcall("mmap",
        FunctionDescriptor.of(ADDRESS, ADDRESS, JAVA_LONG, JAVA_INT, JAVA_INT, JAVA_INT, JAVA_LONG),
        Linker.Option.captureCallState("errno"));
  }

  private static final class Lseek {
    static final MethodHandle H = downcall("lseek", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, JAVA_LONG, JAVA_INT));
  }

  private static final class Munmap {
    static final MethodHandle H = downcall("munmap", FunctionDescriptor.of(JAVA_INT, ADDRESS, JAVA_LONG));
  }

  /**
   * Not critical: a pwrite may wait for a page to be read in or written back, and a critical call
   * would hold every safepoint (GC) of the JVM that long; the bytes go through a native copy.
   */
  private static final class Pwrite {
    static final MethodHandle H = downcall("pwrite",
        FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG, JAVA_LONG),
        Linker.Option.captureCallState("errno"));
  }

  /** As {@link Pwrite}: not critical, the bytes come from native memory. */
  private static final class Write {
    static final MethodHandle H = downcall("write", FunctionDescriptor.of(JAVA_LONG, JAVA_INT, ADDRESS, JAVA_LONG),
        Linker.Option.captureCallState("errno"));
  }

  /**
   * {@code int statx(int dirfd, const char *path, int flags, unsigned mask, struct statx *buf)}; null
   * with a libc older than it (glibc 2.28), where {@link PathStat} leaves the check to Java.
   */
  private static final class Statx {
    static final @Nullable MethodHandle H = LINKER.defaultLookup().find("statx")
        .map(s -> LINKER.downcallHandle(s, FunctionDescriptor.of(JAVA_INT, JAVA_INT, ADDRESS, JAVA_INT, JAVA_INT,
            ADDRESS))).orElse(null);
  }

  private static final int AT_FDCWD = -100;

  private NativeMap() {
  }

  private static MethodHandle downcall(String name, FunctionDescriptor fd, Linker.Option... options) {
    MemorySegment symbol = LINKER.defaultLookup().find(name)
        .orElseThrow(() -> new UnsupportedOperationException("libc has no " + name));
    return LINKER.downcallHandle(symbol, fd, options);
  }

  /** Whether {@link #statx} can be called here. */
  static boolean hasStatx() {
    return Statx.H != null;
  }

  /**
   * {@code statx(2)} of {@code path} (a NUL-terminated native string) into
   * {@code buffer}, asking for {@code mask}; whether it succeeded. Only when
   * {@link #hasStatx}.
   */
  static boolean statx(MemorySegment path, int mask, MemorySegment buffer) {
    try {
      return (int) Statx.H.invokeExact(AT_FDCWD, path, 0, mask, buffer) == 0;
    } catch (Throwable t) {
      return false;
    }
  }

  /**
   * Opens {@code file} read-only for mapping, refusing a symbolic link as its
   * last component. The descriptor also names the file for good: reopening
   * {@code /proc/self/fd/N} reaches the same inode, whatever is renamed later.
   */
  static int open(Path file) throws IOException {
    return open(file, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  }

  /**
   * Opens {@code self}, a {@code /proc/self/fd/N} link to a file already open,
   * again for writing: once, when a writable binding opens, so that a later
   * {@code chmod a-w} by another program does not stop its UPDATEs.
   */
  static int openForWrite(Path self) throws IOException {
    return open(self, O_RDWR | O_CLOEXEC);
  }

  /**
   * Opens {@code self} ({@code /proc/self/fd/N}) again to write at its end (O_APPEND), for the
   * chunks of one append ({@link #appendAt}); the caller closes it.
   */
  static int openAppending(Path self) throws IOException {
    return open(self, O_WRONLY | O_APPEND | O_CLOEXEC);
  }

  /**
   * Writes {@code data} with {@code write(2)} to {@code fd}, opened with O_APPEND ({@link #openAppending}),
   * and returns where it landed: {@code {start, end}}, or {@code {-1, end}} if a short write let another
   * program's append in between two pieces of it. Exact, unlike the file's size after the write (which
   * may count another program's append that came just after): POSIX sets the descriptor's offset to the
   * end of file and writes there as one step, so the offset after each write, {@code lseek(fd, 0,
   * SEEK_CUR)}, is the end of this write, wherever another program's appends went.
   */
  static long[] appendAt(int fd, MemorySegment data) throws IOException {
    try (Arena local = Arena.ofConfined()) {
      MemorySegment errno = local.allocate(CAPTURE);
      long length = data.byteSize();
      long done = 0;
      long start = -1;
      long end = -1;
      while (done < length) {
        long n = progress((long) Write.H.invokeExact(errno, fd, data.asSlice(done), length - done), errno, "write");
        if (n == 0) {
          continue;
        }
        long after = (long) Lseek.H.invokeExact(fd, 0L, SEEK_CUR);
        if (after < 0) {
          throw new IOException("lseek failed after a write");
        }
        if (done == 0) {
          start = after - n;
        } else if (after - n != end) {
          start = -1; // another program's bytes between two pieces
        }
        end = after;
        done += n;
      }
      return new long[] {start, end};
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  /**
   * The bytes a {@code write} or {@code pwrite} ({@code call}) returned, {@code n}; 0 to call it again
   * (interrupted by a signal, EINTR); an IOException for an error (ENOSPC in {@link #NO_SPACE}'s words)
   * or a call that wrote nothing.
   */
  private static long progress(long n, MemorySegment errno, String call) throws IOException {
    if (n > 0) {
      return n;
    }
    if (n == 0) {
      throw new IOException(call + " wrote nothing");
    }
    int code = errno.get(JAVA_INT, ERRNO_OFFSET);
    if (code == EINTR) {
      return 0;
    }
    throw new IOException(code == ENOSPC ? NO_SPACE : call + " failed (errno " + code + ")");
  }

  private static int open(Path file, int flags) throws IOException {
    try (Arena local = Arena.ofConfined()) {
      MemorySegment errno = local.allocate(CAPTURE);
      int fd = (int) Open.H.invokeExact(errno, local.allocateFrom(file.toString()), flags, 0);
      if (fd < 0) {
        throw new IOException("cannot open " + file + " (errno " + errno.get(JAVA_INT, ERRNO_OFFSET) + ")");
      }
      return fd;
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  /**
   * The size of the file open as {@code fd} now, or -1: one cheap system call,
   * no lock, and unlike a FileChannel not broken by an interrupt. (It moves
   * the descriptor's offset, which nothing here uses: reads go through the
   * mapping, writes through descriptors or channels of their own.)
   */
  static long size(int fd) {
    try {
      return (long) Lseek.H.invokeExact(fd, 0L, SEEK_END);
    } catch (Throwable t) {
      return -1;
    }
  }

  /**
   * Writes {@code length} bytes of {@code from} at {@code position} of the file open as {@code fd}
   * with {@code pwrite(2)}: into the page cache, so every mapping of the file sees them at once, and
   * without the write-protect fault a store into a page just written back takes. Unlike a store it
   * makes the file longer if the file ends before {@code position + length}: the caller checks.
   */
  static void pwrite(int fd, byte[] from, int offset, int length, long position) throws IOException {
    try (Arena local = Arena.ofConfined()) {
      MemorySegment errno = local.allocate(CAPTURE);
      MemorySegment data = local.allocate(length);
      MemorySegment.copy(from, offset, data, JAVA_BYTE, 0, length);
      int done = 0;
      while (done < length) {
        done += (int) progress((long) Pwrite.H.invokeExact(errno, fd, data.asSlice(done), (long) (length - done),
            position + done), errno, "pwrite");
      }
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  static void close(int fd) {
    try {
      int ignored = (int) Close.H.invokeExact(fd);
    } catch (Throwable t) {
      throw new IllegalStateException("close failed", t);
    }
  }

  /**
   * Maps {@code capacity} bytes of the file open as {@code fd}, read-only and
   * shared. The mapping lives as long as {@code arena}; closing it unmaps.
   */
  static MemorySegment map(int fd, long capacity, Arena arena) throws IOException {
    return map(fd, 0, capacity, PROT_READ, arena);
  }

  /**
   * Maps {@code length} bytes from {@code offset} (a multiple of the page size)
   * of the file open for writing as {@code fd}, read-write and shared: a store
   * past the end of file faults (an {@link InternalError} in Java) or, inside
   * the last page, is dropped; it never makes the file longer.
   */
  static MemorySegment mapForWrite(int fd, long offset, long length, Arena arena) throws IOException {
    return map(fd, offset, length, PROT_READ | PROT_WRITE, arena);
  }

  private static MemorySegment map(int fd, long offset, long capacity, int prot, Arena arena) throws IOException {
    try (Arena local = Arena.ofConfined()) {
      MemorySegment errno = local.allocate(CAPTURE);
      MemorySegment address = (MemorySegment) Mmap.H.invokeExact(
          errno, MemorySegment.NULL, capacity, prot, MAP_SHARED, fd, offset);
      if (address.address() == -1L) {
        throw new IOException("mmap failed (errno " + errno.get(JAVA_INT, ERRNO_OFFSET) + ")");
      }
      long addr = address.address();
      return MemorySegment.ofAddress(addr).reinterpret(capacity, arena, seg -> unmap(addr, capacity));
    } catch (IOException | RuntimeException | Error e) {
      throw e;
    } catch (Throwable t) {
      throw new IOException("native call failed", t);
    }
  }

  private static void unmap(long address, long size) {
    try {
      int ignored = (int) Munmap.H.invokeExact(MemorySegment.ofAddress(address), size);
    } catch (Throwable t) {
      throw new IllegalStateException("munmap failed", t);
    }
  }
}
